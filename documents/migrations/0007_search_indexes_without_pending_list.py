"""The search indexes keep no pending list (qms.search.without_pending_list): a search no
longer reads, one by one, the rows added since the last vacuum."""

from django.db import migrations

from qms.search import without_pending_list


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_file_text_apart")]

    operations = [
        without_pending_list(
            "documents_document_search_trgm",
            "documents_document_search_cjk",
            "documents_document_file_trgm",
            "documents_document_file_cjk",
            "documents_external_search_trgm",
            "documents_external_search_cjk",
        )
    ]
