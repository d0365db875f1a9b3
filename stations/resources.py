"""Excel (xlsx) and CSV import and export of venues, with Chinese column headers.

The columns are the venues' verbose names (through gettext); choices travel as their labels,
towns and amenities by name, booleans as 是/否, dates as YYYY-MM-DD. An import is all or
nothing: every bad row is reported with its sheet row, column and reason, and nothing is
written unless every row is good.

Files are read and written by the portal's spreadsheet kit (`union_portal.spreadsheets`: the
guarded, bounded readers and header aliases; `spreadsheet_widgets`; `spreadsheet_files`: formats,
preview store, workbooks, downloads); this module keeps only what is particular to venues.

Speed (DESIGN.md, known traps): bulk mode, no diff, cached instance and foreign-key lookups.
Bulk mode skips `Venue.save()`, signals and the m2m machinery, so this resource validates
each row with `full_clean()`, derives `status`, assigns codes, and writes the amenity links
and every history row (venue and amenities) in bulk itself.
"""

import re
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader, CachedInstanceLoader
from import_export.results import RowResult

from union_portal.access import can_edit_town
from union_portal.bulk_writes import history_copy, links_add
from union_portal.formatting import escape_cell, mask_phone
from union_portal.models import Enterprise, Town
from union_portal.spreadsheet_files import (
    SheetCSV,
    SheetXLSX,
    ShortLivedCacheStorage,
    drop_blank_rows,
    template_workbook,
)
from union_portal.spreadsheet_widgets import (
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    DecimalNumberWidget,
    LookupWidget,
    TextWidget,
    TimeWidget,
    WholeNumberWidget,
    YesNoWidget,
    cell_plain,
    cell_text,
)
from union_portal.spreadsheets import FIRST_DATA_ROW, HeaderAliases, ImportFileError, header_key

from .models import (
    AcceptanceResult,
    Amenity,
    HostType,
    Venue,
    VenueKind,
    VenueStatus,
    next_venue_codes,
)

BATCH_SIZE = 1000
PREVIEW_ROWS = 100
AMENITY_SEPARATORS = re.compile(r"[、,，;；/\n]+")

# The kit's names, as this module always offered them (the resource below and its tests use them).
_text = cell_text
__all__ = [
    "ChoiceWidget",
    "CodeWidget",
    "DateWidget",
    "ImportFileError",
    "ShortLivedCacheStorage",
    "TextWidget",
    "TimeWidget",
    "VenueCSV",
    "VenueResource",
    "VenueXLSX",
    "WholeNumberWidget",
    "YesNoWidget",
    "drop_blank_rows",
    "venue_template_workbook",
]


# --- reading files: the kit's formats, finding the header row by the venue columns ---------


def venue_header_keys() -> set[str]:
    """Every header a venue column is known by, so that a title row above the headers is skipped."""
    return HeaderAliases({name: field.column_name for name, field in VenueResource.fields.items()}).keys


class VenueXLSX(SheetXLSX):
    sheet_title = _("venues")

    def known_headers(self) -> set[str]:
        return venue_header_keys()


class VenueCSV(SheetCSV):
    def known_headers(self) -> set[str]:
        return venue_header_keys()


# --- widgets of venue columns (the others are the kit's) -----------------------------------


class CoordinateWidget(DecimalNumberWidget):
    """Degrees, rounded to the six places the model keeps."""

    places = 6


class TownWidget(LookupWidget):
    """A town by name (the towns are read once per import), if the user may import there.

    The resource fills `allowed_ids` with the towns the importing user may work on.
    """

    def __init__(self):
        super().__init__(Town, field="name")
        self.allowed_ids = set()

    def not_found(self, name: str) -> str:
        return gettext("There is no town called “%(name)s”.") % {"name": name}

    def clean(self, value, row=None, **kwargs):
        town = super().clean(value, row, **kwargs)
        if town is None:
            raise ValueError(gettext("Enter the town."))
        if town.pk not in self.allowed_ids:
            raise ValueError(gettext("You may not import venues of %(name)s.") % {"name": town.name})
        return town


class PreloadedWidget(widgets.Widget):
    """A related object from `objects`, which the resource fills once per import with what the file names.

    Not django-import-export's cached widgets: they read the whole table (every enterprise of the
    district), or query once per row (ManyToManyWidget), where one query for the file's names will do.
    """

    lookup_field = "name"

    def __init__(self):
        self.objects = {}
        super().__init__()

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.lookup_field) if value is not None else ""


class EnterpriseWidget(PreloadedWidget):
    lookup_field = "credit_code"

    def clean(self, value, row=None, **kwargs):
        code = cell_plain(value).upper()
        if not code:
            return None
        enterprise = self.objects.get(code)
        if enterprise is None:
            raise ValueError(
                gettext("No enterprise has the credit code “%(code)s”: add the enterprise first.") % {"code": code}
            )
        return enterprise


class AmenitiesWidget(PreloadedWidget):
    """Amenity names separated by 、 or commas; returns a list of amenity ids (bulk mode writes the links)."""

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in AMENITY_SEPARATORS.split(cell_text(value)) if name.strip()]
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
    "public_phone",
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


# What an import may change on a venue, as attribute names: equal before and after, the row is skipped.
COMPARED_ATTRIBUTES = [
    Venue._meta.get_field(name).attname for name in UPDATED_FIELDS if name not in ("status", "version")
]


def _is_plain(field) -> bool:
    """A field whose save() only sets the widget's value on an attribute of the venue (no default, no subclass)."""
    return type(field) is fields.Field and field.default is NOT_PROVIDED and "__" not in field.attribute


def _compared_values(venue) -> tuple:
    return tuple(getattr(venue, attribute) for attribute in COMPARED_ATTRIBUTES)


class VenueLoader(CachedInstanceLoader):
    """The file's venues by code in one query, with what they hold now (to tell an unchanged row) in one more.

    The codes are read from their column: the library's loader builds every row's dict twice for them.
    """

    def __init__(self, resource, dataset):
        BaseInstanceLoader.__init__(self, resource, dataset)
        self.pk_field = resource.fields["code"]
        column = self.pk_field.column_name
        codes = {self.pk_field.widget.clean(value) for value in dataset[column]} if column in dataset.headers else set()
        # Locked until the import ends, in primary key order so that two imports cannot deadlock: an edit
        # saved meanwhile waits, then finds the version moved on (StaleEdit) instead of being overwritten.
        venues = self.get_queryset().filter(code__in=codes - {""}).order_by("pk").select_for_update(of=("self",))
        self.all_instances = {venue.code: venue for venue in venues}
        venues = list(self.all_instances.values())
        amenity_ids = {venue.pk: [] for venue in venues}
        links = Venue.amenities.through.objects.filter(venue_id__in=list(amenity_ids)).order_by("amenity_id")
        for venue_id, amenity_id in links.values_list("venue_id", "amenity_id"):
            amenity_ids[venue_id].append(amenity_id)
        for venue in venues:
            venue._stored_values = _compared_values(venue)
            venue._stored_amenity_ids = amenity_ids[venue.pk]


class VenueRowResult(RowResult):
    """A row's result names its venue by name: str(venue) looks up its kind's label, 20 µs a row.

    (The name served the admin's log of each imported object, which the venue admin does not write:
    the venue's history records each import with its user.)
    """

    def add_instance_info(self, instance):
        if instance is not None:
            self.object_id = instance.pk
            self.object_repr = instance.name


class VenueResource(resources.ModelResource):
    """Venues to and from a sheet; an import in bulk mode, all rows or none.

    A row with a code updates that venue, one without adds a venue (codes reserved per kind, once per
    file). A column the file lacks keeps each venue's stored value, and a row that changes nothing is
    skipped (no write, no history row). Venues, amenity links and their history are written a batch
    at a time; the venues matched by code stay locked until the import ends.
    """

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
    # Optional; shown to the public, so exported unmasked (the contact person's phone is masked).
    public_phone = _field("public_phone", _("public contact phone"), TextWidget())
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
            "public_phone",
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
        instance_loader_class = VenueLoader
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
        self.history_date = None
        self.file_headers = ()
        self.file_fields = []  # the import fields whose column the file has
        self.plain_fields = set()  # those of them import_instance sets itself
        self.new_venue = None  # what init_instance copies
        self.absent_attributes = set()  # those of the fields whose column it lacks

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
        towns = list(Town.objects.all())
        town_widget = self.fields["town"].widget
        town_widget.objects_set(towns)
        town_widget.allowed_ids = self._allowed_town_ids(towns)
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
        return {town.pk for town in towns if can_edit_town(self.user, town.pk)}

    def _reserve_codes(self, dataset):
        """Codes for the new rows: one block per kind (next_venue_codes), taken once for the whole file."""
        kind_widget = self.fields["kind"].widget
        kinds = Counter()
        for code, kind_cell in zip(dataset[self.column("code")], dataset[self.column("kind")], strict=True):
            if _text(code):
                continue
            try:
                kind = kind_widget.clean(kind_cell)
            except ValueError:
                continue
            if kind:
                kinds[kind] += 1
        self.new_codes = {kind: iter(next_venue_codes(kind, count)) for kind, count in kinds.items()}

    def _next_code(self, kind) -> str:
        code = next(self.new_codes.get(kind, iter(())), None)
        if code is None:  # not foreseen by _reserve_codes; cannot happen with a consistent row
            self.new_codes[kind] = iter(next_venue_codes(kind, 1))
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

    def get_row_result_class(self):
        return VenueRowResult

    def init_instance(self, row=None):
        """A new venue: a copy of one made once per import (Venue() works out its 30 defaults again, 10 µs a row).

        The copies share the import's time as created_at. Only while nothing listens to Venue's init
        signals, which a copy does not send.
        """
        if self.new_venue is None:
            if signals.pre_init.has_listeners(Venue) or signals.post_init.has_listeners(Venue):
                return Venue()
            self.new_venue = Venue()
        venue = Venue.__new__(Venue)
        venue.__dict__.update(self.new_venue.__dict__)
        venue._state = ModelState()
        return venue

    def import_instance(self, instance, row, **kwargs):
        """Only the file's columns are imported: a column the file lacks keeps every venue's stored value."""
        instance._imported_amenity_ids = None  # no amenities column: the links stay as they are
        errors = {}
        for field in self._fields_in(row):
            try:
                if field in self.plain_fields:
                    # What Field.save() does for these, without its per-cell overhead (5 µs a cell).
                    value = field.widget.clean(row[field.column_name], row=row, **kwargs)
                    if value is not None or field.saves_null_values:
                        setattr(instance, field.attribute, value)
                else:
                    field.save(instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    def _fields_in(self, row) -> list:
        """The import fields whose column the file has, worked out once per file (the library checks each row)."""
        headers = tuple(row)
        if headers != self.file_headers:
            present = [field for field in self.get_import_fields() if field.column_name in row]
            self.file_headers = headers
            self.file_fields = [field for field in present if not field.readonly]
            self.plain_fields = {field for field in self.file_fields if _is_plain(field)}
            self.absent_attributes = {field.attribute for field in self.fields.values() if field not in present}
        return self.file_fields

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row that changes nothing on its venue is skipped: no write, no history row, the version stays."""
        if instance._state.adding or import_validation_errors:
            return False
        amenity_ids = instance._imported_amenity_ids
        return (
            _compared_values(instance) == instance._stored_values
            and instance.status == instance.derived_status()
            and (amenity_ids is None or amenity_ids == instance._stored_amenity_ids)
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean() per row (the model's rules: date order, hours...), errors keyed by column name.

        Unique and check constraints are left out: each would cost a query per row, the codes are
        assigned here, and the model's clean() already checks the dates the constraints guard.
        The columns the file lacks are not checked field by field: they keep the stored value (or the
        default, for a new venue), which the file did not give.
        """
        errors = dict(import_validation_errors or {})
        if instance.town_id is None and "town" not in errors:
            errors["town"] = [ValidationError(gettext("Enter the town."))]
        exclude = set(errors) | self.absent_attributes | set(NOT_CLEANED)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
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
        self._write_batch(self.create_instances, using_transactions, dry_run, raise_errors, result, update=False)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(self.update_instances, using_transactions, dry_run, raise_errors, result, update=True)

    def _write_batch(self, venues, using_transactions, dry_run, raise_errors, result, *, update):
        """A batch of venues, their amenities and (once confirmed) their history.

        Updates are an upsert on the primary key, one INSERT ... ON CONFLICT per batch: Django's
        bulk_update() builds a CASE WHEN per column and row, which took 97 s for 5,000 venues.
        """
        if not venues or not (using_transactions or not dry_run):
            return
        try:
            if update:
                upsert = {"update_conflicts": True, "unique_fields": ["id"], "update_fields": UPDATED_FIELDS}
                Venue.objects.bulk_create(venues, batch_size=BATCH_SIZE, **upsert)
            else:
                Venue.objects.bulk_create(venues, batch_size=BATCH_SIZE)
            self._write_amenities(venues, replace=update)
            if not dry_run:  # the preview is rolled back: its history would be thrown away
                self._write_history(venues, update=update)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            venues.clear()

    def _write_amenities(self, venues, *, replace):
        """The amenities of the venues whose row had the column (the others keep theirs)."""
        changed = [venue for venue in venues if venue._imported_amenity_ids is not None]
        if replace and changed:
            Venue.amenities.through.objects.filter(venue_id__in=[venue.pk for venue in changed]).delete()
        pairs = [(venue.pk, amenity_id) for venue in changed for amenity_id in venue._imported_amenity_ids]
        links_add(field=Venue._meta.get_field("amenities"), pairs=pairs)

    def _write_history(self, venues, *, update):
        """History as Venue.save() would leave it, the venue's and its amenities', with one date for the import."""
        self.history_date = self.history_date or timezone.now()
        history_copy(
            model=Venue,
            pks=[venue.pk for venue in venues],
            history_type="~" if update else "+",
            user=self.user,
            reason=self.history_reason,
            date=self.history_date,
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
            "public_phone": "010-69240000",
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
            "public_phone": gettext(
                "Optional: the venue's own phone, shown to the public (a landline with its area code, or a mobile)."
            ),
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


_header_key = header_key


def venue_template_workbook(resource: VenueResource) -> bytes:
    """The import template: the headers and one example row, and a sheet saying what each column takes."""
    return template_workbook(
        title=str(_("venues")),
        headers=resource.template_headers(),
        example=resource.template_example(),
        guide=resource.template_guide(),
    )
