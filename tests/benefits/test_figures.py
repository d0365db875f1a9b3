"""The benefits figures: each definition (口径) at its edges, the town filter, a bounded number of statements, and a
link to the list of the records behind each figure."""

import datetime
import itertools
from decimal import Decimal

import pytest

from benefits import sums
from benefits.figures import figures
from benefits.models import (
    AidPayment,
    ChildcareClass,
    CultureEvent,
    FileStatus,
    HardshipFile,
    HardshipLevel,
    HomeVisit,
    JobFair,
    MemberActivity,
    Merchant,
    PaymentState,
    Programme,
    PurchasedService,
    WechatActivity,
)
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.validators import make_id_number

D = datetime.date
KEYS = [
    "childcare_classes",
    "childcare_children",
    "partner_merchants",
    "member_activities",
    "member_activity_person_times",
    "festival_payments",
    "festival_amount",
    "hardship_visits",
    "medical_aid_payments",
    "medical_aid_amount",
    "student_aid_grants",
    "student_aid_amount",
    "job_fairs",
    "jobs_offered",
    "job_intentions",
    "purchased_projects",
    "purchased_person_times",
    "wechat_activities",
    "wechat_beneficiaries",
    "wechat_participants",
    "culture_spend",
    "culture_events",
    "culture_participants",
]
PAID_ON = D(2018, 6, 1)
MAX_STATEMENTS = 9  # one aggregate per table behind the figures
serials = itertools.count(1)


def values(year, town=None):
    return {figure.key: figure.value for figure in figures(year, town)}


@pytest.fixture
def approver(town_a):
    return make_staff(Role.DISTRICT_STAFF, username="second_signature")


def household(town):
    serial = next(serials)
    return HardshipFile.objects.create(
        town=town,
        applicant_name=f"困难职工{serial}",
        id_number=make_id_number(serial, D(1970, 1, 1) + datetime.timedelta(days=serial // 1000)),
        main_cause="illness",
        status=FileStatus.APPROVED,
        level=HardshipLevel.DEEP,
        last_checked_on=D(2018, 1, 10),
    )


def payment(file, entered_by, approved_by, amount, programme=Programme.MEDICAL, paid_on=None, **extra):
    state = extra.pop("state", PaymentState.POSTED)
    paid_on = paid_on or PAID_ON
    entry = AidPayment.objects.create(
        file=file,
        town_id=file.town_id,
        programme=programme,
        amount=Decimal(amount),
        paid_on=paid_on,
        funding_source="district",
        voucher_number=f"BF{paid_on.year}-{next(serials):06d}",
        level=file.level,
        state=state,
        entered_by=entered_by,
        approved_by=None if state in (PaymentState.ENTERED, PaymentState.WITHDRAWN) else approved_by,
        **extra,
    )
    if entry.state == PaymentState.POSTED:
        sums.record_post(entry, entry.reverses)  # written posted, not through aid_post: its kept sums too
    return entry


def test_every_key_of_the_summary_is_given_once_with_its_unit(db):
    result = figures(2018)
    assert [figure.key for figure in result] == KEYS
    money = {figure.key for figure in result if isinstance(figure.value, Decimal)}
    assert money == {"festival_amount", "medical_aid_amount", "student_aid_amount", "culture_spend"}
    assert all(figure.value == 0 for figure in result)  # an empty year gives zeros, not None


def test_the_ledger_counts_payments_that_stand_and_sums_every_posted_entry(town_a, town_a_staff, approver):
    file, other = household(town_a), household(town_a)
    payment(file, town_a_staff, approver, "5000.00")
    wrong = payment(other, town_a_staff, approver, "800.00")
    payment(other, town_a_staff, approver, "-800.00", paid_on=D(2018, 6, 3), reverses=wrong, reason="金额录错")
    payment(other, town_a_staff, approver, "8000.00", paid_on=D(2018, 6, 3))
    payment(file, town_a_staff, approver, "300.00", state=PaymentState.ENTERED)  # not posted: nowhere
    payment(file, town_a_staff, approver, "300.00", state=PaymentState.APPROVED)
    payment(file, town_a_staff, approver, "300.00", state=PaymentState.WITHDRAWN)
    payment(file, town_a_staff, approver, "500.00", programme=Programme.FESTIVAL, paid_on=D(2018, 2, 1))
    payment(file, town_a_staff, approver, "500.00", programme=Programme.FESTIVAL, paid_on=D(2017, 12, 31))
    payment(file, town_a_staff, approver, "8000.00", programme=Programme.STUDENT, paid_on=D(2018, 8, 30))
    payment(file, town_a_staff, approver, "600.00", programme=Programme.WINTER)  # no figure of its own

    got = values(2018)
    assert (got["medical_aid_payments"], got["medical_aid_amount"]) == (2, Decimal("13000.00"))
    assert (got["festival_payments"], got["festival_amount"]) == (1, Decimal("500.00"))
    assert (got["student_aid_grants"], got["student_aid_amount"]) == (1, Decimal("8000.00"))
    assert values(2017)["festival_payments"] == 1


def test_a_reversal_waiting_for_its_signature_does_not_yet_take_the_payment_out(town_a, town_a_staff, approver):
    paid = payment(household(town_a), town_a_staff, approver, "2000.00")
    payment(paid.file, town_a_staff, approver, "-2000.00", reverses=paid, reason="重复录入", state=PaymentState.ENTERED)
    assert (values(2018)["medical_aid_payments"], values(2018)["medical_aid_amount"]) == (1, Decimal("2000.00"))


def test_a_reversal_in_the_next_year_takes_the_count_out_of_the_payments_year_and_the_money_out_of_its_own(
    town_a, town_a_staff, approver
):
    """Amounts are booked by date: the year a payment was made keeps its money, the reversal's year loses it."""
    paid = payment(household(town_a), town_a_staff, approver, "2000.00", paid_on=D(2018, 12, 20))
    payment(paid.file, town_a_staff, approver, "-2000.00", paid_on=D(2019, 1, 5), reverses=paid, reason="冲销")
    in_2018, in_2019 = values(2018), values(2019)
    assert (in_2018["medical_aid_payments"], in_2018["medical_aid_amount"]) == (0, Decimal("2000.00"))
    assert (in_2019["medical_aid_payments"], in_2019["medical_aid_amount"]) == (0, Decimal("-2000.00"))


def test_visits_count_households_once_each_in_the_year_of_the_visit(town_a, town_b, town_a_staff):
    first, second, elsewhere = household(town_a), household(town_a), household(town_b)
    for file, day in (
        (first, D(2018, 3, 1)),
        (first, D(2018, 9, 1)),
        (second, D(2018, 12, 31)),
        (elsewhere, D(2018, 1, 1)),
    ):
        HomeVisit.objects.create(file=file, visited_on=day, visitors="区总工会", recorded_by=town_a_staff)
    HomeVisit.objects.create(file=second, visited_on=D(2019, 1, 1), visitors="区总工会", recorded_by=town_a_staff)
    assert values(2018)["hardship_visits"] == 3
    assert values(2018, town_a)["hardship_visits"] == 2
    assert values(2019)["hardship_visits"] == 1


def test_merchants_count_when_under_contract_at_any_time_in_the_year(db):
    def merchant(start, end, status="active"):
        Merchant.objects.create(
            name=f"商户{start}", category="cinema", offer="八折", contract_start=start, contract_end=end, status=status
        )

    merchant(D(2016, 1, 1), D(2018, 1, 1))  # ends on the first day: counts
    merchant(D(2018, 12, 31), D(2020, 12, 31))  # starts on the last day: counts
    merchant(D(2015, 1, 1), D(2025, 1, 1), status="ended")  # ended since: it was under contract then
    merchant(D(2016, 1, 1), D(2017, 12, 31))  # ended the day before
    merchant(D(2019, 1, 1), D(2019, 12, 31))  # starts the year after
    assert values(2018)["partner_merchants"] == 3
    assert values(2019)["partner_merchants"] == 3


def test_programme_rows_of_the_year_are_summed_and_a_town_sees_only_its_own(town_a, town_b):
    ChildcareClass.objects.create(town=town_a, year=2018, classes=2, children=55)
    ChildcareClass.objects.create(town=town_b, year=2018, classes=3, children=90)
    ChildcareClass.objects.create(town=town_a, year=2017, classes=9, children=300)
    MemberActivity.objects.create(title="观影", held_on=D(2018, 5, 1), channel="12351", person_times=700)
    MemberActivity.objects.create(title="游泳", held_on=D(2018, 7, 1), channel="on_site", person_times=300, town=town_a)
    JobFair.objects.create(title="春风", held_on=D(2018, 3, 1), jobs_offered=1200, intentions_signed=400, town=town_b)
    PurchasedService.objects.create(title="心理", provider="社工", year=2018, contract_sum=1, person_times=640)
    WechatActivity.objects.create(title="答题", held_on=D(2018, 9, 9), participants=900, beneficiaries=500)
    CultureEvent.objects.create(
        year=2018, category="match", item="篮球", spend=Decimal("120000.50"), events=12, participants=240, town=town_a
    )
    CultureEvent.objects.create(year=2018, category="training", item="书法", spend=1000, events=3, participants=60)

    district = values(2018)
    assert (district["childcare_classes"], district["childcare_children"]) == (5, 145)
    assert (district["member_activities"], district["member_activity_person_times"]) == (2, 1000)
    assert (district["job_fairs"], district["jobs_offered"], district["job_intentions"]) == (1, 1200, 400)
    assert (district["purchased_projects"], district["purchased_person_times"]) == (1, 640)
    assert (district["wechat_activities"], district["wechat_beneficiaries"], district["wechat_participants"]) == (
        1,
        500,
        900,
    )
    assert (district["culture_spend"], district["culture_events"], district["culture_participants"]) == (
        Decimal("121000.50"),
        15,
        300,
    )
    town = values(2018, town_a)
    assert (town["childcare_classes"], town["member_activities"], town["job_fairs"]) == (2, 1, 0)
    assert (town["culture_spend"], town["wechat_activities"]) == (Decimal("120000.50"), 0)  # district-wide: no town


def seed_year(town, users, year, size):
    """`size` records of every kind behind the figures, in `year`."""
    entered_by, approved_by = users
    ChildcareClass.objects.create(town=town, year=year, classes=size, children=size * 30)
    for n in range(size):
        day = D(year, 1 + n % 12, 1 + n % 28)
        file = household(town)
        payment(file, entered_by, approved_by, "500.00", programme=Programme.FESTIVAL, paid_on=day)
        payment(file, entered_by, approved_by, "3000.00", paid_on=day)
        HomeVisit.objects.create(file=file, visited_on=day, visitors="区总工会", recorded_by=entered_by)
        Merchant.objects.create(name=f"商户{n}", category="cinema", offer="八折", contract_start=day, contract_end=day)
        MemberActivity.objects.create(title="观影", held_on=day, channel="12351", person_times=100)
        JobFair.objects.create(title="春风", held_on=day, jobs_offered=100, intentions_signed=30)
        PurchasedService.objects.create(title="心理", provider="社工", year=year, contract_sum=1, person_times=10)
        WechatActivity.objects.create(title="答题", held_on=day, participants=90, beneficiaries=50)
        CultureEvent.objects.create(year=year, category="match", item=f"比赛{n}", spend=100, events=1, participants=20)


@pytest.mark.parametrize("size", [2, 60])
def test_figures_take_the_same_bounded_number_of_statements_for_any_amount_of_data(
    size, town_a, town_a_staff, approver, django_assert_max_num_queries
):
    for year in (2017, 2018):
        seed_year(town_a, (town_a_staff, approver), year, size)
    with django_assert_max_num_queries(MAX_STATEMENTS):
        result = figures(2018)
    with django_assert_max_num_queries(MAX_STATEMENTS):
        figures(2018, town_a)
    assert {f.key: f.value for f in result}["medical_aid_payments"] == size


def test_each_figure_links_to_its_filtered_list(town_a):
    urls = {figure.key: figure.url for figure in figures(2018, town_a)}
    town = f"town={town_a.pk}"
    # The count and the amount open the same list, each naming its figure (`figure=key`).
    unnamed = {key: url.replace(f"&figure={key}", "") for key, url in urls.items()}
    assert unnamed["medical_aid_payments"] == unnamed["medical_aid_amount"]
    for key, (path, params) in {
        "medical_aid_payments": ("/benefits/payments/", ["programme=medical", "year=2018", "net=1"]),
        "festival_payments": ("/benefits/payments/", ["programme=festival", "year=2018", "net=1"]),
        "student_aid_grants": ("/benefits/payments/", ["programme=student", "year=2018", "net=1"]),
        "hardship_visits": ("/benefits/files/", ["visited_in=2018"]),
        "partner_merchants": ("/benefits/merchants/", ["active_in=2018"]),
        "member_activities": ("/benefits/activities/", ["year=2018"]),
    }.items():
        path_part, query = urls[key].split("?")
        assert path_part == path and set(query.split("&")) == {*params, town, f"figure={key}"}, key
    assert all(urls.values()), [key for key, url in urls.items() if not url]


# The figures that count list rows: the list behind them shows exactly that many records.
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


def test_every_figure_opens_a_list_of_as_many_records_as_it_counts(
    town_a, town_a_staff, approver, district_staff, client_for
):
    seed_year(town_a, (town_a_staff, approver), 2018, 3)
    wrong = payment(household(town_a), town_a_staff, approver, "800.00")
    payment(wrong.file, town_a_staff, approver, "-800.00", reverses=wrong, reason="金额录错")
    client = client_for(district_staff)
    for town in (None, town_a):
        for figure in figures(2018, town):
            response = client.get(figure.url)
            assert response.status_code == 200, figure.key
            if figure.key in COUNTED_BY_ROWS:
                assert response.context["paginator"].count == figure.value, (figure.key, town)
