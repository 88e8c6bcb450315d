import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings


class Command(BaseCommand):
    help = (
        "Load the demo agency. Each app with a demo.py module adds its part. Safe to run "
        "again: nothing is wiped or duplicated."
    )

    def handle(self, *args, **options):
        # The demo's notifications stay in the portal; nobody is e-mailed about them.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for app_config in apps.get_app_configs():
                if importlib.util.find_spec(f"{app_config.name}.demo") is None:
                    continue
                importlib.import_module(f"{app_config.name}.demo").load(self.stdout)
        from qms.demo import USERS

        self.stdout.write(self.style.SUCCESS("Demo agency loaded. Sign in as any of:"))
        for username, first, last, role, *_ in USERS:
            self.stdout.write(f"  {username:<14} {role:<20} {last} {first}")
        self.stdout.write(f"Password for every demo user: {settings.QMS_DEMO_PASSWORD}")
