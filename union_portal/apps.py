from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class UnionPortalConfig(AppConfig):
    name = "union_portal"
    verbose_name = _("District and towns")

    def ready(self):
        from django.apps import apps

        from union_portal import choice_labels

        choice_labels.install(m for m in apps.get_models() if m._meta.app_label in choice_labels.APPS)


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's own site (district admins only); named in INSTALLED_APPS."""

    default = False  # not the configuration of the union_portal app itself

    default_site = "union_portal.admin_site.PortalAdminSite"
