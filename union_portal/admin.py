from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import District, Enterprise, StaffProfile, Town


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
