"""Edits of a record's child rows (a case's workers, a venue's funding, honours, activities, photos).

A view turns a validated inline formset into `RowEdits` (cleaned data, no forms) with
`formset_edits`; a service writes them with `rows_apply`, inside its transaction. A row that
names an id which is not one of the parent's children (a guessed or forged id, or a page
older than a deletion) is refused: Django's formsets silently drop such a row and the page
would say that everything was saved.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

ROW_ID = "id"  # the key of an existing row's primary key in a row dict; absent or None for a new row


@dataclass
class RowEdits:
    """`rows`: dicts of field values to save (with ROW_ID for an existing row); `removed`: ids to delete."""

    rows: list[dict] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def formset_edits(formset) -> RowEdits:
    """The edits a validated inline formset asks for: changed and new rows, and the rows ticked for deletion."""
    edits = RowEdits()
    pk_name = formset.model._meta.pk.name
    kept = [name for name in formset.form._meta.fields if name != formset.fk.name]
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue  # an extra row left empty
        existing = data.get(pk_name)  # the instance the posted id names (any of the model's rows)
        pk = existing.pk if existing is not None else None
        if formset.can_delete and formset._should_delete_form(form):
            if pk is not None:
                edits.removed.append(pk)
            continue
        if pk is None and not form.has_changed():
            continue
        edits.rows.append({ROW_ID: pk, **{name: data[name] for name in kept if name in data}})
    return edits


def rows_apply(*, parent: models.Model, model: type[models.Model], edits: RowEdits) -> list[models.Model]:
    """Write `edits` to `parent`'s rows of `model` (call it inside the caller's transaction).

    Every row is validated (full_clean) before anything is written; an existing row is saved only
    when a value changed, so its history records real changes only. Returns the deleted rows.
    """
    link = _link_field(parent, model)
    named = {row[ROW_ID] for row in edits.rows if row.get(ROW_ID) is not None} | set(edits.removed)
    existing = model._default_manager.filter(**{link: parent}).in_bulk(named)
    if named - set(existing):
        raise DomainError(
            _(
                "A row of “%(rows)s” is not one of this record's, so nothing was saved: "
                "the page was out of date or altered. Open the record again and redo the change."
            ),
            params={"rows": model._meta.verbose_name_plural},
            code="foreign_row",
        )
    to_save = _validated(parent, model, link, edits.rows, existing)
    removed = [existing[pk] for pk in edits.removed]
    for obj in removed:
        obj.delete()
    for obj in to_save:
        obj.save()
    return removed


def _link_field(parent, model) -> str:
    return next(f.name for f in model._meta.fields if f.is_relation and f.related_model is type(parent))


def _validated(parent, model, link, rows, existing) -> list[models.Model]:
    """The rows to save, each changed or new and cleaned; every row's errors raised together."""
    to_save, errors = [], []
    for row in rows:
        values = {name: value for name, value in row.items() if name not in (ROW_ID, link)}
        obj = existing.get(row.get(ROW_ID)) or model(**{link: parent})
        if not obj._state.adding and all(getattr(obj, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            # As a model form does: the fields edited and the model's clean(). Uniqueness among the rows is
            # the caller's rule (the database refuses the rest): rows deleted or renumbered in the same
            # save would otherwise be taken for duplicates.
            obj.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in values], validate_unique=False)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        to_save.append(obj)
    if errors:
        raise DomainError(errors)
    return to_save
