"""Trigram index for substring search on PostgreSQL (qms.search.trigram_indexes)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [trigram_indexes(("records_record", "records_record_search_trgm"))]
