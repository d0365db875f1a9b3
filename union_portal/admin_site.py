"""The admin site of the portal: for district admins only (DOMAIN.md §1), whatever flags an account carries."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .access import is_district_admin


class PortalAdminSite(admin.AdminSite):
    site_header = _("Union portal administration")
    site_title = _("Union portal")
    index_title = _("Administration")

    def has_permission(self, request):
        """Town staff, district staff and leadership work on the portal's own pages, scoped by visible_to();
        the admin's history, revert and export pages reach every town, so an `is_staff` flag given to
        anyone else by mistake must not open them."""
        return super().has_permission(request) and is_district_admin(request.user)
