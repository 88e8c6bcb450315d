from django.core.management.base import BaseCommand, CommandError

from qms.evidence import verify_pack


class Command(BaseCommand):
    help = "Check an evidence pack (ZIP) against its manifest.json: SHA-256 and size of every file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the pack's ZIP file")

    def handle(self, *args, path: str, **options):
        try:
            handle = open(path, "rb")  # noqa: SIM115  (closed below, after the report)
        except OSError as exc:
            raise CommandError(f"Cannot open {path}: {exc}") from exc
        with handle:
            report = verify_pack(handle)
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problem(s): the pack is not intact.")
        self.stdout.write(f"OK: {report.checked} files match the manifest ({report.title}).")
