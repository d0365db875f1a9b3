"""Resources of the benefits app."""

# Members, service cards, merchants, member-only activities ---------------------------------
# The member export (django-import-export, ID and phone numbers masked, every cell escaped) and the member
# import: the sheet town unions keep, read by the kit's guarded reader and widgets, every row checked before
# anything is written (services.member_import), on the core's row-sheet reader (union_portal/sheet_imports.py).

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field

from union_portal import access, spreadsheet_files, spreadsheet_widgets
from union_portal.access import can_edit
from union_portal.exports.writer import ChoiceLabels
from union_portal.formatting import escape_cell, mask_id_number, mask_phone
from union_portal.models import Town
from union_portal.sheet_imports import RowSheet
from union_portal.spreadsheet_files import Sheet, workbook_bytes
from union_portal.spreadsheet_widgets import ChoiceWidget, CodeWidget, TextWidget
from union_portal.spreadsheets import HeaderAliases, SpreadsheetError, read_xlsx_rows
from union_portal.validators import validate_id_number, validate_phone

from .models import (
    AllowanceKind,
    ChildcareClass,
    CultureCategory,
    CultureEvent,
    JobFair,
    Member,
    PurchasedService,
    WechatActivity,
)

MEMBER_EXPORT_COLUMNS = ("name", "id_number", "phone", "union_name", "workplace", "town", "card", "card_status")


class MemberResource(ChoiceLabels, resources.ModelResource):
    name = Field(attribute="name", column_name=_("name"))
    id_number = Field(column_name=_("ID number"))
    phone = Field(column_name=_("phone"))
    union_name = Field(attribute="union_name", column_name=_("union"))
    workplace = Field(attribute="workplace", column_name=_("workplace"))
    town = Field(attribute="town__name", column_name=_("town"))
    card = Field(column_name=_("card number"))
    card_status = Field(column_name=_("card status"))

    class Meta:
        model = Member
        fields = MEMBER_EXPORT_COLUMNS
        export_order = MEMBER_EXPORT_COLUMNS

    def export_field(self, field, instance, **kwargs):
        return escape_cell(super().export_field(field, instance, **kwargs))

    def dehydrate_id_number(self, member):
        return mask_id_number(member.id_number)

    def dehydrate_phone(self, member):
        return mask_phone(member.phone)

    def dehydrate_card(self, member):
        card = latest_card(member)
        return card.number if card else ""

    def dehydrate_card_status(self, member):
        card = latest_card(member)
        return self.label(card, "status") if card else ""


def latest_card(member):
    """The member's newest card (a lost card's replacement comes after it), from the prefetched cards."""
    cards = list(member.cards.all())
    return cards[0] if cards else None


class MemberRowForm(forms.Form):
    """One row of a member sheet, as the widgets read it, checked like a form (messages come translated)."""

    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, validators=[validate_id_number])
    phone = forms.CharField(label=_("phone"), max_length=20, required=False, validators=[validate_phone])
    union_name = forms.CharField(label=_("union"), max_length=200)
    workplace = forms.CharField(label=_("workplace"), max_length=200, required=False)


# Other headers town ledgers give the columns (data, never translated).
MEMBER_HEADER_WORDS = {
    "name": ["姓名", "会员姓名"],
    "id_number": ["身份证号", "身份证号码", "证件号码"],
    "phone": ["手机", "手机号", "联系电话", "电话"],
    "union_name": ["所在工会", "工会名称", "基层工会"],
    "workplace": ["工作单位", "单位"],
}
MEMBER_WIDGETS = {
    "name": TextWidget(),
    "id_number": CodeWidget(),  # full-width digits folded, a small x made capital
    "phone": CodeWidget(),
    "union_name": TextWidget(),
    "workplace": TextWidget(),
}
PREVIEW_ROWS = 50  # the preview shows this many rows; the counts cover them all


@dataclass
class MemberRow:
    number: int  # the Excel row number
    data: dict
    stored: Member | None = None  # the member already registered with this ID number
    first: "MemberRow | None" = None  # the earlier row of the sheet with this ID number

    @property
    def repeated(self) -> bool:
        return self.stored is not None or self.first is not None

    @property
    def action(self):
        return _("merge") if self.repeated else _("new")

    @property
    def cells(self) -> list[str]:
        data = self.data
        return [data["name"], mask_id_number(data["id_number"]), mask_phone(data["phone"]), data["union_name"]]


class MemberSheet(RowSheet):
    """A town's member sheet on the core's row-sheet reader, with a choice for repeated ID numbers.

    A repeated ID number (stored, or on an earlier row) is shown on the preview (`merge` None),
    refused row by row (`merge` False) or kept for merging (`merge` True). A stored member the
    user may not change (another town's, for town staff) is refused whatever the choice.
    """

    header_words = MEMBER_HEADER_WORDS
    key_fields = ("id_number",)
    stash_prefix = "benefits-member-import"

    def __init__(self, *, user, town, raw=None, columns=None):
        self.town = town
        super().__init__(user=user, raw=raw, columns=columns)

    def row_fields(self) -> dict:
        return dict(MemberRowForm.base_fields)

    def row_widgets(self) -> dict:
        return MEMBER_WIDGETS

    def title(self) -> str:
        return gettext("members")

    def existing(self, datas: list[dict], *, lock: bool) -> dict:
        """The stored members the rows name, by ID number (in batches the databases' parameter limits allow)."""
        found, numbers = {}, sorted({data["id_number"] for data in datas})
        for start in range(0, len(numbers), 500):
            members = Member.objects.filter(id_number__in=numbers[start : start + 500]).select_related("town")
            if lock:
                members = members.select_for_update(of=("self",))
            found.update((member.id_number, member) for member in members)
        return found

    @property
    def repeated(self) -> list[MemberRow]:
        return [row for row in self.rows if row.repeated]

    @property
    def preview(self) -> list[MemberRow]:
        return self.rows[:PREVIEW_ROWS]

    def validate(self, *, lock: bool = False, merge: bool | None = None) -> None:
        self.rows, self.errors = [], []
        cleaned = [(number, data) for number, cells in self.raw if (data := self._clean_row(number, cells)) is not None]
        stored = self.existing([data for _number, data in cleaned], lock=lock)
        first_rows = {}
        for number, data in cleaned:
            row = MemberRow(number, data, stored.get(data["id_number"]), first_rows.get(data["id_number"]))
            first_rows.setdefault(data["id_number"], row)
            if row.stored is not None and not can_edit(self.user, row.stored):
                self._error(number, "id_number", self._stored_message(row.stored))
            elif row.repeated and merge is False:
                self._error(number, "id_number", self._repeat_message(row))
            self.rows.append(row)

    @staticmethod
    def _stored_message(member):
        return _("This ID number is already registered for a member of %(town)s.") % {"town": member.town.name}

    def _repeat_message(self, row: MemberRow):
        if row.first is not None:
            return _("The same ID number is already on row %(row)d.") % {"row": row.first.number}
        return self._stored_message(row.stored)

    def stash(self) -> str:
        return super().stash(offered_choice=bool(self.repeated or self.errors))

    def unstash(self, token: str, *, merge: bool) -> bool:
        """The stashed rows, checked again with the confirm's choice for repeated ID numbers if the preview offered it
        (or named a bad row), so that a refusal shows the preview and the choice again, a long sheet's (a job's) as a
        short one's; False if expired.

        A preview that offered no choice is not checked here: the import checks it anyway, in its transaction (the
        check of 20,000 rows takes the preview's 4 to 6 s, which the confirm of a long sheet need not repeat).
        """
        if not self.restore(token):
            return False
        if self.notes.get("offered_choice", True):
            self.validate(merge=merge)
        return True

    def members_to_write(self) -> tuple[list[Member], list[Member]]:
        """(new members, stored members changed): a repeated row merges its non-empty phone, union, workplace."""
        new, merged = {}, {}
        for row in self.rows:
            number = row.data["id_number"]
            target = row.stored or new.get(number)
            if target is None:
                new[number] = Member(town=self.town, **row.data)
                continue
            for name in ("phone", "union_name", "workplace"):
                if row.data[name]:
                    setattr(target, name, row.data[name])
            if row.stored is not None and number not in merged:
                target.version += 1
                merged[number] = target
        # The rows were checked by the row form and the ID numbers above: only the model's own field rules remain.
        # The town is the sheet's, checked once by the caller: validating it per row would cost a query a row.
        for member in [*new.values(), *merged.values()]:
            member.full_clean(exclude=["town"], validate_unique=False, validate_constraints=False)
        return list(new.values()), list(merged.values())


def member_sheet_headers() -> list[str]:
    return [str(field.label) for field in MemberRowForm.base_fields.values()]


# Hardship files, visits, re-checks, the allowance list --------------------------------------
# The civil-affairs list of allowance households (低保/特困): 姓名, 身份证号, 类别. An import replaces the whole
# list, so every row is checked first and the preview names each bad row, column and reason.


ALLOWANCE_COLUMNS = {"name": _("name"), "id_number": _("ID number"), "kind": _("kind")}
# The words the civil-affairs sheets use (data, never translated).
ALLOWANCE_HEADERS = {"name": ["姓名"], "id_number": ["身份证号", "身份证号码"], "kind": ["类别", "类型"]}
ALLOWANCE_WORDS = {"低保": AllowanceKind.MINIMUM, "特困": AllowanceKind.EXTREME, "特困供养": AllowanceKind.EXTREME}


@dataclass
class AllowanceSheet:
    """The rows of an allowance-list sheet, checked: `rows` (dicts for the service) or `errors` (one per bad cell)."""

    raw: list = field(default_factory=list)  # [(excel row number, {column name: cell value})]
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @classmethod
    def read(cls, upload) -> "AllowanceSheet":
        sheet = cls()
        aliases = HeaderAliases(ALLOWANCE_COLUMNS, ALLOWANCE_HEADERS)
        try:
            header, rows = read_xlsx_rows(upload, settings.IMPORT_MAX_ROWS, known_headers=aliases.keys)
        except SpreadsheetError as error:
            sheet.errors.append(str(error))
            return sheet
        found = aliases.columns(header)
        missing = [str(label) for name, label in ALLOWANCE_COLUMNS.items() if name not in found.values()]
        if missing:
            sheet.errors.append(str(_("The sheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)}))
            return sheet
        sheet.raw = [(row.number, {name: row.values[i] for i, name in found.items()}) for row in rows]
        if not sheet.raw:
            sheet.errors.append(str(_("The sheet has no rows to import.")))
        sheet.validate()
        return sheet

    def validate(self) -> None:
        self.rows, self.errors, seen = [], list(self.errors), {}
        kinds = ChoiceWidget(AllowanceKind, aliases=ALLOWANCE_WORDS)
        for number, cells in self.raw:
            row = {
                "name": TextWidget().clean(cells.get("name")),
                "id_number": TextWidget().clean(cells.get("id_number")).upper(),
            }
            bad = False
            try:
                row["kind"] = kinds.clean(cells.get("kind")) or self._missing()
            except ValueError as error:
                bad = self._error(number, "kind", error)
            if not row["name"]:
                bad = self._error(number, "name", _("This cell is empty."))
            try:
                validate_id_number(row["id_number"])
            except ValidationError as error:
                bad = self._error(number, "id_number", error.messages[0])
            else:
                if row["id_number"] in seen:
                    bad = self._error(
                        number,
                        "id_number",
                        _("The same ID number is already on row %(row)d.") % {"row": seen[row["id_number"]]},
                    )
                seen.setdefault(row["id_number"], number)
            if not bad:
                self.rows.append(row)

    @staticmethod
    def _missing():
        raise ValueError(str(_("This cell is empty.")))

    def _error(self, row: int, name: str, message) -> bool:
        self.errors.append(
            str(
                _("Row %(row)d, column “%(column)s”: %(reason)s")
                % {"row": row, "column": ALLOWANCE_COLUMNS[name], "reason": message}
            )
        )
        return True

    def preview(self) -> list[dict]:
        return [{**row, "kind_label": AllowanceKind(row["kind"]).label} for row in self.rows]

    # Between preview and confirm the rows wait in the cache (short-lived: they hold names and ID numbers).
    def stash(self, *, user) -> str:
        token = secrets.token_urlsafe(16)
        cache.set(f"benefits-allowance-{token}", {"raw": self.raw, "user": user.pk}, 1800)
        return token

    @classmethod
    def unstash(cls, token: str, *, user) -> "AllowanceSheet | None":
        stored = cache.get(f"benefits-allowance-{token}") if token else None
        if not stored or stored["user"] != user.pk:
            return None
        cache.delete(f"benefits-allowance-{token}")
        sheet = cls(raw=stored["raw"])
        sheet.validate()
        return sheet


# The aid ledger ---------------------------------------------------------------------------
# The sign-off sheet (发放签收表) as xlsx: what the print page shows, ID numbers masked, the signature column empty.


def signoff_headers() -> list[str]:
    return [
        translation.gettext("No."),
        translation.gettext("recipient"),
        translation.gettext("ID number"),
        translation.gettext("town"),
        translation.gettext("amount (yuan)"),
        translation.gettext("voucher number"),
        translation.gettext("signature"),
    ]


def signoff_workbook(payments, *, title: str, total) -> bytes:
    """The sheet offices print and have signed: one row a payment, then the total."""
    rows = [
        [
            number,
            escape_cell(payment.file.applicant_name),
            mask_id_number(payment.file.id_number),
            escape_cell(payment.town.name),
            payment.amount,
            payment.voucher_number,
            "",
        ]
        for number, payment in enumerate(payments, start=1)
    ]
    rows.append(["", translation.gettext("Total"), "", "", total, "", ""])
    widths = {"B": 14, "C": 22, "E": 14, "F": 18, "G": 24}
    return workbook_bytes(Sheet(translation.gettext("sign-off sheet"), signoff_headers(), rows, widths))


# Services for all members -------------------------------------------------------------------
# The five programmes of "services for all members" share one implementation: each is a `ServiceProgramme`
# (its model, columns, summed columns, year field and import key) and the lists, pages, forms,
# imports and exports of views.py, forms.py, filters.py and services.py work from it.


@dataclass(frozen=True)
class ServiceProgramme:
    """One programme of services for all members, as its pages, imports and exports see it."""

    key: str  # the URL names' prefix: childcare_list, childcare_detail...
    slug: str  # the URL segment
    model: type
    fields: tuple  # the columns of the form, the list, the import and the export, in order
    totals: tuple  # the summed columns, totalled over the whole filtered list
    year_field: str  # "year", or the date whose year the ?year= filter reads
    key_fields: tuple  # the columns that name a record: importing the same row again updates it
    header_words: dict  # other headers offices give the columns (data, never translated)
    category_field: str = ""  # the field of the ?category= filter, where there is one

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def field(self, name: str):
        return self.model._meta.get_field(name)

    def label(self, name: str) -> str:
        return str(self.field(name).verbose_name)

    def is_money(self, name: str) -> bool:
        return isinstance(self.field(name), models.DecimalField)

    @property
    def town_required(self) -> bool:
        return not self.field("town").null

    @property
    def year_lookup(self) -> str:
        field = self.field(self.year_field)
        return self.year_field if isinstance(field, models.IntegerField) else f"{self.year_field}__year"


TOWN_WORDS = ["镇街", "乡镇", "镇（街道）", "街道", "所属镇街"]
SERVICE_PROGRAMMES = {
    programme.key: programme
    for programme in (
        ServiceProgramme(
            key="childcare",
            slug="childcare",
            model=ChildcareClass,
            fields=("town", "year", "classes", "children", "courses"),
            totals=("classes", "children"),
            year_field="year",
            key_fields=("town", "year"),
            header_words={
                "town": TOWN_WORDS,
                "year": ["年度", "年份"],
                "classes": ["班数", "开班数", "托管班数"],
                "children": ["人数", "儿童人数", "托管人数", "学生人数"],
                "courses": ["课程", "课程内容", "开设课程"],
            },
        ),
        ServiceProgramme(
            key="jobfair",
            slug="job-fairs",
            model=JobFair,
            fields=("town", "title", "held_on", "jobs_offered", "intentions_signed"),
            totals=("jobs_offered", "intentions_signed"),
            year_field="held_on",
            key_fields=("town", "held_on", "title"),
            header_words={
                "town": TOWN_WORDS,
                "title": ["名称", "招聘会名称", "活动名称"],
                "held_on": ["日期", "举办日期", "时间"],
                "jobs_offered": ["岗位数", "提供岗位", "提供岗位数"],
                "intentions_signed": ["达成意向", "签约意向", "达成意向数", "意向人数"],
            },
        ),
        ServiceProgramme(
            key="purchased",
            slug="purchased-services",
            model=PurchasedService,
            fields=("town", "year", "title", "provider", "contract_sum", "person_times"),
            totals=("contract_sum", "person_times"),
            year_field="year",
            key_fields=("town", "year", "title"),
            header_words={
                "town": TOWN_WORDS,
                "year": ["年度", "年份"],
                "title": ["项目", "项目名称", "服务项目"],
                "provider": ["服务机构", "承接机构", "社会组织"],
                "contract_sum": ["合同金额", "金额", "合同金额（元）", "购买金额"],
                "person_times": ["服务人次", "人次"],
            },
        ),
        ServiceProgramme(
            key="wechat",
            slug="wechat-activities",
            model=WechatActivity,
            fields=("town", "title", "held_on", "participants", "beneficiaries"),
            totals=("participants", "beneficiaries"),
            year_field="held_on",
            key_fields=("town", "held_on", "title"),
            header_words={
                "town": TOWN_WORDS,
                "title": ["名称", "活动名称"],
                "held_on": ["日期", "活动日期", "时间"],
                "participants": ["参与人数", "参与人次", "参加人数"],
                "beneficiaries": ["受益会员", "受益人数", "受益会员数"],
            },
        ),
        ServiceProgramme(
            key="culture",
            slug="culture-events",
            model=CultureEvent,
            fields=("town", "year", "category", "item", "spend", "events", "participants", "association_admissions"),
            totals=("spend", "events", "participants", "association_admissions"),
            year_field="year",
            key_fields=("town", "year", "category", "item"),
            header_words={
                "town": TOWN_WORDS,
                "year": ["年度", "年份"],
                "category": ["类别", "活动类别"],
                "item": ["项目", "活动项目", "名称"],
                "spend": ["经费", "支出", "经费（元）", "花费"],
                "events": ["场次", "活动场次"],
                "participants": ["参与人数", "参加人数", "参与人次"],
                "association_admissions": ["入会人数", "加入协会人数"],
            },
            category_field="category",
        ),
    )
}
# The short words offices write for the categories (data, never translated).
CULTURE_WORDS = {"比赛": CultureCategory.MATCH, "赛事": CultureCategory.MATCH, "培训": CultureCategory.TRAINING,
                 "展览": CultureCategory.EXHIBITION, "展演": CultureCategory.PERFORMANCE, "演出": CultureCategory.PERFORMANCE,
                 "其他": CultureCategory.OTHER}  # fmt: skip
CHOICE_CLASSES = {(CultureEvent, "category"): CultureCategory}
YEARS = (2000, 2100)  # a year outside these is a typing mistake


def service_programme_cell(programme: ServiceProgramme, record, name: str):
    """A record's value as a list, page or sheet shows it: the town's name, a choice's label, numbers as they are."""
    if name == "town":
        return record.town.name if record.town_id else translation.gettext("district-wide")
    field = programme.field(name)
    if field.choices:
        return str(getattr(record, f"get_{name}_display")())
    return getattr(record, name)


def service_programme_text(value) -> str:
    """A cell as the page prints it: money with two places and grouping, dates as YYYY-MM-DD."""
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def service_programme_export(programme: ServiceProgramme, records) -> bytes:
    """The records as xlsx, one column per field under the import's headers (so a sheet imports back)."""
    headers = [programme.label(name) for name in programme.fields]
    rows = ([escape_cell(service_programme_cell(programme, r, name)) for name in programme.fields] for r in records)
    return spreadsheet_files.workbook_bytes(spreadsheet_files.Sheet(programme.title, headers, rows))


def service_programme_file_name(programme: ServiceProgramme) -> str:
    return spreadsheet_files.dated_file_name(programme.title)


class YearWidget(spreadsheet_widgets.WholeNumberWidget):
    """A year as offices write it: 2018, ２０１８ or 2018年."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(spreadsheet_widgets.cell_plain(value).removesuffix("年"), row, **kwargs)


class TownWidget(spreadsheet_widgets.LookupWidget):
    def not_found(self, name: str) -> str:
        return translation.gettext("No town is called “%(name)s”.") % {"name": name}


def service_programme_widget(programme: ServiceProgramme, name: str):
    field = programme.field(name)
    if name == "town":
        widget = TownWidget(Town, field="name")
        widget.objects_set(Town.objects.all())
        return widget
    if name == "year":
        return YearWidget(default=None)
    if field.choices:
        return spreadsheet_widgets.ChoiceWidget(CHOICE_CLASSES[(programme.model, name)], aliases=CULTURE_WORDS)
    if isinstance(field, models.DateField):
        return spreadsheet_widgets.DateWidget()
    if isinstance(field, models.DecimalField):
        return spreadsheet_widgets.DecimalNumberWidget()
    if isinstance(field, models.IntegerField):
        return spreadsheet_widgets.WholeNumberWidget(
            default=None
        )  # empty: required, or the stored value (or default) kept
    return spreadsheet_widgets.TextWidget()


def service_programme_form_field(programme: ServiceProgramme, name: str, user):
    """The form field of a column, for the page's form and for each row of an import."""
    if name == "town":
        return forms.ModelChoiceField(
            label=programme.field("town").verbose_name,
            queryset=access.towns_for(user),
            required=programme.town_required or access.default_town(user) is not None,
            empty_label=translation.gettext_lazy("district-wide") if not programme.town_required else "---------",
            error_messages={"invalid_choice": translation.gettext_lazy("Choose a town you work on.")},
        )
    if name == "year":
        field = programme.field(name)
        return forms.IntegerField(label=field.verbose_name, min_value=YEARS[0], max_value=YEARS[1])
    field = programme.field(name)
    if isinstance(field, models.DecimalField):
        return field.formfield(min_value=0)  # money spent is never negative (the model's check says so too)
    return field.formfield()


class ServiceProgrammeSheet(RowSheet):
    """An import sheet of one programme: a row per record, matched by the programme's key columns.

    Town staff import rows of their own town: a row with no town is theirs. District roles may leave
    the town empty where the programme allows records of the whole district.
    """

    stash_prefix = "benefits-programme-import"

    def __init__(self, *, programme: ServiceProgramme, user, **kwargs):
        self.programme = programme
        self.header_words = programme.header_words
        self.key_fields = programme.key_fields
        super().__init__(user=user, **kwargs)

    def title(self) -> str:
        return self.programme.title

    def row_fields(self) -> dict:
        fields = {name: service_programme_form_field(self.programme, name, self.user) for name in self.programme.fields}
        for name in self.defaulted:
            fields[name].required = False  # an empty cell keeps the stored value, or the default for a new record
        return fields

    @property
    def defaulted(self) -> list[str]:
        return [name for name in self.programme.fields if self.programme.field(name).has_default()]

    def row_widgets(self) -> dict:
        return {name: service_programme_widget(self.programme, name) for name in self.programme.fields}

    def cell_values(self, values: dict) -> dict:
        if "town" in values and values["town"] is None and access.default_town(self.user):
            values["town"] = access.default_town(self.user)
        return values

    def existing(self, datas: list[dict], *, lock: bool) -> dict:
        if not datas:
            return {}
        towns = {_town_pk(data.get("town")) for data in datas}
        records = self.programme.model.objects.visible_to(self.user)
        in_towns = Q(town__in=[pk for pk in towns if pk is not None])
        records = records.filter(in_towns | Q(town__isnull=True) if None in towns else in_towns)
        for name in self.key_fields[1:]:
            records = records.filter(**{f"{name}__in": {data.get(name) for data in datas}})
        if lock:
            records = records.select_for_update()
        return {self.key({name: getattr(r, _attribute(name)) for name in self.key_fields}): r for r in records}

    def build(self, data: dict, existing):
        record = existing if existing is not None else self.programme.model()
        for name, value in data.items():
            if value is not None or name not in self.defaulted:
                setattr(record, name, value)
        return record


def _attribute(name: str) -> str:
    return "town_id" if name == "town" else name


def _town_pk(town):
    return getattr(town, "pk", town)
