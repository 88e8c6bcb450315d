"""The search indexes keep no pending list (qms.search.without_pending_list): a search no
longer reads, one by one, the rows added since the last vacuum."""

from django.db import migrations

from qms.search import without_pending_list


class Migration(migrations.Migration):
    dependencies = [("records", "0004_cjk_search_index")]

    operations = [
        without_pending_list(
            "records_record_search_trgm",
            "records_record_search_cjk",
        )
    ]
