"""What every page's layout needs: the district's name and the navigation the user may use."""

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .access import Role, can_export_personal_data, role_of
from .models import District

STAFF_ROLES = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF, Role.LEADERSHIP}


@dataclass(frozen=True)
class NavItem:
    label: str
    view_name: str
    roles: frozenset

    def url(self):
        try:
            return reverse(self.view_name)
        except NoReverseMatch:
            return None


NAVIGATION = [
    NavItem(_("Start"), "home", frozenset(STAFF_ROLES)),
    NavItem(_("Venues"), "stations:venue_list", frozenset(STAFF_ROLES)),
    NavItem(_("Disputes"), "disputes:home", frozenset(STAFF_ROLES)),
    NavItem(_("Benefits"), "benefits:home", frozenset(STAFF_ROLES)),
    NavItem(_("Annual summary"), "summary", frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.LEADERSHIP})),
    NavItem(_("Find a venue"), "venues:finder", frozenset({None, *STAFF_ROLES})),
    NavItem(_("Administration"), "admin:index", frozenset({Role.DISTRICT_ADMIN})),
]


def navigation_for(user) -> list[dict]:
    role = role_of(user)
    items = []
    for item in NAVIGATION:
        url = item.url()
        if url and role in item.roles:
            items.append({"label": item.label, "url": url})
    return items


def portal(request):
    """Lazy values, each computed at most once a request: the layout uses some of them several times."""

    @cache
    def district_name():
        district = District.objects.only("name").first()
        return district.name if district else ""

    return {
        "nav_items": cache(lambda: navigation_for(request.user)),
        "district_name": district_name,
        "user_role": cache(lambda: role_of(request.user)),
        # The user's export and import jobs (我的导出与导入), for whoever may export (the roles that import): a job left
        # running is found again from every page.
        "my_exports_url": cache(lambda: reverse("exports:mine") if can_export_personal_data(request.user) else ""),
    }
