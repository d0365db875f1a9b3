"""Excel (xlsx) and CSV import and export of venues, with Chinese column headers.

The columns are the venues' verbose names (through gettext); choices travel as their labels,
towns and amenities by name, booleans as 是/否, dates as YYYY-MM-DD. An import is all or
nothing: every bad row is reported with its sheet row, column and reason, and nothing is
written unless every row is good.

Speed (DESIGN.md, known traps): bulk mode, no diff, cached instance and foreign-key lookups.
Bulk mode skips `Venue.save()`, signals and the m2m machinery, so this resource validates
each row with `full_clean()`, derives `status`, assigns codes, and writes the amenity links
and every history row (venue and amenities) in bulk itself.
"""

import datetime
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult
from import_export.tmp_storages import CacheStorage

from union_portal.access import DISTRICT_WIDE, Role, role_of, town_id_of
from union_portal.formatting import FORMULA_PREFIXES, escape_cell, mask_phone
from union_portal.models import Enterprise, Town
from union_portal.spreadsheets import (
    FIRST_DATA_ROW,
    SpreadsheetError,
    TooManyRows,
    is_blank,
    read_xlsx_rows,
    too_many_rows_message,
)

from .models import (
    AcceptanceResult,
    Amenity,
    HostType,
    Venue,
    VenueKind,
    VenueStatus,
    next_venue_codes,
)

BATCH_SIZE = 500
PREVIEW_ROWS = 100
AMENITY_SEPARATORS = re.compile(r"[、,，;；/\n]+")


class ImportFileError(SpreadsheetError):
    """The file as a whole cannot be imported (too big, unreadable, columns missing, preview expired)."""


# --- reading files -------------------------------------------------------------------------


def _too_many_rows_error() -> ImportFileError:
    return ImportFileError(too_many_rows_message(settings.IMPORT_MAX_ROWS))


def drop_blank_rows(dataset: tablib.Dataset) -> list[int]:
    """Remove blank rows from `dataset` and return the sheet row number of each row kept."""
    numbers = getattr(dataset, "sheet_rows", None) or list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + dataset.height))
    blank = [index for index, row in enumerate(dataset) if is_blank(row)]
    for index in reversed(blank):
        del dataset[index]
    blank_set = set(blank)
    numbers = [number for index, number in enumerate(numbers) if index not in blank_set]
    if len(numbers) > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows_error()
    dataset.sheet_rows = numbers
    return numbers


def _expired_error() -> ImportFileError:
    return ImportFileError(gettext("The uploaded file has expired. Please upload it again."))


class VenueXLSX(base_formats.XLSX):
    """xlsx, first sheet, read by the portal's bounded reader: blank rows skipped, rows capped."""

    def create_dataset(self, in_stream):
        if in_stream is None:
            raise _expired_error()
        try:
            headers, rows = read_xlsx_rows(in_stream, settings.IMPORT_MAX_ROWS)
        except TooManyRows as error:
            raise _too_many_rows_error() from error
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            dataset.append(row.values)
        dataset.sheet_rows = [row.number for row in rows]
        return dataset

    def export_data(self, dataset, **kwargs):
        """Written in openpyxl's write-only mode: several times faster than tablib's adaptive sheet."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(_("venues")))
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for title in dataset.headers:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in dataset:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


class VenueCSV(base_formats.CSV):
    """CSV in UTF-8 (with or without BOM) or GB18030, as Excel in Chinese saves it."""

    def create_dataset(self, in_stream, **kwargs):
        if in_stream is None:
            raise _expired_error()
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("gb18030")
        dataset = tablib.import_set(in_stream, format="csv")
        drop_blank_rows(dataset)
        return dataset

    def export_data(self, dataset, **kwargs):
        # A BOM lets Excel open UTF-8 with Chinese text correctly.
        return "\ufeff" + super().export_data(dataset, **kwargs)


class ShortLivedCacheStorage(CacheStorage):
    """The preview's copy of the upload (personal data) lives in the cache for an hour at most."""

    CACHE_LIFETIME = 60 * 60


# --- widgets: one value of a cell <-> one Python value -------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    text = str(value)
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]  # undo the export's formula escaping, so a re-import round-trips
    return text.strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class CodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value).upper()


class ChoiceWidget(widgets.Widget):
    """A choice written as its label (in any of the portal's languages) or its stored value."""

    def __init__(self, choices, default=""):
        self.choices = choices
        self.default = default
        self._lookup = None
        super().__init__()

    def _values_by_text(self) -> dict[str, str]:
        if self._lookup is None:
            lookup = {}
            for value, label in self.choices.choices:
                lookup[value.lower()] = value
                for language, _name in settings.LANGUAGES:
                    with translation.override(language):
                        lookup[str(label).strip().lower()] = value
            self._lookup = lookup
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return self.default
        try:
            return self._values_by_text()[text.lower()]
        except KeyError:
            labels = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(gettext("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": labels})

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesNoWidget(widgets.Widget):
    TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
    FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in self.TRUE or text == gettext("Yes").lower():
            return True
        if text in self.FALSE or text == gettext("No").lower():
            return False
        raise ValueError(gettext("Write 是 or 否, not “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return gettext("Yes") if value else gettext("No")


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            gettext("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2018-06-01.") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class TimeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as a fraction of a day
            minutes = round(value * 24 * 60)
            return datetime.time(minutes // 60, minutes % 60)
        text = _text(value).replace("：", ":")
        if not text:
            return None
        for time_format in ("%H:%M", "%H:%M:%S"):
            try:
                return datetime.datetime.strptime(text, time_format).time()
            except ValueError:
                continue
        raise ValueError(gettext("“%(value)s” is not a time: write it as HH:MM, e.g. 08:30.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%H:%M") if value else ""


class WholeNumberWidget(widgets.Widget):
    def __init__(self, default=0):
        self.default = default
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return self.default
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("Enter a whole number."))
        if number != number.to_integral_value():
            raise ValueError(gettext("Enter a whole number."))
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class CoordinateWidget(widgets.Widget):
    """Degrees, rounded to the six places the model keeps."""

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        try:
            return Decimal(text).quantize(Decimal("0.000001"))
        except InvalidOperation:
            raise ValueError(gettext("Enter a number."))

    def render(self, value, obj=None, **kwargs):
        return value


class LookupWidget(widgets.Widget):
    """A related object named by one of its fields; the resource fills `objects` once per import."""

    lookup_field = "name"

    def __init__(self):
        self.objects = {}
        super().__init__()

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.lookup_field) if value is not None else ""


class TownWidget(LookupWidget):
    def __init__(self):
        super().__init__()
        self.allowed_ids = set()

    def clean(self, value, row=None, **kwargs):
        name = _text(value)
        if not name:
            raise ValueError(gettext("Enter the town."))
        town = self.objects.get(name)
        if town is None:
            raise ValueError(gettext("There is no town called “%(name)s”.") % {"name": name})
        if town.pk not in self.allowed_ids:
            raise ValueError(gettext("You may not import venues of %(name)s.") % {"name": name})
        return town


class EnterpriseWidget(LookupWidget):
    lookup_field = "credit_code"

    def clean(self, value, row=None, **kwargs):
        code = _text(value).upper()
        if not code:
            return None
        enterprise = self.objects.get(code)
        if enterprise is None:
            raise ValueError(
                gettext("No enterprise has the credit code “%(code)s”: add the enterprise first.") % {"code": code}
            )
        return enterprise


class AmenitiesWidget(LookupWidget):
    """Amenity names separated by 、 or commas; returns a list of amenity ids."""

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in AMENITY_SEPARATORS.split(_text(value)) if name.strip()]
        unknown = [name for name in names if name.lower() not in self.objects]
        if unknown:
            raise ValueError(
                gettext("Unknown amenities: %(names)s. Use the names listed in the template.")
                % {"names": "、".join(unknown)}
            )
        return sorted({self.objects[name.lower()].pk for name in names})

    def render(self, value, obj=None, **kwargs):
        return "、".join(amenity.name for amenity in value.all()) if value is not None else ""


# --- fields that need the instance --------------------------------------------------------


class AmenitiesField(fields.Field):
    """Bulk mode has no m2m: keep the ids on the instance; the resource writes the links."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance._imported_amenity_ids = self.clean(row, **kwargs)


class MaskedPhoneField(fields.Field):
    """Exports mask the phone (138****5678); re-importing the masked value keeps the stored number."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        phone = self.clean(row, **kwargs)
        if "*" in phone:
            if instance.pk and phone == mask_phone(instance.contact_phone):
                return
            raise ValueError(
                gettext("This phone number is masked (it contains *): enter the full number or leave the cell empty.")
            )
        instance.contact_phone = phone


# --- the resource ---------------------------------------------------------------------------


def _field(attribute, column_name, widget, field_class=fields.Field, **kwargs):
    return field_class(attribute=attribute, column_name=column_name, widget=widget, **kwargs)


REQUIRED_COLUMNS = ("name", "kind", "town", "address")
# Fields validated by the resource itself (lookups, codes) or derived, not by clean_fields().
NOT_CLEANED = ("town", "enterprise", "code", "status", "version", "created_at")
UPDATED_FIELDS = [
    "kind",
    "name",
    "town",
    "host_type",
    "host_name",
    "enterprise",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "is_24h",
    "opens_at",
    "closes_at",
    "seats",
    "is_mobile",
    "contact_name",
    "contact_phone",
    "description",
    "status",
    "planned_on",
    "built_on",
    "accepted_on",
    "acceptance_result",
    "closed_on",
    "closed_reason",
    "version",
]


class VenueResource(resources.ModelResource):
    code = _field("code", _("venue code"), CodeWidget(), readonly=True)
    name = _field("name", _("name"), TextWidget())
    kind = _field("kind", _("kind"), ChoiceWidget(VenueKind))
    town = _field("town", _("town"), TownWidget())
    host_type = _field("host_type", _("host type"), ChoiceWidget(HostType, default=HostType.ENTERPRISE))
    host_name = _field("host_name", _("host"), TextWidget())
    enterprise = _field("enterprise", _("host enterprise (credit code)"), EnterpriseWidget())
    address = _field("address", _("address"), TextWidget())
    longitude = _field("longitude", _("longitude"), CoordinateWidget())
    latitude = _field("latitude", _("latitude"), CoordinateWidget())
    opening_hours = _field("opening_hours", _("opening hours"), TextWidget())
    is_24h = _field("is_24h", _("open 24 hours"), YesNoWidget())
    opens_at = _field("opens_at", _("opens at"), TimeWidget())
    closes_at = _field("closes_at", _("closes at"), TimeWidget())
    amenities = _field("amenities", _("amenities"), AmenitiesWidget(), AmenitiesField)
    seats = _field("seats", _("seats"), WholeNumberWidget())
    is_mobile = _field("is_mobile", _("mobile station"), YesNoWidget())
    contact_name = _field("contact_name", _("contact person"), TextWidget())
    contact_phone = _field("contact_phone", _("contact phone"), TextWidget(), MaskedPhoneField)
    status = _field("status", _("status"), ChoiceWidget(VenueStatus), readonly=True)
    planned_on = _field("planned_on", _("planned on"), DateWidget())
    built_on = _field("built_on", _("built on"), DateWidget())
    accepted_on = _field("accepted_on", _("acceptance date"), DateWidget())
    acceptance_result = _field("acceptance_result", _("acceptance result"), ChoiceWidget(AcceptanceResult))
    closed_on = _field("closed_on", _("closed on"), DateWidget())
    closed_reason = _field("closed_reason", _("reason for closing"), TextWidget())
    description = _field("description", _("description"), TextWidget())

    class Meta:
        model = Venue
        fields = (
            "code",
            "name",
            "kind",
            "town",
            "host_type",
            "host_name",
            "enterprise",
            "address",
            "longitude",
            "latitude",
            "opening_hours",
            "is_24h",
            "opens_at",
            "closes_at",
            "amenities",
            "seats",
            "is_mobile",
            "contact_name",
            "contact_phone",
            "status",
            "planned_on",
            "built_on",
            "accepted_on",
            "acceptance_result",
            "closed_on",
            "closed_reason",
            "description",
        )
        import_id_fields = ("code",)
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        use_transactions = True
        store_row_values = True
        chunk_size = 1000

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.lazy_column_names = {name: field.column_name for name, field in self.fields.items()}
        for field in self.fields.values():
            field.column_name = str(field.column_name)  # headers in the language active now
        self.sheet_rows = []
        self.history_reason = ""
        self.new_codes = {}
        self.seen_codes = {}
        self.exporters = {}
        self.file_columns = []

    @classmethod
    def get_display_name(cls):
        return str(_("venues"))

    def column(self, name: str) -> str:
        return self.fields[name].column_name

    def get_user_visible_fields(self):
        """The columns the import page lists: the derived status is exported but never imported."""
        return [self.fields[name] for name in self.template_columns()]

    def get_queryset(self):
        """Only venues the importing user may see can be matched (and so updated) by code."""
        return Venue.objects.visible_to(self.user)

    # --- export ---

    def filter_export(self, queryset, **kwargs):
        return queryset.visible_to(self.user).select_related("town", "enterprise").prefetch_related("amenities")

    def dehydrate_contact_phone(self, venue):
        return mask_phone(venue.contact_phone)

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """Every cell escaped against formula injection; each column's exporter is looked up once."""
        key = tuple(selected_fields or ())
        if key not in self.exporters:
            self.exporters[key] = [self._exporter(field) for field in self.get_export_fields(selected_fields)]
        return [escape_cell(export(instance)) for export in self.exporters[key]]

    def _exporter(self, field):
        dehydrate = getattr(self, f"dehydrate_{self.get_field_name(field)}", None)
        return dehydrate or field.export

    # --- import: the whole file ---

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user") or self.user
        self.sheet_rows = drop_blank_rows(dataset)
        self._normalise_headers(dataset)
        missing = [self.column(name) for name in REQUIRED_COLUMNS if self.column(name) not in dataset.headers]
        if missing:
            del dataset[:]
            raise ImportFileError(
                gettext("The file has no column %(columns)s. Download the template to see the columns.")
                % {"columns": "、".join(missing)}
            )
        self.file_columns = list(dataset.headers)
        if self.column("code") not in dataset.headers:
            dataset.append_col([""] * dataset.height, header=self.column("code"))
        self._load_lookups(dataset)
        self._reserve_codes(dataset)
        file_name = kwargs.get("file_name") or ""
        self.history_reason = (gettext("Imported from %(file)s") % {"file": file_name})[:100] if file_name else ""

    def _normalise_headers(self, dataset):
        """Accept each column under its Chinese or English name or its field name."""
        canonical = {}
        for name, lazy in self.lazy_column_names.items():
            aliases = {name, self.column(name)}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    aliases.add(str(lazy))
            for alias in aliases:
                canonical[_header_key(alias)] = self.column(name)
        dataset.headers = [canonical.get(_header_key(header), header) for header in dataset.headers]

    def _load_lookups(self, dataset):
        """Towns, amenities and the enterprises the file names: each read once."""
        town_widget = self.fields["town"].widget
        town_widget.objects = {town.name: town for town in Town.objects.all()}
        town_widget.allowed_ids = self._allowed_town_ids(town_widget.objects.values())
        amenity_widget = self.fields["amenities"].widget
        amenity_widget.objects = {}
        for amenity in Amenity.objects.all():
            amenity_widget.objects[amenity.code.lower()] = amenity
            amenity_widget.objects[amenity.name.lower()] = amenity
        column = self.column("enterprise")
        codes = {_text(value).upper() for value in dataset[column]} - {""} if column in dataset.headers else set()
        self.fields["enterprise"].widget.objects = {
            enterprise.credit_code: enterprise for enterprise in Enterprise.objects.filter(credit_code__in=codes)
        }

    def _allowed_town_ids(self, towns) -> set[int]:
        role = role_of(self.user)
        if role in DISTRICT_WIDE and role != Role.LEADERSHIP:
            return {town.pk for town in towns}
        if role == Role.TOWN_STAFF:
            return {town_id_of(self.user)}
        return set()

    def _reserve_codes(self, dataset):
        """Codes for the new rows, per kind, with one query per kind (next_venue_codes)."""
        kind_widget = self.fields["kind"].widget
        kinds = Counter()
        for row in dataset.dict:
            if _text(row.get(self.column("code"))):
                continue
            try:
                kind = kind_widget.clean(row.get(self.column("kind")))
            except ValueError:
                continue
            if kind:
                kinds[kind] += 1
        self.new_codes = {kind: iter(next_venue_codes(kind, count)) for kind, count in kinds.items()}

    def _next_code(self, kind) -> str:
        code = next(self.new_codes.get(kind, iter(())), None)
        if code is None:  # not foreseen by _reserve_codes; cannot happen with a consistent row
            self.new_codes[kind] = iter(next_venue_codes(kind, BATCH_SIZE))
            code = next(self.new_codes[kind])
        return code

    def sheet_row(self, row_number: int) -> int:
        """The sheet row (as Excel numbers it) of the `row_number`-th data row the library counts."""
        if 0 < row_number <= len(self.sheet_rows):
            return self.sheet_rows[row_number - 1]
        return row_number + FIRST_DATA_ROW - 1

    # --- import: one row ---

    def after_init_instance(self, instance, new, row, **kwargs):
        code = self.fields["code"].clean(row)
        if not code:
            return
        number = self.sheet_row(kwargs.get("row_number", 0))
        if code in self.seen_codes:
            raise ValidationError(
                {
                    self.column("code"): gettext("The code %(code)s is also used in row %(row)d.")
                    % {"code": code, "row": self.seen_codes[code]}
                }
            )
        self.seen_codes[code] = number
        if new:
            raise ValidationError(
                {
                    self.column("code"): gettext(
                        "No venue has the code %(code)s: leave the code empty to add a new venue."
                    )
                    % {"code": code}
                }
            )

    def import_instance(self, instance, row, **kwargs):
        instance._imported_amenity_ids = None
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean() per row (the model's rules: date order, hours...), errors keyed by column name.

        Unique and check constraints are left out: each would cost a query per row, the codes are
        assigned here, and the model's clean() already checks the dates the constraints guard.
        """
        errors = dict(import_validation_errors or {})
        if instance.town_id is None and "town" not in errors:
            errors["town"] = [ValidationError(gettext("Enter the town."))]
        try:
            instance.full_clean(
                exclude=set(errors) | set(NOT_CLEANED), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self._errors_by_column(errors))

    def _errors_by_column(self, errors: dict) -> dict:
        columns = {self.fields[name].attribute: self.column(name) for name in self.get_export_order()}
        order = list(columns.values())
        by_column = {}
        for key, messages in errors.items():
            by_column.setdefault(columns.get(key, NON_FIELD_ERRORS), []).extend(messages)
        return dict(sorted(by_column.items(), key=lambda item: order.index(item[0]) if item[0] in order else -1))

    def before_save_instance(self, instance, row, **kwargs):
        instance.status = instance.derived_status()
        if instance._state.adding:
            instance.code = self._next_code(instance.kind)
        else:
            instance.version += 1  # an edit form opened before the import is refused as stale

    # --- import: writing in bulk ---

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances or not (using_transactions or not dry_run):
            return
        try:
            Venue.objects.bulk_create(self.create_instances, batch_size=BATCH_SIZE)
            self._write_amenities(self.create_instances, replace=False)
            if not dry_run:  # the preview is rolled back: its history would be thrown away
                self._write_history(self.create_instances, update=False)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """An upsert on the primary key: one INSERT ... ON CONFLICT per batch.

        Django's bulk_update() builds a CASE WHEN per column and row, which took 97 s for 5,000 venues.
        """
        if not self.update_instances or not (using_transactions or not dry_run):
            return
        try:
            Venue.objects.bulk_create(
                self.update_instances,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=UPDATED_FIELDS,
            )
            self._write_amenities(self.update_instances, replace=True)
            if not dry_run:
                self._write_history(self.update_instances, update=True)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def _write_amenities(self, venues, *, replace):
        through = Venue.amenities.through
        changed = [venue for venue in venues if venue._imported_amenity_ids is not None]
        if replace and changed:
            through.objects.filter(venue_id__in=[venue.pk for venue in changed]).delete()
        through.objects.bulk_create(
            [
                through(venue_id=venue.pk, amenity_id=amenity_id)
                for venue in changed
                for amenity_id in venue._imported_amenity_ids
            ],
            batch_size=BATCH_SIZE * 4,
        )

    def _write_history(self, venues, *, update):
        """History rows as Venue.save() would leave them: the venue's, and its amenities' (m2m_fields)."""
        records = Venue.history.bulk_history_create(
            venues,
            batch_size=BATCH_SIZE,
            update=update,
            default_user=self.user if getattr(self.user, "pk", None) else None,
            default_change_reason=self.history_reason,
        )
        links = {}
        through = Venue.amenities.through
        for link in through.objects.filter(venue_id__in=[venue.pk for venue in venues]):
            links.setdefault(link.venue_id, []).append(link)
        history_link = Venue.history.model.amenities.model
        history_link.objects.bulk_create(
            [
                history_link(history=record, id=link.id, venue_id=link.venue_id, amenity_id=link.amenity_id)
                for record in records
                for link in links.get(record.id, [])
            ],
            batch_size=BATCH_SIZE * 4,
        )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for invalid in result.invalid_rows:
            invalid.number = self.sheet_row(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.sheet_row(error_row.number)
        self._add_preview(result)

    def _add_preview(self, result):
        """The first rows as read, for the admin's preview (skip_diff leaves no diff to show)."""
        in_file = set(self.file_columns)
        headers = [self.column(name) for name in self.template_columns() if self.column(name) in in_file]
        valid = [row for row in result.rows if row.import_type in RowResult.valid_import_types]
        result.preview_headers = headers
        result.preview_rows = [
            {"type": row.import_type, "values": [row.row_values.get(header) for header in headers]}
            for row in valid[:PREVIEW_ROWS]
        ]
        result.preview_more = max(0, len(valid) - PREVIEW_ROWS)

    # --- the downloadable template ---

    def template_columns(self) -> list[str]:
        """The columns a file to import has: every exported one but the derived status."""
        return [name for name in self.get_export_order() if name != "status"]

    def template_headers(self) -> list[str]:
        return [self.column(name) for name in self.template_columns()]

    def template_example(self) -> list:
        towns = Town.objects.all()
        town = next((t for t in towns if t.pk in self._allowed_town_ids(towns)), None)
        amenities = "、".join(Amenity.objects.values_list("name", flat=True)[:3])
        example = {
            "code": "",
            "name": gettext("Example warm-heart station"),
            "kind": str(VenueKind.WARM_STATION.label),
            "town": town.name if town else "",
            "host_type": str(HostType.COMMUNITY.label),
            "host_name": gettext("Example community"),
            "enterprise": "",
            "address": gettext("1 Example Road"),
            "longitude": Decimal("116.338000"),
            "latitude": Decimal("39.726000"),
            "opening_hours": gettext("Monday to Friday 8:00-18:00"),
            "is_24h": gettext("No"),
            "opens_at": "08:00",
            "closes_at": "18:00",
            "amenities": amenities,
            "seats": 6,
            "is_mobile": gettext("No"),
            "contact_name": gettext("Example contact"),
            "contact_phone": "13800000000",
            "planned_on": "2018-03-01",
            "built_on": "2018-06-01",
            "accepted_on": "",
            "acceptance_result": "",
            "closed_on": "",
            "closed_reason": "",
            "description": "",
        }
        return [example[name] for name in self.template_columns()]

    def template_guide(self) -> list[tuple[str, str]]:
        """What to write in each column, for the template's second sheet."""
        labels = {
            "kind": VenueKind,
            "host_type": HostType,
            "acceptance_result": AcceptanceResult,
        }
        towns = Town.objects.all()
        allowed = self._allowed_town_ids(towns)
        hints = {
            "code": gettext("Leave empty for a new venue (a code is assigned); keep it to update an existing venue."),
            "town": "、".join(town.name for town in towns if town.pk in allowed),
            "enterprise": gettext("Optional: the host enterprise's unified social credit code."),
            "longitude": gettext("Optional: decimal degrees."),
            "latitude": gettext("Optional: decimal degrees."),
            "is_24h": gettext("是 or 否"),
            "is_mobile": gettext("是 or 否"),
            "opens_at": gettext("HH:MM, e.g. 08:30"),
            "closes_at": gettext("HH:MM, e.g. 08:30"),
            "amenities": "、".join(Amenity.objects.values_list("name", flat=True)),
            "seats": gettext("A whole number."),
            "contact_phone": gettext("An 11-digit mobile number."),
            "planned_on": gettext("YYYY-MM-DD, e.g. 2018-06-01"),
            "built_on": gettext("YYYY-MM-DD, e.g. 2018-06-01"),
            "accepted_on": gettext("YYYY-MM-DD, e.g. 2018-06-01"),
            "closed_on": gettext("YYYY-MM-DD, e.g. 2018-06-01"),
        }
        for name, choices in labels.items():
            hints[name] = "、".join(str(label) for label in choices.labels)
        guide = []
        for name in self.template_columns():
            required = gettext("required") if name in REQUIRED_COLUMNS else ""
            guide.append((self.column(name), "；".join(part for part in (required, hints.get(name, "")) if part)))
        return guide


def _header_key(value) -> str:
    return str(value or "").strip().rstrip("*").strip().lower()


def venue_template_workbook(resource: VenueResource) -> bytes:
    """The import template: the headers and one example row, and a sheet saying what each column takes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("venues"))
    sheet.append(resource.template_headers())
    sheet.append(resource.template_example())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 16
    sheet.freeze_panes = "A2"
    guide = book.create_sheet(gettext("How to fill in"))
    guide.append([gettext("Column"), gettext("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in resource.template_guide():
        guide.append(list(row))
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
