"""Create the role groups with their permissions (qms/roles.py).

Permissions normally appear only after all migrations (post_migrate); they are created
here first so the groups are complete as soon as this migration has run. Later modules
add theirs and the post_migrate hook (and ``manage.py sync_roles``) re-syncs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from qms.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
