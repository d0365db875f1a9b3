"""The start page's four panels and the case list's search, filters and sorting."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, ClaimKind, HandlingBody, Status
from tests.disputes.factories import CaseFactory
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    return re.findall(r'data-case="([^"]+)"', response.content.decode())


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def start_cases(town_a, town_b, town_a_staff):
    def make(number, town=town_a, **kwargs):
        case = CaseFactory(number=number, town=town, **kwargs)
        case.save()  # works out the clock
        return case

    return {
        "mine": make("MINE", assigned_to=town_a_staff, received_on=days_ago(2)),
        "soon": make("SOON", received_on=days_ago(13)),
        "overdue": make("LATE", received_on=days_ago(20)),
        "idle": make(
            "IDLE",
            handling_body=HandlingBody.LEGAL_AID,
            received_on=days_ago(40),
            last_activity_at=timezone.now() - datetime.timedelta(days=35),
        ),
        "closed": make("DONE", status=Status.AGREEMENT, received_on=days_ago(20), assigned_to=town_a_staff),
        "other_town": make("ELSEWHERE", town=town_b, received_on=days_ago(20)),
    }


def panel(response, key):
    return [case.number for case in next(p for p in response.context["panels"] if p["key"] == key)["cases"]]


def test_the_start_page_shows_my_cases_due_soon_overdue_and_idle(client_for, town_a_staff, start_cases):
    response = client_for(town_a_staff).get(reverse("disputes:home"))
    assert panel(response, "mine") == ["MINE"]
    assert panel(response, "due_soon") == ["SOON"]
    assert panel(response, "overdue") == ["LATE"]
    assert panel(response, "idle") == ["IDLE"]
    assert {p["key"]: p["total"] for p in response.context["panels"]} == {
        "mine": 1,
        "due_soon": 1,
        "overdue": 1,
        "idle": 1,
    }


def test_the_overdue_case_stands_out_on_the_start_page(client_for, town_a_staff, start_cases):
    page = client_for(town_a_staff).get(reverse("disputes:home")).content.decode()
    overdue_panel = page[page.index('data-panel="overdue"') : page.index('data-panel="idle"')]
    assert 'data-case="LATE"' in overdue_panel
    assert "case-overdue" in overdue_panel
    assert "text-bg-danger" in overdue_panel


def test_each_panel_links_to_the_full_list(client_for, town_a_staff, start_cases):
    client = client_for(town_a_staff)
    for p in client.get(reverse("disputes:home")).context["panels"]:
        assert len(listed(client.get(p["url"]))) == p["total"], p["key"]


@pytest.fixture
def searchable(town_a):
    wages = ClaimKind.objects.get(code="wage_arrears")
    injury = ClaimKind.objects.get(code="work_injury")
    employer = EnterpriseFactory(town=town_a, name="北京兴旺物流有限公司")
    first = CaseFactory(
        number="大兴调〔2018〕0001",
        town=town_a,
        employer=employer,
        received_on=datetime.date(2018, 3, 1),
        workers=[{"name": "王建国", "id_number": "110115198501011237", "phone": "13811112222"}],
    )
    first.claim_kinds.set([wages])
    second = CaseFactory(
        number="大兴援〔2019〕0001",
        town=town_a,
        handling_body=HandlingBody.LEGAL_AID,
        received_on=datetime.date(2019, 5, 1),
        workers=[{"name": "李秀英"}],
    )
    second.claim_kinds.set([injury, wages])
    return first, second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("0001", ["大兴援〔2019〕0001", "大兴调〔2018〕0001"]),
        ("大兴调", ["大兴调〔2018〕0001"]),
        ("建国", ["大兴调〔2018〕0001"]),
        ("兴旺物流", ["大兴调〔2018〕0001"]),
        ("110115198501011237", ["大兴调〔2018〕0001"]),
        ("11011519850101", []),
        ("13811112222", ["大兴调〔2018〕0001"]),
        ("1381111", []),
        ("李秀英", ["大兴援〔2019〕0001"]),
    ],
)
def test_search_by_number_worker_employer_id_and_phone(query, expected, client_for, district_staff, searchable):
    response = client_for(district_staff).get(reverse("disputes:case_list"), {"q": query})
    assert listed(response) == expected


def test_search_by_credit_code(client_for, district_staff, searchable):
    code = searchable[0].employer.credit_code
    assert listed(client_for(district_staff).get(reverse("disputes:case_list"), {"q": code.lower()})) == [
        "大兴调〔2018〕0001"
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": 2018}, ["大兴调〔2018〕0001"]),
        ({"handling_body": "legal_aid"}, ["大兴援〔2019〕0001"]),
        ({"status": "applied"}, ["大兴援〔2019〕0001"]),
        ({"claim_kind": "wage_arrears"}, ["大兴援〔2019〕0001", "大兴调〔2018〕0001"]),
        ({"claim_kind": "work_injury"}, ["大兴援〔2019〕0001"]),
        ({"clock": "overdue"}, ["大兴调〔2018〕0001"]),
        ({"clock": "running"}, ["大兴援〔2019〕0001"]),
        ({"state": "done"}, []),
    ],
)
def test_filters(params, expected, client_for, district_staff, searchable, clock):
    clock("2019-05-02 10:00")
    for case in searchable:
        case.learned_on = case.received_on - datetime.timedelta(days=10)
        case.save()
    assert listed(client_for(district_staff).get(reverse("disputes:case_list"), params)) == expected


def test_the_list_filters_by_town_for_district_staff(client_for, district_staff, town_a, town_b):
    CaseFactory(town=town_a, number="A")
    CaseFactory(town=town_b, number="B")
    assert listed(client_for(district_staff).get(reverse("disputes:case_list"), {"town": town_b.pk})) == ["B"]


def test_the_list_sorts_by_next_deadline(client_for, district_staff, town_a):
    for number, age in (("NEW", 1), ("OLD", 14), ("MID", 7)):
        CaseFactory(town=town_a, number=number, received_on=days_ago(age)).save()
    CaseFactory(town=town_a, number="CLOSED", status=Status.AGREEMENT, received_on=days_ago(30)).save()
    response = client_for(district_staff).get(reverse("disputes:case_list"), {"sort": "due"})
    assert listed(response) == ["OLD", "MID", "NEW", "CLOSED"]


def test_the_list_is_paginated(client_for, district_staff, town_a, settings):
    for n in range(30):
        CaseFactory(town=town_a, number=f"P{n:02d}")
    client = client_for(district_staff)
    assert len(listed(client.get(reverse("disputes:case_list")))) == 25
    assert len(listed(client.get(reverse("disputes:case_list"), {"page": 2}))) == 5
    assert Case.objects.count() == 30
