"""Check the aid ledger's kept sums against its posted entries (benefits/sums.py), and rebuild them if asked.

`manage.py payment_sums` recomputes the sums of every (year, town, programme, funding source) from the entries and
compares them with the kept ones to the fen, in one statement; it lists each key that differs and exits with an
error if any does. `--rebuild` then writes the sums anew from the entries (posts wait meanwhile, reads go on).
"""

from django.core.management.base import BaseCommand, CommandError

from benefits import sums


class Command(BaseCommand):
    help = "Compare the aid ledger's kept sums with its posted entries; --rebuild writes them anew from the entries."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="write the kept sums anew from the entries")

    def handle(self, *args, rebuild=False, **options):
        differences = sums.compare()
        for difference in differences:
            self.stdout.write(f"{difference.key}: kept {difference.kept}, entries {difference.rows}")
        if rebuild:
            keys = sums.rebuild()
            self.stdout.write(f"Kept sums rebuilt from the entries: {keys} keys.")
            return
        if differences:
            raise CommandError(
                f"{len(differences)} key(s) of the kept sums differ from the entries: run payment_sums --rebuild."
            )
        self.stdout.write("The kept sums equal the posted entries.")
