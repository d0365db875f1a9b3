"""The change log of a case, read from django-simple-history: who changed which field, when, from what to what.

The case page shows it to everyone who may see the case (the admin's history is for district
admins only), and the stale-edit refusal shows the part saved since the refused form was opened.
It takes a fixed number of statements however long the history is: the case's records, the
kinds-of-claim rows of those records, the workers' records and the names of referenced rows.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from union_portal.formatting import mask_id_number, mask_phone

from .models import Case, CaseWorker, ClaimKind

# Worked out from other fields, or bookkeeping: a change of these is never news to a reader.
HIDDEN_FIELDS = {"id", "version", "number", "limitation_on", "due_on", "created_at", "created_by", "last_activity_at"}
WORKER_FIELDS = ("name", "id_number", "phone", "is_representative")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    at: datetime.datetime
    by: object  # a user or None
    kind: str  # "created", "changed", "deleted"
    subject: str  # "" for the case itself, else e.g. the worker's name
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def by_name(self) -> str:
        if self.by is None:
            return ""
        return self.by.get_full_name() or self.by.get_username()


def _case_fields():
    return [f for f in Case._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _names(records, fields) -> dict:
    """{(model, pk): name} for the towns, employers and users the records point at, one query per model."""
    wanted: dict = {}
    for f in fields:
        if isinstance(f, models.ForeignKey):
            wanted.setdefault(f.related_model, set()).update(
                getattr(r, f.attname) for r in records if getattr(r, f.attname)
            )
    names = {}
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            if model is get_user_model():
                names[(model, obj.pk)] = obj.get_full_name() or obj.get_username()
            else:
                names[(model, obj.pk)] = str(obj)
    return names


def _show(f, value, names) -> str:
    """A stored value as a reader knows it: the label of a choice, a name for a foreign key, 2018-03-01."""
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        return names.get((f.related_model, value), str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if f.name == "id_number":
        return mask_id_number(value)
    if f.name == "phone":
        return mask_phone(value)
    return formats.localize(value) if not isinstance(value, str) else value


def _diff(old, new, fields, names) -> list[FieldChange]:
    return [
        FieldChange(
            str(f.verbose_name), _show(f, getattr(old, f.attname), names), _show(f, getattr(new, f.attname), names)
        )
        for f in fields
        if getattr(old, f.attname) != getattr(new, f.attname)
    ]


def _claim_kind_sets(records) -> dict[int, set]:
    through = Case.history.model._meta.get_field("historicalcase_claim_kinds").related_model
    sets: dict[int, set] = {r.history_id: set() for r in records}
    for history_id, kind_id in through.objects.filter(history__in=list(sets)).values_list("history_id", "claimkind_id"):
        sets[history_id].add(kind_id)
    return sets


def _kind_list(ids, kind_names) -> str:
    return "、".join(sorted(kind_names.get(i, str(i)) for i in ids)) or "—"


def _case_entries(case) -> list[ChangeEntry]:
    records = list(case.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = _case_fields()
    names = _names(records, fields)
    kinds = _claim_kind_sets(records)
    kind_names = {k.pk: str(k) for k in ClaimKind.objects.all()}
    label = str(Case._meta.get_field("claim_kinds").verbose_name)
    entries, previous = [], None
    for record in records:
        if previous is None:
            entries.append(ChangeEntry(record.history_date, record.history_user, "created", ""))
        else:
            changes = _diff(previous, record, fields, names)
            before, after = kinds[previous.history_id], kinds[record.history_id]
            # The kinds are saved just after the case row: an empty set before them is not a change.
            if before != after and before:
                changes.append(FieldChange(label, _kind_list(before, kind_names), _kind_list(after, kind_names)))
            if changes:
                entries.append(ChangeEntry(record.history_date, record.history_user, "changed", "", changes))
        previous = record
    return entries


def _worker_entries(case) -> list[ChangeEntry]:
    records = list(
        CaseWorker.history.filter(case_id=case.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    fields = [CaseWorker._meta.get_field(name) for name in WORKER_FIELDS]
    entries, last = [], {}
    for record in records:
        before = last.get(record.id)
        subject = str(_("worker %(name)s") % {"name": record.name})
        if record.history_type == "-":
            entries.append(ChangeEntry(record.history_date, record.history_user, "deleted", subject))
        elif before is None:
            entries.append(ChangeEntry(record.history_date, record.history_user, "created", subject))
        else:
            changes = _diff(before, record, fields, {})
            if changes:
                entries.append(ChangeEntry(record.history_date, record.history_user, "changed", subject, changes))
        last[record.id] = record
    return entries


def case_changes(case, *, since: datetime.datetime | None = None) -> list[ChangeEntry]:
    """The case's change log, newest first; with `since`, only what was saved from that moment on."""
    entries = _case_entries(case) + _worker_entries(case)
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
