"""``manage.py generate_data --scale agency``: benchmark data in an empty database."""

from django.core.management.base import BaseCommand, CommandError

from qms import datagen
from qms.visibility import access_changed


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


class Command(BaseCommand):
    help = (
        "Fill an empty database with an agency's worth of realistic, consistent data for "
        "performance benchmarks (small: a hundredth, for tests; agency; province: ten times "
        "the cases and users). Refuses a database that already has departments; after a "
        "failed run, drop the database and create it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(datagen.SCALES), required=True)
        parser.add_argument(
            "--seed",
            type=int,
            default=datagen.DEFAULT_SEED,
            help="Random seed: the same seed on the same day gives the same data.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already holds data: make bench "
            "generates the agency once and reuses it.",
        )

    def handle(self, *args, scale, seed, if_empty=False, **options):
        def report(part: str, summary: str, seconds: float) -> None:
            self.stdout.write(f"{part}: {summary} in {duration(seconds)}")
            self.stdout.flush()

        try:
            total = datagen.generate(datagen.SCALES[scale], seed=seed, report=report)
        except datagen.DatabaseNotEmpty as exc:
            if if_empty:
                self.stdout.write("the database already holds data: kept as it is")
                return
            raise CommandError(str(exc)) from exc
        # Roles, grants and departments were written in bulk, without the signals that
        # retire the access users keep between requests (a cache that may outlive the data).
        access_changed()
        self.stdout.write(f"total: {duration(total)}")
