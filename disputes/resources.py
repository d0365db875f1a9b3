"""Excel in and out: the case list export (django-import-export) and the town dossier import.

The export masks ID and phone numbers and escapes every text cell against formula injection.

The dossier import reads the sheet town unions already keep (one row per closed dossier),
validates every row first and writes nothing unless all are good. The town's own dossier
number is the natural key: importing the same sheet again updates those cases instead of
adding them twice. It is written by hand rather than as an import-export Resource because
each new row needs a case number from the counter and may register its employer, and
the messages must name the Excel row and column in the user's language.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

import openpyxl
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from union_portal.formatting import escape_cell, mask_id_number, mask_phone
from union_portal.models import Enterprise
from union_portal.spreadsheets import SpreadsheetError, read_xlsx_rows
from union_portal.validators import validate_credit_code

from .models import (
    Case,
    ClaimKind,
    ClaimKindCode,
    DossierKind,
    HandlingBody,
    Status,
    case_number_prefix,
    format_case_number,
)

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


class CaseResource(resources.ModelResource):
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

    def dehydrate_handling_body(self, case):
        return str(case.get_handling_body_display())

    def dehydrate_status(self, case):
        return str(case.get_status_display())

    def dehydrate_claim_kinds(self, case):
        return "、".join(str(kind) for kind in case.claim_kinds.all())

    def dehydrate_workers(self, case):
        return "、".join(worker.name for worker in case.workers.all())

    def dehydrate_id_numbers(self, case):
        return "、".join(mask_id_number(worker.id_number) for worker in case.workers.all())

    def dehydrate_phones(self, case):
        return "、".join(mask_phone(worker.phone) for worker in case.workers.all() if worker.phone)

    def dehydrate_collective(self, case):
        return str(_("yes")) if case.is_collective else ""

    def dehydrate_outcome(self, case):
        return str(case.get_outcome_display()) if case.outcome else ""

    def dehydrate_dossier_kind(self, case):
        return str(case.get_dossier_kind_display()) if case.dossier_kind else ""


def export_cases(cases) -> bytes:
    """The cases (a list or a prefetched queryset) as xlsx bytes."""
    dataset = CaseResource().export(queryset=list(cases), force_native_type=True)
    return dataset.export("xlsx")


# Import of town dossiers --------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class DossierRowForm(forms.Form):
    """One row of a town's dossier sheet, validated like a form (messages come translated)."""

    dossier_number = forms.CharField(label=_("dossier number"), max_length=40)
    dossier_kind = forms.CharField(label=_("dossier kind"))
    received_on = forms.DateField(label=_("received on"), input_formats=DATE_FORMATS)
    closed_on = forms.DateField(label=_("closed on"), input_formats=DATE_FORMATS)
    employer = forms.CharField(label=_("employer"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    headcount = forms.IntegerField(label=_("workers involved"), min_value=1)
    amount_claimed = forms.DecimalField(
        label=_("amount involved (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    amount_recovered = forms.DecimalField(
        label=_("amount recovered (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    claim_kind = forms.CharField(label=_("kind of claim"), required=False)
    inspection_squad = forms.CharField(label=_("labour-inspection squad"), max_length=100, required=False)

    def clean_dossier_number(self):
        return self.cleaned_data["dossier_number"].strip()

    def clean_dossier_kind(self):
        return _choice_value(self.cleaned_data["dossier_kind"], DossierKind)

    def clean_claim_kind(self):
        text = self.cleaned_data.get("claim_kind", "").strip()
        return _choice_value(text, ClaimKindCode) if text else ""

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
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


def _choice_value(text: str, choices) -> str:
    """A TextChoices value from its value, its label in either language or a ledger word (简易案卷, simple, 简易)."""
    text = (text or "").strip()
    if LEDGER_WORDS.get(text) in choices.values:
        return LEDGER_WORDS[text]
    for value, label in choices.choices:
        if text.lower() in {value, str(label).lower(), _english(label).lower()}:
            return value
    raise ValidationError(
        _("“%(value)s” is not one of: %(choices)s."),
        params={"value": text, "choices": "、".join(str(label) for _value, label in choices.choices)},
    )


def _english(label) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(label)


def _cell(value):
    """Excel cell values as the row form expects them."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()


@dataclass
class DossierRow:
    number: int  # the Excel row number
    data: dict
    existing: Case | None = None

    @property
    def action(self):
        return _("update") if self.existing else _("new")


@dataclass
class DossierSheet:
    town: object
    raw: list = field(default_factory=list)  # [(excel row number, {field: text})]
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    FIELDS = list(DossierRowForm.base_fields)

    @classmethod
    def headers(cls) -> list[str]:
        return [str(DossierRowForm.base_fields[name].label) for name in cls.FIELDS]

    @classmethod
    def blank(cls) -> bytes:
        book = openpyxl.Workbook()
        book.active.append(cls.headers())
        out = BytesIO()
        book.save(out)
        return out.getvalue()

    @classmethod
    def _header_map(cls, header_row) -> dict:
        """Column index -> field name; headers match in Chinese or English."""
        names = {}
        for name in cls.FIELDS:
            label = DossierRowForm.base_fields[name].label
            names[str(label).strip().lower()] = name
            names[_english(label).strip().lower()] = name
        return {
            i: names[str(h).strip().lower()] for i, h in enumerate(header_row) if h and str(h).strip().lower() in names
        }

    @classmethod
    def read(cls, upload, *, town) -> "DossierSheet":
        """The sheet's rows, read by the portal's bounded reader (only the header's columns, blank rows skipped)."""
        sheet = cls(town=town)
        try:
            header, rows = read_xlsx_rows(upload, settings.IMPORT_MAX_ROWS)
        except SpreadsheetError as error:
            sheet.errors.append(str(error))
            return sheet
        columns = cls._header_map(header)
        missing = [
            str(DossierRowForm.base_fields[name].label)
            for name in cls.FIELDS
            if DossierRowForm.base_fields[name].required and name not in columns.values()
        ]
        if missing:
            sheet.errors.append(str(_("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}))
            return sheet
        sheet.raw = [(row.number, {name: _cell(row.values[i]) for i, name in columns.items()}) for row in rows]
        if not sheet.raw:
            sheet.errors.append(str(_("The sheet has no rows to import.")))
            return sheet
        sheet.validate()
        return sheet

    def validate(self) -> None:
        """Check every row; collect one message per bad cell, naming row and column."""
        self.rows, seen = [], {}
        existing = {
            case.dossier_number: case
            for case in Case.objects.filter(
                town=self.town, dossier_number__in=[data.get("dossier_number", "").strip() for _n, data in self.raw]
            )
        }
        for number, data in self.raw:
            form = DossierRowForm(data)
            if not form.is_valid():
                for name, errors in form.errors.items():
                    for error in errors:
                        self._error(number, name, error)
                continue
            cleaned = form.cleaned_data
            key = cleaned["dossier_number"]
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
            self.rows.append(DossierRow(number=number, data=cleaned, existing=case))

    def _error(self, row: int, name: str, message) -> None:
        column = DossierRowForm.base_fields[name].label if name in DossierRowForm.base_fields else ""
        self.errors.append(
            str(_("Row %(row)d, column “%(column)s”: %(reason)s") % {"row": row, "column": column, "reason": message})
        )

    # Between preview and confirm the rows wait in the cache (not on disk: they hold names of employers).
    def stash(self, *, user=None) -> str:
        token = secrets.token_urlsafe(16)
        cache.set(
            f"disputes-import-{token}", {"town": self.town.pk, "raw": self.raw, "user": getattr(user, "pk", None)}, 1800
        )
        return token

    @classmethod
    def unstash(cls, token: str, *, user) -> "DossierSheet | None":
        from .forms import towns_for

        stored = cache.get(f"disputes-import-{token}") if token else None
        if not stored or stored["user"] != user.pk:
            return None
        town = towns_for(user).filter(pk=stored["town"]).first()
        if town is None:
            return None
        cache.delete(f"disputes-import-{token}")
        sheet = cls(town=town, raw=stored["raw"])
        sheet.validate()
        return sheet

    def save(self, *, by) -> tuple[int, int]:
        """Write every row (all were valid): new dossiers become archived cases, known ones are updated."""
        if self.errors:
            raise ValidationError(self.errors)
        with transaction.atomic():
            employers = self._employers()
            kinds = {kind.code: kind for kind in ClaimKind.objects.all()}
            new = [row for row in self.rows if row.existing is None]
            old = [row for row in self.rows if row.existing is not None]
            self._create(new, employers, kinds, by)
            self._update(old, employers, by)
        return len(new), len(old)

    def _employers(self) -> dict:
        wanted = {row.data["credit_code"]: row.data["employer"] for row in self.rows}
        known = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=wanted)}
        missing = [
            Enterprise(name=name, credit_code=code, town=self.town)
            for code, name in wanted.items()
            if code not in known
        ]
        for enterprise in bulk_create_with_history(missing, Enterprise):
            known[enterprise.credit_code] = enterprise
        if missing and not all(e.pk for e in missing):
            known = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=wanted)}
        return known

    def _apply(self, case: Case, data: dict, employers: dict) -> Case:
        case.dossier_kind = data["dossier_kind"]
        case.received_on = data["received_on"]
        case.closed_on = data["closed_on"]
        case.archived_on = max(case.archived_on or data["closed_on"], data["closed_on"])
        case.employer = employers[data["credit_code"]]
        case.headcount = data["headcount"]
        case.amount_claimed = data["amount_claimed"] or Decimal("0")
        case.amount_recovered = data["amount_recovered"]
        case.inspection_squad = data["inspection_squad"]
        case.status = Status.ARCHIVED
        case.refresh_derived()
        return case

    def _create(self, rows, employers, kinds, by) -> None:
        from .services import case_numbers_reserve

        prefix = case_number_prefix(self.town, HandlingBody.TOWN_UNION)
        cases = []
        for year in sorted({row.data["received_on"].year for row in rows}):
            in_year = [row for row in rows if row.data["received_on"].year == year]
            numbers = case_numbers_reserve(prefix=prefix, year=year, count=len(in_year))
            for row, sequence in zip(in_year, numbers, strict=True):
                case = Case(
                    town=self.town,
                    handling_body=HandlingBody.TOWN_UNION,
                    number=format_case_number(prefix, year, sequence),
                    dossier_number=row.data["dossier_number"],
                    created_by=by,
                )
                cases.append((row, self._apply(case, row.data, employers)))
        created = bulk_create_with_history([case for _row, case in cases], Case, default_user=by)
        if not all(case.pk for case in created):
            by_number = {c.number: c for c in Case.objects.filter(number__in=[c.number for c in created])}
            created = [by_number[c.number] for c in created]
        links = [
            Case.claim_kinds.through(case_id=case.pk, claimkind_id=kinds[row.data["claim_kind"]].pk)
            for (row, _case), case in zip(cases, created, strict=True)
            if row.data["claim_kind"] in kinds
        ]
        Case.claim_kinds.through.objects.bulk_create(links)

    def _update(self, rows, employers, by) -> None:
        cases = [self._apply(row.existing, row.data, employers) for row in rows]
        for case in cases:
            case.version += 1
        fields = [
            "dossier_kind", "received_on", "closed_on", "archived_on", "employer", "headcount", "amount_claimed",
            "amount_recovered", "inspection_squad", "status", "due_on", "limitation_on", "version",
        ]  # fmt: skip
        bulk_update_with_history(cases, Case, fields, default_user=by)
