"""An employer known by name alone: intake does not wait for its credit code; the staff fill it in later, and a
code that belongs to another enterprise merges the two. Also the worker rows, the headcount and the next step."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from disputes import services
from disputes.models import BargainingYear, Case, ClaimKind, HandlingBody, SupervisionInspection, WageAgreement
from tests.disputes.factories import CaseFactory, id_number
from tests.disputes.test_intake_form import THREE, intake
from tests.factories import EnterpriseFactory
from tests.html_forms import submit
from union_portal.models import Enterprise
from union_portal.validators import make_credit_code

pytestmark = pytest.mark.django_db
AWAITING = reverse("disputes:employers_awaiting_code")
CODE = make_credit_code(555001)


def name_only(town, name="北京只知其名有限公司", **extra):
    return Enterprise.objects.create(name=name, credit_code=None, town=town, **extra)


# The model --------------------------------------------------------------------------------------------------


def test_many_employers_may_lack_a_code_but_a_code_given_is_unique(town_a):
    first, second = name_only(town_a, "甲公司"), name_only(town_a, "乙公司")
    coded = EnterpriseFactory(town=town_a)
    assert set(Enterprise.objects.awaiting_code()) == {first, second}
    assert (first.needs_completion, coded.needs_completion) == (True, False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(name="丙公司", credit_code=coded.credit_code, town=town_a)


def test_an_empty_code_is_stored_as_unknown(town_a):
    enterprise = Enterprise(name="丁公司", credit_code="", town=town_a)
    enterprise.full_clean()
    enterprise.save()
    assert Enterprise.objects.awaiting_code().get() == enterprise


# Intake -----------------------------------------------------------------------------------------------------


def test_intake_by_name_reuses_the_towns_name_only_employer(client_for, district_staff, town_a, town_b):
    client = client_for(district_staff)
    first = client.post(reverse("disputes:case_create"), intake(town_a, workers=THREE[:1], employer_name="北京某厂"))
    assert first.status_code == 302
    again = intake(town_a, workers=THREE[1:2], employer_name="北京某厂", confirm_duplicates="on")
    assert client.post(reverse("disputes:case_create"), again).status_code == 302
    elsewhere = intake(town_b, workers=THREE[2:3], employer_name="北京某厂")
    assert client.post(reverse("disputes:case_create"), elsewhere).status_code == 302
    in_a = Enterprise.objects.get(town=town_a, name="北京某厂")
    assert in_a.dispute_cases.count() == 2 and in_a.needs_completion
    assert Enterprise.objects.filter(name="北京某厂").count() == 2  # another town's is another employer


def test_the_saved_case_says_its_employer_awaits_a_code(client_for, town_a_staff, town_a):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_create"), intake(town_a, workers=THREE[:1], employer_name="北京某厂"), follow=True
    )
    infos = [str(m) for m in response.context["messages"] if m.level_tag == "info"]
    assert len(infos) == 1 and "北京某厂" in infos[0]
    page = response.content.decode()
    assert "北京某厂" in page and "None" not in page


def test_a_later_intake_with_a_new_code_fills_in_the_name_only_employer(client_for, district_staff, town_a):
    waiting = name_only(town_a, "北京某厂")
    CaseFactory(town=town_a, employer=waiting, status="agreement")
    data = intake(town_a, workers=THREE[:1], employer_name="北京某厂", employer_code=CODE.lower())
    assert client_for(district_staff).post(reverse("disputes:case_create"), data).status_code == 302
    waiting.refresh_from_db()
    assert waiting.credit_code == CODE and not waiting.needs_completion
    assert Enterprise.objects.count() == 1 and waiting.dispute_cases.count() == 2


def test_an_edit_fills_in_the_code_of_the_cases_employer(client_for, district_staff, town_a):
    from tests.disputes.test_case_page import edit_data

    case = CaseFactory(town=town_a, employer=name_only(town_a, "北京某厂"))
    page = client_for(district_staff).get(reverse("disputes:case_update", args=[case.pk])).content.decode()
    assert 'data-testid="employer-awaiting-code"' in page and 'value="None"' not in page
    data = {**edit_data(case), "employer_credit_code": CODE}
    assert client_for(district_staff).post(reverse("disputes:case_update", args=[case.pk]), data).status_code == 302
    assert Enterprise.objects.get().credit_code == CODE


def test_the_employer_picker_offers_name_only_employers_without_a_code(client_for, town_a_staff, town_a):
    name_only(town_a, "北京兴旺物流")
    page = client_for(town_a_staff).get(reverse("disputes:employer_search"), {"employer_name": "兴旺"}).content.decode()
    assert 'data-code=""' in page and 'data-testid="awaiting-code"' in page and "None" not in page


# The list of employers awaiting a code ----------------------------------------------------------------------


def test_staff_see_the_employers_awaiting_a_code_with_their_cases(client_for, district_staff, town_a, town_b):
    waiting = name_only(town_a)
    CaseFactory.create_batch(2, town=town_a, employer=waiting)
    name_only(town_b, "亦庄某店")
    EnterpriseFactory(town=town_a, name="有代码的公司")
    page = client_for(district_staff).get(AWAITING).content.decode()
    assert "北京只知其名有限公司" in page and "亦庄某店" in page and "有代码的公司" not in page
    assert re.search(r'data-testid="cases-count">2<', page)


def test_town_staff_see_their_towns_employers_awaiting_a_code(client_for, town_a_staff, town_a, town_b):
    name_only(town_a)
    name_only(town_b, "亦庄某店")
    page = client_for(town_a_staff).get(AWAITING).content.decode()
    assert "北京只知其名有限公司" in page and "亦庄某店" not in page


def test_leadership_reads_the_list_but_gets_no_form(client_for, leadership, town_a):
    waiting = name_only(town_a)
    client = client_for(leadership)
    page = client.get(AWAITING)
    assert page.status_code == 200 and 'data-testid="code-form"' not in page.content.decode()
    refused = client.post(AWAITING, {"enterprise": waiting.pk, f"code{waiting.pk}-credit_code": CODE})
    assert refused.status_code == 403
    assert Enterprise.objects.get().needs_completion


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(AWAITING).status_code == 302


def test_a_code_filled_in_on_the_list_is_saved(client_for, town_a_staff, town_a):
    waiting = name_only(town_a)
    client = client_for(town_a_staff)
    page = client.get(AWAITING)
    response = submit(
        client, page, "[data-testid=code-form]", fill={f"code{waiting.pk}-credit_code": CODE}, follow=True
    )
    waiting.refresh_from_db()
    assert waiting.credit_code == CODE
    assert response.status_code == 200 and not response.context["object_list"]


def test_a_wrong_code_is_refused_on_its_row_with_the_summary(client_for, town_a_staff, town_a):
    waiting = name_only(town_a)
    client = client_for(town_a_staff)
    field = f"code{waiting.pk}-credit_code"
    response = submit(client, client.get(AWAITING), "[data-testid=code-form]", fill={field: "123"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page and f'href="#id_{field}"' in page
    assert Enterprise.objects.get().needs_completion


def test_another_towns_employer_cannot_be_completed_by_town_staff(client_for, town_a_staff, town_b):
    waiting = name_only(town_b)
    response = client_for(town_a_staff).post(
        AWAITING, {"enterprise": waiting.pk, f"code{waiting.pk}-credit_code": CODE}, follow=True
    )
    assert response.status_code == 200
    assert Enterprise.objects.get().needs_completion


def test_the_list_costs_the_same_statements_for_more_employers(
    client_for, district_staff, town_a, django_assert_max_num_queries
):
    client = client_for(district_staff)
    for size in (3, 30):
        for n in range(size):
            CaseFactory(town=town_a, employer=name_only(town_a, f"某厂{size}-{n}"))
        with django_assert_max_num_queries(16):
            assert client.get(AWAITING).status_code == 200


# Merging ----------------------------------------------------------------------------------------------------


def test_a_code_that_belongs_to_another_enterprise_merges_the_name_only_one_into_it(client_for, district_staff, town_a):
    known = EnterpriseFactory(town=town_a, name="北京正式名称有限公司", credit_code=CODE, headcount=150)
    waiting = name_only(town_a, "北京俗称厂", headcount=150)
    cases = CaseFactory.create_batch(2, town=town_a, employer=waiting)
    WageAgreement.objects.create(
        enterprise=waiting,
        signed_on=datetime.date(2018, 1, 5),
        starts_on=datetime.date(2018, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
    )
    BargainingYear.objects.create(enterprise=waiting, year=2018, employees=150)
    both = SupervisionInspection.objects.create(town=town_a, date=datetime.date(2018, 5, 1))
    both.unions_covered.set([waiting, known])
    only = SupervisionInspection.objects.create(town=town_a, date=datetime.date(2018, 6, 1))
    only.unions_covered.set([waiting])
    versions = {case.pk: case.version for case in cases}
    client = client_for(district_staff)
    response = submit(
        client,
        client.get(AWAITING),
        "[data-testid=code-form]",
        fill={f"code{waiting.pk}-credit_code": CODE},
        follow=True,
    )
    assert response.status_code == 200
    assert not Enterprise.objects.filter(pk=waiting.pk).exists()
    assert Enterprise.objects.get().pk == known.pk
    assert set(known.dispute_cases.all()) == set(cases)
    assert all(case.version == versions[case.pk] + 1 for case in known.dispute_cases.all())  # stale edit forms
    assert known.wage_agreements.count() == 1 and known.bargaining_years.get().year == 2018
    assert list(both.unions_covered.all()) == [known] and list(only.unions_covered.all()) == [known]
    # Its history keeps it: the row as it was and its deletion, and the cases' moves.
    assert list(Enterprise.history.filter(id=waiting.pk).values_list("history_type", flat=True))[:1] == ["-"]
    assert cases[0].history.filter(employer_id=waiting.pk).exists()
    assert cases[0].history.first().employer_id == known.pk


def test_a_merge_that_would_break_a_rule_changes_nothing(district_staff, town_a):
    known = EnterpriseFactory(town=town_a, credit_code=CODE, headcount=150)
    waiting = name_only(town_a, headcount=150)
    CaseFactory(town=town_a, employer=waiting)
    BargainingYear.objects.create(enterprise=known, year=2018, employees=150)
    BargainingYear.objects.create(enterprise=waiting, year=2018, employees=160)
    with pytest.raises(services.CaseRuleError):
        services.employer_code_fill(enterprise=waiting, credit_code=CODE, by=district_staff)
    waiting.refresh_from_db()
    assert waiting.needs_completion and waiting.dispute_cases.count() == 1


def test_a_later_intake_whose_code_is_known_takes_that_enterprise(client_for, district_staff, town_a):
    known = EnterpriseFactory(town=town_a, credit_code=CODE)
    name_only(town_a, "北京某厂")
    data = intake(town_a, workers=THREE[:1], employer_name="北京某厂", employer_code=CODE)
    assert client_for(district_staff).post(reverse("disputes:case_create"), data).status_code == 302
    assert Case.objects.get().employer == known


# Pages that show a code -------------------------------------------------------------------------------------


def test_pages_and_the_export_show_a_missing_code_as_to_be_completed(client_for, district_staff, town_a):
    import io

    import openpyxl

    waiting = name_only(town_a, headcount=150)
    case = CaseFactory(town=town_a, employer=waiting)
    client = client_for(district_staff)
    for url in (case.get_absolute_url(), reverse("disputes:case_list"), reverse("disputes:bargaining")):
        response = client.get(url)
        assert response.status_code == 200 and ">None<" not in response.content.decode(), url
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("disputes:case_export")).getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    column = [str(h) for h in rows[0]].index(str(Enterprise._meta.get_field("credit_code").verbose_name))
    assert rows[1][column] not in (None, "", "None")


def test_the_admin_lists_and_edits_an_employer_without_a_code(client, district_admin, town_a):
    waiting = name_only(town_a)
    district_admin.is_staff = district_admin.is_superuser = True
    district_admin.save()
    client.force_login(district_admin)
    assert client.get(reverse("admin:union_portal_enterprise_changelist")).status_code == 200
    assert client.get(reverse("admin:union_portal_enterprise_change", args=[waiting.pk])).status_code == 200
    assert client.get(reverse("admin:disputes_case_changelist")).status_code == 200


# The worker rows, the headcount, the next step -------------------------------------------------------------


class Labels(HTMLParser):
    """The ids of the page's visible inputs and the ids its <label for> name."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append(attrs.get("id", attrs.get("name")))
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])


def test_every_worker_input_has_a_label_and_the_representative_is_explained(client_for, town_a_staff):
    page = client_for(town_a_staff).get(reverse("disputes:case_create")).content.decode()
    parser = Labels()
    parser.feed(page)
    workers = [i for i in parser.inputs if i and i.startswith("id_workers-") and "__prefix__" not in i]
    assert len(workers) == 12  # three rows of name, ID number, phone, representative
    assert not [i for i in parser.inputs if i not in parser.labelled]
    assert 'aria-describedby="worker-representative-help"' in page and 'id="worker-representative-help"' in page
    assert "<th for=" not in page


def test_a_headcount_smaller_than_the_workers_listed_is_refused_on_the_field(client_for, town_a_staff, town_a):
    data = intake(town_a, workers=THREE, employer_name="北京某厂", headcount="2")
    response = client_for(town_a_staff).post(reverse("disputes:case_create"), data)
    assert response.status_code == 200 and not Case.objects.exists()
    errors = response.context["form"].errors["headcount"]
    assert "3" in errors[0] and str(Case._meta.get_field("headcount").verbose_name) in errors[0]
    assert 'href="#id_headcount"' in response.content.decode()  # in the summary at the top


def test_a_larger_headcount_is_kept(client_for, town_a_staff, town_a):
    data = intake(town_a, workers=THREE[:1], employer_name="北京某厂", headcount="40")
    assert client_for(town_a_staff).post(reverse("disputes:case_create"), data).status_code == 302
    assert Case.objects.get().headcount == 40


def test_a_refused_intake_shows_the_error_summary_at_the_top(client_for, town_a_staff, town_a):
    data = intake(town_a, workers=THREE[:1], employer_name="", received_on="")
    page = client_for(town_a_staff).post(reverse("disputes:case_create"), data).content.decode()
    summary = page.index('data-testid="form-errors"')
    assert summary < page.index('id="id_received_on"')
    assert 'href="#id_received_on"' in page and 'href="#id_employer_name"' in page


def test_the_next_step_card_shows_each_label_once(client_for, district_staff, town_a, open_case):
    case = open_case(town_a)
    page = client_for(district_staff).get(case.get_absolute_url()).content.decode()
    card = page[page.index('class="move-form') : page.index("</section>", page.index('class="move-form'))]
    texts = [t.strip() for t in re.findall(r">([^<>]+)<", card) if t.strip()]
    assert len(texts) == len(set(texts)), texts


def test_the_intake_form_sent_as_rendered_by_name_alone(client_for, town_a_staff, town_a):
    client = client_for(town_a_staff)
    fill = {
        "received_on": "2018-03-01",
        "handling_body": "town_union",
        "town": str(town_a.pk),
        "employer_name": "北京只知其名有限公司",
        "claim_kinds": [str(ClaimKind.objects.get(code="wage_arrears").pk)],
        "workers-0-name": "王建国",
        "workers-0-id_number": id_number(11),
        "workers-1-name": "李秀英",
        "workers-1-id_number": id_number(12),
    }
    response = submit(client, client.get(reverse("disputes:case_create")), "#case-form", fill=fill)
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get()
    assert case.headcount == 2 and case.employer.needs_completion


@pytest.mark.django_db(transaction=True)
def test_two_desks_naming_the_same_new_employer_at_once_register_it_once(town_a, district_staff):
    """The town's row is locked while intake looks for a name-only employer (services._employer_register)."""
    from tests.threads import at_once

    def intake(n):
        return services.case_open(
            town=town_a,
            handling_body=HandlingBody.TOWN_UNION,
            employer=Enterprise(name="同时登记的劳务公司", credit_code=None, town=town_a),
            received_on=datetime.date(2018, 6, 1),
            workers=[{"name": f"工人{n}", "id_number": id_number(950 + n)}],
            by=district_staff,
        )

    cases, errors = at_once(intake, 4)
    assert not errors
    assert Enterprise.objects.filter(name="同时登记的劳务公司").count() == 1
    assert len({case.employer_id for case in cases}) == 1
