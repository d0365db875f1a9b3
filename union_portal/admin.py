import datetime

from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Max, Min
from django.http import Http404
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from .access import NO_TOWN, town_condition, town_scope, towns_for
from .models import District, Enterprise, Sequence, StaffProfile, SummarySignoff, Town
from .pagination import PortalPaginator


def year_filter(field_name: str, title):
    """A changelist filter by the year of a date field, instead of `date_hierarchy`: the hierarchy lists its years
    with a DISTINCT over every row (73 ms for 210,000 cases), this one from the field's first and last dates (two
    index lookups); a year is a range on the field, so it goes by the same index."""

    class YearFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            bounds = model_admin.get_queryset(request).aggregate(first=Min(field_name), last=Max(field_name))
            if bounds["first"] is None:
                return []
            return [(str(year), str(year)) for year in range(bounds["last"].year, bounds["first"].year - 1, -1)]

        def queryset(self, request, queryset):
            value = self.value()
            if not value or not value.isdigit() or not 1900 < int(value) < 3000:
                return queryset
            year = int(value)
            return queryset.filter(
                **{f"{field_name}__gte": datetime.date(year, 1, 1), f"{field_name}__lt": datetime.date(year + 1, 1, 1)}
            )

    YearFilter.title = title
    return YearFilter


class TownScopedAdminMixin:
    """An admin that shows each user what `visible_to` lets them see (DESIGN.md, contract 1).

    The changelist and every page of one record (change, delete: Django finds the record in
    `get_queryset`), the choices of foreign keys (towns, and any model with `visible_to`), and the
    history pages, also of a deleted record, which only its history rows still place in a town.
    Put it before the admin classes in the bases; the model's queryset must be a TownScopedQuerySet.
    These are the big tables, so the changelist pages by the kit's paginator (any page as fast as the first).
    """

    paginator = PortalPaginator

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


# django-axes names its app "Axes" (no verbose_name, so nothing to translate): the admin index and breadcrumbs
# show this instead.
django_apps.get_app_config("axes").verbose_name = _("Login protection")

# Django stores a permission's name in English ("Can add venue"): the permission lists of users and groups name
# each by its app, model and action in Chinese instead.
PERMISSION_ACTIONS = {
    "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"),
    "delete": pgettext_lazy("permission", "delete"),
    "view": pgettext_lazy("permission", "view"),
}


def permission_label(permission) -> str:
    """工会阵地 | 阵地 | 添加 for "stations | venue | Can add venue"; a model's own permission by its translated name."""
    model = permission.content_type.model_class()
    if model is None:  # a content type whose model is gone
        return str(permission)
    action, _sep, model_name = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        what = PERMISSION_ACTIONS[action]
    else:
        what = gettext(permission.name)
    app = gettext(str(model._meta.app_config.verbose_name))  # a third-party app's plain name, by our catalogue
    return f"{app} | {model_name_of(model)} | {what}"


def model_name_of(model) -> str:
    """A model's name; for django-simple-history's copy of a model, "阵地的历史记录" (its own is "historical 阵地")."""
    original = getattr(model, "instance_type", None)
    if original is not None:
        return _("%(name)s history") % {"name": original._meta.verbose_name}
    return str(model._meta.verbose_name)


class ChinesePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in {"permissions", "user_permissions"}:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)
# The task queue's table (django-tasks' database backend) is the worker's, not an admin's: the jobs people start
# are shown on their own pages (我的导出与导入 and each job's page), and a row edited here would confuse the worker.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Group)
class PortalGroupAdmin(ChinesePermissionsMixin, GroupAdmin):
    pass


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(ChinesePermissionsMixin, UserAdmin):
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

    def has_module_permission(self, request):
        """Not on the admin index (an internal table nobody works in); a superuser reaches it by its URL."""
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


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
