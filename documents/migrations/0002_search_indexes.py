"""Trigram indexes for substring search on PostgreSQL (SQLite scans; fine at demo size)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [
        trigram_indexes(
            ("documents_document", "documents_document_search_trgm"),
            ("documents_externaldocument", "documents_external_search_trgm"),
        )
    ]
