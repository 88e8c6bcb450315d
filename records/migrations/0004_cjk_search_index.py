"""Indexes of the Chinese character pairs for global search (qms.search.cjk_bigram_indexes):
two-character Chinese words have no trigram."""

from django.db import migrations

from qms.search import cjk_bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_labels"),
    ]

    operations = [
        cjk_bigram_indexes(
            ("records_record", "records_record_search_cjk"),
        )
    ]
