"""Indexes of the Chinese character pairs for global search (qms.search.cjk_bigram_indexes):
two-character Chinese words have no trigram."""

from django.db import migrations

from qms.search import cjk_bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("nonconformities", "0005_open_actions_index"),
    ]

    operations = [
        cjk_bigram_indexes(
            ("nonconformities_nonconformity", "nonconformities_nc_search_cjk"),
            ("nonconformities_action", "nonconformities_action_search_cjk"),
        )
    ]
