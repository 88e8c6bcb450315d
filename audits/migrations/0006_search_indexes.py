"""Trigram indexes for global search (qms.search.trigram_indexes)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0005_finding_corrections"),
    ]

    operations = [
        trigram_indexes(
            ("audits_audit", "audits_audit_search_trgm"),
        )
    ]
