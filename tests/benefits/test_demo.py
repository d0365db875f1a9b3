"""The benefits demo: the 2018 figures equal the annual report exactly, other years have their own, the ledger's
correction is in it, loading is idempotent and fast."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benefits import demo
from benefits.figures import figures
from benefits.models import (
    AidPayment,
    CardStatus,
    FileStatus,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    Member,
    MinimumAllowance,
    PaymentState,
    Programme,
    Recheck,
    ServiceCard,
)
from union_portal import demo as core_demo
from union_portal.models import Town
from union_portal.validators import validate_id_number

REPORT_2018 = {
    "childcare_classes": 20,
    "childcare_children": 600,
    "partner_merchants": 10,
    "member_activities": 83,
    "member_activity_person_times": 55340,
    "festival_payments": 41,
    "festival_amount": Decimal("20500.00"),
    "hardship_visits": 187,
    "medical_aid_payments": 131,
    "medical_aid_amount": Decimal("1339600.00"),
    "student_aid_grants": 6,
    "student_aid_amount": Decimal("48000.00"),
    "job_fairs": 6,
    "jobs_offered": 7460,
    "job_intentions": 2236,
    "purchased_projects": 16,
    "purchased_person_times": 10280,
    "wechat_activities": 8,
    "wechat_beneficiaries": 2150,
    "wechat_participants": 5120,
    "culture_spend": Decimal("6032400.00"),
    "culture_events": 312,
    "culture_participants": 2846,
}
# Figures whose records always belong to a town: the towns' figures add up to the district's.
TOWN_OWNED = {
    "childcare_classes",
    "childcare_children",
    "festival_payments",
    "festival_amount",
    "hardship_visits",
    "medical_aid_payments",
    "medical_aid_amount",
    "student_aid_grants",
    "student_aid_amount",
}
DEMO_YEARS = range(demo.FIRST_YEAR, demo.last_year() + 1)
LOAD_STATEMENTS = 1000


class Quiet:
    def write(self, text):
        pass


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo district with its benefits, loaded once for this module (and rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        district = core_demo.load_district()
        with CaptureQueriesContext(connection) as statements:
            demo.load(district, Quiet())
        yield district, len(statements)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_db, db):
    return demo_db[0]


def values(year, town=None):
    return {figure.key: figure.value for figure in figures(year, town)}


def test_2018_figures_equal_the_annual_report(loaded):
    assert values(2018) == REPORT_2018


def test_the_2018_ledger_holds_a_mistake_reversed_and_corrected(loaded):
    reversal = AidPayment.objects.select_related("reverses").get(reverses__isnull=False, paid_on__year=2018)
    wrong = reversal.reverses
    assert (wrong.amount, reversal.amount, wrong.state, reversal.state) == (
        Decimal("800.00"),
        Decimal("-800.00"),
        PaymentState.POSTED,
        PaymentState.POSTED,
    )
    assert reversal.reason and reversal.programme == wrong.programme == Programme.MEDICAL
    correction = AidPayment.objects.get(file=wrong.file, programme=Programme.MEDICAL, amount=Decimal("8000.00"))
    assert correction.paid_on.year == 2018 and correction.state == PaymentState.POSTED
    withdrawn = AidPayment.objects.filter(state=PaymentState.WITHDRAWN, paid_on__year=2018)
    assert withdrawn.count() == 1
    # The programme's total over every posted entry of the year is the figure: the mistake cancels out.
    posted = AidPayment.objects.posted().filter(programme=Programme.MEDICAL, paid_on__year=2018)
    assert posted.aggregate(total=Sum("amount"))["total"] == Decimal("1339600.00")
    assert posted.count() == 131 + 2


def test_every_posted_payment_has_two_signatures_a_voucher_and_a_payable_file(loaded):
    payments = AidPayment.objects.select_related("file")
    for payment in payments.posted():
        assert payment.approved_by_id and payment.approved_by_id != payment.entered_by_id
        assert payment.voucher_number == f"BF{payment.paid_on.year}-{payment.voucher_number[-6:]}"
        assert payment.town_id == payment.file.town_id and payment.level
    assert payments.count() == payments.values("voucher_number").distinct().count()
    waiting = payments.filter(state__in=[PaymentState.ENTERED, PaymentState.APPROVED])
    assert waiting.count() == 5
    for payment in waiting:
        assert payment.file.status == FileStatus.APPROVED and not payment.file.recheck_overdue(payment.paid_on)


def test_a_household_is_paid_once_a_year_in_each_programme_but_for_the_corrected_mistake(loaded):
    repeated = (
        AidPayment.objects.posted()
        .filter(reverses__isnull=True)
        .values("file", "programme", "paid_on__year")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert [(row["programme"], row["paid_on__year"]) for row in repeated] == [(Programme.MEDICAL, 2018)]


@pytest.mark.parametrize("year", DEMO_YEARS)
def test_every_year_since_the_records_start_has_figures_of_its_own(loaded, year):
    got = values(year)
    assert all(value > 0 for value in got.values()), [key for key, value in got.items() if not value]
    if year != 2018:
        assert got != REPORT_2018
        plan = demo.year_plan(year)
        assert (got["medical_aid_payments"], got["medical_aid_amount"]) == plan["medical"]
        assert got["hardship_visits"] == plan["visits"]
        assert got["partner_merchants"] == plan["merchants"]


def test_the_towns_add_up_to_the_district(loaded):
    district = values(2018)
    sums = dict.fromkeys(district, 0)
    for town in Town.objects.filter(district=loaded):
        for key, value in values(2018, town).items():
            sums[key] += value
    assert {key: sums[key] for key in TOWN_OWNED} == {key: district[key] for key in TOWN_OWNED}
    assert all(sums[key] <= district[key] for key in district)


def test_files_are_kept_by_household_in_every_state(loaded):
    states = set(HardshipFile.objects.values_list("status", flat=True))
    assert states == {s.value for s in FileStatus}
    assert HouseholdMember.objects.count() > HardshipFile.objects.count() / 2
    closed = HardshipFile.objects.filter(status=FileStatus.CLOSED)
    assert closed.exists() and not closed.filter(close_reason="").exists()
    assert Recheck.objects.filter(file__status=FileStatus.APPROVED).exists()
    assert HomeVisit.objects.filter(visited_on__year=2018).values("file").distinct().count() == 187


def test_the_level_of_every_file_is_what_its_figures_give_against_the_allowance_of_its_review(loaded):
    allowances = dict(MinimumAllowance.objects.values_list("year", "monthly_amount"))
    assert (allowances[2015], allowances[2018], allowances[2025]) == (710, 1000, 1500)
    this_year = timezone.localdate().year
    for file in HardshipFile.objects.prefetch_related("members")[:300]:
        year = file.reviewed_at.year if file.reviewed_at else this_year
        assert file.level == file.assessed_level(allowances[year]), file.pk


def test_some_files_are_overdue_and_some_due_within_30_days(loaded):
    today = timezone.localdate()
    open_files = HardshipFile.objects.filter(status=FileStatus.APPROVED)
    overdue = [f for f in open_files if f.recheck_overdue(today)]
    due = [
        f for f in open_files if not f.recheck_overdue(today) and f.recheck_due_on() <= today + datetime.timedelta(30)
    ]
    assert overdue and due


def test_members_hold_cards_and_lost_cards_are_reissued(loaded):
    assert Member.objects.count() >= 2000
    lost = ServiceCard.objects.filter(status=CardStatus.LOST)
    assert lost.exists()
    for card in lost.select_related("replaced_by")[:20]:
        assert card.replaced_by.status == CardStatus.ACTIVE and card.replaced_by.member_id == card.member_id
    assert ServiceCard.objects.filter(replaces__isnull=True).count() == Member.objects.count()


def test_demo_records_pass_validation(loaded):
    for model in (Member, HardshipFile, HouseholdMember):
        for record in model.objects.all()[:300]:
            record.full_clean()
            validate_id_number(record.id_number)
    for payment in AidPayment.objects.all()[:300]:
        payment.full_clean()


def test_every_demo_record_has_a_history_row(loaded):
    for model in (Member, ServiceCard, HardshipFile, HouseholdMember, HomeVisit, Recheck, AidPayment):
        assert model.history.count() == model.objects.count() > 0, model.__name__


def test_loading_twice_changes_nothing(loaded):
    counts = [model.objects.count() for model in (Member, ServiceCard, HardshipFile, AidPayment, MinimumAllowance)]
    out = io.StringIO()
    demo.load(loaded, out)
    assert [m.objects.count() for m in (Member, ServiceCard, HardshipFile, AidPayment, MinimumAllowance)] == counts
    assert "already" in out.getvalue()


def test_loading_writes_in_bulk_not_row_by_row(demo_db):
    # Thousands of records (3,000 members, 2,803 ledger entries...) in a few hundred statements: bulk writes.
    # How long it takes is measured by `make bench`, not here.
    assert demo_db[1] < LOAD_STATEMENTS, demo_db[1]


def test_the_plans_are_seeded_and_keep_the_report():
    assert demo.year_plan(2018) is demo.REPORT_2018
    assert demo.year_plan(2022) == demo.year_plan(2022)
    medical = {year: demo.year_plan(year)["medical"][0] for year in DEMO_YEARS}
    assert medical[2020] < medical[2019] < medical[2024]


COUNTED_BY_ROWS = {
    "partner_merchants",
    "member_activities",
    "festival_payments",
    "hardship_visits",
    "medical_aid_payments",
    "student_aid_grants",
    "job_fairs",
    "purchased_projects",
    "wechat_activities",
}


def test_each_2018_figure_opens_the_list_of_the_records_it_counts(loaded, client):
    client.force_login(get_user_model().objects.get(username="staff"))  # the demo's district staff
    for figure in figures(2018):
        response = client.get(figure.url)
        assert response.status_code == 200, figure.key
        if figure.key in COUNTED_BY_ROWS:
            assert response.context["paginator"].count == figure.value, figure.key
        if figure.key.endswith("_amount"):
            assert sum(p.amount for p in response.context["filter"].qs) == figure.value, figure.key


def test_a_recheck_that_changes_the_level_follows_a_home_visit(loaded):
    changed = Recheck.objects.exclude(level_before=F("level_after")).select_related("visit", "file")
    assert changed.exists()
    for recheck in changed:
        assert recheck.visit.file_id == recheck.file_id and recheck.visit.visited_on <= recheck.checked_on
        assert recheck.level_after == recheck.file.level
        before = recheck.file.payments.filter(paid_on__lt=recheck.checked_on).values_list("level", flat=True)
        assert set(before) <= {recheck.level_before}


def test_figures_over_the_whole_demo_take_as_few_statements_as_over_an_empty_year(
    loaded, django_assert_max_num_queries
):
    town = Town.objects.get(district=loaded, name="瀛海镇")
    for year, place in ((2018, None), (2018, town), (demo.FIRST_YEAR - 1, None)):
        with django_assert_max_num_queries(9):
            figures(year, place)
