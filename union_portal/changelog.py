"""Change logs read from django-simple-history: who changed which field, when, from what to what.

One builder serves every app. A `ChangeLog` says what a page shows of one model's history: the
fields and their labels, how the records a field points at are named, which fields are personal
(masked for readers who may not see them whole) and what each object is called on the log;
`ChangeLog.entries(records)` turns historical rows, oldest first, into `ChangeEntry` rows.

It takes a fixed number of statements whatever the length of the history: one per kind of record
pointed at and two per many-to-many field, besides the caller's query of the historical rows
(which should `select_related("history_user")`).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .formatting import person_name

# Kept on every versioned record for the machine: a change of these is never news to a reader.
BOOKKEEPING = frozenset({"id", "version"})
KINDS = {"+": "created", "~": "changed", "-": "deleted"}
EMPTY = "—"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ChangeEntry:
    at: datetime.datetime
    by: object  # a user or None
    kind: str  # "created", "changed" or "deleted"
    subject: str = ""  # "" for the record the page is about, else what the row is, e.g. "worker 王建国"
    changes: list[FieldChange] = field(default_factory=list)
    record: object = None  # the historical row the entry was read from

    @property
    def by_name(self) -> str:
        return user_name(self.by) if self.by is not None else ""


def user_name(user) -> str:
    return person_name(user)


def record_name(obj) -> str:
    """How a record a change points at is named by default: a user by full name, anything else by str()."""
    return user_name(obj) if isinstance(obj, get_user_model()) else str(obj)


@dataclass(frozen=True, eq=False)
class ChangeLog:
    """What a page shows of one model's history (see the module docstring)."""

    model: type[models.Model]
    fields: tuple[str, ...] = ()  # the fields shown, in order; empty: every concrete field not `hidden`
    hidden: frozenset[str] = BOOKKEEPING
    many_to_many: tuple[str, ...] = ()  # many-to-many fields tracked by simple-history (m2m_fields)
    labels: dict[str, str] = field(default_factory=dict)  # field name -> label; default: its verbose_name
    personal: dict[str, Callable[[str], str]] = field(default_factory=dict)  # field name -> its mask
    subject: Callable[[object], str] | None = None  # historical row -> what it is, for child records
    name: Callable[[models.Model], str] = record_name  # a record pointed at (foreign key, many-to-many) -> its name

    def entries(self, records: Iterable, *, mask_personal: bool) -> list[ChangeEntry]:
        """The entries of `records` (historical rows of one or more objects, oldest first), oldest first.

        An object's first row is an entry only when it records the creation (or the deletion): when the
        caller reads a window of the newest rows, the oldest one is the baseline of the next.
        """
        records = list(records)
        fields = self._fields()
        names = self._names(records, fields)
        sets = {name: self._many_to_many_sets(records, name) for name in self.many_to_many}
        set_names = self._set_names(sets)
        previous, entries = {}, []
        for record in records:
            key = getattr(record, self.model._meta.pk.attname)
            before, previous[key] = previous.get(key), record
            kind = KINDS[record.history_type]
            if before is None or kind == "deleted":
                changes = None if kind == "changed" else []
            else:
                changes = self._diff(before, record, fields, names, mask_personal)
                changes += self._set_changes(before, record, sets, set_names)
            if changes or (changes is not None and kind != "changed"):
                subject = self.subject(record) if self.subject else ""
                entries.append(ChangeEntry(record.history_date, record.history_user, kind, subject, changes, record))
        return entries

    # Fields ------------------------------------------------------------------------------

    def _fields(self) -> list[models.Field]:
        if self.fields:
            return [self.model._meta.get_field(name) for name in self.fields]
        return [f for f in self.model._meta.concrete_fields if f.name not in self.hidden]

    def _label(self, name: str) -> str:
        return str(self.labels.get(name) or self.model._meta.get_field(name).verbose_name)

    def _names(self, records, fields) -> dict:
        """{(model, pk): name} of the records the foreign keys point at, one query per model."""
        wanted: dict = {}
        for f in fields:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update(
                    getattr(r, f.attname) for r in records if getattr(r, f.attname) is not None
                )
        return {
            (model, pk): self.name(obj)
            for model, pks in wanted.items()
            for pk, obj in model._base_manager.in_bulk(pks).items()
        }

    def _diff(self, old, new, fields, names, mask_personal) -> list[FieldChange]:
        return [
            FieldChange(
                self._label(f.name),
                self._show(f, getattr(old, f.attname), names, mask_personal),
                self._show(f, getattr(new, f.attname), names, mask_personal),
            )
            for f in fields
            if getattr(old, f.attname) != getattr(new, f.attname)
        ]

    def _show(self, f, value, names, mask_personal) -> str:
        """A stored value as a reader knows it: a choice's label, a name for a foreign key, 2018-03-01, masked."""
        if value is None or value == "":
            return EMPTY
        if mask_personal and f.name in self.personal:
            return self.personal[f.name](value)
        if f.is_relation:
            return names.get((f.related_model, value), str(value))
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        return value if isinstance(value, str) else formats.localize(value)

    # Many-to-many fields -------------------------------------------------------------------

    def _many_to_many_sets(self, records, name) -> dict[int, frozenset]:
        """{history_id: the ids the field held in that row}, in one query."""
        if not records:
            return {}
        history_model = type(records[0])
        through = getattr(history_model, name).model  # simple-history's historical through rows
        target = self.model._meta.get_field(name).m2m_reverse_field_name()
        sets: dict[int, set] = {r.history_id: set() for r in records}
        rows = through.objects.filter(history__in=list(sets)).values_list("history_id", f"{target}_id")
        for history_id, target_id in rows:
            sets[history_id].add(target_id)
        return {history_id: frozenset(ids) for history_id, ids in sets.items()}

    def _set_names(self, sets) -> dict:
        """{(field name, pk): name} of every record the many-to-many fields held, one query per field."""
        names = {}
        for name, by_row in sets.items():
            pks = set().union(*by_row.values()) if by_row else set()
            related = self.model._meta.get_field(name).related_model
            names.update({(name, pk): self.name(obj) for pk, obj in related._base_manager.in_bulk(pks).items()})
        return names

    def _set_changes(self, old, new, sets, set_names) -> list[FieldChange]:
        changes = []
        for name, by_row in sets.items():
            before, after = by_row[old.history_id], by_row[new.history_id]
            # A many-to-many field is filled just after the row is created: that is part of the creation.
            if before == after or (not before and old.history_type == "+"):
                continue
            changes.append(
                FieldChange(self._label(name), self._list(name, before, set_names), self._list(name, after, set_names))
            )
        return changes

    @staticmethod
    def _list(name, ids, set_names) -> str:
        return "、".join(sorted(set_names.get((name, pk), str(pk)) for pk in ids)) or EMPTY
