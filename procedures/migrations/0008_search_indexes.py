"""Trigram indexes for global search (qms.search.trigram_indexes)."""

from django.db import migrations

from qms.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0007_case_list_indexes"),
    ]

    operations = [
        trigram_indexes(
            ("procedures_servicecase", "procedures_case_search_trgm"),
            ("procedures_procedure", "procedures_procedure_search_trgm"),
            ("procedures_process", "procedures_process_search_trgm"),
        )
    ]
