"""The aid ledger: two signatures, append-only through every path (plain SQL included), reversal once, exact totals."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Sum

from benefits.models import AidPayment, FileStatus, HardshipFile, HardshipLevel, PaymentState, Programme
from benefits.services import aid_approve, aid_enter, aid_post, aid_reverse, aid_withdraw
from benefits.triggers import MAINTENANCE_TABLE
from tests.factories import make_staff
from union_portal.access import Role
from union_portal.errors import DomainError
from union_portal.validators import make_id_number

PAID_ON = datetime.date(2018, 6, 1)


def open_file(town, serial=1, **overrides):
    values = {
        "town": town,
        "applicant_name": "王秀英",
        "id_number": make_id_number(serial, datetime.date(1970, 1, 1)),
        "status": FileStatus.APPROVED,
        "level": HardshipLevel.DEEP,
        "last_checked_on": datetime.date(2018, 1, 10),
        **overrides,
    }
    return HardshipFile.objects.create(**values)


@pytest.fixture
def approver(town_a):
    return make_staff(Role.TOWN_STAFF, town_a, username="town_a_second")


@pytest.fixture
def household(town_a):
    return open_file(town_a)


def codes(refused) -> set[str]:
    """The codes of a refusal, whether it names fields or not."""
    error = refused.value
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def enter(household, user, amount="8000.00", programme=Programme.MEDICAL, **kwargs):
    return aid_enter(
        file=household,
        user=user,
        programme=programme,
        amount=Decimal(amount),
        paid_on=kwargs.pop("paid_on", PAID_ON),
        funding_source="district",
        **kwargs,
    )


def posted(household, entered_by, approved_by, amount="8000.00", **kwargs):
    payment = enter(household, entered_by, amount, **kwargs)
    aid_approve(payment=payment, user=approved_by)
    return aid_post(payment=payment, user=approved_by)


def test_a_payment_is_entered_approved_by_a_second_person_then_posted(household, town_a_staff, approver):
    payment = enter(household, town_a_staff)
    assert payment.state == PaymentState.ENTERED
    assert payment.voucher_number == "BF2018-000001"
    assert payment.level == HardshipLevel.DEEP and payment.town_id == household.town_id

    with pytest.raises(DomainError) as refused:
        aid_approve(payment=payment, user=town_a_staff)
    assert codes(refused) == {"same_person"}
    with pytest.raises(DomainError):
        aid_post(payment=payment, user=approver)  # not approved yet

    aid_approve(payment=payment, user=approver)
    payment = aid_post(payment=payment, user=approver)
    assert payment.state == PaymentState.POSTED and payment.approved_by == approver and payment.posted_at


def test_the_database_refuses_one_person_signing_twice(household, town_a_staff):
    payment = enter(household, town_a_staff)
    with pytest.raises(DatabaseError), transaction.atomic():
        AidPayment.objects.filter(pk=payment.pk).update(state=PaymentState.APPROVED, approved_by=town_a_staff)


def test_an_entry_not_yet_posted_can_be_withdrawn_and_counts_nowhere(household, town_a_staff, approver):
    payment = enter(household, town_a_staff)
    aid_withdraw(payment=payment, user=town_a_staff)
    assert AidPayment.objects.get(pk=payment.pk).state == PaymentState.WITHDRAWN
    assert AidPayment.objects.posted().count() == 0
    done = posted(household, town_a_staff, approver)
    with pytest.raises(DomainError):
        aid_withdraw(payment=done, user=town_a_staff)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: setattr(p, "amount", Decimal("1.00")) or p.save(), id="save"),
        pytest.param(lambda p: p.delete(), id="delete"),
        pytest.param(lambda p: AidPayment.objects.filter(pk=p.pk).update(amount=Decimal("1.00")), id="qs-update"),
        pytest.param(lambda p: AidPayment.objects.filter(pk=p.pk).delete(), id="qs-delete"),
        # The base manager skips the queryset's own check: the database alone refuses these.
        pytest.param(lambda p: AidPayment._base_manager.filter(pk=p.pk).update(amount=1), id="db-update"),
        pytest.param(lambda p: AidPayment._base_manager.filter(pk=p.pk)._raw_delete("default"), id="db-delete"),
        pytest.param(lambda p: AidPayment.objects.bulk_update([_with_amount(p, "1.00")], ["amount"]), id="bulk_update"),
    ],
)
def test_a_posted_payment_cannot_be_changed_through_the_orm(household, town_a_staff, approver, change):
    payment = posted(household, town_a_staff, approver)
    with pytest.raises((DomainError, DatabaseError)), transaction.atomic():
        change(payment)
    assert AidPayment.objects.get(pk=payment.pk).amount == Decimal("8000.00")


def _with_amount(payment, amount):
    payment.amount = Decimal(amount)
    return payment


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE benefits_aidpayment SET amount = 1 WHERE id = %s",
        "UPDATE benefits_aidpayment SET state = 'withdrawn' WHERE id = %s",
        "DELETE FROM benefits_aidpayment WHERE id = %s",
    ],
)
def test_plain_sql_cannot_change_or_delete_a_posted_payment(household, town_a_staff, approver, sql):
    payment = posted(household, town_a_staff, approver)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [payment.pk])
    assert AidPayment.objects.get(pk=payment.pk).state == PaymentState.POSTED


def test_plain_sql_cannot_empty_the_ledger(household, town_a_staff, approver):
    posted(household, town_a_staff, approver)
    statement = "TRUNCATE benefits_aidpayment CASCADE" if connection.vendor == "postgresql" else None
    statement = statement or "DELETE FROM benefits_aidpayment"  # SQLite has no TRUNCATE
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL portal.ledger_maintenance = 'off'")  # the suite's flush switch, off here
        cursor.execute(statement)
    assert AidPayment.objects.count() == 1


def ledger_emptied(using="default") -> None:
    """Empty the ledger before a transactional test's flush on SQLite (PostgreSQL's passes with the session switch):
    the maintenance row lets the delete trigger through, inside one transaction that removes it again."""
    if connections[using].vendor != "sqlite":
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"INSERT INTO {MAINTENANCE_TABLE} (switched_on) VALUES (1)")
        cursor.execute("DELETE FROM benefits_aidpayment")
        cursor.execute(f"DELETE FROM {MAINTENANCE_TABLE}")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's switch is a session setting (above)")
def test_the_sqlite_maintenance_row_lets_only_a_tests_flush_empty_the_ledger(household, town_a_staff, approver):
    posted(household, town_a_staff, approver)
    ledger_emptied()
    assert AidPayment.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {MAINTENANCE_TABLE}")
        assert cursor.fetchone() == (0,)  # the switch is off again: the trigger refuses as before
    posted(household, town_a_staff, approver)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM benefits_aidpayment")


def test_an_entry_not_yet_posted_can_still_be_corrected_in_sql(household, town_a_staff):
    payment = enter(household, town_a_staff)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE benefits_aidpayment SET reason = 'typo fixed' WHERE id = %s", [payment.pk])
    assert AidPayment.objects.get(pk=payment.pk).reason == "typo fixed"


def test_a_reversal_names_the_payment_needs_a_reason_and_nets_to_zero(household, town_a_staff, approver):
    payment = posted(household, town_a_staff, approver)
    with pytest.raises(DomainError) as refused:
        aid_reverse(payment=payment, user=town_a_staff, reason=" ")
    assert codes(refused) == {"reason_required"}
    reversal = aid_reverse(payment=payment, user=town_a_staff, reason="金额录入错误", on=PAID_ON)
    assert reversal.amount == Decimal("-8000.00") and reversal.reverses == payment
    aid_approve(payment=reversal, user=approver)
    aid_post(payment=reversal, user=approver)
    assert AidPayment.objects.posted().aggregate(total=Sum("amount"))["total"] == Decimal("0.00")


def test_a_payment_is_reversed_once_the_service_and_the_database_both_refuse_a_second(
    household, town_a_staff, approver
):
    payment = posted(household, town_a_staff, approver)
    aid_reverse(payment=payment, user=town_a_staff, reason="金额录入错误")
    with pytest.raises(DomainError) as refused:
        aid_reverse(payment=payment, user=approver, reason="again")
    assert codes(refused) == {"already_reversed"}
    with pytest.raises(DatabaseError), transaction.atomic():
        AidPayment.objects.create(
            file=household,
            town=household.town,
            programme=payment.programme,
            amount=-payment.amount,
            paid_on=PAID_ON,
            funding_source="district",
            voucher_number="BF2018-999999",
            level=payment.level,
            reverses=payment,
            reason="forged second reversal",
            entered_by=approver,
        )


def test_a_reversal_cannot_be_reversed(household, town_a_staff, approver):
    payment = posted(household, town_a_staff, approver)
    reversal = aid_reverse(payment=payment, user=town_a_staff, reason="金额录入错误")
    aid_approve(payment=reversal, user=approver)
    aid_post(payment=reversal, user=approver)
    with pytest.raises(DomainError):
        aid_reverse(payment=reversal, user=town_a_staff, reason="undo")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"status": FileStatus.REVIEWING}, "file_not_approved"),
        ({"status": FileStatus.CLOSED, "closed_on": PAID_ON, "close_reason": "recovered"}, "file_not_approved"),
        ({"last_checked_on": datetime.date(2017, 5, 1)}, "recheck_overdue"),
        ({"last_checked_on": None}, "recheck_overdue"),
    ],
)
def test_no_payment_to_a_file_that_is_not_approved_open_and_rechecked(town_a, town_a_staff, overrides, code):
    file = open_file(town_a, **overrides)
    with pytest.raises(DomainError) as refused:
        enter(file, town_a_staff)
    assert codes(refused) == {code}
    assert not AidPayment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5.00", "10.005"])
def test_amounts_are_positive_with_two_places(household, town_a_staff, amount):
    with pytest.raises(DomainError) as refused:
        enter(household, town_a_staff, amount)
    assert "amount" in refused.value.message_dict


def test_a_second_payment_of_a_programme_in_a_year_needs_a_stated_reason(household, town_a_staff, approver):
    posted(household, town_a_staff, approver, "500.00", programme=Programme.FESTIVAL)
    with pytest.raises(DomainError) as refused:
        enter(household, town_a_staff, "500.00", programme=Programme.FESTIVAL, paid_on=datetime.date(2018, 12, 1))
    assert "reason" in refused.value.message_dict
    again = enter(
        household,
        town_a_staff,
        "500.00",
        programme=Programme.FESTIVAL,
        paid_on=datetime.date(2018, 12, 1),
        reason="春节再次慰问",
    )
    assert AidPayment.objects.get(pk=again.pk).reason == "春节再次慰问"
    # Another year, or another programme, needs no reason.
    enter(household, town_a_staff, "500.00", programme=Programme.FESTIVAL, paid_on=datetime.date(2019, 1, 5))
    enter(household, town_a_staff, "300.00", programme=Programme.SUMMER)


def test_a_reversed_payment_may_be_paid_again_with_the_right_amount(household, town_a_staff, approver):
    payment = posted(household, town_a_staff, approver, "800.00")
    reversal = aid_reverse(payment=payment, user=town_a_staff, reason="少录一个零")
    aid_approve(payment=reversal, user=approver)
    aid_post(payment=reversal, user=approver)
    posted(household, town_a_staff, approver, "8000.00")
    total = AidPayment.objects.posted().filter(file=household).aggregate(total=Sum("amount"))["total"]
    assert total == Decimal("8000.00")


def test_town_staff_cannot_pay_into_another_towns_file(town_b, town_a_staff):
    file = open_file(town_b)
    with pytest.raises(DomainError):
        enter(file, town_a_staff)


def test_voucher_numbers_are_unique_and_per_year(household, town_a_staff):
    numbers = [
        enter(household, town_a_staff, programme=p).voucher_number for p in (Programme.MEDICAL, Programme.STUDENT)
    ]
    later = enter(household, town_a_staff, paid_on=datetime.date(2019, 1, 5)).voucher_number
    assert numbers == ["BF2018-000001", "BF2018-000002"] and later == "BF2019-000001"


def test_totals_by_programme_year_and_town_equal_the_sum_of_the_entries_on_random_ledgers(
    town_a, town_b, town_a_staff, approver, district_staff
):
    second = make_staff(Role.DISTRICT_STAFF, username="staff_second")
    rng = random.Random(2018)
    files = [open_file(town, serial=n) for n, town in enumerate([town_a, town_b] * 3, start=1)]
    expected: dict[tuple, Decimal] = {}
    for _ in range(60):
        file = rng.choice(files)
        programme = rng.choice(list(Programme))
        paid_on = datetime.date(2018, rng.randint(1, 12), rng.randint(1, 28))
        amount = Decimal(rng.randint(1, 2_000_000)) / 100
        payment = aid_enter(
            file=file,
            user=district_staff,
            programme=programme,
            amount=amount,
            paid_on=paid_on,
            funding_source="district",
            reason="随机账目",
        )
        fate = rng.random()
        if fate < 0.15:
            aid_withdraw(payment=payment, user=district_staff)
            continue
        aid_approve(payment=payment, user=second)
        aid_post(payment=payment, user=second)
        key = (programme.value, file.town_id)
        expected[key] = expected.get(key, Decimal("0")) + amount
        if fate > 0.8:
            reversal = aid_reverse(payment=payment, user=district_staff, reason="冲销", on=paid_on)
            aid_approve(payment=reversal, user=second)
            aid_post(payment=reversal, user=second)
            expected[key] -= amount
    totals = (
        AidPayment.objects.posted().filter(paid_on__year=2018).values("programme", "town").annotate(total=Sum("amount"))
    )
    assert {(row["programme"], row["town"]): row["total"] for row in totals} == expected
    assert sum(row["total"] for row in totals) == sum(expected.values())


def test_a_withdrawn_reversal_leaves_the_payment_open_to_a_proper_one(household, town_a_staff, approver):
    payment = posted(household, town_a_staff, approver)
    hasty = aid_reverse(payment=payment, user=town_a_staff, reason="误操作")
    aid_withdraw(payment=hasty, user=town_a_staff)
    reversal = aid_reverse(payment=payment, user=town_a_staff, reason="金额录入错误")
    aid_approve(payment=reversal, user=approver)
    aid_post(payment=reversal, user=approver)
    assert AidPayment.objects.filter(reverses=payment).count() == 2
    assert not AidPayment.objects.standing().filter(pk=payment.pk).exists()
