"""List pages and the start page run the same number of SQL statements for 10 and 1,000 cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseWorker, ClaimKind, HandlingBody, Status
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def add_cases(town, user, count, start=0):
    """`count` open cases in `town`, spread over every clock state, some assigned to `user`, some idle."""
    employers = [EnterpriseFactory(town=town) for _ in range(3)]
    today = timezone.localdate()
    cases = []
    for n in range(start, start + count):
        received = today - datetime.timedelta(days=n * 7 % 40)
        case = Case(
            number=f"Q〔2018〕{n:05d}",
            town=town,
            handling_body=HandlingBody.CENTRE,
            status=Status.MEDIATING if n % 2 else Status.RECEIVED,
            received_on=received,
            employer=employers[n % 3],
            amount_claimed=1000 + n,
            assigned_to=user if n % 3 == 0 else None,
            last_activity_at=timezone.now() - datetime.timedelta(days=n % 60),
        )
        case.refresh_derived()
        cases.append(case)
    cases = Case.objects.bulk_create(cases)
    CaseWorker.objects.bulk_create(
        CaseWorker(case=case, name=f"工人{i}", id_number=id_number(i + 1), phone="13800138000")
        for case in cases
        for i in range(2)
    )
    kind = ClaimKind.objects.get(code="wage_arrears")
    Case.claim_kinds.through.objects.bulk_create(Case.claim_kinds.through(case=case, claimkind=kind) for case in cases)


def statements(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    reverse("disputes:home"),
    reverse("disputes:case_list"),
    reverse("disputes:case_list") + "?clock=overdue&sort=due",
    reverse("disputes:case_list") + "?q=工人1&claim_kind=wage_arrears&status=mediating",
    reverse("disputes:case_list") + "?mine=1&state=open",
    reverse("disputes:case_export"),
    reverse("disputes:bargaining"),
]


@pytest.mark.parametrize("url", PAGES)
def test_the_same_statements_for_10_and_1000_cases(url, client_for, town_a_staff, town_a):
    client = client_for(town_a_staff)
    add_cases(town_a, town_a_staff, 10)
    few = statements(client, url)
    add_cases(town_a, town_a_staff, 990, start=10)
    assert Case.objects.count() == 1000
    assert statements(client, url) == few


def test_the_start_page_fits_in_a_handful_of_statements(
    client_for, town_a_staff, town_a, django_assert_max_num_queries
):
    add_cases(town_a, town_a_staff, 50)
    client = client_for(town_a_staff)
    with django_assert_max_num_queries(18):  # 6 of them: the layout asks the district name 6 times
        client.get(reverse("disputes:home"))
