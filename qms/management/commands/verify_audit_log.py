from django.core.management.base import BaseCommand

from qms.security_log import verify_chain


class Command(BaseCommand):
    help = (
        "Check the hash chain of the security log. Exits non-zero and names the first "
        "broken entry if any entry was edited or removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            help="SEQUENCE:HASH recorded earlier; detects entries cut off the end of the log.",
        )

    def handle(self, *args, expect_head=None, **options):
        report = verify_chain()
        if not report.intact:
            problem = {
                "missing": "is missing (removed)",
                "relinked": "does not link to the entry before it",
                "altered": "was altered after it was written",
            }[report.first_break.problem]
            self.stderr.write(f"BROKEN: entry #{report.first_break.sequence} {problem}.")
            raise SystemExit(1)
        if expect_head:
            sequence, _, digest = expect_head.partition(":")
            from qms.models import SecurityEvent

            anchor = SecurityEvent.objects.filter(sequence=int(sequence)).first()
            if anchor is None or anchor.entry_hash != digest:
                self.stderr.write(f"BROKEN: recorded head #{sequence} is not in the log any more.")
                raise SystemExit(1)
        self.stdout.write(
            f"OK: {report.checked} entries, head #{report.head_sequence} {report.head_hash}"
        )
