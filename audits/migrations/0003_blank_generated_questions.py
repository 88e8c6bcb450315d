"""Generated questions stored before 0002 kept the wording of whoever prepared the list;
blank them so they are worded when shown, in each reader's language."""

from django.db import migrations

GENERATED_ENDING = ": show how the department meets this requirement, with evidence."


def blank_generated(apps, schema_editor):
    ChecklistItem = apps.get_model("audits", "ChecklistItem")
    ChecklistItem.objects.filter(
        clause__isnull=False, question__endswith=GENERATED_ENDING
    ).update(question="")


class Migration(migrations.Migration):
    dependencies = [("audits", "0002_generated_questions_worded_when_shown")]

    operations = [migrations.RunPython(blank_generated, migrations.RunPython.noop)]
