"""Venues in the Django admin: listings with history, photos and money inline, Excel import and export.

Every changelist, form, history page and export starts from `visible_to(request.user)`: district
admins see every town; a town staff user given admin access would see only their own town.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from union_portal.admin import TownScopedAdminMixin
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit, VersionedModelForm
from union_portal.spreadsheet_files import dated_file_name, name_as_download, xlsx_response
from union_portal.spreadsheets import BLANK_RUN_LIMIT, SpreadsheetError
from union_portal.uploads import PHOTO, UploadField

from .models import Amenity, Venue, VenueActivity, VenueFunding, VenueHonour, VenuePhoto
from .resources import (
    ShortLivedCacheStorage,
    VenueCSV,
    VenueResource,
    VenueXLSX,
    venue_template_workbook,
)

# --- forms ---------------------------------------------------------------------------------


class VenueAdminForm(VersionedModelForm):
    """Refuses a save over a row someone else saved after this form was opened."""

    class Meta:
        model = Venue
        fields = "__all__"

    def clean(self):
        if self.instance.pk and not transaction.get_autocommit():
            # Lock the row for the rest of the admin's transaction, so no save slips in between
            # this version check and ours.
            Venue._base_manager.select_for_update().filter(pk=self.instance.pk).values_list("pk").first()
        return super().clean()


class VenuePhotoForm(forms.ModelForm):
    # The shared photo check rather than Django's ImageField, which accepts any format Pillow opens.
    image = UploadField(rule=PHOTO, label=_("photo"), widget=AdminFileWidget(attrs={"accept": PHOTO.accept_attribute}))

    class Meta:
        model = VenuePhoto
        fields = ["image", "caption", "order"]


class VenueImportForm(ImportForm):
    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner  # the importing user, to whom the preview's stored rows are bound

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        upload.owner_id = getattr(self.owner, "pk", None)  # read by VenueAdmin.write_to_tmp_storage
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; at most %(limit)d MB can be imported."),
                params={"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
                code="import_too_big",
            )
        return upload


# --- list filters --------------------------------------------------------------------------


class BuiltYearFilter(admin.SimpleListFilter):
    title = _("year built")
    parameter_name = "built_year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().dates("built_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(built_on__year=int(value))
        return queryset


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by("-year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(year=int(value))
        return queryset


class ActivityYearFilter(BuiltYearFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).order_by().dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


# --- inlines -------------------------------------------------------------------------------


class VenuePhotoInline(admin.TabularInline):
    model = VenuePhoto
    form = VenuePhotoForm
    extra = 0
    fields = ["preview", "image", "caption", "order"]
    readonly_fields = ["preview"]

    @admin.display(description=_("thumbnail"))
    def preview(self, photo):
        if photo.pk and photo.thumbnail:
            return format_html('<img src="{}" alt="{}" width="120">', photo.thumbnail.url, photo)
        return "—"


class VenueFundingInline(admin.TabularInline):
    model = VenueFunding
    extra = 0
    fields = ["year", "kind", "source", "amount", "purpose"]


class VenueHonourInline(admin.TabularInline):
    model = VenueHonour
    extra = 0
    fields = ["year", "title", "level", "status"]


class VenueActivityInline(admin.TabularInline):
    model = VenueActivity
    extra = 0
    fields = ["date", "kind", "title", "sessions", "person_times"]


# --- venues --------------------------------------------------------------------------------


@admin.register(Venue)
class VenueAdmin(TownScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    form = VenueAdminForm
    list_display = ["code", "name", "kind", "town", "status", "built_on", "is_mobile", "is_24h"]
    list_display_links = ["code", "name"]
    search_fields = ["name", "code", "address", "host_name"]
    list_filter = [
        "kind",
        ("town", admin.RelatedOnlyFieldListFilter),
        "status",
        BuiltYearFilter,
        "amenities",
        "is_mobile",
    ]
    list_select_related = ["town"]
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["enterprise"]
    readonly_fields = ["code", "status", "created_at"]
    fieldsets = [
        (None, {"fields": ["version", "code", "kind", "name", "town", "status"]}),
        (_("host"), {"fields": ["host_type", "host_name", "enterprise"]}),
        (_("address"), {"fields": ["address", ("longitude", "latitude")]}),
        (
            _("opening hours"),
            {"fields": ["opening_hours", "is_24h", ("opens_at", "closes_at"), "amenities", "seats", "is_mobile"]},
        ),
        (_("contact"), {"fields": ["contact_name", "contact_phone", "public_phone", "description"]}),
        (
            _("lifecycle"),
            {
                "fields": [
                    "planned_on",
                    "built_on",
                    ("accepted_on", "acceptance_result"),
                    ("closed_on", "closed_reason"),
                    "created_at",
                ]
            },
        ),
    ]
    inlines = [VenuePhotoInline, VenueFundingInline, VenueHonourInline, VenueActivityInline]

    # import / export
    resource_classes = [VenueResource]
    formats = [VenueXLSX, VenueCSV]
    import_form_class = VenueImportForm
    import_template_name = "admin/stations/venue/import.html"
    export_form_class = ExportForm  # every column; the field picker needs inline script, which the CSP forbids
    tmp_storage_class = ShortLivedCacheStorage
    # The venue's history records each imported row with its user and file; an admin log entry per
    # row besides took a fifth of the confirm step of a 5,000-row import.
    skip_admin_log = True

    def get_form(self, request, obj=None, change=False, **kwargs):
        # "version" is the form's own hidden field: shown through the fieldsets, not a model form field.
        fields = kwargs.pop("fields", None) or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [field for field in fields if field != "version"]
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_reverting_venue", False):
            return _form_with_current_version(form)
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "amenities":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            # Lost the race between the form's version check and the save: nothing was saved.
            self.message_user(request, STALE_EDIT_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # history: TownScopedAdminMixin checks the visibility, also of deleted venues

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._reverting_venue = True
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleEdit:
            self.message_user(request, STALE_EDIT_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # import / export

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # all or nothing, also at the confirm step
        return kwargs

    def get_urls(self):
        info = self.get_model_info()
        own = [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
        ]
        return own + super().get_urls()

    def import_template_view(self, request):
        """The xlsx to fill in: the headers, one example row, and what each column takes."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        workbook = venue_template_workbook(VenueResource(user=request.user))
        return xlsx_response(workbook, file_name=gettext("venue import template") + ".xlsx")

    def get_export_filename(self, request, queryset, file_format):
        return dated_file_name(gettext("venue ledger"), file_format.get_extension())

    def export_action(self, request):
        response = super().export_action(request)
        if response.has_header("Content-Disposition"):
            # The library writes filename="..." as is: a Chinese name needs RFC 5987's filename*=.
            name_as_download(response, self.get_export_filename(request, None, self._export_format(request)))
        return response

    def _export_format(self, request):
        formats = self.get_export_formats()
        choice = request.POST.get("format", "0")
        return formats[int(choice) if choice.isdigit() and int(choice) < len(formats) else 0]()

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "owner": request.user}

    def write_to_tmp_storage(self, import_file, input_format):
        """The upload, read once, into the preview store as its rows (the confirm step reads no file again).

        A file that cannot be read is not stored: the library reads it again from this storage
        and shows why it was refused.
        """
        storage = self.get_tmp_storage_class()(
            read_mode=input_format.get_read_mode(), **self.get_tmp_storage_class_kwargs()
        )
        data = b"".join(import_file.chunks())  # once: the library concatenates chunk by chunk
        try:
            sheet = input_format.stored_sheet(data, owner_id=getattr(import_file, "owner_id", None))
        except Exception:  # whatever the reader raises, the library's own read reports it
            storage.hold(data)
        else:
            storage.save(sheet)
        return storage

    def process_dataset(self, dataset, form, request, **kwargs):
        """The confirm step: the preview's rows are only for the user who uploaded them."""
        stored = getattr(dataset, "stored_sheet", None)
        if stored is not None:
            stored.owner_check(request.user)
        return super().process_dataset(dataset, form, request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                gettext("The file could not be read. Save it as .xlsx (or UTF-8 CSV) and choose the matching format."),
            )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        self._forget_refused_upload(response)
        return response

    def _forget_refused_upload(self, response):
        """A file with errors will not be confirmed: drop its cached copy (personal data) at once."""
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if "confirm_form" in context or not getattr(form, "cleaned_data", None):
            return
        name = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
        if name:
            self.get_tmp_storage_class()(name=name).remove()

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except SpreadsheetError as error:
            name = request.POST.get("import_file_name")
            if name:  # the refused copy (personal data) is not kept for its hour
                self.get_tmp_storage_class()(name=name).remove()
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(self._admin_url("import"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The rows changed between preview and confirmation: nothing was written; say why.
            context = {
                **self.admin_site.each_context(request),
                "title": _("Import"),
                "opts": self.model._meta,
                "form": self.get_import_form_class(request)(
                    self.get_import_formats(), self.get_import_resource_classes(request)
                ),
                "result": result,
                "import_error_display": self.import_error_display,
                "fields_list": [],
                "template_url": self._admin_url("import_template"),
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def _admin_url(self, name):
        app_label, model_name = self.get_model_info()
        return reverse(f"admin:{app_label}_{model_name}_{name}")

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["template_url"] = self._admin_url("import_template")
        context["import_limits"] = {
            "rows": settings.IMPORT_MAX_ROWS,
            "megabytes": settings.IMPORT_MAX_BYTES // 1024 // 1024,
            "blank_run": BLANK_RUN_LIMIT,
        }
        return context


def _form_with_current_version(form_class):
    """Reverting to an old version starts from the row's current version, not the old one's."""

    class RevertForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk:
                current = Venue._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True).first()
                self.fields["version"].initial = current

    return RevertForm


# --- reference data and the venue children's own lists ------------------------------------


@admin.register(Amenity)
class AmenityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code"]


class VenueChildAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    autocomplete_fields = ["venue"]
    list_select_related = ["venue", "venue__town"]
    search_fields = ["venue__name", "venue__code"]
    show_full_result_count = False

    @admin.display(description=_("town"), ordering="venue__town__order")
    def town(self, record):
        return record.venue.town


@admin.register(VenueFunding)
class VenueFundingAdmin(VenueChildAdmin):
    list_display = ["venue", "town", "year", "kind", "source", "amount", "purpose"]
    list_filter = [YearFilter, "kind", "source", ("venue__town", admin.RelatedOnlyFieldListFilter)]


@admin.register(VenueHonour)
class VenueHonourAdmin(VenueChildAdmin):
    list_display = ["venue", "town", "year", "title", "level", "status"]
    list_filter = [YearFilter, "level", "status", ("venue__town", admin.RelatedOnlyFieldListFilter)]


@admin.register(VenueActivity)
class VenueActivityAdmin(VenueChildAdmin):
    list_display = ["venue", "town", "date", "kind", "title", "sessions", "person_times"]
    list_filter = [ActivityYearFilter, "kind", ("venue__town", admin.RelatedOnlyFieldListFilter)]
