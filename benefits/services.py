"""Writes of the aid ledger (STYLE.md §2): enter, approve, post, withdraw and reverse a payment.

Money leaves on two signatures: one person enters a payment, another approves it, and only an
approved payment is posted. A posted payment is final (the database refuses any change); a mistake
is corrected by `aid_reverse`, which enters a negative entry naming the payment it reverses and
goes through the same two signatures.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.access import can_edit, can_edit_records, can_edit_town, town_scope
from union_portal.bulk_writes import history_copy
from union_portal.child_rows import RowEdits, rows_apply
from union_portal.concurrency import StaleEdit, keys_lock
from union_portal.errors import DomainError
from union_portal.formatting import mask_id_number
from union_portal.numbering import numbers_reserve

from . import sums
from .models import (
    ACCIDENT_SHARE,
    OPEN_FILE_STATUSES,
    AidPayment,
    AllowanceListEntry,
    CardStatus,
    CloseReason,
    FileStatus,
    HardshipCause,
    HardshipFile,
    HardshipLevel,
    HomeVisit,
    HouseholdMember,
    Member,
    MemberActivity,
    Merchant,
    MinimumAllowance,
    PaymentState,
    Recheck,
    ServiceCard,
)

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
        reversed_payment = AidPayment.objects.get(pk=payment.reverses_id) if payment.reverses_id else None
        sums.record_post(payment, reversed_payment)  # the kept sums move with the ledger, in this transaction
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
        .exclude(reversals__state=PaymentState.POSTED)
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


# Members, service cards, merchants, member-only activities ---------------------------------
# The imports of this part sit here so that the parts of this module can be edited apart.


MEMBER_FIELDS = ("town", "name", "id_number", "phone", "union_name", "workplace")
MERGED_FIELDS = ("phone", "union_name", "workplace")  # what a repeated ID number in an import may update
IMPORT_BATCH = 500


def card_number(*, year: int, number: int) -> str:
    """Service cards are numbered per year of issue: HK2018000001."""
    return f"HK{year}{number:06d}"


def member_create(*, user, town, name: str, id_number: str, phone: str = "", union_name: str, workplace: str = ""):
    """Register a member; an ID number already registered (in any town) is refused, naming that member's town."""
    _require_town_editor(user, town.pk)
    member = Member(town=town, name=name, id_number=id_number.strip().upper(), phone=phone)
    member.union_name, member.workplace = union_name, workplace
    _member_save(member)
    return member


def member_update(*, member: Member, user, **fields) -> Member:
    """Change a member's details; `member.version` is the one the form was opened with (StaleEdit if moved on)."""
    if not can_edit_town(user, _stored_town(member)):
        raise DomainError(_("You may not change this member."), code="not_allowed")
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_update() got unknown fields {sorted(unknown)}")
    if "town" in fields:
        _require_town_editor(user, fields["town"].pk)
    if "id_number" in fields:
        fields["id_number"] = fields["id_number"].strip().upper()
    for name, value in fields.items():
        setattr(member, name, value)
    _member_save(member)
    return member


def card_issue(*, member: Member, user, on: datetime.date | None = None) -> ServiceCard:
    """Issue a member's card, numbered from the core's sequence of the year; a member holds one active card."""
    _require_member_editor(user, member)
    on = on or timezone.localdate()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one issue at a time per member
        if ServiceCard.objects.filter(member=member, status=CardStatus.ACTIVE).exists():
            raise DomainError(_("This member already holds an active card."), code="card_active")
        return _card_new(member=member, on=on)


def card_report_lost(*, card: ServiceCard, user, on: datetime.date | None = None) -> ServiceCard:
    """Record a card as lost and issue its replacement, a new number linked to it (`replaces`); returns the new card."""
    _require_member_editor(user, card.member)
    on = on or timezone.localdate()
    with transaction.atomic():
        card = ServiceCard.objects.select_for_update().select_related("member").get(pk=card.pk)
        if card.status not in (CardStatus.ACTIVE, CardStatus.SUSPENDED):
            raise DomainError(
                _("Only an active or suspended card can be reported lost; this card is %(status)s.")
                % {"status": card.get_status_display()},
                code="card_not_lostable",
            )
        card.status = CardStatus.LOST
        card.full_clean()
        card.save()
        return _card_new(member=card.member, on=on, replaces=card)


CARD_MOVES = {
    CardStatus.ACTIVE: {CardStatus.SUSPENDED, CardStatus.CANCELLED},
    CardStatus.SUSPENDED: {CardStatus.ACTIVE, CardStatus.CANCELLED},
}  # a lost or cancelled card is final; "lost" goes through card_report_lost, which issues the replacement


def card_set_status(*, card: ServiceCard, user, status: str) -> ServiceCard:
    """Suspend, re-activate or cancel a card (a lost or cancelled card stays so)."""
    _require_member_editor(user, card.member)
    with transaction.atomic():
        card = ServiceCard.objects.select_for_update().select_related("member").get(pk=card.pk)
        if status not in CARD_MOVES.get(card.status, set()):
            raise DomainError(
                _("A card that is %(status)s cannot be made %(to)s.")
                % {"status": card.get_status_display(), "to": dict(CardStatus.choices).get(status, status)},
                code="card_move",
            )
        others = ServiceCard.objects.filter(member=card.member, status=CardStatus.ACTIVE).exclude(pk=card.pk)
        if status == CardStatus.ACTIVE and others.exists():
            raise DomainError(_("This member already holds another active card."), code="card_active")
        card.status = status
        card.full_clean()
        card.save()
    return card


def member_import(*, user, sheet, merge: bool, progress=None) -> tuple[int, int]:
    """Write a checked member sheet of `sheet.town`: all rows or none. Returns (added, updated).

    Inside one transaction the rows are checked again against what is stored (locking the members
    they name). A repeated ID number, already stored or twice in the sheet, refuses the whole sheet
    unless `merge`: then the stored (or first) member takes the phone, union and workplace of the row.
    Written in bulk, with the history rows a save would leave. `progress(rows)`, if given, hears of each batch
    written (an import job's page shows it).
    """
    if not can_edit_town(user, sheet.town.pk):
        raise DomainError(_("You may not import members of this town."), code="not_allowed")
    with transaction.atomic():
        sheet.user = user  # the rows are checked for whoever writes them
        sheet.validate(lock=True, merge=merge)
        if sheet.errors:
            raise DomainError(list(sheet.errors), code="member_rows")
        new, merged = sheet.members_to_write()
        now = timezone.now()
        reason = str(_("Excel import"))
        created = []
        for start in range(0, len(new), IMPORT_BATCH):
            created += Member.objects.bulk_create(new[start : start + IMPORT_BATCH])
            if progress is not None:
                progress(len(created))
        if not all(member.pk for member in created):  # a backend that returns no ids: read them back
            created = list(Member.objects.filter(id_number__in=[member.id_number for member in new]))
        history_copy(model=Member, pks=[m.pk for m in created], history_type="+", user=user, reason=reason, date=now)
        if merged:
            upsert = {"update_conflicts": True, "unique_fields": ["id"], "update_fields": [*MERGED_FIELDS, "version"]}
            Member.objects.bulk_create(merged, batch_size=IMPORT_BATCH, **upsert)
            history_copy(model=Member, pks=[m.pk for m in merged], history_type="~", user=user, reason=reason, date=now)
    return len(new), len(merged)


def merchant_save(*, user, merchant: Merchant | None = None, **fields) -> Merchant:
    """Add a partner merchant or change one; the contract ends on or after its start."""
    merchant = merchant or Merchant()
    if merchant.pk and not can_edit_town(user, _stored_town(merchant)):
        raise DomainError(_("You may not change this merchant."), code="not_allowed")
    merchant_dates_check(
        contract_start=fields.get("contract_start", merchant.contract_start),
        contract_end=fields.get("contract_end", merchant.contract_end),
    )
    return _save_programme_record(user, merchant, fields)


def merchant_dates_check(*, contract_start, contract_end) -> None:
    """A contract ends on or after the day it starts (the form runs this too, to mark the field)."""
    if contract_start and contract_end and contract_end < contract_start:
        raise _field_error("contract_end", _("The contract cannot end before it starts."), "contract_dates")


def activity_save(*, user, activity: MemberActivity | None = None, **fields) -> MemberActivity:
    """Record a member-only activity or change one."""
    activity = activity or MemberActivity()
    if activity.pk and not can_edit_town(user, _stored_town(activity)):
        raise DomainError(_("You may not change this activity."), code="not_allowed")
    return _save_programme_record(user, activity, fields)


def _save_programme_record(user, record, fields):
    for name, value in fields.items():
        setattr(record, name, value)
    town = fields.get("town", getattr(record, "town", None))
    if not can_edit_town(user, town.pk if town else None):
        raise _field_error("town", _("You may record only your own town's programmes."), "town_not_allowed")
    with transaction.atomic():
        record.full_clean()
        record.save()
    return record


def _stored_town(record) -> int | None:
    """The town a record has in the database (a form may have changed the instance's already)."""
    return type(record)._base_manager.filter(pk=record.pk).values_list("town_id", flat=True).first()


def _card_new(*, member: Member, on: datetime.date, replaces: ServiceCard | None = None) -> ServiceCard:
    prefix = card_number(year=on.year, number=0)[:-6]
    last = ServiceCard.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
    in_use = int(last[len(prefix) :]) if last and last[len(prefix) :].isdigit() else 0
    (number,) = numbers_reserve(key=f"card:{on.year}", after=in_use)
    card = ServiceCard(member=member, number=card_number(year=on.year, number=number), issued_on=on, replaces=replaces)
    card.full_clean()
    card.save()
    return card


def _member_save(member: Member) -> None:
    """Check and save a member; an ID number registered by another desk at any step is refused naming its town."""
    with transaction.atomic():
        _refuse_registered_id(member)
        _clean_member(member)
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:  # registered meanwhile by someone else
            _refuse_registered_id(member)
            raise


def _clean_member(member: Member) -> None:
    """`full_clean`, answering an ID number registered since `_refuse_registered_id` looked with that town's name.

    Two desks registering one person at the same moment both pass the first look; the second one's model
    validation then finds the first's row, and its message should be the portal's, naming the town.
    """
    try:
        member.full_clean()
    except ValidationError as error:
        if "id_number" in getattr(error, "error_dict", {}):
            _refuse_registered_id(member)
        raise


def _refuse_registered_id(member: Member) -> None:
    other = Member.objects.filter(id_number=member.id_number).exclude(pk=member.pk).select_related("town").first()
    if other is not None:
        raise _field_error(
            "id_number",
            _("This ID number is already registered for a member of %(town)s.") % {"town": other.town.name},
            "duplicate_id",
        )


def _require_town_editor(user, town_id) -> None:
    if not can_edit_town(user, town_id):
        raise _field_error("town", _("You may register members of your own town only."), "town_not_allowed")


def _require_member_editor(user, member: Member) -> None:
    if not can_edit(user, member):
        raise DomainError(_("You may not change the cards of this member."), code="not_allowed")


# Hardship files ---
# A file goes applying → reviewing (submitted by town or district staff) → approved or rejected (by
# district staff, never the person who submitted it); an approved file is re-checked yearly and may be
# closed; a closed file is reopened into review (its circumstances changed since it was approved, so the
# district looks again), keeping its history.


# What the file form edits; the status, level and workflow stamps have their own steps.
FILE_FIELDS = (
    "town", "applicant_name", "id_number", "phone", "union_name", "workplace", "applicant_income",
    "essential_spending", "sudden_loss", "main_cause", "secondary_causes", "bank_name", "bank_account",
)  # fmt: skip
MAX_SECONDARY_CAUSES = 3


def reviews_for_district(user) -> bool:
    """District staff and admins review files (approve, reject) and keep the allowance list; town staff submit."""
    return can_edit_records(user) and town_scope(user) is None


@dataclass
class Holding:
    """A file that holds an ID number, as its applicant or as a household member."""

    id_number: str
    file: HardshipFile
    as_applicant: bool

    @property
    def is_open(self) -> bool:
        return self.file.status in OPEN_FILE_STATUSES


def files_holding(id_numbers, *, exclude=None) -> list[Holding]:
    """Every file of any state, in any town, holding one of `id_numbers` (the duplicate look-up).

    The look-up crosses towns on purpose: a person is checked against the whole district's files,
    closed and rejected ones included, before a file is opened (the national system does the same).
    """
    ids = sorted({n for n in id_numbers if n})
    if not ids:
        return []
    files = HardshipFile.objects.filter(id_number__in=ids).select_related("town")
    members = HouseholdMember.objects.filter(id_number__in=ids).select_related("file__town")
    if exclude is not None and exclude.pk:
        files, members = files.exclude(pk=exclude.pk), members.exclude(file_id=exclude.pk)
    found = [Holding(f.id_number, f, True) for f in files] + [Holding(m.id_number, m.file, False) for m in members]
    return sorted(found, key=lambda h: (h.id_number, h.file.pk))


def allowance_entries(id_numbers) -> list[AllowanceListEntry]:
    """The entries of the civil-affairs allowance list for these people."""
    return list(AllowanceListEntry.objects.filter(id_number__in={n for n in id_numbers if n}))


def _refuse_open_holdings(id_numbers, *, exclude=None) -> None:
    """One open file per person: applicant or member of another open file is refused."""
    open_ones = [h for h in files_holding(id_numbers, exclude=exclude) if h.is_open]
    if open_ones:
        raise DomainError(
            [
                DomainError(
                    _("%(id)s already belongs to an open file in %(town)s (%(status)s): one open file per person."),
                    params={
                        "id": mask_id_number(h.id_number),
                        "town": h.file.town.name,
                        "status": h.file.get_status_display(),
                    },
                    code="open_file_exists",
                )
                for h in open_ones
            ]
        )


@dataclass
class Assessment:
    """The level computation, step by step, as the file page shows it."""

    year: int
    household_income: Decimal
    essential_spending: Decimal
    household_size: int
    income_per_head: Decimal
    allowance: Decimal | None
    yearly_income: Decimal
    sudden_loss: Decimal
    level: str
    rule: str

    @property
    def level_label(self) -> str:
        return HardshipLevel(self.level).label if self.level else ""


def level_assess(*, file: HardshipFile, year: int, members=None) -> Assessment:
    """The level the file's figures give against `year`'s minimum allowance, with each step and the rule that decided.

    `allowance` is None (and the level "") when admins have not entered that year's allowance.
    """
    members = list(file.members.all()) if members is None else list(members)
    income = file.applicant_income + sum((m.monthly_income for m in members), Decimal("0.00"))
    allowance = MinimumAllowance.objects.filter(year=year).values_list("monthly_amount", flat=True).first()
    values = {
        "year": year,
        "household_income": income,
        "essential_spending": file.essential_spending,
        "household_size": file.household_size(members),
        "income_per_head": file.income_per_head(members),
        "allowance": allowance,
        "yearly_income": 12 * income,
        "sudden_loss": file.sudden_loss,
    }
    if allowance is None:
        return Assessment(
            **values, level="", rule=str(_("The minimum allowance of %(year)d is not entered yet.") % {"year": year})
        )
    level = file.assessed_level(allowance, members)
    return Assessment(**values, level=level, rule=_level_rule(level))


def _level_rule(level: str) -> str:
    return str(
        {
            HardshipLevel.DEEP: _("Income per head after essential spending is below the minimum allowance."),
            HardshipLevel.RELATIVE: _("Income per head after essential spending is below twice the minimum allowance."),
            HardshipLevel.ACCIDENT: _("The sudden loss exceeds %(share)s%% of the household's yearly income.")
            % {"share": int(ACCIDENT_SHARE * 100)},
        }.get(
            level,
            _("Income per head is at least twice the allowance and no sudden loss exceeds 80%: no hardship level."),
        )
    )


def _require_file_editor(user, file: HardshipFile) -> None:
    if not can_edit(user, file):
        raise DomainError(_("You may not change this hardship file."), code="not_allowed")


def _require_reviewer(user, file: HardshipFile) -> None:
    if not reviews_for_district(user):
        raise DomainError(_("Files are approved or rejected by the district's assistance centre."), code="not_reviewer")
    if file.submitted_by_id == user.pk:
        raise DomainError(_("You submitted this file: a second person reviews it."), code="own_submission")


def _locked_file(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update().get(pk=file.pk)


def _require_status(file: HardshipFile, *statuses) -> None:
    if file.status not in statuses:
        raise DomainError(
            _("This file is %(status)s, so this step is not possible.") % {"status": file.get_status_display()},
            code="wrong_status",
        )


def file_causes_check(fields: dict) -> None:
    """Up to three secondary causes from the list, none of them the main cause (the form runs it too)."""
    causes = list(fields.get("secondary_causes") or [])
    if any(cause not in HardshipCause.values for cause in causes):
        raise _field_error("secondary_causes", _("Choose the secondary causes from the list."), "unknown_cause")
    if len(causes) > MAX_SECONDARY_CAUSES:
        raise _field_error("secondary_causes", _("Choose at most three secondary causes."), "too_many_causes")
    if fields.get("main_cause") in causes:
        raise _field_error("secondary_causes", _("The main cause is not also a secondary cause."), "cause_twice")


def _member_ids(file: HardshipFile) -> list[str]:
    return [file.id_number, *file.members.values_list("id_number", flat=True)]


def _members_write(file: HardshipFile, members: RowEdits) -> None:
    try:
        with transaction.atomic():
            rows_apply(parent=file, model=HouseholdMember, edits=members)
    except IntegrityError:
        raise DomainError(_("The same ID number is listed twice in this household."), code="member_twice")
    ids = _member_ids(file)
    if len(ids) != len(set(ids)):
        raise DomainError(_("The same ID number is listed twice in this household."), code="member_twice")


def _lock_people(id_numbers) -> None:
    """One open file per person, members included: checks and writes about the same people run one at a time."""
    keys_lock(scope="hardship-person", keys=id_numbers)


def file_create(*, user, fields: dict, members: RowEdits | None = None) -> HardshipFile:
    """Open a file for a household (applying); refused when the applicant or a member already has an open file."""
    if unknown := set(fields) - set(FILE_FIELDS):
        raise TypeError(f"file_create does not set {sorted(unknown)}")
    file_causes_check(fields)
    file = HardshipFile(**fields, status=FileStatus.APPLYING)
    _require_file_editor(user, file)
    members = members or RowEdits()
    with transaction.atomic():
        _lock_people([file.id_number, *(row.get("id_number") for row in members.rows)])
        _refuse_open_holdings([file.id_number, *(row.get("id_number") for row in members.rows)])
        file.full_clean()  # after the look-up: it names the other file, the constraint check would not
        _file_save(file)
        _members_write(file, members)
        _refuse_open_holdings(_member_ids(file), exclude=file)
    return file


def _file_save(file: HardshipFile) -> None:
    """Save; two people opening a file for the same applicant at once: the database keeps one (its constraint)."""
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError:
        raise DomainError(_("This person already has an open file."), code="open_file_exists")


def file_update(
    *, file: HardshipFile, user, version: int, fields: dict, members: RowEdits | None = None
) -> HardshipFile:
    """Save an edit of a file and its household together, or nothing (StaleEdit if saved by someone since)."""
    if unknown := set(fields) - set(FILE_FIELDS):
        raise TypeError(f"file_update does not set {sorted(unknown)}")
    file_causes_check(fields)
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        if version != locked.version:
            raise StaleEdit
        for name, value in fields.items():
            setattr(locked, name, value)
        _require_file_editor(user, locked)  # and in the town it is moved to
        _lock_people(
            [locked.id_number, *_member_ids(locked), *(row.get("id_number") for row in (members or RowEdits()).rows)]
        )
        if locked.status in OPEN_FILE_STATUSES:
            _refuse_open_holdings([locked.id_number], exclude=locked)
        locked.full_clean()
        _file_save(locked)
        _members_write(locked, members or RowEdits())
        if locked.status in OPEN_FILE_STATUSES:
            _refuse_open_holdings(_member_ids(locked), exclude=locked)
    return locked


def file_submit(*, file: HardshipFile, user) -> HardshipFile:
    """Send an application to the district for review (applying → reviewing), recording who and when."""
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_status(locked, FileStatus.APPLYING)
        locked.status = FileStatus.REVIEWING
        locked.submitted_by, locked.submitted_at = user, timezone.now()
        locked.save()
    return locked


def file_approve(*, file: HardshipFile, user, on: datetime.date | None = None) -> HardshipFile:
    """Approve a file under review: its level is the one the figures give against the year's allowance."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_reviewer(user, locked)
        _require_status(locked, FileStatus.REVIEWING)
        assessment = level_assess(file=locked, year=on.year)
        _require_level(assessment)
        locked.status, locked.level, locked.last_checked_on = FileStatus.APPROVED, assessment.level, on
        locked.reviewed_by, locked.reviewed_at, locked.review_comment = user, timezone.now(), ""
        locked.save()
    return locked


def _require_level(assessment: Assessment) -> None:
    if assessment.allowance is None:
        raise DomainError(
            _("The minimum allowance of %(year)d is not entered yet: ask a district admin to enter it.")
            % {"year": assessment.year},
            code="no_allowance",
        )
    if not assessment.level:
        raise DomainError(
            _("By its figures this household is not in hardship (%(rule)s)") % {"rule": assessment.rule},
            code="no_level",
        )


def file_reject(*, file: HardshipFile, user, comment: str) -> HardshipFile:
    """Reject a file under review; the comment saying why is required."""
    comment = (comment or "").strip()
    if not comment:
        raise _field_error("comment", _("Say why the file is rejected."), "comment_required")
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_reviewer(user, locked)
        _require_status(locked, FileStatus.REVIEWING)
        locked.status, locked.review_comment = FileStatus.REJECTED, comment
        locked.reviewed_by, locked.reviewed_at = user, timezone.now()
        locked.save()
    return locked


def file_recheck(
    *, file: HardshipFile, user, checked_on: datetime.date, visit: HomeVisit | None = None, notes: str = ""
) -> Recheck:
    """Record the yearly re-check of an approved file; a change of level needs a recorded home visit first."""
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_status(locked, FileStatus.APPROVED)
        if checked_on > timezone.localdate():
            raise _field_error("checked_on", _("The date of a re-check cannot be in the future."), "recheck_future")
        if visit is not None and (visit.file_id != locked.pk or visit.visited_on > checked_on):
            raise _field_error("visit", _("Choose a visit to this household made before the re-check."), "visit_other")
        assessment = level_assess(file=locked, year=checked_on.year)
        _require_level(assessment)
        if assessment.level != locked.level and visit is None:
            raise _field_error(
                "visit",
                _("The level changes from %(before)s to %(after)s: record a home visit first, then choose it.")
                % {"before": locked.get_level_display(), "after": assessment.level_label},
                "visit_required",
            )
        recheck = Recheck(
            file=locked, checked_on=checked_on, level_before=locked.level, level_after=assessment.level,
            visit=visit, notes=(notes or "").strip(), checked_by=user,
        )  # fmt: skip
        recheck.full_clean()
        recheck.save()
        locked.level, locked.last_checked_on = assessment.level, max(checked_on, locked.last_checked_on or checked_on)
        locked.save()
    return recheck


def file_close(*, file: HardshipFile, user, reason: str, closed_on: datetime.date) -> HardshipFile:
    """Close an approved file: the household recovered, or the worker retired, moved away or died."""
    if reason not in CloseReason.values:
        raise _field_error("reason", _("Choose why the file is closed."), "close_reason")
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_status(locked, FileStatus.APPROVED)
        if closed_on > timezone.localdate():
            raise _field_error("closed_on", _("The closing date cannot be in the future."), "close_future")
        locked.status, locked.close_reason, locked.closed_on = FileStatus.CLOSED, reason, closed_on
        locked.save()
    return locked


def file_reopen(*, file: HardshipFile, user) -> HardshipFile:
    """Reopen a closed file into review: the district approves it again (the history keeps the closing)."""
    with transaction.atomic():
        locked = _locked_file(file)
        _require_file_editor(user, locked)
        _require_status(locked, FileStatus.CLOSED)
        _lock_people(_member_ids(locked))
        _refuse_open_holdings(_member_ids(locked), exclude=locked)
        locked.status, locked.close_reason, locked.closed_on = FileStatus.REVIEWING, "", None
        locked.submitted_by, locked.submitted_at = user, timezone.now()
        locked.reviewed_by, locked.reviewed_at = None, None
        _file_save(locked)
    return locked


def visit_record(*, file: HardshipFile, user, visited_on: datetime.date, visitors: str, notes: str = "") -> HomeVisit:
    """Record a home visit to a household with a file (走访慰问)."""
    _require_file_editor(user, file)
    if visited_on > timezone.localdate():
        raise _field_error("visited_on", _("The date of a visit cannot be in the future."), "visit_future")
    visit = HomeVisit(
        file=file, visited_on=visited_on, visitors=visitors.strip(), notes=(notes or "").strip(), recorded_by=user
    )
    visit.full_clean()
    with transaction.atomic():
        visit.save()
    return visit


def allowance_list_import(*, user, rows: list[dict]) -> int:
    """Replace the civil-affairs allowance list with `rows` (id_number, name, kind), all of them or none."""
    if not reviews_for_district(user):
        raise DomainError(_("The allowance list is imported by the district's staff."), code="not_allowed")
    entries = [AllowanceListEntry(**row) for row in rows]
    errors = []
    for entry in entries:
        try:
            entry.full_clean(validate_unique=False)
        except ValidationError as error:
            errors.extend(error.messages)
    if len({e.id_number for e in entries}) != len(entries):
        errors.append(_("The same ID number is listed twice."))
    if errors:
        raise DomainError(errors, code="allowance_rows")
    with transaction.atomic():
        AllowanceListEntry.objects.all().delete()
        AllowanceListEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


# Services for all members ---
# The records of the five programmes (childcare classes, job fairs, purchased services, WeChat
# activities, cultural and sports events): one save and one import for all, driven by `resources.PROGRAMMES`.


def programme_record_save(*, user, record, data: dict):
    """Save a programme record (new, or stored) with the form's `data`; town staff write only their own town's.

    The stored row is locked while it is changed, so two editors saving at once each see the other's
    change in its history rather than one lost.
    """
    if record.pk:
        _programme_require_editor(user, record.town_id)
    _programme_require_editor(user, getattr(data.get("town"), "pk", data.get("town")))
    with transaction.atomic():
        if record.pk:
            record = type(record).objects.select_for_update().get(pk=record.pk)
        for name, value in data.items():
            setattr(record, name, value)
        record.full_clean()
        record.save()
    return record


def programme_records_import(*, user, sheet) -> tuple[int, int]:
    """Write a checked programme sheet (`resources.ProgrammeSheet`): all its rows, or none.

    Inside one transaction the rows are checked again with the records they update locked; any bad
    row refuses the whole sheet with every row, column and reason. Each record is saved on its own
    (a sheet holds a few hundred rows at most) so that its history says who imported it.
    Returns (added, updated).
    """
    with transaction.atomic():
        sheet.validate(lock=True)
        if sheet.errors:
            raise DomainError(list(sheet.errors), code="programme_rows")
        for row in sheet.rows:
            _programme_require_editor(user, row.record.town_id)
        added = sum(1 for row in sheet.rows if not row.is_update)
        for row in sheet.rows:
            row.record.save()
    return added, len(sheet.rows) - added


def _programme_require_editor(user, town_id) -> None:
    if not can_edit_town(user, town_id):
        raise DomainError(_("You may not change the records of this town."), code="not_allowed")
