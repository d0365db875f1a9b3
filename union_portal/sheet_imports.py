"""An import of one record per sheet row: read, checked row by row, previewed, then written all or nothing.

The pattern of disputes' dossier import, made generic so that an app describes a sheet instead of
writing its reader again. A subclass of `RowSheet` gives:

- `row_fields()`: {column name: form field}; a field's label is its header, a required field a
  required column (a sheet lacking one is refused as a whole, naming it);
- `row_widgets()`: {column name: widget of `spreadsheet_widgets`} (full-width digits, office dates,
  choices by their labels);
- `header_words`: other headers offices give the columns (data, never translated);
- `key_fields`: the columns that name a record, so importing the same sheet again updates it;
- `existing(rows, lock)`: the stored records the rows name, by `key(data)`;
- `build(data, existing)`: the record (unsaved) with the row's values; its `full_clean()` is run,
  and its messages are named by row and column like the others.

The rows wait between preview and confirm in the cache (an hour at most, bound to the user who
uploaded them), never on disk. The app's service writes `sheet.rows` inside a transaction after
`validate(lock=True)` found no error.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .spreadsheet_files import template_workbook
from .spreadsheet_widgets import DateWidget
from .spreadsheets import HeaderAliases, SpreadsheetError, read_xlsx_rows

STASH_SECONDS = 60 * 60


@dataclass
class ImportRow:
    number: int  # the row number as Excel shows it
    data: dict  # the row's values, cleaned
    record: object  # the record the row writes: a stored one updated, or a new one (no pk yet)
    cells: list = field(default_factory=list)  # the row as the preview shows it

    @property
    def is_update(self) -> bool:
        return self.record.pk is not None

    @property
    def action(self):
        return _("update") if self.is_update else _("new")


class RowSheet:
    header_words: dict = {}
    key_fields: tuple = ()
    stash_prefix = "sheet-import"

    def __init__(self, *, user, raw=None, columns=None):
        self.user = user
        self.raw = raw or []  # [(excel row number, {column name: cell value})]
        self.columns = columns or []  # the column names the sheet has, in `row_fields()` order
        self.notes: dict = {}  # what the preview noted for the confirm (`stash`)
        self.rows: list[ImportRow] = []
        self.errors: list[str] = []
        self.fields = self.row_fields()
        self.widgets = self.row_widgets()

    # What a subclass says about its sheet.

    def row_fields(self) -> dict[str, forms.Field]:
        raise NotImplementedError

    def row_widgets(self) -> dict:
        raise NotImplementedError

    def existing(self, datas: list[dict], *, lock: bool) -> dict:
        raise NotImplementedError

    def build(self, data: dict, existing):
        raise NotImplementedError

    def title(self) -> str:
        raise NotImplementedError

    def key(self, data: dict) -> tuple:
        return tuple(_key_value(data.get(name)) for name in self.key_fields)

    def cell_values(self, values: dict) -> dict:
        """The row's values as the widgets read them, before the row form checks them (a hook for defaults)."""
        return values

    # Headers and the template.

    def aliases(self) -> HeaderAliases:
        return HeaderAliases({name: form_field.label for name, form_field in self.fields.items()}, self.header_words)

    def headers(self) -> list[str]:
        return [str(form_field.label) for form_field in self.fields.values()]

    @property
    def column_headers(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.columns]

    @property
    def missing_columns(self) -> list[str]:
        """The optional columns the sheet lacks: the records it updates keep their values there."""
        return [str(self.fields[name].label) for name in self.fields if name not in self.columns]

    def blank(self) -> bytes:
        """The template: the headers, and a sheet saying what each column takes."""
        return template_workbook(title=self.title(), headers=self.headers(), guide=self.guide())

    def guide(self) -> list[tuple[str, str]]:
        guide = []
        for name, form_field in self.fields.items():
            hints = [gettext("required") if form_field.required else gettext("optional")]
            choices = [str(label) for value, label in getattr(form_field, "choices", ()) if value]
            if choices and not isinstance(form_field, forms.ModelChoiceField):
                hints.append("、".join(choices))
            if isinstance(self.widgets[name], DateWidget):
                hints.append(gettext("YYYY-MM-DD, e.g. 2018-06-01"))
            guide.append((str(form_field.label), "；".join(hints)))
        return guide

    # Reading and checking.

    def read(self, upload) -> "RowSheet":
        """The sheet's rows, read by the kit's guarded reader (header row found by its aliases, blank rows skipped)."""
        aliases = self.aliases()
        try:
            header, rows = read_xlsx_rows(upload, settings.IMPORT_MAX_ROWS, known_headers=aliases.keys)
        except SpreadsheetError as error:
            self.errors.append(str(error))
            return self
        found = aliases.columns(header)
        missing = [str(f.label) for name, f in self.fields.items() if f.required and name not in found.values()]
        if missing:
            self.errors.append(gettext("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)})
            return self
        self.columns = [name for name in self.fields if name in found.values()]
        self.raw = [(row.number, {name: row.values[i] for i, name in found.items()}) for row in rows]
        if not self.raw:
            self.errors.append(gettext("The sheet has no rows to import."))
            return self
        self.validate()
        return self

    def validate(self, *, lock: bool = False) -> None:
        """Check every row; collect one message per bad cell, naming row and column.

        `lock`: lock the records the rows update (inside the import's transaction).
        """
        self.rows, self.errors = [], []
        cleaned = [(number, data) for number, cells in self.raw if (data := self._clean_row(number, cells)) is not None]
        existing = self.existing([data for _number, data in cleaned], lock=lock)
        seen = {}
        for number, data in cleaned:
            key = self.key(data)
            if key in seen:
                self._error(
                    number,
                    self.key_fields[-1],
                    gettext("The same record is already on row %(row)d.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            record = self.build(data, existing.get(key))
            if self._model_check(number, record):
                self.rows.append(ImportRow(number=number, data=data, record=record, cells=self._preview_cells(data)))

    def _clean_row(self, number: int, cells: dict) -> dict | None:
        """The row's values read by the widgets and checked by the row form; None (errors noted) if bad."""
        values, unreadable = {}, set()
        for name, cell in cells.items():
            try:
                values[name] = self.widgets[name].clean(cell)
            except ValueError as error:
                self._error(number, name, str(error))
                unreadable.add(name)
        values = self.cell_values(values)
        form_class = type("RowForm", (forms.Form,), dict(self.fields))
        form = form_class({name: "" if value is None else value for name, value in values.items()})
        if form.is_valid() and not unreadable:
            return {name: value for name, value in form.cleaned_data.items() if name in values}
        for name, errors in form.errors.items():
            if name not in unreadable:
                for error in errors:
                    self._error(number, name, error)
        return None

    def _model_check(self, number: int, record) -> bool:
        try:
            record.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self._error(number, name, message)
            return False
        return True

    def _preview_cells(self, data: dict) -> list[str]:
        """The row's values as the user wrote them: choices by their labels, never their codes."""
        cells = []
        for name in self.columns:
            value = data.get(name)
            labels = dict(getattr(self.fields[name], "choices", ()))
            if isinstance(value, str) and value in labels:
                value = labels[value]
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            cells.append("" if value is None else str(value))
        return cells

    def _error(self, row: int, name: str, message) -> None:
        column = self.fields[name].label if name in self.fields and name != NON_FIELD_ERRORS else ""
        if not column:
            self.errors.append(gettext("Row %(row)d: %(reason)s") % {"row": row, "reason": message})
            return
        self.errors.append(
            gettext("Row %(row)d, column “%(column)s”: %(reason)s") % {"row": row, "column": column, "reason": message}
        )

    # Between preview and confirm.

    @classmethod
    def stash_key(cls, token: str) -> str:
        """The cache key of the rows stashed under `token` (a long import's job takes them from there)."""
        return f"{cls.stash_prefix}-{token}"

    def stash(self, **notes) -> str:
        """Keep the rows for the confirm under a new token, with `notes` about the preview (JSON values)."""
        token = secrets.token_urlsafe(16)
        stored = {"raw": self.raw, "columns": self.columns, "user": self.user.pk, "notes": notes}
        cache.set(self.stash_key(token), stored, STASH_SECONDS)
        return token

    def restore(self, token: str) -> bool:
        """Take back the rows stashed under `token` by this sheet's user, unchecked (`notes`: the preview's); False if
        expired."""
        stored = cache.get(self.stash_key(token)) if token else None
        if not stored or stored["user"] != self.user.pk:
            return False
        cache.delete(self.stash_key(token))
        self.raw, self.columns, self.notes = stored["raw"], stored["columns"], stored.get("notes", {})
        return True

    def unstash(self, token: str) -> bool:
        """Take back the rows stashed under `token` by this sheet's user and check them again; False if expired."""
        if not self.restore(token):
            return False
        self.validate()
        return True


def _key_value(value):
    """A key part as compared: a related record by its pk, text trimmed."""
    if hasattr(value, "pk"):
        return value.pk
    return value.strip() if isinstance(value, str) else value
