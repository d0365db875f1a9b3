"""The kit's paginator (issue 10): any page of a long list shows exactly what Django's paginator would, reads its keys
first from the nearer end of the list, and costs the same statements at any depth."""

import datetime
import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import Case
from tests.disputes.factories import CaseFactory
from tests.factories import EnterpriseFactory
from union_portal.models import Town
from union_portal.pagination import PortalPaginator, total_order

pytestmark = pytest.mark.django_db

PER_PAGE = 25


@pytest.fixture
def cases(town_a, town_b):
    """137 cases: several received on each day (ties broken by id), a third with no deadline (NULLs sort last)."""
    employer = EnterpriseFactory(town=town_a)
    built = []
    for n in range(137):
        case = CaseFactory.build(
            number=f"测试调〔2018〕{n:04d}",
            town=(town_a, town_b)[n % 2],
            employer=employer,
            received_on=datetime.date(2018, 1, 1) + datetime.timedelta(days=n // 4),
            amount_claimed=1000 + n,
        )
        case.due_on = None if n % 3 == 0 else datetime.date(2018, 6, 1) + datetime.timedelta(days=(n * 7) % 40)
        built.append(case)
    Case.objects.bulk_create(built)
    return Case.objects.all()


ORDERS = {
    "newest first": ("-received_on", "-pk"),
    "next deadline": (F("due_on").asc(nulls_last=True), "-received_on", "-pk"),
    "case number": ("number",),
    "oldest first": ("received_on", "pk"),
}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("orphans", [0, 5])
def test_every_page_holds_what_djangos_paginator_shows(cases, order, orphans):
    listed = cases.select_related("town").order_by(*ORDERS[order])
    ours, django = PortalPaginator(listed, PER_PAGE, orphans=orphans), Paginator(listed, PER_PAGE, orphans=orphans)
    assert ours.num_pages == django.num_pages > 4
    for number in ours.page_range:
        assert [c.number for c in ours.page(number)] == [c.number for c in django.page(number)], number
    assert ours.page(ours.num_pages).end_index() == 137


def test_the_last_page_reads_its_keys_from_the_end_of_the_list(cases, django_assert_num_queries):
    listed = cases.order_by("-received_on", "-pk")
    paginator = PortalPaginator(listed, PER_PAGE)
    paginator.count  # noqa: B018 (counted first, so only the page's statements are captured below)
    with CaptureQueriesContext(connection) as captured:
        last = paginator.page(paginator.num_pages)
    assert [c.number for c in last] == [c.number for c in Paginator(listed, PER_PAGE).page(6)]
    assert last[-1].number == "测试调〔2018〕0000"
    offsets = [int(n) for query in captured for n in re.findall(r"OFFSET (\d+)", query["sql"])]
    assert len(captured) == 2  # the keys, then their rows
    assert all(offset < PER_PAGE for offset in offsets)  # not 125 rows skipped from the front


def test_a_list_whose_order_can_tie_is_never_read_backwards(cases):
    by_town = cases.order_by("town")
    assert not total_order(by_town)
    assert total_order(cases.order_by("-received_on", "-pk"))
    assert total_order(cases.order_by(F("due_on").asc(nulls_last=True), "pk"))
    assert not total_order(cases.order_by("received_on"))
    assert not total_order(cases.order_by("number"))  # unique only among the numbered (a constraint, not the field)
    paginator = PortalPaginator(by_town.order_by("town", "pk"), PER_PAGE)
    django = Paginator(by_town.order_by("town", "pk"), PER_PAGE)
    assert [c.pk for c in paginator.page(paginator.num_pages)] == [c.pk for c in django.page(django.num_pages)]


def test_a_count_handed_over_is_not_counted_again(cases, django_assert_num_queries):
    paginator = PortalPaginator(cases.order_by("-pk"), PER_PAGE, count=137)
    with django_assert_num_queries(2):  # the page's keys and rows; no COUNT
        page = paginator.page(3)
    assert page.start_index() == 51 and paginator.num_pages == 6


def test_a_plain_list_and_an_unordered_queryset_page_as_django_does(town_a):
    numbers = list(range(60))
    assert list(PortalPaginator(numbers, PER_PAGE).page(3)) == list(range(50, 60))
    towns = Town.objects.all()
    assert len(PortalPaginator(towns, 1).page(1)) == 1


def test_a_case_deleted_between_the_keys_and_the_rows_is_left_out(cases, monkeypatch):
    listed = cases.order_by("-received_on", "-pk")
    paginator = PortalPaginator(listed, PER_PAGE)
    expected = [c.number for c in Paginator(listed, PER_PAGE).page(2)]
    original = type(listed).filter

    def filter_after_a_delete(self, *args, **kwargs):
        if "pk__in" in kwargs:
            Case.objects.filter(number=expected[0]).delete()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(listed), "filter", filter_after_a_delete)
    assert [c.number for c in paginator.page(2)] == expected[1:]


# The case list as staff page through it --------------------------------------------------------------------


def listed_numbers(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-case="([^"]+)"', response.content.decode())


@pytest.fixture
def staff(client_for, district_staff):
    return client_for(district_staff)


def test_the_case_list_last_and_middle_pages_show_the_oldest_and_the_right_cases(staff, cases):
    url = reverse("disputes:case_list")
    everything = [c.number for c in Case.objects.order_by("-received_on", "-pk")]
    assert listed_numbers(staff.get(url, {"page": "last"})) == everything[125:]
    assert listed_numbers(staff.get(url, {"page": 3})) == everything[50:75]
    page = staff.get(url, {"page": 4, "sort": "due"}).content.decode()
    due = [c.number for c in Case.objects.by_due_date()]
    assert re.findall(r'data-case="([^"]+)"', page) == due[75:100]
    assert "137" in re.search(r'data-testid="page-total">([^<]+)<', page).group(1)


@pytest.mark.parametrize("page", ["1", "3", "last"])
def test_each_page_of_the_case_list_runs_the_same_statements(staff, cases, page, django_assert_max_num_queries):
    url = reverse("disputes:case_list")
    staff.get(url)
    with CaptureQueriesContext(connection) as first:
        staff.get(url)
    with django_assert_max_num_queries(len(first)):
        assert staff.get(url, {"page": page}).status_code == 200
