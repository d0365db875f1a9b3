"""List pages and the start page run the same number of SQL statements for 10 and 1,000 cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseWorker,
    ClaimKind,
    HandlingBody,
    Status,
    SupervisionInspection,
    WageAgreement,
)
from tests.disputes.factories import id_number
from tests.factories import EnterpriseFactory
from union_portal.models import Enterprise
from union_portal.validators import make_credit_code

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
]


@pytest.mark.parametrize("url", PAGES)
def test_the_same_statements_for_10_and_1000_cases(url, client_for, town_a_staff, town_a):
    client = client_for(town_a_staff)
    add_cases(town_a, town_a_staff, 10)
    few = statements(client, url)
    add_cases(town_a, town_a_staff, 990, start=10)
    assert Case.objects.count() == 1000
    assert statements(client, url) == few


def add_bargaining(town, count, start=0):
    """`count` large enterprises with a census entry, an agreement (every other one), an instructor, an inspection."""
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(name=f"大企业{n:05d}", credit_code=make_credit_code(700000 + n), town=town, headcount=100 + n)
        for n in range(start, start + count)
    )
    BargainingYear.objects.bulk_create(
        BargainingYear(enterprise=e, year=2018, employees=e.headcount, meets_model_standard=n % 2 == 0)
        for n, e in enumerate(enterprises)
    )
    today = timezone.localdate()
    WageAgreement.objects.bulk_create(
        WageAgreement(
            enterprise=e,
            signed_on=today - datetime.timedelta(days=400),
            starts_on=today - datetime.timedelta(days=365),
            ends_on=today + datetime.timedelta(days=365),
        )
        for e in enterprises[::2]
    )
    BargainingInstructor.objects.bulk_create(
        BargainingInstructor(
            name=f"指导员{n}", level="city" if n % 2 else "district", appointed_on=datetime.date(2017, 1, 1)
        )
        for n in range(start, start + count)
    )
    inspections = SupervisionInspection.objects.bulk_create(
        SupervisionInspection(town=town, date=datetime.date(2018, 5, 1 + n % 28)) for n in range(start, start + count)
    )
    SupervisionInspection.unions_covered.through.objects.bulk_create(
        SupervisionInspection.unions_covered.through(supervisioninspection=i, enterprise=e)
        for i, e in zip(inspections, enterprises, strict=True)
    )


BARGAINING_PAGES = [
    reverse("disputes:bargaining"),
    reverse("disputes:bargaining") + "?lacking=1",
    reverse("disputes:bargaining_census") + "?year=2018",
    reverse("disputes:instructor_list") + "?year=2018",
    reverse("disputes:inspection_list") + "?year=2018",
    reverse("disputes:inspected_union_list") + "?year=2018",
]


@pytest.mark.parametrize("url", BARGAINING_PAGES)
def test_bargaining_lists_take_the_same_statements_for_10_and_1000_rows(url, client_for, town_a_staff, town_a):
    client = client_for(town_a_staff)
    add_bargaining(town_a, 10)
    few = statements(client, url)
    add_bargaining(town_a, 990, start=10)
    assert BargainingYear.objects.count() == 1000
    assert statements(client, url) == few


def test_the_case_page_takes_the_same_statements_for_a_short_and_a_long_history(
    client_for, district_staff, town_a, open_case
):
    from disputes import services

    case = open_case(town_a, received_on=timezone.localdate() - datetime.timedelta(days=5))
    client = client_for(district_staff)
    few = statements(client, case.get_absolute_url())
    for n in range(30):
        services.timeline_add(case=case, kind="call", text=f"第{n}次电话", by=district_staff)
        case.refresh_from_db()
        case.facts = f"第{n}次补充"
        case.save()
    assert statements(client, case.get_absolute_url()) == few


def test_the_start_page_fits_in_a_handful_of_statements(
    client_for, town_a_staff, town_a, django_assert_max_num_queries
):
    add_cases(town_a, town_a_staff, 50)
    client = client_for(town_a_staff)
    with django_assert_max_num_queries(18):  # 6 of them: the layout asks the district name 6 times
        client.get(reverse("disputes:home"))
