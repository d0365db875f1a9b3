"""Delete the files of export jobs past their keeping time (settings.EXPORT_KEEP_HOURS), and the task queue's
results of tasks finished longer ago than that.

Each job and each new export sweeps the files as well; run this from cron (hourly, say) so that files of a portal
nobody uses for a while go too, and the queue's table does not grow with every job ever run.
"""

from django.core.management.base import BaseCommand

from union_portal.exports.jobs import exports_expire, task_results_prune


class Command(BaseCommand):
    help = "Delete expired export files (kept EXPORT_KEEP_HOURS) and the results of tasks finished before then."

    def handle(self, *args, **options):
        count = exports_expire()
        self.stdout.write(f"{count} expired export(s) deleted.")
        pruned = task_results_prune()
        self.stdout.write(f"{pruned} finished task result(s) pruned.")
