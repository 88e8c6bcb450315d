from django.core.management.base import BaseCommand, CommandError

from qms.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Create or update one group per role with exactly the role's permissions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--markdown", action="store_true", help="Print the role matrix as a Markdown table."
        )

    def handle(self, *args, markdown=False, **options):
        missing = sync_roles()
        if missing:
            raise CommandError("Permissions not found: " + ", ".join(missing))
        if markdown:
            self.stdout.write(self._matrix())
            return
        self.stdout.write(self.style.SUCCESS(f"{len(ROLES)} roles synced."))

    def _matrix(self) -> str:
        perms = sorted({p for role in ROLES for p in role.permissions})
        header = "| permission | " + " | ".join(r.slug for r in ROLES) + " |"
        rule = "|---|" + "---|" * len(ROLES)
        rows = [
            f"| `{perm}` | "
            + " | ".join("✔" if perm in r.permissions else "" for r in ROLES)
            + " |"
            for perm in perms
        ]
        return "\n".join([header, rule, *rows])
