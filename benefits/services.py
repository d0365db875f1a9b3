"""Writes of the aid ledger (STYLE.md §2): enter, approve, post, withdraw and reverse a payment.

Money leaves on two signatures: one person enters a payment, another approves it, and only an
approved payment is posted. A posted payment is final (the database refuses any change); a mistake
is corrected by `aid_reverse`, which enters a negative entry naming the payment it reverses and
goes through the same two signatures.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.access import can_edit
from union_portal.errors import DomainError
from union_portal.numbering import numbers_reserve

from .models import AidPayment, FileStatus, HardshipFile, PaymentState

CENT = Decimal("0.01")


def voucher_number(*, year: int, number: int) -> str:
    """帮扶 vouchers are numbered per year: BF2018-000041."""
    return f"BF{year}-{number:06d}"


def aid_enter(
    *,
    file: HardshipFile,
    user,
    programme: str,
    amount: Decimal,
    paid_on: datetime.date,
    funding_source: str,
    reason: str = "",
) -> AidPayment:
    """Enter a payment to a household's file; it waits for a second person's approval."""
    _require_editor(user, file)
    amount = _money(amount)
    with transaction.atomic():
        file = HardshipFile.objects.select_for_update().get(pk=file.pk)
        _check_file_payable(file, paid_on)
        if not reason.strip() and _paid_in_programme_this_year(file, programme, paid_on.year):
            raise _field_error(
                "reason",
                _("This household has already been paid from this programme this year; state why it is paid again."),
                "second_payment",
            )
        (number,) = numbers_reserve(key=f"voucher:{paid_on.year}")
        payment = AidPayment(
            file=file,
            town_id=file.town_id,
            programme=programme,
            amount=amount,
            paid_on=paid_on,
            funding_source=funding_source,
            voucher_number=voucher_number(year=paid_on.year, number=number),
            level=file.level,
            reason=reason.strip(),
            entered_by=user,
        )
        payment.full_clean()
        payment.save()
    return payment


def aid_approve(*, payment: AidPayment, user) -> AidPayment:
    """The second signature: someone other than the person who entered the payment approves it."""
    _require_editor(user, payment.file)
    with transaction.atomic():
        payment = _locked(payment)
        _require_state(payment, PaymentState.ENTERED)
        if payment.entered_by_id == user.pk:
            raise DomainError(_("A payment is approved by a second person: you entered this one."), code="same_person")
        payment.state = PaymentState.APPROVED
        payment.approved_by = user
        payment.approved_at = timezone.now()
        payment.save()
    return payment


def aid_post(*, payment: AidPayment, user) -> AidPayment:
    """Post an approved payment to the ledger: from now on it can only be reversed."""
    _require_editor(user, payment.file)
    with transaction.atomic():
        payment = _locked(payment)
        _require_state(payment, PaymentState.APPROVED)
        payment.state = PaymentState.POSTED
        payment.posted_at = timezone.now()
        payment.save()
    return payment


def aid_withdraw(*, payment: AidPayment, user) -> AidPayment:
    """Withdraw an entry that is not posted yet; it stays in the ledger as withdrawn and counts nowhere."""
    _require_editor(user, payment.file)
    with transaction.atomic():
        payment = _locked(payment)
        if payment.state not in (PaymentState.ENTERED, PaymentState.APPROVED):
            raise DomainError(_("Only a payment that is not posted yet can be withdrawn."), code="not_withdrawable")
        payment.state = PaymentState.WITHDRAWN
        payment.save()
    return payment


def aid_reverse(*, payment: AidPayment, user, reason: str, on: datetime.date | None = None) -> AidPayment:
    """Enter the reversal of a posted payment: the same amount, negative, naming it and why.

    A payment is reversed once: the reversal's link is unique in the database, so a second
    reversal fails there even when two people try at the same moment.
    """
    _require_editor(user, payment.file)
    if not reason.strip():
        raise _field_error("reason", _("State why the payment is reversed."), "reason_required")
    on = on or timezone.localdate()
    with transaction.atomic():
        original = _locked(payment)
        if original.is_reversal:
            raise DomainError(_("A reversing entry cannot itself be reversed."), code="reverse_reversal")
        _require_state(original, PaymentState.POSTED)
        if AidPayment.objects.filter(reverses=original).exclude(state=PaymentState.WITHDRAWN).exists():
            raise DomainError(_("This payment has already been reversed."), code="already_reversed")
        (number,) = numbers_reserve(key=f"voucher:{on.year}")
        reversal = AidPayment(
            file=original.file,
            town_id=original.town_id,
            programme=original.programme,
            amount=-original.amount,
            paid_on=on,
            funding_source=original.funding_source,
            voucher_number=voucher_number(year=on.year, number=number),
            level=original.level,
            reverses=original,
            reason=reason.strip(),
            entered_by=user,
        )
        try:
            with transaction.atomic():
                reversal.save()
        except IntegrityError:
            raise DomainError(_("This payment has already been reversed."), code="already_reversed")
    return reversal


def _check_file_payable(file: HardshipFile, paid_on: datetime.date) -> None:
    if file.status != FileStatus.APPROVED:
        raise DomainError(
            _("Aid is paid only to an approved, open hardship file; this file is %(status)s.")
            % {"status": file.get_status_display()},
            code="file_not_approved",
        )
    if file.recheck_overdue(paid_on):
        raise DomainError(
            _("This file has not been re-checked for over a year: re-check it before paying aid."),
            code="recheck_overdue",
        )


def _paid_in_programme_this_year(file: HardshipFile, programme: str, year: int) -> bool:
    return (
        AidPayment.objects.filter(file=file, programme=programme, paid_on__year=year, reverses__isnull=True)
        .exclude(state=PaymentState.WITHDRAWN)
        .exclude(reversal__state=PaymentState.POSTED)
        .exists()
    )


def _money(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        raise _field_error("amount", _("Enter the amount in yuan, e.g. 500.00."), "amount")
    if value <= 0 or value != value.quantize(CENT):
        raise _field_error(
            "amount", _("The amount must be more than zero, in yuan with at most two decimal places."), "amount"
        )
    return value.quantize(CENT)


def _locked(payment: AidPayment) -> AidPayment:
    return AidPayment.objects.select_for_update().select_related("file").get(pk=payment.pk)


def _require_state(payment: AidPayment, state: str) -> None:
    if payment.state != state:
        raise DomainError(
            _("This payment is %(state)s, so this step is not possible.") % {"state": payment.get_state_display()},
            code="wrong_state",
        )


def _require_editor(user, file: HardshipFile) -> None:
    if not can_edit(user, file):
        raise DomainError(_("You may not change the aid ledger of this household."), code="not_allowed")


def _field_error(field: str, message, code: str) -> DomainError:
    """A refusal that marks one field of the form, keeping its code."""
    return DomainError({field: ValidationError(message, code=code)})
