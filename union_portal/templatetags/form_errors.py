"""The error summary at the top of a refused form (templates/union_portal/_form_errors.html).

`{% form_error_summary form formsets forms as summary %}` gathers, in the order a user reads the page,
every message of a bound form, of its formsets (each row named: "第 2 位职工 · 姓名") and of extra forms,
each with the id of the field it belongs to (None for a message about the form as a whole), so that the
summary can link to the field and the page script can move focus to the first one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.forms import BaseForm, BaseFormSet
from django.utils.translation import pgettext

register = template.Library()


@dataclass(frozen=True)
class ErrorEntry:
    """One message of the summary: where it is (row and field label, may be empty) and what it says."""

    message: str
    label: str = ""
    row: str = ""
    field_id: str | None = None

    @property
    def href(self) -> str:
        return f"#{self.field_id}" if self.field_id else ""


def _as_list(value) -> list:
    """`formsets`/`forms` as passed to the include: absent (""), one object, a list, or (title, formset) pairs."""
    if not value:
        return []
    if isinstance(value, (BaseForm, BaseFormSet)):
        return [value]
    if isinstance(value, dict):
        value = value.values()
    items = []
    for item in value:
        if isinstance(item, (tuple, list)):
            item = next((part for part in reversed(item) if isinstance(part, (BaseForm, BaseFormSet))), None)
        if isinstance(item, (BaseForm, BaseFormSet)):
            items.append(item)
    return items


def _field_id(bound_field) -> str | None:
    """The id of the control to focus: the field's own, or its first box or radio button (a group has none)."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    if bound_field.auto_id:
        first = next(iter(bound_field.subwidgets), None)
        return (first.id_for_label if first is not None else "") or bound_field.auto_id
    return None


def _form_entries(form: BaseForm, row: str = "") -> list[ErrorEntry]:
    if not form.is_bound or not form.errors:
        return []
    entries = [ErrorEntry(message=str(message), row=row) for message in form.non_field_errors()]
    for bound_field in form:
        if not bound_field.errors:
            continue
        hidden = bound_field.is_hidden
        field_id = None if hidden else _field_id(bound_field)
        label = "" if hidden else str(bound_field.label or bound_field.name)
        entries.extend(
            ErrorEntry(message=str(message), label=label, row=row, field_id=field_id) for message in bound_field.errors
        )
    # Errors added for names that are not fields of the form (add_error on a removed field) still count.
    known = {bound_field.name for bound_field in form} | {"__all__"}
    for name, messages in form.errors.items():
        if name not in known:
            entries.extend(ErrorEntry(message=str(message), row=row) for message in messages)
    return entries


def _row_label(formset: BaseFormSet, number: int) -> str:
    """How a formset row is named: the formset's own `error_row_label` ("第 %(number)s 位职工"), else generic."""
    own = getattr(formset, "error_row_label", None)
    if own:
        return str(own) % {"number": number}
    model = getattr(formset, "model", None)
    if model is not None:
        return pgettext("form errors", "%(name)s, row %(number)s") % {
            "name": model._meta.verbose_name,
            "number": number,
        }
    return pgettext("form errors", "Row %(number)s") % {"number": number}


def _formset_entries(formset: BaseFormSet) -> list[ErrorEntry]:
    if not formset.is_bound:
        return []
    formset.errors  # noqa: B018 - runs full_clean once; non_form_errors() alone does too, but be explicit
    entries = [ErrorEntry(message=str(message)) for message in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        if formset.can_delete and formset._should_delete_form(form):
            continue
        entries.extend(_form_entries(form, row=_row_label(formset, number)))
    return entries


def collect(form=None, formsets=None, forms=None) -> list[ErrorEntry]:
    """Every message of the form, then of each formset, then of each extra form."""
    entries: list[ErrorEntry] = []
    if isinstance(form, BaseForm):
        entries.extend(_form_entries(form))
    for formset in _as_list(formsets):
        if isinstance(formset, BaseFormSet):
            entries.extend(_formset_entries(formset))
        else:
            entries.extend(_form_entries(formset))
    for extra in _as_list(forms):
        if isinstance(extra, BaseFormSet):
            entries.extend(_formset_entries(extra))
        else:
            entries.extend(_form_entries(extra))
    return entries


@register.simple_tag
def form_error_summary(form=None, formsets=None, forms=None) -> list[ErrorEntry]:
    return collect(form, formsets, forms)
