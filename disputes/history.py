"""The change log of a case: who changed which field of the case or its workers, when, from what to what.

The case page shows it to everyone who may see the case (the admin's history is for district
admins only), and the stale-edit refusal shows the part saved since the refused form was opened.
ID and phone numbers are masked on it for every reader: the full numbers are on the page itself.
The core's builder (union_portal/changelog.py) reads the records in a fixed number of statements.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from union_portal.changelog import BOOKKEEPING, ChangeEntry, ChangeLog
from union_portal.formatting import mask_id_number, mask_phone

from .models import Case, CaseWorker

PERSONAL = {"id_number": mask_id_number, "phone": mask_phone}

CASE_LOG = ChangeLog(
    model=Case,
    # Worked out from other fields, or bookkeeping: a change of these is never news to a reader.
    hidden=BOOKKEEPING | {"number", "limitation_on", "due_on", "created_at", "created_by", "last_activity_at"},
    many_to_many=("claim_kinds",),
)
WORKER_LOG = ChangeLog(
    model=CaseWorker,
    fields=("name", "id_number", "phone", "is_representative"),
    personal=PERSONAL,
    subject=lambda record: str(_("worker %(name)s") % {"name": record.name}),
)


def case_changes(case, *, since: datetime.datetime | None = None) -> list[ChangeEntry]:
    """The case's change log, newest first; with `since`, only what was saved from that moment on."""
    records = case.history.select_related("history_user").order_by("history_date", "history_id")
    workers = CaseWorker.history.filter(case_id=case.pk).select_related("history_user")
    entries = CASE_LOG.entries(records, mask_personal=True) + WORKER_LOG.entries(
        workers.order_by("history_date", "history_id"), mask_personal=True
    )
    if since is not None:
        entries = [e for e in entries if e.at >= since]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def saved_since_version(case, version) -> list[ChangeEntry]:
    """What was saved after a form showing `version` of the case was opened (for the stale-edit refusal).

    It starts with the first save that moved the version past the form's; the workers saved with it follow it.
    """
    if not isinstance(version, int):
        return []
    newer = case.history.filter(version__gt=version).order_by("history_date").values_list("history_date", flat=True)
    moment = newer.first()
    return case_changes(case, since=moment) if moment is not None else []
