from django.core.management.base import BaseCommand

from planning.services import measure_all_live


class Command(BaseCommand):
    help = "Measure every objective whose values the portal computes (what beat runs nightly)."

    def handle(self, *args, **options):
        changed = measure_all_live()
        self.stdout.write(f"{changed} values changed")
