"""Admin for benefits: hardship files for correction by district admins; the aid ledger read only.

Payments are entered, approved, posted and reversed through `benefits.services` only, so the admin
offers no add, change or delete of a payment: a posted one is final, and one not yet posted is the
business of the two people signing it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from union_portal.admin import ReadOnlyAdminMixin, TownScopedAdminMixin

from .models import AidPayment, HardshipFile


@admin.register(HardshipFile)
class HardshipFileAdmin(TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["applicant_name", "town", "status", "level", "last_checked_on"]
    list_filter = ["status", "level", "town"]
    search_fields = ["applicant_name", "=id_number"]
    list_select_related = ["town"]
    show_full_result_count = False


@admin.register(AidPayment)
class AidPaymentAdmin(ReadOnlyAdminMixin, TownScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["voucher_number", "file", "programme", "amount", "paid_on", "state", "town"]
    list_filter = ["state", "programme", "funding_source", "town"]
    search_fields = ["=voucher_number", "file__applicant_name"]
    list_select_related = ["file__town", "town"]
    raw_id_fields = ["file", "reverses"]
    show_full_result_count = False
