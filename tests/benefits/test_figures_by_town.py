"""The benefits figures of every town at once, a year cut at a day, the years with records, and the lists the
figures open heading themselves with the figure (issue 8)."""

import datetime
import functools
import itertools
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape, strip_tags

from benefits import sums
from benefits.figures import describe, figures, figures_by_town, years_with_records
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
from tests.factories import TownFactory, make_staff
from union_portal.access import Role
from union_portal.models import Town
from union_portal.validators import make_id_number

D = datetime.date
STATEMENTS = 9  # one aggregate per table behind the figures (the module's docstring)
serials = itertools.count(1)


@pytest.fixture
def signatures(town_a):
    return make_staff(Role.TOWN_STAFF, town_a, username="enters"), make_staff(Role.DISTRICT_STAFF, username="approves")


def household(town):
    serial = next(serials)
    return HardshipFile.objects.create(
        town=town,
        applicant_name=f"困难职工{serial}",
        id_number=make_id_number(serial, D(1975, 1, 1) + datetime.timedelta(days=serial // 1000)),
        main_cause="illness",
        status=FileStatus.APPROVED,
        level=HardshipLevel.RELATIVE,
        last_checked_on=D(2018, 1, 10),
    )


def pay(file, users, amount, programme, paid_on, state=PaymentState.POSTED, **extra):
    entered_by, approved_by = users
    entry = AidPayment.objects.create(
        file=file,
        town_id=file.town_id,
        programme=programme,
        amount=Decimal(amount),
        paid_on=paid_on,
        funding_source="district",
        voucher_number=f"BT{paid_on.year}-{next(serials):06d}",
        level=file.level,
        state=state,
        entered_by=entered_by,
        approved_by=None if state == PaymentState.ENTERED else approved_by,
        **extra,
    )
    if entry.state == PaymentState.POSTED:
        sums.record_post(entry, entry.reverses)  # written posted, not through aid_post: its kept sums too
    return entry


def seed(rng: random.Random, towns, users, size: int, years=(2017, 2018, 2019)):
    """`size` records of every kind per town and year at random days, district-wide ones (no town) where the
    model allows them, and entries that count nowhere (not posted) or only through a reversal."""
    places = [*towns, None]
    for year, town in itertools.product(years, towns):
        classes = {"classes": rng.randint(1, 9), "children": rng.randint(10, 300)}
        ChildcareClass.objects.get_or_create(town=town, year=year, defaults=classes)  # one row per town and year

    def day_in(year):
        return D(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))

    for year, place, _n in itertools.product(years, places, range(size)):
        day = functools.partial(day_in, year)
        start = day()
        Merchant.objects.create(
            name=f"商户{next(serials)}",
            category="cinema",
            offer="八折",
            contract_start=start,
            contract_end=start + datetime.timedelta(days=rng.randrange(800)),
            status=rng.choice(["active", "ended"]),
            town=place,
        )
        MemberActivity.objects.create(
            title="观影", held_on=day(), channel="12351", person_times=rng.randint(0, 500), town=place
        )
        JobFair.objects.create(
            title="春风",
            held_on=day(),
            jobs_offered=rng.randint(1, 900),
            intentions_signed=rng.randint(0, 90),
            town=place,
        )
        PurchasedService.objects.create(
            title="心理", provider="社工", year=year, contract_sum=1, person_times=rng.randint(0, 90), town=place
        )
        WechatActivity.objects.create(
            title="答题", held_on=day(), participants=rng.randint(0, 900), beneficiaries=rng.randint(0, 500), town=place
        )
        CultureEvent.objects.create(
            year=year,
            category="match",
            item=f"比赛{next(serials)}",
            spend=Decimal(rng.randint(0, 99999)) / 100,
            events=rng.randint(1, 9),
            participants=rng.randint(0, 99),
            town=place,
        )
        if place is None:
            continue
        file = household(place)
        for _visit in range(rng.randint(1, 3)):  # a household visited more than once counts once
            HomeVisit.objects.create(file=file, visited_on=day(), visitors="区总工会", recorded_by=users[0])
        programme = rng.choice(list(Programme))
        paid = pay(file, users, rng.choice(["500.00", "3000.00", "8000.00"]), programme, day())
        if rng.random() < 0.4:  # reversed, in the payment's year or later
            later = min(paid.paid_on + datetime.timedelta(days=rng.randrange(60)), D(year, 12, 31))
            pay(file, users, f"-{paid.amount}", programme, later, reverses=paid, reason="冲销")
        pay(file, users, "100.00", programme, day(), state=rng.choice([PaymentState.ENTERED, PaymentState.APPROVED]))


def values(result):
    return {figure.key: figure.value for figure in result}


@pytest.fixture
def towns(district, town_a, town_b):
    return [town_a, town_b, TownFactory(district=district, name="青云店镇", order=3)]


@pytest.mark.parametrize("seed_number", [1, 2])
def test_every_towns_figures_are_its_own_figures_and_no_town_holds_the_rest(seed_number, towns, signatures):
    seed(random.Random(seed_number), towns, signatures, size=3)
    empty = TownFactory(district=towns[0].district, name="无记录镇", order=9)  # no records: zero figures
    ids = [town.pk for town in [*towns, empty]]
    for through in (None, D(2018, 6, 30), D(2018, 1, 1)):
        by_town = figures_by_town(2018, ids, through=through)
        assert set(by_town) == {*ids, None}
        for town_id in ids:
            assert by_town[town_id] == figures(2018, Town(pk=town_id), through=through), (town_id, through)
        assert all(figure.value == 0 for figure in by_town[empty.pk])
        # Every benefits figure adds up over its records (visits count households, each of one town): the towns
        # and the records of no town make the district.
        district = values(figures(2018, through=through))
        for key, value in district.items():
            parts = [values(by_town[town_id])[key] for town_id in [*ids, None]]
            assert sum(parts) == value, (key, through)
        assert [f.key for f in by_town[None]] == list(district)
    # District-wide programmes show in the row of no town; the ledger and the visits always have a town.
    townless = values(figures_by_town(2018, ids)[None])
    assert townless["member_activities"] > 0 and townless["culture_events"] > 0
    assert townless["hardship_visits"] == townless["medical_aid_payments"] == townless["childcare_classes"] == 0


def test_the_row_of_no_town_links_to_the_district_lists(town_a):
    by_town = figures_by_town(2018, [town_a.pk])
    assert [f.url for f in by_town[None]] == [f.url for f in figures(2018)]
    assert all(f"town={town_a.pk}" in f.url for f in by_town[town_a.pk])


def statements(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_figures_by_town_take_the_same_statements_for_2_or_12_towns_and_any_amount_of_data(
    district, town_a, town_b, signatures
):
    seed(random.Random(3), [town_a, town_b], signatures, size=1, years=(2018,))
    small = statements(lambda: figures_by_town(2018, [town_a.pk, town_b.pk]))
    more = [TownFactory(district=district, order=10 + n) for n in range(10)]
    seed(random.Random(4), [town_a, town_b, *more], signatures, size=4, years=(2017, 2018))
    ids = [town.pk for town in [town_a, town_b, *more]]
    assert len(ids) == 12
    large = statements(lambda: figures_by_town(2018, ids))
    cut = statements(lambda: figures_by_town(2018, ids, through=D(2018, 3, 31)))
    assert small == large == cut == STATEMENTS
    assert statements(lambda: figures(2018, through=D(2018, 3, 31))) == STATEMENTS


def test_a_year_cut_at_a_day_counts_what_is_dated_up_to_it_and_year_rows_whole(town_a, signatures):
    cut = D(2018, 6, 30)
    for day in (D(2018, 1, 1), cut, cut + datetime.timedelta(days=1)):
        MemberActivity.objects.create(title="观影", held_on=day, channel="12351", person_times=100, town=town_a)
        JobFair.objects.create(title="春风", held_on=day, jobs_offered=10, intentions_signed=3, town=town_a)
        WechatActivity.objects.create(title="答题", held_on=day, participants=9, beneficiaries=5)
        HomeVisit.objects.create(file=household(town_a), visited_on=day, visitors="区总工会", recorded_by=signatures[0])
        pay(household(town_a), signatures, "500.00", Programme.FESTIVAL, day)
    for start, end in ((D(2017, 1, 1), D(2018, 1, 1)), (cut, D(2019, 1, 1)), (cut + datetime.timedelta(days=1), cut)):
        Merchant.objects.create(
            name=f"商户{start}", category="cinema", offer="八折", contract_start=start, contract_end=max(start, end)
        )
    # A payment reversed after the cut: the reversal's money falls outside it, and the payment is not counted.
    reversed_later = pay(household(town_a), signatures, "3000.00", Programme.MEDICAL, D(2018, 3, 1))
    pay(
        reversed_later.file,
        signatures,
        "-3000.00",
        Programme.MEDICAL,
        D(2018, 9, 1),
        reverses=reversed_later,
        reason="冲销",
    )
    ChildcareClass.objects.create(town=town_a, year=2018, classes=4, children=120)
    PurchasedService.objects.create(title="心理", provider="社工", year=2018, contract_sum=1, person_times=64)
    CultureEvent.objects.create(year=2018, category="match", item="篮球", spend=100, events=2, participants=30)

    whole, part = values(figures(2018)), values(figures(2018, through=cut))
    assert values(figures(2018, through=D(2018, 12, 31))) == whole
    assert (whole["member_activities"], part["member_activities"]) == (3, 2)
    assert (whole["member_activity_person_times"], part["member_activity_person_times"]) == (300, 200)
    assert (whole["job_fairs"], part["job_fairs"], part["jobs_offered"]) == (3, 2, 20)
    assert (whole["wechat_activities"], part["wechat_participants"]) == (3, 18)
    assert (whole["hardship_visits"], part["hardship_visits"]) == (3, 2)
    assert (whole["festival_payments"], part["festival_payments"]) == (3, 2)
    assert (whole["festival_amount"], part["festival_amount"]) == (Decimal("1500.00"), Decimal("1000.00"))
    assert (whole["partner_merchants"], part["partner_merchants"]) == (3, 2)
    assert (whole["medical_aid_payments"], part["medical_aid_payments"]) == (0, 0)
    assert (whole["medical_aid_amount"], part["medical_aid_amount"]) == (Decimal("0.00"), Decimal("3000.00"))
    for key in ("childcare_classes", "childcare_children", "purchased_projects", "culture_spend", "culture_events"):
        assert part[key] == whole[key] != 0, key
    town_part = values(figures_by_town(2018, [town_a.pk], through=cut)[town_a.pk])
    assert (town_part["member_activities"], town_part["wechat_activities"]) == (2, 0)  # WeChat's are district-wide


def test_the_years_with_records_are_those_any_figure_counts_in_one_statement(town_a, signatures):
    assert years_with_records() == set()
    Merchant.objects.create(
        name="影城", category="cinema", offer="八折", contract_start=D(2011, 5, 1), contract_end=D(2013, 4, 30)
    )
    MemberActivity.objects.create(title="观影", held_on=D(2016, 5, 1), channel="12351")
    ChildcareClass.objects.create(town=town_a, year=2015, classes=1, children=20)
    CultureEvent.objects.create(year=2019, category="match", item="篮球", spend=1, events=1, participants=1)
    PurchasedService.objects.create(title="心理", provider="社工", year=2019, contract_sum=1)
    HomeVisit.objects.create(
        file=household(town_a), visited_on=D(2020, 2, 2), visitors="区总工会", recorded_by=signatures[0]
    )
    JobFair.objects.create(title="春风", held_on=D(2021, 3, 1), jobs_offered=1, intentions_signed=1)
    WechatActivity.objects.create(title="答题", held_on=D(2022, 3, 1), participants=1, beneficiaries=1)
    file = household(town_a)
    pay(file, signatures, "500.00", Programme.WINTER, D(2023, 1, 20))
    pay(file, signatures, "500.00", Programme.WINTER, D(2008, 1, 20), state=PaymentState.ENTERED)  # counts nowhere
    with CaptureQueriesContext(connection) as captured:
        years = years_with_records()
    assert years == {2011, 2012, 2013, 2015, 2016, 2019, 2020, 2021, 2022, 2023}
    assert len(captured.captured_queries) == 1


def test_a_year_inside_a_tables_span_counts_and_the_statement_stays_one_at_any_size(town_a, signatures):
    """Each table's span is taken whole, from its first record's year to its last's (as the other apps' are): a year
    between two posted payments, with none of its own, is offered too. One statement whatever the ledger's length."""
    file = household(town_a)
    pay(file, signatures, "500.00", Programme.WINTER, D(2014, 1, 20))
    pay(file, signatures, "500.00", Programme.WINTER, D(2017, 1, 20))
    pay(file, signatures, "500.00", Programme.WINTER, D(2021, 1, 20), state=PaymentState.ENTERED)  # not posted
    HomeVisit.objects.create(file=file, visited_on=D(2019, 5, 1), visitors="区总工会", recorded_by=signatures[0])

    def read():
        with CaptureQueriesContext(connection) as captured:
            years = years_with_records()
        return years, len(captured.captured_queries)

    assert read() == ({2014, 2015, 2016, 2017, 2019}, 1)
    for n in range(60):
        pay(household(town_a), signatures, "500.00", Programme.FESTIVAL, D(2015 + n % 2, 1, 1 + n % 28))
    assert read() == ({2014, 2015, 2016, 2017, 2019}, 1)


def test_describe_gives_each_figures_label_and_definition_without_sql(django_assert_num_queries, town_a):
    shown = figures(2018, town_a)
    with django_assert_num_queries(0):
        described = {figure.key: describe(figure.key) for figure in shown}
        assert describe("no_such_figure") is None
        assert describe("") is None
    for figure in shown:
        label, definition = described[figure.key]
        assert (str(label), str(definition)) == (figure.label, figure.definition), figure.key


# Where each figure's list shows the figure: (data-testid of the element, which number in it), or, for a
# programme's sum, ("column", the field's column in the list's totals row).
SHOWN = {
    "partner_merchants": ("result-count", 0),
    "member_activities": ("totals", 0),
    "member_activity_person_times": ("total-person-times", 0),
    "hardship_visits": ("totals", 0),
    "childcare_classes": ("column", 2),
    "childcare_children": ("column", 3),
    "job_fairs": ("result-count", 0),
    "jobs_offered": ("column", 3),
    "job_intentions": ("column", 4),
    "purchased_projects": ("result-count", 0),
    "purchased_person_times": ("column", 5),
    "wechat_activities": ("result-count", 0),
    "wechat_participants": ("column", 3),
    "wechat_beneficiaries": ("column", 4),
    "culture_spend": ("column", 4),
    "culture_events": ("column", 5),
    "culture_participants": ("column", 6),
    **dict.fromkeys(("festival_payments", "medical_aid_payments", "student_aid_grants"), ("payment-totals", 0)),
    **dict.fromkeys(("festival_amount", "medical_aid_amount", "student_aid_amount"), ("payment-sum", 0)),
}


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("\u00a0", ""))


def shown_value(html: str, key: str) -> Decimal:
    where, position = SHOWN[key]
    if where == "column":
        row = re.search(r'<tfoot><tr[^>]*data-testid="totals">(.*?)</tr>', html, re.S).group(1)
        cells = [strip_tags(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        return number(cells[position])
    element = re.search(rf'data-testid="{where}"[^>]*>(.*?)</(?:p|td|tr|strong)>', html, re.S).group(1)
    return number(re.findall(r"-?\d[\d,]*(?:\.\d+)?", strip_tags(element))[position])


def test_each_figure_opens_its_list_headed_with_the_figure_and_showing_its_value(
    town_a, town_b, signatures, district_staff, client_for
):
    # Reversals in their payment's year, so that the net list's sum is the programme's amount too.
    seed(random.Random(5), [town_a, town_b], signatures, size=2, years=(2018,))
    client = client_for(district_staff)
    for town in (None, town_a):
        shown = figures(2018, town)
        assert {figure.key for figure in shown} == set(SHOWN)
        for figure in shown:
            assert f"figure={figure.key}" in figure.url
            response = client.get(figure.url)
            assert response.status_code == 200, figure.key
            html = response.content.decode()
            heading = re.search(r'data-testid="figure-heading">(.*?)</div>\s*</div>', html, re.S).group(1)
            assert escape(figure.label) in heading and escape(figure.definition) in heading, figure.key
            assert shown_value(html, figure.key) == figure.value, (figure.key, town)


def test_a_list_opened_without_a_figure_or_with_an_unknown_one_has_no_heading(district_staff, client_for):
    client = client_for(district_staff)
    for url in ("/benefits/activities/?year=2018", "/benefits/activities/?year=2018&figure=no_such_figure"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'data-testid="figure-heading"' not in response.content.decode()
