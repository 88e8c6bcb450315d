"""Indexes of the Chinese character pairs for global search (qms.search.cjk_bigram_indexes):
two-character Chinese words have no trigram."""

from django.db import migrations

from qms.search import cjk_bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_search_indexes"),
    ]

    operations = [
        cjk_bigram_indexes(
            ("planning_risk", "planning_risk_search_cjk"),
        )
    ]
