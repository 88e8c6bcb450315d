"""Indexes of the Chinese character pairs for global search (qms.search.cjk_bigram_indexes):
two-character Chinese words have no trigram."""

from django.db import migrations

from qms.search import cjk_bigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_review_flag"),
    ]

    operations = [
        cjk_bigram_indexes(
            ("documents_document", "documents_document_search_cjk"),
            ("documents_externaldocument", "documents_external_search_cjk"),
        )
    ]
