"""Optimistic locking: two people saving the same record never silently overwrite each other.

A versioned model carries a `version` number. An edit form sends back the number it was
rendered with; saving over a row whose number has moved on since raises `StaleEdit`,
which the form and view turn into a clear message while keeping what the user typed.
"""

from django import forms
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Someone else saved this record after you opened it, so your changes were not saved. "
    "What you typed is still in the form: open the record in a new tab to see the other "
    "changes, then save yours again."
)


class StaleEdit(Exception):
    """The row changed since the instance being saved was read."""


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            rows = type(self)._base_manager.select_for_update().filter(pk=self.pk)
            current = rows.values_list("version", flat=True).first()
            if current is not None and current != self.version:
                raise StaleEdit
            self.version = (current or 0) + 1
            return super().save(*args, **kwargs)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm carrying the version it was rendered with, refused if the row has moved on."""

    version = forms.IntegerField(label=_("version"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            posted = cleaned.get("version")
            current = (
                type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            if posted != current:
                raise forms.ValidationError(STALE_EDIT_MESSAGE, code="stale")
            self.instance.version = posted
        return cleaned


class StaleEditViewMixin:
    """For UpdateView: a save that loses the race re-renders the form with the message."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except StaleEdit:
            form.add_error(None, forms.ValidationError(STALE_EDIT_MESSAGE, code="stale"))
            return self.form_invalid(form)


def keys_lock(*, scope: str, keys) -> None:
    """Hold a lock on each of `keys` (strings, e.g. ID numbers) until the caller's transaction ends.

    For rules that no row can carry, such as "one open hardship file per person" when the person may
    be a household member of any file: two transactions checking and writing the same person wait for
    each other. PostgreSQL takes transaction-level advisory locks, in sorted order so that two callers
    never deadlock; SQLite needs none, as its writers run one at a time (transaction_mode IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({f"{scope}:{key}" for key in keys if key}):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
