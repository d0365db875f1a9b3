"""The case tallies (disputes.CaseTally): PostgreSQL's triggers keep the case list's count and sums by town, year,
status and handling body through every way cases are written; the case list reads them when its filters allow,
and shows what summing its cases shows, on both databases."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.management.commands.compact_case_tallies import tally_differences
from disputes.models import OPEN_STATUSES, Case, CaseTally, HandlingBody, Status
from tests.disputes.factories import CaseFactory
from tests.factories import TownFactory
from tests.threads import at_once
from union_portal.formatting import format_wan

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the tallies are PostgreSQL's")


def cases_in(towns, count=6):
    """Cases over two years, both handling bodies and several statuses, with headcounts and amounts that differ."""
    made = []
    for n in range(count):
        town = towns[n % len(towns)]
        made.append(
            CaseFactory(
                town=town,
                received_on=datetime.date(2024 + n % 2, 3, 1 + n),
                handling_body=HandlingBody.LEGAL_AID if n % 3 == 0 else HandlingBody.CENTRE,
                headcount=1 + n,
                amount_claimed=Decimal("1234.56") * (n + 1),
                workers=[],
            )
        )
    return made


@postgresql
def test_every_way_of_writing_cases_keeps_the_tallies_right():
    town_a, town_b = TownFactory(), TownFactory()
    made = cases_in([town_a, town_b])
    assert tally_differences() == []
    first, second, third, *_ = made
    Case.objects.filter(pk=first.pk).update(status=Status.MEDIATING, headcount=9)  # a queryset's UPDATE
    second.amount_claimed = Decimal("0.01")
    second.save()  # the ORM's save
    Case.objects.filter(town=town_b).update(received_on=datetime.date(2023, 5, 5))  # several rows, another year
    with connection.cursor() as cursor:  # plain SQL
        cursor.execute("UPDATE disputes_case SET town_id = %s WHERE id = %s", [town_b.pk, third.pk])
    assert tally_differences() == []
    rows = CaseTally.objects.count()
    Case.objects.filter(pk=made[-1].pk).update(facts="只改事实")  # no tallied column: no row added
    assert CaseTally.objects.count() == rows
    Case.objects.filter(pk__in=[first.pk, made[4].pk]).delete()
    assert tally_differences() == []


@postgresql
def test_compacting_leaves_one_row_per_group_and_the_same_sums():
    town = TownFactory()
    made = cases_in([town], count=8)
    for case in made[:4]:
        Case.objects.filter(pk=case.pk).update(status=Status.AGREEMENT)
    before = CaseTally.objects.totals()
    groups = Case.objects.values("town", "received_on__year", "status", "handling_body").distinct().count()
    assert CaseTally.objects.count() > groups
    call_command("compact_case_tallies")
    assert CaseTally.objects.count() == groups
    assert CaseTally.objects.totals() == before
    assert tally_differences() == []
    call_command("compact_case_tallies", "--check")


@postgresql
def test_the_check_names_a_group_that_differs_and_the_rebuild_mends_it():
    cases_in([TownFactory()], count=3)
    CaseTally.objects.create(
        town_id=Case.objects.first().town_id,
        year=2024,
        status=Status.RECEIVED,
        handling_body=HandlingBody.CENTRE,
        cases=5,
        headcount=5,
        amount_claimed=0,
    )
    with pytest.raises(CommandError, match="groups differ"):
        call_command("compact_case_tallies", "--check")
    call_command("compact_case_tallies", "--rebuild", "--check")
    assert tally_differences() == []


@postgresql
@pytest.mark.django_db(transaction=True)
def test_desks_writing_cases_at_the_same_moment_are_all_tallied():
    """The triggers only add rows: two transactions writing cases of one group at once neither wait for nor lose
    each other's."""
    town = TownFactory()
    case = CaseFactory(town=town, workers=[], received_on=datetime.date(2025, 1, 2))

    def write(n):
        with transaction.atomic():
            CaseFactory(town=town, workers=[], received_on=datetime.date(2025, 1, 2), headcount=2 + n)
            Case.objects.filter(pk=case.pk).update(headcount=1) if n == 0 else None

    _results, errors = at_once(write, 4)
    assert not errors
    assert tally_differences() == []
    assert CaseTally.objects.filter(town=town).totals()["count"] == 5


# The case list, on both databases ---------------------------------------------------------------------------


def shown(response) -> tuple[int, str, str]:
    """The count the list states and its totals row's headcount and amount cells."""
    page = response.content.decode()
    count = int(re.search(r'data-testid="result-count">\D*(\d+)', page).group(1))
    totals = re.search(r'data-testid="totals">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="text-end[^"]*"[^>]*>([^<]*)</td>', totals)
    return count, cells[0].strip(), cells[1].strip()


FILTERS = [
    {},
    {"year": "2024"},
    {"state": "open"},
    {"state": "done"},
    {"status": Status.AGREEMENT},
    {"handling_body": HandlingBody.LEGAL_AID, "year": "2025"},
    {"year": "2024", "state": "open", "sort": "due"},
    {"claim_kind": "wages"},  # not tallied: summed
    {"year": "2024.5"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: "&".join(params) or "all")
def test_the_case_list_counts_and_sums_as_its_cases_do(client, district_staff, town_a_staff, town_a, params):
    town_b = TownFactory()
    made = cases_in([town_a, town_b], count=10)
    for case in made[:3]:
        Case.objects.filter(pk=case.pk).update(status=Status.AGREEMENT, closed_on=case.received_on)
    Case.objects.filter(pk=made[5].pk).delete()
    for user, town in ((district_staff, None), (town_a_staff, town_a)):
        client.force_login(user)
        for with_town in [{}, {"town": town_a.pk}] if town is None else [{}]:
            query = {**params, **with_town}
            cases = Case.objects.visible_to(user)
            expected = _filtered(cases, query)
            count, headcount, amount = shown(client.get(reverse("disputes:case_list"), query))
            assert count == expected.count(), (user, query)
            assert headcount == str(sum(case.headcount for case in expected)), (user, query)
            assert amount == format_wan(sum(case.amount_claimed for case in expected)), (user, query)


def _filtered(cases, query):
    if "year" in query:  # Django's year lookup reads 2024.5 as 2024; the tallies' year column too
        cases = cases.filter(received_on__year=int(Decimal(query["year"])))
    if "town" in query:
        cases = cases.filter(town_id=query["town"])
    if query.get("state") == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    if query.get("state") == "done":
        cases = cases.exclude(status__in=OPEN_STATUSES)
    for name in ("status", "handling_body"):
        if name in query:
            cases = cases.filter(**{name: query[name]})
    if "claim_kind" in query:
        cases = cases.filter(claim_kinds__code=query["claim_kind"])
    return cases


@postgresql
def test_the_case_list_reads_the_tallies_instead_of_summing_the_cases(client, district_staff, town_a):
    cases_in([town_a], count=4)
    client.force_login(district_staff)
    for params in ({}, {"year": "2024", "state": "open"}, {"page": "1", "sort": "due"}):  # the bare list too
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("disputes:case_list"), params)
        statements = [query["sql"] for query in queries.captured_queries]
        assert any("disputes_casetally" in sql for sql in statements), params
        assert not any("COUNT(" in sql and 'FROM "disputes_case"' in sql for sql in statements), params
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("disputes:case_list"), {"q": "测试"})  # a search: summed from the matching cases
    assert not any("disputes_casetally" in query["sql"] for query in queries.captured_queries)
