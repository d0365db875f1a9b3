"""The intake page: three worker rows, employer by code or name or new, duplicate warning before saving."""

import pytest
from django.urls import reverse

from disputes.models import Case, ClaimKind, HandlingBody
from tests.disputes.factories import CaseFactory, id_number
from tests.factories import EnterpriseFactory
from union_portal.models import Enterprise
from union_portal.validators import make_credit_code

pytestmark = pytest.mark.django_db
NEW_CODE = make_credit_code(777001)


def intake(town, *, workers, employer_name="", employer_code="", **extra):
    data = {
        "received_on": "2018-03-01",
        "channel": "walk_in",
        "handling_body": HandlingBody.TOWN_UNION,
        "town": town.pk,
        "claim_kinds": [ClaimKind.objects.get(code="wage_arrears").pk],
        "amount_claimed": "36000",
        "learned_on": "2018-02-20",
        "facts": "三名职工被拖欠两个月工资",
        "headcount": "",
        "employer_name": employer_name,
        "employer_credit_code": employer_code,
        "assigned_to": "",
        "workers-TOTAL_FORMS": str(max(3, len(workers))),
        "workers-INITIAL_FORMS": "0",
        "workers-MIN_NUM_FORMS": "0",
        "workers-MAX_NUM_FORMS": "1000",
    }
    for i, worker in enumerate(workers):
        for key, value in worker.items():
            data[f"workers-{i}-{key}"] = value
    data.update(extra)
    return data


THREE = [
    {"name": "王建国", "id_number": id_number(11), "phone": "13811112222"},
    {"name": "李秀英", "id_number": id_number(12), "phone": "13822223333"},
    {"name": "张伟", "id_number": id_number(13), "phone": ""},
]


def test_the_intake_form_shows_three_worker_rows(client_for, town_a_staff):
    page = client_for(town_a_staff).get(reverse("disputes:case_create")).content.decode()
    assert 'name="workers-TOTAL_FORMS" value="3"' in page
    assert 'name="workers-2-id_number"' in page


def test_a_case_for_three_workers_and_a_new_employer_is_saved(client_for, town_a_staff, town_a):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_create"),
        intake(town_a, workers=THREE, employer_name="北京新拖欠有限公司", employer_code=NEW_CODE),
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert case.number == f"{town_a.name}调〔2018〕0001"
    assert case.town == town_a
    assert sorted(case.workers.values_list("name", flat=True)) == ["张伟", "李秀英", "王建国"]
    assert case.headcount == 3
    assert case.employer.credit_code == NEW_CODE
    assert case.employer.town == town_a
    assert list(case.claim_kinds.values_list("code", flat=True)) == ["wage_arrears"]
    assert case.created_by == town_a_staff
    assert case.limitation_on.isoformat() == "2019-02-20"


def test_an_existing_employer_is_found_by_credit_code_or_exact_name(client_for, district_staff, town_a):
    employer = EnterpriseFactory(town=town_a, name="北京老字号有限公司")
    client = client_for(district_staff)
    client.post(
        reverse("disputes:case_create"), intake(town_a, workers=THREE[:1], employer_code=employer.credit_code.lower())
    )
    client.post(
        reverse("disputes:case_create"),
        intake(town_a, workers=THREE[1:2], employer_name="北京老字号有限公司", confirm_duplicates="on"),
    )
    assert Case.objects.filter(employer=employer).count() == 2
    assert Enterprise.objects.count() == 1


def test_an_unknown_employer_name_is_saved_by_name_alone(client_for, district_staff, town_a):
    response = client_for(district_staff).post(
        reverse("disputes:case_create"), intake(town_a, workers=THREE, employer_name="查无此企业")
    )
    assert response.status_code == 302
    employer = Case.objects.get().employer
    assert (employer.name, employer.credit_code, employer.town) == ("查无此企业", None, town_a)
    assert employer.needs_completion


def test_a_wrong_id_number_is_refused_and_what_was_typed_is_kept(client_for, district_staff, town_a):
    bad = THREE[0]["id_number"][:17] + ("1" if THREE[0]["id_number"][17] != "1" else "2")
    workers = [{**THREE[0], "id_number": bad}, *THREE[1:]]
    response = client_for(district_staff).post(
        reverse("disputes:case_create"), intake(town_a, workers=workers, employer_name="某公司", employer_code=NEW_CODE)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["id_number"]
    assert bad in page and "李秀英" in page and "三名职工被拖欠两个月工资" in page
    assert not Case.objects.exists()


def test_an_open_case_with_the_same_worker_is_shown_before_saving(client_for, district_staff, town_a):
    earlier = CaseFactory(town=town_a, number="大兴调〔2018〕0100", workers=[{"id_number": THREE[0]["id_number"]}])
    client = client_for(district_staff)
    data = intake(town_a, workers=THREE, employer_name="另一家公司", employer_code=NEW_CODE)
    first = client.post(reverse("disputes:case_create"), data)
    assert first.status_code == 200
    assert [case.pk for case in first.context["duplicates"]] == [earlier.pk]
    assert "大兴调〔2018〕0100" in first.content.decode()
    assert Case.objects.count() == 1
    second = client.post(reverse("disputes:case_create"), {**data, "confirm_duplicates": "on"})
    assert second.status_code == 302
    assert Case.objects.count() == 2


def test_an_open_case_of_the_same_employer_is_shown_before_saving(client_for, district_staff, town_a):
    earlier = CaseFactory(town=town_a)
    response = client_for(district_staff).post(
        reverse("disputes:case_create"), intake(town_a, workers=THREE, employer_code=earlier.employer.credit_code)
    )
    assert [case.pk for case in response.context["duplicates"]] == [earlier.pk]


def test_closed_cases_are_not_duplicates(client_for, district_staff, town_a):
    CaseFactory(town=town_a, status="agreement", workers=[{"id_number": THREE[0]["id_number"]}])
    response = client_for(district_staff).post(
        reverse("disputes:case_create"), intake(town_a, workers=THREE, employer_name="新公司", employer_code=NEW_CODE)
    )
    assert response.status_code == 302


def test_the_duplicate_check_answers_while_the_form_is_filled(client_for, district_staff, town_a):
    earlier = CaseFactory(town=town_a, number="大兴调〔2018〕0200", workers=[{"id_number": THREE[1]["id_number"]}])
    response = client_for(district_staff).get(
        reverse("disputes:case_duplicates"), {"workers-0-id_number": THREE[1]["id_number"].lower()}
    )
    assert "大兴调〔2018〕0200" in response.content.decode()
    nothing = client_for(district_staff).get(
        reverse("disputes:case_duplicates"), {"workers-0-id_number": THREE[2]["id_number"]}
    )
    assert "大兴调〔2018〕0200" not in nothing.content.decode()
    assert earlier.pk


def test_the_duplicate_check_never_shows_another_towns_case(client_for, town_a_staff, town_b):
    CaseFactory(town=town_b, number="大兴调〔2018〕0300", workers=[{"id_number": THREE[1]["id_number"]}])
    response = client_for(town_a_staff).get(
        reverse("disputes:case_duplicates"), {"workers-0-id_number": THREE[1]["id_number"]}
    )
    assert "大兴调〔2018〕0300" not in response.content.decode()


def test_town_staff_cannot_file_a_case_in_another_town(client_for, town_a_staff, town_b):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_create"), intake(town_b, workers=THREE, employer_name="某公司", employer_code=NEW_CODE)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["town"]
    assert not Case.objects.exists()


def test_employers_are_suggested_by_name_or_code(client_for, town_a_staff, town_a):
    employer = EnterpriseFactory(town=town_a, name="北京兴旺物流有限公司")
    client = client_for(town_a_staff)
    assert (
        employer.credit_code
        in client.get(reverse("disputes:employer_search"), {"employer_name": "兴旺"}).content.decode()
    )
    assert "兴旺" in client.get(reverse("disputes:employer_search"), {"q": employer.credit_code[:10]}).content.decode()


def test_a_claim_past_the_limitation_period_is_saved_with_a_warning(client_for, town_a_staff, town_a):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_create"),
        intake(
            town_a, workers=THREE[:1], employer_name="北京旧账有限公司", employer_code=NEW_CODE, learned_on="2017-02-27"
        ),
        follow=True,
    )
    case = Case.objects.get()
    assert case.limitation_on.isoformat() == "2018-02-27"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "2018-02-27" in warnings[0]
    assert 'data-testid="limitation-expired"' in response.content.decode()


def test_a_claim_within_the_limitation_period_gets_no_warning(client_for, town_a_staff, town_a):
    response = client_for(town_a_staff).post(
        reverse("disputes:case_create"),
        intake(
            town_a, workers=THREE[:1], employer_name="北京新账有限公司", employer_code=NEW_CODE, learned_on="2017-03-01"
        ),
        follow=True,
    )
    assert Case.objects.get().limitation_on.isoformat() == "2018-03-01"
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert 'data-testid="limitation-expired"' not in response.content.decode()
