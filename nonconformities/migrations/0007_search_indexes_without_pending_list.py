"""The search indexes keep no pending list (qms.search.without_pending_list): a search no
longer reads, one by one, the rows added since the last vacuum."""

from django.db import migrations

from qms.search import without_pending_list


class Migration(migrations.Migration):
    dependencies = [("nonconformities", "0006_cjk_search_indexes")]

    operations = [
        without_pending_list(
            "nonconformities_nc_search_trgm",
            "nonconformities_nc_search_cjk",
            "nonconformities_action_search_trgm",
            "nonconformities_action_search_cjk",
        )
    ]
