"""Load the demo district, users and every app's demo records. Idempotent: a second run changes nothing."""

import importlib
import os

from django.core.management.base import BaseCommand
from django.urls import reverse

from union_portal import demo

# Each app may offer `<app>.demo.load(district, stdout)`; the command calls them in this order.
APP_DEMOS = ["stations", "disputes", "benefits"]


class Command(BaseCommand):
    help = "Load the Daxing demo data and one demo user per role (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000"),
            help="Where the portal is served, for the login address printed at the end (make run passes its port).",
        )

    def handle(self, *args, **options):
        district = demo.load_district()
        for app in APP_DEMOS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.load(district, self.stdout)
        logins = demo.load_users(district)
        login_url = options["base_url"].rstrip("/") + reverse("login")
        self.stdout.write(self.style.SUCCESS(f"Demo logins ({login_url}):"))
        for username, password, role in logins:
            self.stdout.write(f"  {role:<10} {username:<10} {password}")
