from datetime import date

from django.core.management.base import BaseCommand, CommandError

from qms.reminders import run_sweeps, sweep_names


class Command(BaseCommand):
    help = (
        "Run the reminder sweeps now and send e-mails still waiting (what Celery beat does; "
        "without Redis, schedule this command with cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sweep", action="append", help="Only this sweep (repeatable).")
        parser.add_argument("--date", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, sweep=None, date=None, **options):
        unknown = set(sweep or []) - set(sweep_names())
        if unknown:
            raise CommandError(
                f"Unknown sweep: {', '.join(sorted(unknown))}. Known: {', '.join(sweep_names())}"
            )
        today = _parse(date) if date else None
        results = run_sweeps(today=today, names=sweep)
        for name, sent in results.items():
            state = "FAILED" if sent < 0 else f"{sent} sent"
            self.stdout.write(f"{name}: {state}")
        from qms.notifications import send_pending_emails

        self.stdout.write(f"pending e-mails: {send_pending_emails()} sent")
        if any(sent < 0 for sent in results.values()):
            raise CommandError("At least one sweep failed; see the log.")


def _parse(value: str):
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError("--date must look like 2026-11-20") from exc
