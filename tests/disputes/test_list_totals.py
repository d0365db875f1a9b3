"""The case list states the totals of its summed columns (amount involved, workers involved, and on the lists of
dossiers the amount recovered) in its table's foot: the whole filtered list's, as the user may see it, equal to the
figure it was opened from, for the district and for a town, across pages, in the same statements at any size."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from disputes.figures import figures
from disputes.models import Case, CaseWorker, DossierKind, HandlingBody, Outcome, Status
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory
from tests.union_portal.test_summary_report_figures import Tables, stated_total
from union_portal.formatting import format_wan

pytestmark = pytest.mark.django_db

CLAIMED = Case._meta.get_field("amount_claimed")
HEADCOUNT = Case._meta.get_field("headcount")
RECOVERED = Case._meta.get_field("amount_recovered")
# The figures of the case list and the column each sums.
SUMMED = {
    "mediated_amount": CLAIMED,
    "formal_dossier_workers": HEADCOUNT,
    "formal_dossier_recovered": RECOVERED,
    "simple_dossier_workers": HEADCOUNT,
    "simple_dossier_recovered": RECOVERED,
}


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


def add_cases(town, count, start=0):
    """`count` cases of 2018 in `town`: centre cases closed with an agreement (some in 2017, which the 2018 figures
    leave out), and town-union formal and simple dossiers archived in 2018 with an amount recovered."""
    employer = EnterpriseFactory(town=town)
    cases = []
    for n in range(start, start + count):
        dossier = n % 3
        common = {
            "number": f"T〔2018〕{town.pk}-{n:05d}",
            "town": town,
            "employer": employer,
            "received_on": datetime.date(2018 - (n % 5 == 0), 3, 1),
            "amount_claimed": Decimal(10_000 + 131 * n) + Decimal("0.25"),
            "headcount": 1 + n % 7,
            "last_activity_at": datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC),
        }
        if dossier == 0:
            case = Case(
                **common,
                handling_body=HandlingBody.CENTRE,
                status=Status.AGREEMENT,
                outcome=Outcome.AGREEMENT,
                closed_on=datetime.date(2018 - (n % 5 == 0), 6, 1),
            )
        else:
            case = Case(
                **common,
                handling_body=HandlingBody.TOWN_UNION,
                status=Status.ARCHIVED,
                outcome=Outcome.AGREEMENT,
                closed_on=datetime.date(2018, 6, 1),
                archived_on=datetime.date(2018, 7, 1),
                dossier_kind=DossierKind.FORMAL if dossier == 1 else DossierKind.SIMPLE,
                amount_recovered=Decimal(3_000 + 17 * n) if n % 4 else None,
            )
        case.refresh_derived()
        cases.append(case)
    cases = Case.objects.bulk_create(cases)
    CaseWorker.objects.bulk_create(
        CaseWorker(case=case, name=f"工人{i}", id_number=id_number(case.pk * 10 + i), phone="13800138000")
        for case in cases
        for i in range(2)
    )


def by_key(town=None):
    return {figure.key: figure for figure in figures(2018, town)}


def pages(client, url):
    first = client.get(url)
    assert first.status_code == 200
    return [first] + [client.get(f"{url}&page={n}") for n in range(2, first.context["paginator"].num_pages + 1)]


def as_shown(figure, field):
    return format_wan(figure.value) if field is not HEADCOUNT else str(figure.value)


def test_the_case_lists_state_the_figures_for_the_district_and_a_town_across_pages(
    client_for, district_staff, town_a_staff, town_a, town_b, zh
):
    add_cases(town_a, 160)  # 40 and more of each kind: two pages
    add_cases(town_b, 60, start=160)
    # (who, the figures' place whose links are opened, the place whose figures the lists must state): town staff
    # opening the district's links see their own town's cases only.
    for user, opened, stated in (
        (district_staff, None, None),
        (district_staff, town_a, town_a),
        (town_a_staff, town_a, town_a),
        (town_a_staff, None, town_a),
    ):
        links, expected = by_key(opened), by_key(stated)
        for key, field in SUMMED.items():
            responses = pages(client_for(user), links[key].url)
            assert len(responses) > 1, (key, "the list runs over more than one page")
            feet = {stated_total(response.content.decode(), field) for response in responses}
            assert feet == {as_shown(expected[key], field)}, (key, user, opened, feet)


def test_the_foot_sums_the_rows_and_the_recovered_column_comes_with_dossier_filters(
    client_for, district_staff, town_a, zh
):
    add_cases(town_a, 12)
    client = client_for(district_staff)
    plain = client.get(reverse("disputes:case_list")).content.decode()
    table = Tables(plain).tables[0]
    assert str(RECOVERED.verbose_name) not in table["head"]
    cases = Case.objects.all()
    assert stated_total(plain, CLAIMED) == format_wan(sum(case.amount_claimed for case in cases))
    assert stated_total(plain, HEADCOUNT) == str(sum(case.headcount for case in cases))
    # The rows' workers add up to the foot (one page here).
    index = table["head"].index(str(HEADCOUNT.verbose_name))
    rows = re.findall(r'<tr class="case-row[^"]*"[^>]*>(.*?)</tr>', plain, re.S)
    cells = [re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)[index] for row in rows]
    assert len(cells) == 12 and sum(int(cell) for cell in cells) == sum(case.headcount for case in cases)

    dossiers = client.get(reverse("disputes:case_list"), {"dossier_kind": "formal"}).content.decode()
    formal = [case for case in cases if case.dossier_kind == DossierKind.FORMAL]
    assert stated_total(dossiers, RECOVERED) == format_wan(sum(case.amount_recovered or 0 for case in formal))
    assert stated_total(dossiers, CLAIMED) == format_wan(sum(case.amount_claimed for case in formal))


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    ["", "handling_body=town_union&dossier_kind=formal&archived_year=2018", "q=工人1&closed_year=2018&sort=due"],
)
def test_the_case_list_runs_the_same_statements_for_30_and_600_cases(
    client_for, town_a_staff, town_a, params, django_assert_max_num_queries
):
    client = client_for(town_a_staff)
    url = f"{reverse('disputes:case_list')}?{params}"
    add_cases(town_a, 30)
    few = statements(client, url)
    add_cases(town_a, 570, start=30)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert "<tfoot" in response.content.decode()
