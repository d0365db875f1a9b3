"""Operations that change cases: intake, status moves, the timeline, attachments (STYLE.md §2).

Each takes keyword-only arguments, validates before it writes, runs in one transaction and
raises `CaseRuleError` (a ValidationError with a translatable message) when a rule says no.
"""

import datetime
import mimetypes
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from union_portal.access import can_edit

from .models import (
    ACTION_KINDS,
    CLOSING_STATUSES,
    LEGAL_AID_OUTCOMES,
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseNumber,
    CaseWorker,
    DossierKind,
    EventKind,
    Outcome,
    Status,
    case_number_prefix,
    format_case_number,
    initial_status,
    local_today,
)


class CaseRuleError(ValidationError):
    """A business rule refused the operation; the message says which and why."""


def _require_editor(user, case) -> None:
    if user is not None and not can_edit(user, case):
        raise PermissionDenied


# Case numbers -------------------------------------------------------------------------


def case_numbers_reserve(*, prefix: str, year: int, count: int = 1) -> list[int]:
    """Reserve the next `count` sequence numbers of (prefix, year); they are never handed out again.

    The counter row is locked (select_for_update) until the caller's transaction ends, so two
    desks saving at the same moment get different numbers. The row is created on first use;
    when two transactions create it at once, the loser's insert fails and it reads the winner's.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseNumber.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # created meanwhile by another transaction: locked and read below
        counter = CaseNumber.objects.select_for_update().get(prefix=prefix, year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return list(range(first, first + count))


def case_number_next(*, town, handling_body: str, year: int) -> str:
    prefix = case_number_prefix(town, handling_body)
    (sequence,) = case_numbers_reserve(prefix=prefix, year=year)
    return format_case_number(prefix, year, sequence)


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
    `employer` is an Enterprise; an unsaved one (a new employer) is registered with the case.
    The headcount is at least the number of workers listed; a collective case names a representative.
    """
    if not workers:
        raise CaseRuleError(_("List at least one worker."), code="no_workers")
    if is_collective and not any(w.get("is_representative") for w in workers):
        raise CaseRuleError(_("A collective case needs a representative among the workers."), code="representative")
    case = Case(
        town=town,
        handling_body=handling_body,
        employer=employer,
        received_on=received_on or local_today(),
        channel=channel,
        amount_claimed=amount_claimed,
        facts=facts,
        headcount=max(headcount or 0, len(workers)),
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
        employer.full_clean()
    case.full_clean(exclude=["number", "claim_kinds", *(["employer"] if new_employer else [])])
    worker_objects = _worker_objects(case, workers)
    with transaction.atomic():
        if new_employer:
            employer.save()
            case.employer = employer
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


PDF_MAGIC = b"%PDF-"
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def sniff_attachment(upload) -> str:
    """The content type of an upload judged by its content: a PDF or a JPEG/PNG/WebP image, else refused."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise CaseRuleError(
            _("The file is %(size).1f MB; at most %(limit)d MB is allowed."),
            params={"size": upload.size / 1024 / 1024, "limit": settings.ATTACHMENT_MAX_BYTES // 1024 // 1024},
            code="attachment_too_big",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if head.startswith(PDF_MAGIC):
        return "application/pdf"
    try:
        with Image.open(upload, formats=tuple(IMAGE_FORMATS)) as image:
            image.verify()
            return IMAGE_FORMATS[image.format]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CaseRuleError(_("Only PDF files and JPEG, PNG or WebP images can be attached."), code="attachment_type")
    finally:
        upload.seek(0)


def attachment_add(*, case: Case, upload, by, description: str = "") -> CaseAttachment:
    """File a PDF or image with the case (checked by content and size) and note it on the timeline."""
    _require_editor(by, case)
    content_type = sniff_attachment(upload)
    original = PurePath(upload.name or "file").name[:200]
    stem = PurePath(original).stem or "file"
    upload.name = stem + EXTENSIONS.get(content_type, mimetypes.guess_extension(content_type) or "")
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
