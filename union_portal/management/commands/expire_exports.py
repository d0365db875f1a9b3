"""Delete the files of export jobs past their keeping time (settings.EXPORT_KEEP_HOURS).

Each job and each new export sweeps as well; run this from cron (hourly, say) so that files of a portal nobody uses
for a while go too.
"""

from django.core.management.base import BaseCommand

from union_portal.exports.jobs import exports_expire


class Command(BaseCommand):
    help = "Delete expired export files (kept EXPORT_KEEP_HOURS)."

    def handle(self, *args, **options):
        count = exports_expire()
        self.stdout.write(f"{count} expired export(s) deleted.")
