from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .access import NO_TOWN, town_condition, town_scope, towns_for
from .models import District, Enterprise, Sequence, StaffProfile, SummarySignoff, Town


class TownScopedAdminMixin:
    """An admin that shows each user what `visible_to` lets them see (DESIGN.md, contract 1).

    The changelist and every page of one record (change, delete: Django finds the record in
    `get_queryset`), the choices of foreign keys (towns, and any model with `visible_to`), and the
    history pages, also of a deleted record, which only its history rows still place in a town.
    Put it before the admin classes in the bases; the model's queryset must be a TownScopedQuerySet.
    """

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            related = db_field.related_model
            if related is Town:
                kwargs["queryset"] = towns_for(request.user)
            elif hasattr(related._default_manager.all(), "visible_to"):
                kwargs["queryset"] = related._default_manager.all().visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        self.check_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def check_visible(self, request, object_id):
        """Http404 unless every version of the record lies in the user's towns.

        Every version, not only the last: a record moved from another town keeps that town's data
        in its history.
        """
        scope = town_scope(request.user)
        if scope is None:
            return
        if scope == NO_TOWN or not str(object_id).isdigit():
            raise Http404
        queryset = self.model._default_manager.all()
        lookup = f"{queryset.town_lookup}_id"
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        versions = history.filter(**{self.model._meta.pk.attname: object_id})
        visible = town_condition(request.user, lookup, include_townless=queryset.include_townless)
        if not versions.exists() or versions.exclude(visible).exists():
            raise Http404


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name"]


@admin.register(Town)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "order", "district"]
    list_editable = ["order"]
    list_filter = ["kind", "district"]
    search_fields = ["name"]
    list_select_related = ["district"]


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "town", "headcount", "industry"]
    list_filter = ["town"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["town"]
    show_full_result_count = False


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = _("role in the portal")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "staff_role", "staff_town", "is_active", "last_login"]
    list_select_related = ["staff_profile__town"]

    @admin.display(description=_("role"))
    def staff_role(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("town"))
    def staff_town(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.town if profile and profile.town else "—"


class ReadOnlyAdminMixin:
    """An admin to look at only: records written by services (counters, the aid ledger) are never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The number sequences, to look at only: a counter set back would hand out used numbers again.

    No history (the admin-pages test lists it): counters move by queryset updates, and nobody edits them.
    """

    list_display = ["key", "last"]
    search_fields = ["key"]


@admin.register(SummarySignoff)
class SummarySignoffAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """The sign-offs of the annual summary, to look at only: they are made and withdrawn on the summary page.

    The frozen figures are not shown here (thousands of numbers); the history keeps withdrawn sign-offs.
    """

    list_display = ["year", "signed_by", "signed_at", "checksum"]
    list_select_related = ["signed_by"]
    fields = ["year", "signed_by", "signed_at", "checksum", "figures_frozen"]
    readonly_fields = fields

    @admin.display(description=_("figures frozen"))
    def figures_frozen(self, signoff):
        try:
            return len(signoff.snapshot["district"]) + sum(len(rows) for rows in signoff.snapshot["towns"].values())
        except (KeyError, TypeError, AttributeError):  # a snapshot altered beyond reading (the page warns)
            return "—"
