"""Admin for disputes: reference data, bargaining records, and cases for correction (intake is on the portal pages)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from union_portal.admin import TownScopedAdminMixin, year_filter
from union_portal.concurrency import STALE_EDIT_MESSAGE, StaleEdit

from .models import (
    BargainingInstructor,
    BargainingYear,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseWorker,
    ClaimKind,
    SupervisionInspection,
    WageAgreement,
)


class CaseWorkerInline(admin.TabularInline):
    model = CaseWorker
    extra = 0
    fields = ["name", "id_number", "phone", "is_representative"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["happened_on", "kind", "from_status", "to_status", "text", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseAttachmentInline(admin.TabularInline):
    model = CaseAttachment
    extra = 0
    can_delete = False
    fields = ["download", "description", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, attachment):
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment.original_name)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["number", "received_on", "town", "handling_body", "employer", "status", "due_on", "dossier_kind"]
    list_filter = [
        year_filter("received_on", _("year received")),
        "handling_body",
        "status",
        "dossier_kind",
        "is_collective",
        "town",
    ]
    search_fields = ["number", "employer__name", "employer__credit_code", "dossier_number"]
    list_select_related = ["town", "employer"]
    raw_id_fields = ["employer"]
    autocomplete_fields = ["assigned_to"]
    show_full_result_count = False
    readonly_fields = [
        "number",
        "status",
        "outcome",
        "amount_recovered",
        "closed_on",
        "refusal_reason",
        "dossier_kind",
        "archived_on",
        "limitation_on",
        "due_on",
        "arbitration_extended",
        "arbitration_extension_reason",
        "last_activity_at",
        "created_at",
        "created_by",
        "version",
    ]
    filter_horizontal = ["claim_kinds"]
    inlines = [CaseWorkerInline, CaseEventInline, CaseAttachmentInline]

    def has_add_permission(self, request):
        return False  # cases are opened on the portal's intake page, which numbers them

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:  # someone saved the case between this form's load and its save: nothing was saved
            self.message_user(request, STALE_EDIT_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request._reverting_case = True
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except StaleEdit:
            self.message_user(request, STALE_EDIT_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if getattr(request, "_reverting_case", False):
            # The old record carries the version of its day; reverting is a new edit of the current row.
            obj.version = Case._base_manager.filter(pk=obj.pk).values_list("version", flat=True).get()
        super().save_model(request, obj, form, change)


@admin.register(ClaimKind)
class ClaimKindAdmin(SimpleHistoryAdmin):
    list_display = ["code", "order"]
    list_editable = ["order"]


@admin.register(BargainingYear)
class BargainingYearAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["year", "enterprise", "employees", "meets_model_standard"]
    list_filter = ["year", "meets_model_standard", "enterprise__town"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise__town"]
    autocomplete_fields = ["enterprise"]
    show_full_result_count = False


@admin.register(WageAgreement)
class WageAgreementAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["enterprise", "signed_on", "starts_on", "ends_on"]
    list_filter = ["enterprise__town"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "starts_on"
    show_full_result_count = False


@admin.register(BargainingInstructor)
class BargainingInstructorAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "level", "town", "appointed_on", "left_on"]
    list_filter = ["level", "town"]
    search_fields = ["name"]
    list_select_related = ["town"]


@admin.register(SupervisionInspection)
class SupervisionInspectionAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "town", "inspected_with", "unions_count"]
    list_filter = ["town"]
    date_hierarchy = "date"
    autocomplete_fields = ["unions_covered"]
    list_select_related = ["town"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(unions_count=Count("unions_covered"))

    @admin.display(description=_("secondary unions covered"), ordering="unions_count")
    def unions_count(self, inspection):
        return inspection.unions_count
