"""Admin for benefits: records for correction by district admins; the aid ledger and re-checks read only.

Payments are entered, approved, posted and reversed through `benefits.services` only, so the admin
offers no add, change or delete of a payment: a posted one is final, and one not yet posted is the
business of the two people signing it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from union_portal.admin import ReadOnlyAdminMixin, TownScopedAdminMixin

from .models import (
    AidPayment,
    ChildcareClass,
    CultureEvent,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    JobFair,
    Member,
    MemberActivity,
    Merchant,
    MinimumAllowance,
    PurchasedService,
    Recheck,
    ServiceCard,
    WechatActivity,
)


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0
    fields = ["name", "id_number", "relation", "monthly_income", "health"]


@admin.register(HardshipFile)
class HardshipFileAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["applicant_name", "town", "status", "level", "last_checked_on"]
    list_filter = ["status", "level", "town"]
    search_fields = ["applicant_name", "=id_number"]
    list_select_related = ["town"]
    show_full_result_count = False
    raw_id_fields = ["submitted_by", "reviewed_by"]
    inlines = [HouseholdMemberInline]


@admin.register(AidPayment)
class AidPaymentAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["voucher_number", "file", "programme", "amount", "paid_on", "state", "town"]
    list_filter = ["state", "programme", "funding_source", "town"]
    search_fields = ["=voucher_number", "file__applicant_name"]
    list_select_related = ["file__town", "town"]
    raw_id_fields = ["file", "reverses"]
    show_full_result_count = False


@admin.register(MinimumAllowance)
class MinimumAllowanceAdmin(SimpleHistoryAdmin):
    """The year's minimum living allowance, kept by district admins: the file levels are computed from it."""

    list_display = ["year", "monthly_amount"]
    ordering = ["-year"]


@admin.register(HomeVisit)
class HomeVisitAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["file", "visited_on", "visitors"]
    list_filter = ["visited_on"]
    search_fields = ["file__applicant_name", "visitors"]
    list_select_related = ["file__town"]
    raw_id_fields = ["file", "recorded_by"]


@admin.register(Recheck)
class RecheckAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    """Re-checks are steps of a file's workflow (benefits.services.file_recheck): looked at here, never edited."""

    list_display = ["file", "checked_on", "level_before", "level_after"]
    list_select_related = ["file__town"]


@admin.register(Member)
class MemberAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "town", "union_name"]
    list_filter = ["town"]
    search_fields = ["name", "=id_number", "=phone"]
    list_select_related = ["town"]
    show_full_result_count = False


@admin.register(ServiceCard)
class ServiceCardAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    """Cards are issued, reported lost and reissued on the member's page (benefits.services), which numbers them."""

    list_display = ["number", "member", "issued_on", "status"]
    list_filter = ["status"]
    search_fields = ["=number", "member__name"]
    list_select_related = ["member"]
    show_full_result_count = False


@admin.register(Merchant)
class MerchantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "contract_start", "contract_end", "status"]
    list_filter = ["category", "status"]
    search_fields = ["name"]


@admin.register(MemberActivity)
class MemberActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "held_on", "channel", "person_times", "beneficiaries"]
    list_filter = ["channel"]
    search_fields = ["title"]


@admin.register(ChildcareClass)
class ChildcareClassAdmin(SimpleHistoryAdmin):
    list_display = ["town", "year", "classes", "children"]
    list_filter = ["year", "town"]
    list_select_related = ["town"]


@admin.register(JobFair)
class JobFairAdmin(SimpleHistoryAdmin):
    list_display = ["title", "held_on", "jobs_offered", "intentions_signed"]
    search_fields = ["title"]


@admin.register(PurchasedService)
class PurchasedServiceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "provider", "year", "contract_sum", "person_times"]
    list_filter = ["year"]
    search_fields = ["title", "provider"]


@admin.register(WechatActivity)
class WechatActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "held_on", "participants", "beneficiaries"]
    search_fields = ["title"]


@admin.register(CultureEvent)
class CultureEventAdmin(SimpleHistoryAdmin):
    list_display = ["item", "category", "year", "spend", "events", "participants"]
    list_filter = ["year", "category"]
    search_fields = ["item"]
