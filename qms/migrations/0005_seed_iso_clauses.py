from django.db import migrations


def seed(apps, schema_editor):
    from qms.iso import CLAUSES, sort_key

    IsoClause = apps.get_model("qms", "IsoClause")
    for number, _title in CLAUSES:
        IsoClause.objects.get_or_create(number=number, defaults={"position": sort_key(number)})


class Migration(migrations.Migration):
    dependencies = [("qms", "0004_signatures_iso_clauses")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
