"""Trigram indexes for global search (qms.search.trigram_indexes)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("nonconformities", "0003_wording"),
    ]

    operations = [
        trigram_indexes(
            ("nonconformities_nonconformity", "nonconformities_nc_search_trgm"),
            ("nonconformities_action", "nonconformities_action_search_trgm"),
        )
    ]
