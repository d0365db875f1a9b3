"""Operations that change cases and bargaining records: intake, edits, status moves, the timeline,
attachments, wage agreements, census lines, inspections (STYLE.md §2).

Each takes keyword-only arguments, validates before it writes, runs in one transaction and
raises `CaseRuleError` (the core's DomainError: a ValidationError with a translatable message)
when a rule says no.
"""

import datetime
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.access import can_edit
from union_portal.child_rows import RowEdits, rows_apply
from union_portal.concurrency import StaleEdit
from union_portal.errors import DomainError
from union_portal.models import Enterprise, Town
from union_portal.numbering import numbers_reserve
from union_portal.uploads import ATTACHMENT, FILE_TYPES, upload_check
from union_portal.validators import validate_credit_code

from .models import (
    ACTION_KINDS,
    CLOSING_STATUSES,
    LARGE_ENTERPRISE_HEADCOUNT,
    LEGAL_AID_NOT_APPROVED,
    LEGAL_AID_OUTCOMES,
    OPEN_STATUSES,
    BargainingYear,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseWorker,
    DossierKind,
    EventKind,
    HandlingBody,
    Outcome,
    Status,
    SupervisionInspection,
    WageAgreement,
    case_number_prefix,
    format_case_number,
    initial_status,
    local_today,
)


class CaseRuleError(DomainError):
    """A business rule of the disputes app refused the operation; the message says which and why."""


REPRESENTATIVE_NEEDED = _("A collective case needs a representative among the workers.")
LARGE_ONLY = _("The census lists enterprises with %(count)d or more employees.")
LARGE_PARAMS = {"count": LARGE_ENTERPRISE_HEADCOUNT}


def _require_editor(user, case) -> None:
    if user is not None and not can_edit(user, case):
        raise PermissionDenied


# Case numbers -------------------------------------------------------------------------


def case_numbers_reserve(*, prefix: str, year: int, count: int = 1) -> list[int]:
    """Reserve the next `count` sequence numbers of (prefix, year); they are never handed out again.

    The core sequence "case:<prefix>:<year>" stays locked until the caller's transaction ends,
    so two desks saving at the same moment get different numbers.
    """
    return numbers_reserve(key=f"case:{prefix}:{year}", count=count)


def case_number_next(*, town, handling_body: str, year: int) -> str:
    prefix = case_number_prefix(town, handling_body)
    (sequence,) = case_numbers_reserve(prefix=prefix, year=year)
    return format_case_number(prefix, year, sequence)


# Employers known by name alone ---------------------------------------------------------

HEADCOUNT_TOO_SMALL = _(
    "%(field)s cannot be %(headcount)d: %(listed)d workers are listed, so enter at least %(listed)d."
)


def headcount_check(*, headcount: int | None, listed: int) -> None:
    """The headcount (涉及人数) counts every worker listed, and may be larger (a group names a few of its members)."""
    if headcount is not None and headcount < listed:
        raise CaseRuleError(
            {
                "headcount": CaseRuleError(
                    HEADCOUNT_TOO_SMALL,
                    params={
                        "field": Case._meta.get_field("headcount").verbose_name,
                        "headcount": headcount,
                        "listed": listed,
                    },
                    code="headcount_small",
                )
            }
        )


def _employer_register(employer: Enterprise, *, credit_code: str = "", by=None) -> Enterprise:
    """The employer a case names, made to stand inside the caller's transaction.

    A new one is registered; a new one by name alone reuses the town's employer already known by that name
    (two desks may type it at once: the town's row is locked while they look); a name-only one given a code
    gets it (`employer_code_fill`).
    """
    if employer.pk is not None:
        if credit_code and employer.needs_completion:
            return employer_code_fill(enterprise=employer, credit_code=credit_code, by=by)
        return employer
    if employer.needs_completion:
        Town.objects.select_for_update().filter(pk=employer.town_id).values_list("pk", flat=True).first()
        known = Enterprise.objects.awaiting_code().filter(name=employer.name, town_id=employer.town_id)
        if found := known.order_by("pk").first():
            return found
    employer.full_clean()
    employer.save()
    return employer


def employer_code_fill(*, enterprise: Enterprise, credit_code: str, by=None) -> Enterprise:
    """Give an employer known by name alone its credit code; returns the enterprise that stands.

    When the code already belongs to another enterprise, the name-only one is merged into it: its cases
    and every other row pointing at it move to that enterprise, and it is deleted (its history keeps it).
    All in one transaction.
    """
    code = (credit_code or "").strip().upper()
    try:
        validate_credit_code(code)
    except ValidationError as error:
        raise CaseRuleError({"credit_code": error.error_list})
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if not locked.needs_completion:
            if locked.credit_code == code:
                return locked
            raise CaseRuleError(
                {"credit_code": CaseRuleError(_("This enterprise already has a credit code."), code="code_known")}
            )
        target = Enterprise.objects.select_for_update().filter(credit_code=code).first()
        if target is None:
            try:
                with transaction.atomic():
                    locked.credit_code = code
                    locked.full_clean(validate_constraints=False)
                    locked.save()
                    return locked
            except IntegrityError:  # another desk gave the same code to another enterprise meanwhile
                locked.credit_code = None
                target = Enterprise.objects.select_for_update().get(credit_code=code)
        _enterprise_merge(source=locked, into=target, by=by)
    return target


def _enterprise_merge(*, source: Enterprise, into: Enterprise, by) -> None:
    """Move every row pointing at `source` (in any app, found through the model's relations) to `into`."""
    reason = f"merged: {source.name} → {into.name} ({into.credit_code})"
    try:
        with transaction.atomic():
            for relation in Enterprise._meta.related_objects:
                if relation.many_to_many:
                    _links_move(relation, source, into)
                else:
                    _rows_move(relation, source, into, by, reason)
    except IntegrityError:
        raise CaseRuleError(
            _("%(source)s and %(target)s both have records of the same kind and year: merge them in the admin."),
            params={"source": source.name, "target": into.name},
            code="merge_conflict",
        )
    source._change_reason = reason
    source.delete()


def _rows_move(relation, source, into, by, reason) -> None:
    from simple_history.utils import bulk_update_with_history

    model, field = relation.related_model, relation.field
    rows = list(model._base_manager.filter(**{field.name: source}))
    if not rows:
        return
    fields = [field.name]
    versioned = any(f.name == "version" for f in model._meta.concrete_fields)
    for row in rows:
        setattr(row, field.attname, into.pk)
        if versioned:  # an edit form opened on the old employer must not save it back
            row.version += 1
    if versioned:
        fields.append("version")
    if hasattr(model, "history"):
        bulk_update_with_history(rows, model, fields, default_user=by, default_change_reason=reason)
    else:
        model._base_manager.bulk_update(rows, fields)


def _links_move(relation, source, into) -> None:
    """Many-to-many links (an inspection covering the enterprise): moved, a link `into` already has dropped."""
    through = relation.through
    to_name, from_name = relation.field.m2m_reverse_field_name(), relation.field.m2m_field_name()
    already = through.objects.filter(**{to_name: into}).values(from_name)
    through.objects.filter(**{to_name: source, f"{from_name}__in": already}).delete()
    through.objects.filter(**{to_name: source}).update(**{to_name: into})


# Intake -------------------------------------------------------------------------------


def _worker_objects(case: Case, workers: list[dict]) -> list[CaseWorker]:
    objects, errors, seen = [], [], set()
    for row in workers:
        worker = CaseWorker(case=case, **row)
        try:
            worker.full_clean(exclude=["case"])
        except ValidationError as error:
            errors.append(error)
            continue
        if worker.id_number in seen:
            errors.append(
                ValidationError(_("The same ID number is listed twice: %(id)s."), params={"id": worker.id_number})
            )
        seen.add(worker.id_number)
        objects.append(worker)
    if errors:
        raise CaseRuleError(errors)
    return objects


def case_open(
    *,
    town,
    handling_body: str,
    employer,
    workers: list[dict],
    by,
    employer_code: str = "",
    claim_kinds=(),
    received_on: datetime.date | None = None,
    channel: str = "walk_in",
    amount_claimed: Decimal = Decimal("0"),
    facts: str = "",
    headcount: int | None = None,
    is_collective: bool = False,
    collective_cause: str = "",
    government_bodies: str = "",
    learned_on: datetime.date | None = None,
    assigned_to=None,
) -> Case:
    """Log a new case with its workers and give it the next case number of its body and year.

    `workers` are dicts of CaseWorker fields (name, id_number, phone, is_representative).
    `employer` is an Enterprise; an unsaved one (a new employer, perhaps by name alone) is registered with
    the case, and `employer_code` completes one known by name alone.
    The headcount is at least the number of workers listed (none given: that number); a collective case
    names a representative.
    """
    if not workers:
        raise CaseRuleError(_("List at least one worker."), code="no_workers")
    headcount_check(headcount=headcount, listed=len(workers))
    if is_collective and not any(w.get("is_representative") for w in workers):
        raise CaseRuleError(REPRESENTATIVE_NEEDED, code="representative")
    case = Case(
        town=town,
        handling_body=handling_body,
        employer=employer,
        received_on=received_on or local_today(),
        channel=channel,
        amount_claimed=amount_claimed,
        facts=facts,
        headcount=headcount or len(workers),
        is_collective=is_collective,
        collective_cause=collective_cause,
        government_bodies=government_bodies,
        learned_on=learned_on,
        assigned_to=assigned_to,
        created_by=by,
        status=initial_status(handling_body),
        created_at=timezone.now(),
        last_activity_at=timezone.now(),
    )
    _require_editor(by, case)
    new_employer = employer.pk is None
    if new_employer:
        employer.full_clean(validate_constraints=False)  # a name-only one may be another desk's, found on save
    case.full_clean(exclude=["number", "claim_kinds", *(["employer"] if new_employer else [])])
    worker_objects = _worker_objects(case, workers)
    with transaction.atomic():
        case.employer = _employer_register(employer, credit_code=employer_code, by=by)
        case.number = case_number_next(town=town, handling_body=handling_body, year=case.received_on.year)
        case.save()
        case.claim_kinds.set(claim_kinds)
        for worker in worker_objects:
            worker.case = case
        CaseWorker.objects.bulk_create(worker_objects)
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.STATUS_CHANGE,
            happened_on=case.received_on,
            to_status=case.status,
            text=str(_("Case opened.")),
            recorded_by=by,
        )
    return case


# Case edit ----------------------------------------------------------------------------

# What the edit page changes: the number, the handling body and the status have their own ways.
CASE_EDIT_FIELDS = (
    "received_on", "channel", "town", "amount_claimed", "learned_on", "facts", "is_collective", "headcount",
    "collective_cause", "government_bodies", "accepted_on", "arbitration_accepted_on", "dossier_number",
    "inspection_squad", "assigned_to",
)  # fmt: skip


ACCEPTANCE_NOT_ALLOWED = _(
    "Only an approved legal-aid application has an acceptance date: this one is pending or was refused."
)


def acceptance_date_allowed(case: Case) -> bool:
    """A legal-aid case is accepted when its application is approved: a pending or refused one has no date.

    The legal-aid figures count approved applications by this date, so a date typed too early would count.
    """
    if case.handling_body != HandlingBody.LEGAL_AID:
        return True
    return case.status not in LEGAL_AID_NOT_APPROVED and case.outcome != Outcome.REFUSED


def case_update(
    *,
    case: Case,
    by,
    version: int,
    fields: dict,
    employer,
    employer_code: str = "",
    claim_kinds=(),
    workers: RowEdits | None = None,
) -> Case:
    """Save an edit of a case and its workers together, or nothing.

    `fields` are values of CASE_EDIT_FIELDS; `employer` an Enterprise (an unsaved one is registered with
    the edit, `employer_code` completes one known by name alone); `workers` the worker rows changed, added and removed, each one of this case's own.
    `version` is the case's version the edit form showed: StaleEdit if someone saved the case since.
    """
    if unknown := set(fields) - set(CASE_EDIT_FIELDS):
        raise TypeError(f"case_update does not change {sorted(unknown)}")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _require_editor(by, locked)
        if version != locked.version:
            raise StaleEdit
        for name, value in fields.items():
            setattr(locked, name, value)
        _require_editor(by, locked)  # and in the town it is moved to
        if locked.accepted_on and not acceptance_date_allowed(locked):
            raise CaseRuleError({"accepted_on": CaseRuleError(ACCEPTANCE_NOT_ALLOWED, code="acceptance_date")})
        locked.employer = _employer_register(employer, credit_code=employer_code, by=by)
        locked.last_activity_at = timezone.now()
        locked.full_clean(exclude=["number", "claim_kinds"])
        locked.save()
        locked.claim_kinds.set(claim_kinds)
        _workers_update(locked, workers or RowEdits())
    return locked


def _workers_update(case: Case, edits: RowEdits) -> None:
    """Write the worker rows, then check what the case is left with (the transaction undoes a refusal)."""
    try:
        with transaction.atomic():
            rows_apply(parent=case, model=CaseWorker, edits=edits)
    except IntegrityError:
        raise CaseRuleError(_("The same ID number is listed twice in this case."), code="worker_twice")
    representatives = list(case.workers.values_list("is_representative", flat=True))
    if not representatives:
        raise CaseRuleError(_("List at least one worker."), code="no_workers")
    headcount_check(headcount=case.headcount, listed=len(representatives))
    if case.is_collective and not any(representatives):
        raise CaseRuleError({"is_collective": CaseRuleError(REPRESENTATIVE_NEEDED, code="representative")})


# Status moves -------------------------------------------------------------------------


def _check_move(case: Case, to_status: str, on: datetime.date) -> None:
    if to_status not in case.allowed_moves():
        raise CaseRuleError(
            _("A case that is “%(from)s” cannot move to “%(to)s”."),
            # A tampered or empty form may name no status at all: refuse it the same way, never with a 500.
            params={"from": case.get_status_display(), "to": dict(Status.choices).get(to_status, to_status or "—")},
            code="move_not_allowed",
        )
    if on < case.received_on:
        raise CaseRuleError(_("The date of a move cannot be before the case was received."), code="move_date")
    if on > local_today():
        raise CaseRuleError(_("The date of a move cannot be in the future."), code="move_future")


def _check_reason(to_status: str, note: str) -> None:
    """A mediation that fails says why: the worker's arbitration application and the town's report need it."""
    if to_status == Status.FAILED and not (note or "").strip():
        raise CaseRuleError(_("Say why the mediation failed."), code="failure_reason")


def _apply_closing(case, to_status, on, outcome, amount_recovered, note) -> None:
    """Closing moves record the outcome and the amount recovered (挽回经济损失)."""
    if to_status == Status.REFUSED:
        if not (note or "").strip():
            raise CaseRuleError(_("Give the reason for refusing legal aid."), code="refusal_reason")
        case.refusal_reason = note.strip()
        outcome = Outcome.REFUSED
    elif to_status == Status.REFERRED:
        outcome = Outcome.REFERRED
    elif to_status == Status.AGREEMENT:
        outcome = Outcome.AGREEMENT
    elif outcome not in LEGAL_AID_OUTCOMES:
        raise CaseRuleError(_("Choose the outcome of the case to close it."), code="outcome")
    if to_status in (Status.AGREEMENT, Status.CLOSED) and amount_recovered is None:
        raise CaseRuleError(_("Enter the amount recovered to close the case (0 if nothing)."), code="amount_recovered")
    if amount_recovered is not None and amount_recovered < 0:
        raise CaseRuleError(_("The amount recovered cannot be negative."), code="amount_negative")
    case.outcome = outcome
    case.amount_recovered = amount_recovered if amount_recovered is not None else Decimal("0.00")
    case.closed_on = on


def _apply_move(case, to_status, on, outcome, amount_recovered, dossier_kind, arbitration_accepted_on, note):
    if to_status in (Status.ACCEPTED, Status.APPROVED):
        case.accepted_on = on
    elif to_status == Status.REPRESENTING and arbitration_accepted_on:
        case.arbitration_accepted_on = arbitration_accepted_on
    elif to_status in CLOSING_STATUSES:
        _apply_closing(case, to_status, on, outcome, amount_recovered, note)
    elif to_status == Status.ARCHIVED:
        if dossier_kind not in DossierKind.values:
            raise CaseRuleError(_("Choose the dossier kind (formal or simple) to archive the case."), code="dossier")
        if on < case.closed_on:
            raise CaseRuleError(_("A case cannot be archived before it was closed."), code="archive_date")
        case.dossier_kind = dossier_kind
        case.archived_on = on


def case_transition(
    *,
    case: Case,
    to_status: str,
    by,
    note: str = "",
    on: datetime.date | None = None,
    outcome: str = "",
    amount_recovered: Decimal | None = None,
    dossier_kind: str = "",
    arbitration_accepted_on: datetime.date | None = None,
) -> Case:
    """Move a case along its body's status machine and write who, when and why on its timeline.

    Closing needs the outcome (legal aid) and the amount recovered; refusal needs a reason
    (the note); archiving needs the dossier kind.
    """
    on = on or local_today()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _require_editor(by, locked)
        from_status = locked.status
        _check_move(locked, to_status, on)
        _check_reason(to_status, note)
        _apply_move(locked, to_status, on, outcome, amount_recovered, dossier_kind, arbitration_accepted_on, note)
        locked.status = to_status
        locked.last_activity_at = timezone.now()
        locked.full_clean(exclude=["number", "claim_kinds"])
        locked.save()
        CaseEvent.objects.create(
            case=locked,
            kind=EventKind.STATUS_CHANGE,
            happened_on=on,
            from_status=from_status,
            to_status=to_status,
            text=(note or "").strip(),
            recorded_by=by,
        )
    return locked


def case_extend_arbitration(*, case: Case, by, reason: str, on: datetime.date | None = None) -> Case:
    """Record the one 15-day extension of the arbitration award deadline (art. 43), with its reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _require_editor(by, locked)
        if locked.status not in OPEN_STATUSES or not locked.arbitration_accepted_on:
            raise CaseRuleError(
                _("Only an open case whose arbitration has been accepted can be extended."), code="no_arbitration"
            )
        if locked.arbitration_extended:
            raise CaseRuleError(_("The arbitration deadline can be extended only once."), code="extended_twice")
        if not reason:
            raise CaseRuleError(_("Give the reason for the extension."), code="extension_reason")
        locked.arbitration_extended = True
        locked.arbitration_extension_reason = reason[:200]
        locked.last_activity_at = timezone.now()
        locked.save()
        CaseEvent.objects.create(
            case=locked, kind=EventKind.EXTENSION, happened_on=on or local_today(), text=reason, recorded_by=by
        )
    return locked


# Collective bargaining ----------------------------------------------------------------


def wage_agreement_check(*, signed_on, starts_on, ends_on) -> None:
    """The rules of a wage agreement's dates (its form runs them too, to mark the fields)."""
    errors = {}
    if starts_on and ends_on and ends_on <= starts_on:
        errors["ends_on"] = CaseRuleError(_("The term must end after it starts."), code="term_order")
    if signed_on and signed_on > local_today():
        errors["signed_on"] = CaseRuleError(_("The signing date cannot be in the future."), code="signed_future")
    if errors:
        raise CaseRuleError(errors)


def wage_agreement_add(*, enterprise, signed_on, starts_on, ends_on, notes: str = "", by) -> WageAgreement:
    """Record a collective wage agreement signed by an enterprise with 100+ employees."""
    _require_editor(by, enterprise)
    if enterprise.headcount < LARGE_ENTERPRISE_HEADCOUNT:
        raise CaseRuleError(
            {
                "enterprise": CaseRuleError(
                    _("Wage agreements are recorded for enterprises with %(count)d or more employees."),
                    params=LARGE_PARAMS,
                    code="agreement_small",
                )
            }
        )
    wage_agreement_check(signed_on=signed_on, starts_on=starts_on, ends_on=ends_on)
    agreement = WageAgreement(
        enterprise=enterprise, signed_on=signed_on, starts_on=starts_on, ends_on=ends_on, notes=notes or ""
    )
    agreement.full_clean()
    with transaction.atomic():
        agreement.save()
    return agreement


def census_entry_check(*, year, employees) -> None:
    """The rules of a census line (its form runs them too, to mark the fields)."""
    errors = {}
    if year is not None and not 2000 <= year <= local_today().year:
        errors["year"] = CaseRuleError(_("Give a year from 2000 to this year."), code="census_year")
    if employees is not None and employees < LARGE_ENTERPRISE_HEADCOUNT:
        errors["employees"] = CaseRuleError(LARGE_ONLY, params=LARGE_PARAMS, code="census_small")
    if errors:
        raise CaseRuleError(errors)


def census_entry_add(
    *, enterprise, year: int, employees: int, meets_model_standard: bool = False, notes: str = "", by
) -> BargainingYear:
    """Add an enterprise's line to a year's bargaining census: one line per enterprise and year."""
    _require_editor(by, enterprise)
    census_entry_check(year=year, employees=employees)
    entry = BargainingYear(
        enterprise=enterprise,
        year=year,
        employees=employees,
        meets_model_standard=meets_model_standard,
        notes=notes or "",
    )
    with transaction.atomic():
        # Two desks adding the same line at once: the second waits here, then its check sees the first's line.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk", flat=True).get()
        entry.full_clean()
        entry.save()
    return entry


def inspection_check(*, town, date, unions_covered) -> None:
    """The rules of a joint inspection (its form runs them too, to mark the fields)."""
    errors = {}
    elsewhere = [union.name for union in unions_covered or () if town and union.town_id != town.pk]
    if elsewhere:
        errors["unions_covered"] = CaseRuleError(
            _("These enterprises are not in %(town)s: %(names)s."),
            params={"town": town.name, "names": "、".join(elsewhere)},
            code="unions_elsewhere",
        )
    if date and date > local_today():
        errors["date"] = CaseRuleError(_("An inspection cannot be recorded before it took place."), code="future")
    if errors:
        raise CaseRuleError(errors)


def inspection_add(
    *, town, date, unions_covered, inspected_with: str = "", findings: str = "", by
) -> SupervisionInspection:
    """Record a joint supervision inspection in a town and the secondary unions (enterprises) it covered."""
    inspection = SupervisionInspection(
        town=town, date=date, inspected_with=inspected_with or "", findings=findings or ""
    )
    _require_editor(by, inspection)
    inspection_check(town=town, date=date, unions_covered=unions_covered)
    inspection.full_clean()
    with transaction.atomic():
        inspection.save()
        inspection.unions_covered.set(unions_covered)
    return inspection


# Timeline and attachments -----------------------------------------------------------


def _touch(case: Case) -> None:
    """Record activity without a new version: a note must not make someone's open edit form stale."""
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


def timeline_add(*, case: Case, kind: str, text: str, by, on: datetime.date | None = None) -> CaseEvent:
    """Add a note or an action (call, meeting, mediation session, document served) to the timeline."""
    _require_editor(by, case)
    if kind not in ACTION_KINDS:
        raise CaseRuleError(_("Choose what kind of entry this is."), code="event_kind")
    on = on or local_today()
    if on > local_today():
        raise CaseRuleError(_("A timeline entry cannot be dated in the future."), code="event_future")
    if on < case.received_on:
        raise CaseRuleError(_("A timeline entry cannot be dated before the case was received."), code="event_early")
    if kind == EventKind.NOTE and not (text or "").strip():
        raise CaseRuleError(_("Write the note."), code="empty_note")
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, kind=kind, happened_on=on, text=(text or "").strip(), recorded_by=by
        )
        _touch(case)
    return event


def sniff_attachment(upload) -> str:
    """The content type of an upload judged by its content and name (union_portal.uploads), else refused."""
    try:
        return upload_check(upload, rule=ATTACHMENT).content_type
    except ValidationError as error:
        raise CaseRuleError(error.error_list)


def attachment_add(*, case: Case, upload, by, description: str = "") -> CaseAttachment:
    """File a PDF or image with the case (checked by content and size) and note it on the timeline."""
    _require_editor(by, case)
    content_type = sniff_attachment(upload)
    original = PurePath(upload.name or "file").name[:200]
    stem = PurePath(original).stem or "file"
    upload.name = stem + FILE_TYPES[content_type].extension
    with transaction.atomic():
        attachment = CaseAttachment(
            case=case,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            description=(description or "").strip()[:200],
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.ATTACHMENT,
            text=attachment.description or original,
            recorded_by=by,
        )
        _touch(case)
    return attachment


# Town dossier import (the sheet is read and checked by disputes.resources.DossierSheet) ------

DOSSIER_OPTIONAL_FIELDS = {"amount_claimed": Decimal("0"), "inspection_squad": ""}  # and their values for a new case
DOSSIER_BATCH = 500  # cases written per statement; an import job's page hears of each batch


def dossier_import(*, user, sheet, progress=None) -> tuple[int, int]:
    """Write a checked dossier sheet of `sheet.town`: new dossiers become archived cases, known ones are updated.

    All rows or none: inside one transaction the rows are checked again, the cases they update
    locked, and any bad row refuses the whole sheet (`CaseRuleError` listing each row, column and
    reason). A column the sheet lacks keeps every updated case's stored value. Returns (added, updated).
    `progress(rows)`, if given, hears of the rows written after each batch (an import job's page shows it).
    """
    # Imported here rather than at the top: this section is appended to the module as a unit.
    from union_portal.access import can_edit_town

    if not can_edit_town(user, sheet.town.pk):
        raise PermissionDenied
    with transaction.atomic():
        sheet.validate(lock=True)
        if sheet.errors:
            raise CaseRuleError(list(sheet.errors), code="dossier_rows")
        employers = _dossier_employers(sheet)
        new = [row for row in sheet.rows if row.existing is None]
        old = [row for row in sheet.rows if row.existing is not None]
        written = _dossiers_batches(sheet, new, employers, user, write=_dossiers_create, done=0, progress=progress)
        _dossiers_batches(sheet, old, employers, user, write=_dossiers_update, done=written, progress=progress)
    return len(new), len(old)


def _dossiers_batches(sheet, rows, employers, by, *, write, done: int, progress) -> int:
    """`write` the rows a batch at a time, telling `progress` the rows written so far (`done` before these)."""
    for start in range(0, len(rows), DOSSIER_BATCH):
        batch = rows[start : start + DOSSIER_BATCH]
        write(sheet, batch, employers, by)
        done += len(batch)
        if progress is not None:
            progress(done)
    return done


def _dossier_employers(sheet) -> dict:
    """The employers the rows name, by credit code; unknown ones are registered in the sheet's town."""
    from simple_history.utils import bulk_create_with_history

    from union_portal.models import Enterprise

    wanted = {row.data["credit_code"]: row.data["employer"] for row in sheet.rows}
    known = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=wanted)}
    missing = [
        Enterprise(name=name, credit_code=code, town=sheet.town) for code, name in wanted.items() if code not in known
    ]
    for enterprise in missing:
        enterprise.full_clean(exclude=["credit_code"], validate_unique=False)
    created = bulk_create_with_history(missing, Enterprise)
    if missing and not all(e.pk for e in created):
        return {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=wanted)}
    return {**known, **{e.credit_code: e for e in created}}


def _dossier_apply(case: Case, data: dict, columns: list, employers: dict) -> Case:
    case.dossier_kind = data["dossier_kind"]
    case.received_on = data["received_on"]
    case.closed_on = data["closed_on"]
    case.archived_on = max(case.archived_on or data["closed_on"], data["closed_on"])
    case.employer = employers[data["credit_code"]]
    case.headcount = data["headcount"]
    case.amount_recovered = data["amount_recovered"]
    for name, default in DOSSIER_OPTIONAL_FIELDS.items():
        if name in columns:
            setattr(case, name, data[name] if data[name] is not None else default)
        elif case._state.adding:
            setattr(case, name, default)
    case.status = Status.ARCHIVED
    case.refresh_derived()
    return case


def _dossiers_create(sheet, rows, employers, by) -> None:
    from simple_history.utils import bulk_create_with_history

    from .models import ClaimKind, HandlingBody

    prefix = case_number_prefix(sheet.town, HandlingBody.TOWN_UNION)
    kinds = {kind.code: kind for kind in ClaimKind.objects.all()}
    cases = []
    for year in sorted({row.data["received_on"].year for row in rows}):
        in_year = [row for row in rows if row.data["received_on"].year == year]
        numbers = case_numbers_reserve(prefix=prefix, year=year, count=len(in_year))
        for row, sequence in zip(in_year, numbers, strict=True):
            case = Case(
                town=sheet.town,
                handling_body=HandlingBody.TOWN_UNION,
                number=format_case_number(prefix, year, sequence),
                dossier_number=row.data["dossier_number"],
                created_by=by,
            )
            cases.append((row, _dossier_apply(case, row.data, sheet.columns, employers)))
    created = bulk_create_with_history([case for _row, case in cases], Case, default_user=by)
    if not all(case.pk for case in created):
        by_number = {c.number: c for c in Case.objects.filter(number__in=[c.number for c in created])}
        created = [by_number[c.number] for c in created]
    links = [
        Case.claim_kinds.through(case_id=case.pk, claimkind_id=kinds[row.data.get("claim_kind")].pk)
        for (row, _case), case in zip(cases, created, strict=True)
        if row.data.get("claim_kind") in kinds
    ]
    Case.claim_kinds.through.objects.bulk_create(links)


def _dossiers_update(sheet, rows, employers, by) -> None:
    from simple_history.utils import bulk_update_with_history

    cases = [_dossier_apply(row.existing, row.data, sheet.columns, employers) for row in rows]
    for case in cases:
        case.version += 1
    fields = [
        "dossier_kind", "received_on", "closed_on", "archived_on", "employer", "headcount", "amount_recovered",
        "status", "due_on", "limitation_on", "version",
    ]  # fmt: skip
    fields += [name for name in DOSSIER_OPTIONAL_FIELDS if name in sheet.columns]
    bulk_update_with_history(cases, Case, fields, default_user=by)
