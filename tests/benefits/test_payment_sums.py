"""The ledger's kept sums (benefits/sums.py): equal to the entries for every filter the list offers after any mix of
steps, kept by two desks posting at once, filled by migration 0004 from the rows, checked and rebuilt by
`manage.py payment_sums`, and read by the list and the totals page in the same few statements at any size."""

import datetime
import importlib
import itertools
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefits import ledger, sums
from benefits.filters import PaymentFilter
from benefits.models import AidPayment, FundingSource, PaymentState, PaymentSum, Programme
from benefits.services import aid_approve, aid_enter, aid_post, aid_reverse, aid_withdraw
from tests.benefits.test_ledger import ledger_emptied, open_file
from tests.factories import make_staff
from tests.threads import at_once
from union_portal.access import Role

YEARS = (2017, 2018, 2019)
CHECKED = datetime.date(2019, 12, 31)  # files re-checked late enough for payments of every year here


def a_file(town, serial):
    return open_file(town, serial=serial, last_checked_on=CHECKED)


def entered(file, user, rng, year):
    return aid_enter(
        file=file,
        user=user,
        programme=rng.choice(list(Programme)),
        amount=Decimal(rng.randint(1, 2_000_000)) / 100,
        paid_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        funding_source=rng.choice(list(FundingSource)),
        reason="随机账目",
    )


def random_ledger(rng, files, first, second, steps=120):
    """Entries in every state: posted, left waiting, withdrawn; reversals posted (some dated the next year, across
    the year end of the net list), left waiting, or withdrawn and made again."""
    for _ in range(steps):
        payment = entered(rng.choice(files), first, rng, rng.choice(YEARS))
        fate = rng.random()
        if fate < 0.1:
            aid_withdraw(payment=payment, user=first)
            continue
        if fate < 0.2:
            continue
        aid_approve(payment=payment, user=second)
        if fate < 0.25:
            continue  # approved, not posted
        aid_post(payment=payment, user=second)
        if fate > 0.7:
            on = payment.paid_on + datetime.timedelta(days=rng.choice([0, 3, 200]))
            reversal = aid_reverse(payment=payment, user=first, reason="冲销", on=on)
            if rng.random() < 0.2:
                aid_withdraw(payment=reversal, user=first)
                reversal = aid_reverse(payment=payment, user=first, reason="再次冲销", on=on)
            if rng.random() < 0.85:
                aid_approve(payment=reversal, user=second)
                aid_post(payment=reversal, user=second)


def list_filter(user, data) -> PaymentFilter:
    request = RequestFactory().get("/", data)
    request.user = user
    return PaymentFilter(data, queryset=ledger.list_queryset(user), request=request)


def from_rows(filterset) -> dict:
    found = filterset.qs.aggregate(count=Count("pk"), amount=Sum("amount"))
    return {"count": found["count"], "amount": ledger.money(found["amount"])}


def from_sums(filterset) -> dict:
    kept = ledger.kept_list_totals(filterset.request.user, filterset)
    assert kept is not None, filterset.data
    return {"count": kept["count"], "amount": ledger.money(kept["amount"])}


@pytest.fixture
def second(district):
    return make_staff(Role.DISTRICT_STAFF, username="staff_second")


def test_the_kept_sums_equal_the_entries_for_every_filter_after_a_random_ledger(
    town_a, town_b, district_staff, second, town_a_staff
):
    rng = random.Random(10)
    files = [a_file(town, serial) for serial, town in enumerate([town_a, town_b] * 3, start=1)]
    random_ledger(rng, files, district_staff, second)
    assert AidPayment.objects.filter(reverses__isnull=False, state=PaymentState.POSTED).exists()
    assert sums.compare() == []
    dimensions = {
        "programme": [None, Programme.MEDICAL, Programme.FESTIVAL, Programme.TEMPORARY],
        "year": [None, *YEARS, 2020, 2016],
        "town": [None, town_a.pk, town_b.pk],
        "funding_source": [None, FundingSource.DISTRICT, FundingSource.DONATION],
        "net": [None, "1"],
    }  # every combination of the filters set, each with a few of its values (all six programmes: too slow)
    town_scoped = {**dimensions, "programme": [None, Programme.MEDICAL], "funding_source": [None, "city"]}
    checked = 0
    # Town staff: their town's entries only, a town_b filter ignored (as the rows do).
    for user, options in ((district_staff, dimensions), (town_a_staff, town_scoped)):
        for values in itertools.product(*options.values()):
            data = {name: value for name, value in zip(options, values, strict=True) if value is not None}
            filterset = list_filter(user, data)
            assert from_sums(filterset) == from_rows(filterset), (user.username, data)
            checked += 1
    assert checked == 4 * 6 * 3 * 3 * 2 + 2 * 6 * 3 * 2 * 2
    for data in ({"state": "posted"}, {"state": "posted", "year": "2018"}, {"year": "abc", "programme": "medical"}):
        filterset = list_filter(district_staff, data)
        assert from_sums(filterset) == from_rows(filterset), data


def test_the_sums_keep_a_reversal_dated_in_the_next_year_under_the_payments_year(town_a, district_staff, second):
    payment = aid_enter(
        file=a_file(town_a, 1),
        user=district_staff,
        programme=Programme.MEDICAL,
        amount=Decimal("8000.00"),
        paid_on=datetime.date(2018, 12, 30),
        funding_source=FundingSource.DISTRICT,
    )
    aid_approve(payment=payment, user=second)
    aid_post(payment=payment, user=second)
    reversal = aid_reverse(payment=payment, user=district_staff, reason="重复", on=datetime.date(2019, 1, 3))
    aid_approve(payment=reversal, user=second)
    aid_post(payment=reversal, user=second)
    kept = {row.year: row for row in PaymentSum.objects.all()}
    assert (kept[2018].posted_count, kept[2018].posted_amount) == (1, Decimal("8000.00"))
    assert (kept[2018].standing_count, kept[2018].standing_amount) == (0, Decimal("0.00"))
    assert (kept[2019].posted_count, kept[2019].posted_amount) == (1, Decimal("-8000.00"))
    assert (kept[2019].standing_count, kept[2019].standing_amount) == (0, Decimal("0.00"))


def test_a_state_other_than_posted_is_counted_from_the_rows(town_a, district_staff):
    for data in ({"state": "entered"}, {"state": "withdrawn"}, {"state": "approved"}):
        assert ledger.kept_list_totals(district_staff, list_filter(district_staff, data)) is None


def test_the_list_and_the_totals_page_read_the_sums_in_the_same_statements_at_any_size(
    client, town_a, district_staff, second
):
    from tests.benefits.test_ledger_pages import posted_in_bulk

    client.force_login(district_staff)
    rng = random.Random(3)
    random_ledger(rng, [a_file(town_a, 1), a_file(town_a, 2)], district_staff, second, steps=10)

    def read(name, query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), query)
        summed = [q["sql"] for q in queries if "benefits_aidpayment" in q["sql"] and "SUM(" in q["sql"].upper()]
        return len(queries), summed, response.context

    pages = [
        ("benefits:payment_list", {}),
        ("benefits:payment_list", {"net": "1", "year": "2018", "programme": "medical"}),
        ("benefits:payment_totals", {"year": "2018"}),
    ]
    few = [read(name, query) for name, query in pages]
    posted_in_bulk(town_a, district_staff, second, 300)
    for (name, query), (count, summed, _context) in zip(pages, few, strict=True):
        many, summed_many, _context = read(name, query)
        assert many == count and summed == summed_many == [], name  # no statement sums the entries
    listed = read("benefits:payment_list", {"year": "2018", "programme": "festival"})[2]["totals"]
    rows = AidPayment.objects.posted().filter(paid_on__year=2018, programme="festival")
    assert listed["count"] == rows.count() >= 300
    assert listed["amount"] == rows.aggregate(amount=Sum("amount"))["amount"]


def test_the_totals_page_equals_the_entries_by_programme_town_and_source(
    client, town_a, town_b, district_staff, second, town_b_staff
):
    random_ledger(random.Random(5), [a_file(town_a, 1), a_file(town_b, 2)], district_staff, second, steps=60)
    for user, query in ((district_staff, {"year": 2018}), (district_staff, {"year": 2019, "town": town_b.pk})):
        client.force_login(user)
        page = client.get(reverse("benefits:payment_totals"), query).context
        entries = AidPayment.objects.visible_to(user).posted().filter(paid_on__year=query["year"])
        if "town" in query:
            entries = entries.filter(town_id=query["town"])
        for key, rows in (("programme", "by_programme"), ("town", "by_town"), ("funding_source", "by_source")):
            expected = {
                row[key]: (row["amount"], row["entries"])
                for row in entries.values(key).annotate(amount=Sum("amount"), entries=Count("pk"))
            }
            assert {row[key]: (row["amount"], row["entries"]) for row in page[rows]} == expected, key
        assert page["grand"] == {
            "amount": ledger.money(entries.aggregate(s=Sum("amount"))["s"]),
            "entries": entries.count(),
        }
    client.force_login(town_b_staff)  # scoped as the entries are: town_b's only, whatever the query says
    page = client.get(reverse("benefits:payment_totals"), {"year": 2018}).context
    assert {row["town"] for row in page["by_town"]} <= {town_b.pk}
    assert page["grand"]["entries"] == AidPayment.objects.posted().filter(paid_on__year=2018, town=town_b).count()


def test_the_check_command_finds_a_difference_and_rebuilds_the_sums(town_a, district_staff, second, capsys):
    random_ledger(random.Random(8), [a_file(town_a, 1)], district_staff, second, steps=20)
    call_command("payment_sums")
    assert "equal" in capsys.readouterr().out
    kept = PaymentSum.objects.order_by("pk").first()
    PaymentSum.objects.filter(pk=kept.pk).update(posted_amount=kept.posted_amount + Decimal("0.01"))
    with pytest.raises(CommandError, match="1 key"):
        call_command("payment_sums")
    call_command("payment_sums", "--rebuild")
    assert sums.compare() == []
    assert PaymentSum.objects.get(year=kept.year, town=kept.town, programme=kept.programme,
                                  funding_source=kept.funding_source).posted_amount == kept.posted_amount  # fmt: skip


def test_the_migration_fills_the_sums_from_the_rows_already_posted(town_a, district_staff, second):
    random_ledger(random.Random(9), [a_file(town_a, 1), a_file(town_a, 2)], district_staff, second, steps=40)
    kept = sorted(PaymentSum.objects.values_list("year", "town", "programme", "funding_source", "posted_count",
                                                 "posted_amount", "standing_count", "standing_amount"))  # fmt: skip
    PaymentSum.objects.all().delete()
    migration = importlib.import_module("benefits.migrations.0004_payment_sums")
    migration.fill_sums(django_apps, SimpleNamespace(connection=connection))  # the schema editor's connection
    again = sorted(PaymentSum.objects.values_list("year", "town", "programme", "funding_source", "posted_count",
                                                  "posted_amount", "standing_count", "standing_amount"))  # fmt: skip
    assert again == kept and kept


# Two desks at the same moment (PostgreSQL and SQLite) -----------------------------------------------------


@pytest.fixture
def flushed_ledger(transactional_db):
    yield
    ledger_emptied()  # before the transactional test's flush on SQLite


@pytest.mark.django_db(transaction=True)
def test_payments_posted_at_the_same_moment_all_count_in_the_sums(town_a, town_b, district_staff, flushed_ledger):
    second = make_staff(Role.DISTRICT_STAFF, username="staff_second")
    files = [a_file(town, serial) for serial, town in enumerate([town_a, town_b, town_a, town_b], start=1)]
    approved = []
    for n, file in enumerate(files * 2):
        payment = aid_enter(
            file=file,
            user=district_staff,
            programme=Programme.FESTIVAL,  # one key per town: every desk adds to a row another desk adds to
            amount=Decimal("500.00") + n,
            paid_on=datetime.date(2018, 1, 20),
            funding_source=FundingSource.DISTRICT,
            reason="节日慰问",
        )
        approved.append(aid_approve(payment=payment, user=second))
    assert not PaymentSum.objects.exists()  # the first post of each key inserts its row: at the same moment too
    posted, errors = at_once(lambda n: aid_post(payment=approved[n], user=second), len(approved))
    assert not errors and len(posted) == 8
    assert sums.compare() == []
    kept = PaymentSum.objects.aggregate(count=Sum("posted_count"), amount=Sum("posted_amount"))
    assert kept == {"count": 8, "amount": sum((Decimal("500.00") + n for n in range(8)), Decimal("0.00"))}
    # Reversals and payments posted together: the reversed payments stop standing, every entry counts.
    reversals = [
        aid_approve(payment=aid_reverse(payment=p, user=district_staff, reason="冲销"), user=second) for p in posted[:4]
    ]
    for file in files:
        payment = aid_enter(
            file=file, user=district_staff, programme=Programme.FESTIVAL, amount=Decimal("300.00"),
            paid_on=datetime.date(2018, 1, 21), funding_source=FundingSource.DISTRICT, reason="补发",
        )  # fmt: skip
        reversals.append(aid_approve(payment=payment, user=second))
    done, errors = at_once(lambda n: aid_post(payment=reversals[n], user=second), len(reversals))
    assert not errors and len(done) == 8
    assert sums.compare() == []
    assert PaymentSum.objects.aggregate(standing=Sum("standing_count"))["standing"] == 8 - 4 + 4
