"""Load the demo district, users and every app's demo records. Idempotent: a second run changes nothing."""

import importlib

from django.core.management.base import BaseCommand

from union_portal import demo

# Each app may offer `<app>.demo.load(district, stdout)`; the command calls them in this order.
APP_DEMOS = ["stations", "disputes", "benefits"]


class Command(BaseCommand):
    help = "Load the Daxing demo data and one demo user per role (safe to run twice)."

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
        self.stdout.write(self.style.SUCCESS("Demo logins (http://127.0.0.1:8000/accounts/login/):"))
        for username, password, role in logins:
            self.stdout.write(f"  {role:<10} {username:<10} {password}")
