from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("Member benefits and assistance")

    def ready(self):
        from .triggers import install_sqlite_ledger_triggers

        post_migrate.connect(install_sqlite_ledger_triggers, sender=self)
