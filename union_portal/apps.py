from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnionPortalConfig(AppConfig):
    name = "union_portal"
    verbose_name = _("District and towns")
