"""Trigram indexes for global search (qms.search.trigram_indexes)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
    ]

    operations = [
        trigram_indexes(
            ("planning_risk", "planning_risk_search_trgm"),
        )
    ]
