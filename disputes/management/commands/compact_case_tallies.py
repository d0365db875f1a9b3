"""Fold the case tallies into one row per group (hourly, beside expire_exports); `--check` compares them with the
cases, `--rebuild` counts every case again."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from disputes.models import Case, CaseTally

GROUP = ("town_id", "year", "status", "handling_body")


def tally_differences() -> list[tuple]:
    """The groups whose tallied count or sums differ from the cases' own: [(group, tallied, counted)]."""
    tallied = {
        tuple(row[name] for name in GROUP): (row["cases"], row["headcount"], row["amount"])
        for row in CaseTally.objects.values(*GROUP).annotate(
            cases=Sum("cases"), headcount=Sum("headcount"), amount=Sum("amount_claimed")
        )
        if row["cases"] or row["headcount"] or row["amount"]
    }
    counted = {
        tuple(row[name] for name in GROUP): (row["cases"], row["headcount"], row["amount"])
        for row in Case.objects.order_by()
        .annotate(year=ExtractYear("received_on"))
        .values(*GROUP)
        .annotate(cases=Count("pk"), headcount=Sum("headcount"), amount=Sum("amount_claimed"))
    }
    return [
        (group, tallied.get(group), counted.get(group))
        for group in sorted(set(tallied) | set(counted), key=str)
        if tallied.get(group) != counted.get(group)
    ]


class Command(BaseCommand):
    help = "Fold the case list's tallies (PostgreSQL) into one row per group; --check or --rebuild them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="compare the tallies with the cases; exit 1 if any differs"
        )
        parser.add_argument("--rebuild", action="store_true", help="count every case again")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite keeps no case tallies: the lists sum the cases.")
            return
        if options["rebuild"]:
            CaseTally.objects.rebuild()
        if options["check"]:
            differences = tally_differences()
            for group, tallied, counted in differences:
                self.stderr.write(f"{group}: tallied {tallied}, cases {counted}")
            if differences:
                raise CommandError(f"{len(differences)} groups differ: run with --rebuild")
            self.stdout.write("The case tallies agree with the cases.")
            return
        self.stdout.write(f"Case tallies: {CaseTally.objects.compact()} rows.")
