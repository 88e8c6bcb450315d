from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    # post_migrate runs once per app and creates that app's permissions; sync when the
    # last app has run, so every module's new permissions join their roles.
    from django.apps import apps

    from qms.roles import sync_roles
    from qms.visibility import access_changed

    if sender.label == list(apps.get_app_configs())[-1].label:
        sync_roles()
        # what is kept of each user's access (their rules' compiled SQL among it) may name
        # columns a migration changed: computed again at each user's next page
        access_changed()


# The portal's own apps (their models' choice labels are shown quickly: qms/displays.py).
PORTAL_APPS = {
    "qms",
    "documents",
    "records",
    "procedures",
    "planning",
    "audits",
    "nonconformities",
    "reviews",
}


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality management portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registering: deploy checks, My tasks providers, reminder sweeps, security-log
        # receivers, prepared statements.
        from qms import checks, mytasks, prepared, reminders, signals  # noqa: F401
        from qms.attachments import register_attachable
        from qms.models import Department

        # A department's establishing decision and its functions and duties.
        register_attachable(
            Department, can_upload=lambda user, dept: user.has_perm("qms.manage_department")
        )

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="qms_sync_roles")
        # Django's own last_login update would write a history row per sign-in; ours
        # writes the field alone (sign-ins are in the security log).
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")

        from qms.displays import install

        install(PORTAL_APPS)

        from qms.db import install_direct_loading

        install_direct_loading(PORTAL_APPS)
