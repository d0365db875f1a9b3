"""Excel in and out: the case list export (django-import-export) and the town dossier import.

The export masks ID and phone numbers and escapes every text cell against formula injection.

The dossier import reads the sheet town unions already keep (one row per closed dossier) with
the portal's spreadsheet kit (the guarded reader, its header aliases and widgets), validates
every row first and writes nothing unless all are good (`services.dossier_import`). The town's
own dossier number is the natural key: importing the same sheet again updates those cases
instead of adding them twice. A column the sheet lacks keeps each case's stored value. It is
written by hand rather than as an import-export Resource because each new row needs a case
number from the counter and may register its employer, and the messages must name the Excel row
and column in the user's language.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field

from union_portal.access import towns_for
from union_portal.exports.writer import ChoiceLabels
from union_portal.formatting import escape_cell, mask_id_number, mask_phone
from union_portal.spreadsheet_files import template_workbook
from union_portal.spreadsheet_widgets import (
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    DecimalNumberWidget,
    TextWidget,
    WholeNumberWidget,
)
from union_portal.spreadsheets import HeaderAliases, SpreadsheetError, read_xlsx_rows
from union_portal.validators import validate_credit_code

from .models import Case, ClaimKindCode, DossierKind, Status

# Export -------------------------------------------------------------------------------


EXPORT_COLUMNS = (
    "number",
    "received_on",
    "town",
    "handling_body",
    "status",
    "claim_kinds",
    "employer",
    "credit_code",
    "workers",
    "id_numbers",
    "phones",
    "headcount",
    "collective",
    "amount_claimed",
    "amount_recovered",
    "outcome",
    "closed_on",
    "due_on",
    "dossier_kind",
    "archived_on",
    "dossier_number",
)


# Typed widgets, so amounts, counts and dates arrive in Excel as numbers and dates that sum and sort.
MONEY, COUNT, DATE = widgets.DecimalWidget(), widgets.IntegerWidget(), widgets.DateWidget()


class CaseResource(ChoiceLabels, resources.ModelResource):
    number = Field(attribute="number", column_name=_("case number"))
    received_on = Field(attribute="received_on", column_name=_("received on"), widget=DATE)
    town = Field(attribute="town__name", column_name=_("town"))
    handling_body = Field(column_name=_("handling body"))
    status = Field(column_name=_("status"))
    claim_kinds = Field(column_name=_("kinds of claim"))
    employer = Field(attribute="employer__name", column_name=_("employer"))
    credit_code = Field(attribute="employer__credit_code", column_name=_("unified social credit code"))
    workers = Field(column_name=_("workers"))
    id_numbers = Field(column_name=_("ID numbers"))
    phones = Field(column_name=_("phones"))
    headcount = Field(attribute="headcount", column_name=_("workers involved"), widget=COUNT)
    collective = Field(column_name=_("collective incident"))
    amount_claimed = Field(attribute="amount_claimed", column_name=_("amount involved (yuan)"), widget=MONEY)
    amount_recovered = Field(attribute="amount_recovered", column_name=_("amount recovered (yuan)"), widget=MONEY)
    outcome = Field(column_name=_("outcome"))
    closed_on = Field(attribute="closed_on", column_name=_("closed on"), widget=DATE)
    due_on = Field(attribute="due_on", column_name=_("next deadline"), widget=DATE)
    dossier_kind = Field(column_name=_("dossier kind"))
    archived_on = Field(attribute="archived_on", column_name=_("archived on"), widget=DATE)
    dossier_number = Field(attribute="dossier_number", column_name=_("town dossier number"))

    class Meta:
        model = Case
        fields = EXPORT_COLUMNS
        export_order = EXPORT_COLUMNS

    def export_field(self, field, instance, **kwargs):
        return escape_cell(super().export_field(field, instance, **kwargs))

    def dehydrate_credit_code(self, case):
        # An employer known by name alone has no code yet: say so rather than leave the cell blank.
        return case.employer.credit_code or str(_("to be completed"))

    def dehydrate_handling_body(self, case):
        return self.label(case, "handling_body")

    def dehydrate_status(self, case):
        return self.label(case, "status")

    def dehydrate_claim_kinds(self, case):
        return "、".join(self.label(kind, "code") for kind in case.claim_kinds.all())

    def dehydrate_workers(self, case):
        return "、".join(worker.name for worker in case.workers.all())

    def dehydrate_id_numbers(self, case):
        return "、".join(mask_id_number(worker.id_number) for worker in case.workers.all())

    def dehydrate_phones(self, case):
        return "、".join(mask_phone(worker.phone) for worker in case.workers.all() if worker.phone)

    def dehydrate_collective(self, case):
        return str(_("yes")) if case.is_collective else ""

    def dehydrate_outcome(self, case):
        return self.label(case, "outcome") if case.outcome else ""

    def dehydrate_dossier_kind(self, case):
        return self.label(case, "dossier_kind") if case.dossier_kind else ""


# Import of town dossiers --------------------------------------------------------------


class DossierRowForm(forms.Form):
    """One row of a town's dossier sheet, as the widgets read it, checked like a form (messages come translated)."""

    dossier_number = forms.CharField(label=_("dossier number"), max_length=40)
    dossier_kind = forms.ChoiceField(label=_("dossier kind"), choices=DossierKind.choices)
    received_on = forms.DateField(label=_("received on"))
    closed_on = forms.DateField(label=_("closed on"))
    employer = forms.CharField(label=_("employer"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    headcount = forms.IntegerField(label=_("workers involved"), min_value=1)
    amount_claimed = forms.DecimalField(
        label=_("amount involved (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    amount_recovered = forms.DecimalField(
        label=_("amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    claim_kind = forms.ChoiceField(label=_("kind of claim"), choices=ClaimKindCode.choices, required=False)
    inspection_squad = forms.CharField(label=_("labour-inspection squad"), max_length=100, required=False)

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"]
        validate_credit_code(code)
        return code

    def clean(self):
        cleaned = super().clean()
        received, closed = cleaned.get("received_on"), cleaned.get("closed_on")
        if received and closed and closed < received:
            self.add_error("closed_on", _("The case cannot close before it was received."))
        if closed and closed > timezone.localdate():
            self.add_error("closed_on", _("The closing date cannot be in the future."))
        return cleaned


# The short words town ledgers use for the same things (data, not interface text: never translated).
LEDGER_WORDS = {
    "规范": DossierKind.FORMAL,
    "规范案卷": DossierKind.FORMAL,
    "实体案卷": DossierKind.FORMAL,
    "简易": DossierKind.SIMPLE,
    "欠薪": ClaimKindCode.WAGE_ARREARS,
    "工资": ClaimKindCode.WAGE_ARREARS,
    "社保": ClaimKindCode.SOCIAL_INSURANCE,
    "解除合同": ClaimKindCode.TERMINATION,
    "经济补偿": ClaimKindCode.TERMINATION,
    "加班": ClaimKindCode.OVERTIME,
    "其他": ClaimKindCode.OTHER,
}
# Other headers town ledgers give the columns (data, never translated).
HEADER_WORDS = {
    "dossier_number": ["卷宗号", "案卷号", "档案号"],
    "dossier_kind": ["案卷类别", "卷宗类型"],
    "received_on": ["受理时间", "立案日期"],
    "closed_on": ["结案时间"],
    "employer": ["用人单位", "单位名称"],
    "credit_code": ["信用代码", "社会信用代码"],
    "headcount": ["人数", "涉及人数"],
    "amount_claimed": ["涉案金额", "涉及金额"],
    "amount_recovered": ["追回金额"],
    "claim_kind": ["诉求", "争议类型"],
    "inspection_squad": ["监察中队"],
}
# How each column's cells are read: the kit's widgets (full-width digits, 2018年3月5日, Excel serials, labels).
WIDGETS = {
    "dossier_number": TextWidget(),
    "dossier_kind": ChoiceWidget(DossierKind, aliases=LEDGER_WORDS),
    "received_on": DateWidget(),
    "closed_on": DateWidget(),
    "employer": TextWidget(),
    "credit_code": CodeWidget(),
    "headcount": WholeNumberWidget(default=None),
    "amount_claimed": DecimalNumberWidget(),
    "amount_recovered": DecimalNumberWidget(),
    "claim_kind": ChoiceWidget(ClaimKindCode, aliases=LEDGER_WORDS),
    "inspection_squad": TextWidget(),
}
CHOICES = {"dossier_kind": DossierKind, "claim_kind": ClaimKindCode}


def dossier_headers() -> HeaderAliases:
    fields = DossierRowForm.base_fields
    return HeaderAliases({name: fields[name].label for name in fields}, HEADER_WORDS)


@dataclass
class DossierRow:
    number: int  # the Excel row number
    data: dict
    existing: Case | None = None
    cells: list = field(default_factory=list)  # the row as the preview shows it: choices by their labels

    @property
    def action(self):
        return _("update") if self.existing else _("new")


@dataclass
class DossierSheet:
    town: object
    raw: list = field(default_factory=list)  # [(excel row number, {column name: cell value})]
    columns: list = field(default_factory=list)  # the column names the sheet has, in FIELDS order
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    FIELDS = list(DossierRowForm.base_fields)

    @classmethod
    def headers(cls) -> list[str]:
        return [str(DossierRowForm.base_fields[name].label) for name in cls.FIELDS]

    @property
    def column_headers(self) -> list[str]:
        return [str(DossierRowForm.base_fields[name].label) for name in self.columns]

    @property
    def missing_columns(self) -> list[str]:
        """The optional columns the sheet lacks: the cases it updates keep their values there."""
        return [str(DossierRowForm.base_fields[name].label) for name in self.FIELDS if name not in self.columns]

    @classmethod
    def blank(cls) -> bytes:
        """The template: the headers, and a sheet saying what each column takes."""
        return template_workbook(title=gettext("town dossiers"), headers=cls.headers(), guide=cls._guide())

    @classmethod
    def _guide(cls) -> list[tuple[str, str]]:
        guide = []
        for name in cls.FIELDS:
            form_field = DossierRowForm.base_fields[name]
            hints = [
                gettext("required")
                if form_field.required
                else gettext("optional; a missing column keeps stored values")
            ]
            if name in CHOICES:
                hints.append("、".join(str(label) for label in CHOICES[name].labels))
            if isinstance(WIDGETS[name], DateWidget):
                hints.append(gettext("YYYY-MM-DD, e.g. 2018-06-01"))
            guide.append((str(form_field.label), "；".join(hints)))
        return guide

    @classmethod
    def read(cls, upload, *, town) -> "DossierSheet":
        """The sheet's rows, read by the kit's guarded reader (header row found by its aliases, blank rows skipped)."""
        sheet = cls(town=town)
        aliases = dossier_headers()
        try:
            header, rows = read_xlsx_rows(upload, settings.IMPORT_MAX_ROWS, known_headers=aliases.keys)
        except SpreadsheetError as error:
            sheet.errors.append(str(error))
            return sheet
        found = aliases.columns(header)
        missing = [
            str(DossierRowForm.base_fields[name].label)
            for name in cls.FIELDS
            if DossierRowForm.base_fields[name].required and name not in found.values()
        ]
        if missing:
            sheet.errors.append(str(_("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}))
            return sheet
        sheet.columns = [name for name in cls.FIELDS if name in found.values()]
        sheet.raw = [(row.number, {name: row.values[i] for i, name in found.items()}) for row in rows]
        if not sheet.raw:
            sheet.errors.append(str(_("The sheet has no rows to import.")))
            return sheet
        sheet.validate()
        return sheet

    def validate(self, *, lock: bool = False) -> None:
        """Check every row; collect one message per bad cell, naming row and column.

        `lock`: lock the cases the rows update (inside the import's transaction).
        """
        self.rows, self.errors, seen = [], [], {}
        existing = self._existing(lock)
        for number, cells in self.raw:
            data = self._clean_row(number, cells)
            if data is None:
                continue
            key = data["dossier_number"]
            if key in seen:
                self._error(
                    number,
                    "dossier_number",
                    _("The same dossier number is already on row %(row)d.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            case = existing.get(key)
            if case is not None and case.status != Status.ARCHIVED:
                self._error(
                    number,
                    "dossier_number",
                    _("Case %(case)s, still open, already has this dossier number.") % {"case": case.number},
                )
                continue
            self.rows.append(DossierRow(number=number, data=data, existing=case, cells=self._preview_cells(data)))

    def _existing(self, lock: bool) -> dict:
        numbers = [TextWidget().clean(cells.get("dossier_number")) for _number, cells in self.raw]
        cases = Case.objects.filter(town=self.town, dossier_number__in=numbers)
        if lock:
            cases = cases.select_for_update()
        return {case.dossier_number: case for case in cases}

    def _clean_row(self, number: int, cells: dict) -> dict | None:
        """The row's values read by the widgets and checked by the row form; None (errors noted) if bad."""
        values, unreadable = {}, set()
        for name, cell in cells.items():
            try:
                values[name] = WIDGETS[name].clean(cell)
            except ValueError as error:
                self._error(number, name, str(error))
                unreadable.add(name)
        form = DossierRowForm({name: "" if value is None else value for name, value in values.items()})
        if form.is_valid() and not unreadable:
            return form.cleaned_data
        for name, errors in form.errors.items():
            if name not in unreadable:
                for error in errors:
                    self._error(number, name, error)
        return None

    def _preview_cells(self, data: dict) -> list[str]:
        """The row's values as the user wrote them: choices by their labels, never their codes."""
        cells = []
        for name in self.columns:
            value = data.get(name)
            if name in CHOICES:
                value = CHOICES[name](value).label if value else ""
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            cells.append("" if value is None else str(value))
        return cells

    def _error(self, row: int, name: str, message) -> None:
        column = DossierRowForm.base_fields[name].label if name in DossierRowForm.base_fields else ""
        self.errors.append(
            str(_("Row %(row)d, column “%(column)s”: %(reason)s") % {"row": row, "column": column, "reason": message})
        )

    # Between preview and confirm the rows wait in the cache (not on disk: they hold names of employers).
    @staticmethod
    def stash_key(token: str) -> str:
        """The cache key of the rows stashed under `token` (a long import's job takes them from there)."""
        return f"disputes-import-{token}"

    def stash(self, *, user=None) -> str:
        token = secrets.token_urlsafe(16)
        stored = {"town": self.town.pk, "raw": self.raw, "columns": self.columns, "user": getattr(user, "pk", None)}
        cache.set(self.stash_key(token), stored, 1800)
        return token

    @classmethod
    def unstash(cls, token: str, *, user) -> "DossierSheet | None":
        stored = cache.get(cls.stash_key(token)) if token else None
        if not stored or stored["user"] != user.pk:
            return None
        town = towns_for(user).filter(pk=stored["town"]).first()
        if town is None:
            return None
        cache.delete(cls.stash_key(token))
        sheet = cls(town=town, raw=stored["raw"], columns=stored["columns"])
        sheet.validate()
        return sheet
