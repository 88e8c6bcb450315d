"""Indexes of the Chinese character pairs for global search (qms.search.cjk_bigram_indexes):
two-character Chinese words have no trigram."""

from django.db import migrations

from qms.search import cjk_bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0008_search_indexes"),
    ]

    operations = [
        cjk_bigram_indexes(
            ("procedures_servicecase", "procedures_case_search_cjk"),
            ("procedures_procedure", "procedures_procedure_search_cjk"),
            ("procedures_process", "procedures_process_search_cjk"),
        )
    ]
