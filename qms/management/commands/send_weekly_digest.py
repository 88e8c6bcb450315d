from django.core.management.base import BaseCommand

from qms.digest import send_weekly_digest


class Command(BaseCommand):
    help = "Send this week's digest of what is due or overdue (once per person per week)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_weekly_digest()} digests sent")
