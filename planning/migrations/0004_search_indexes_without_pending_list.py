"""The search indexes keep no pending list (qms.search.without_pending_list): a search no
longer reads, one by one, the rows added since the last vacuum."""

from django.db import migrations

from qms.search import without_pending_list


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_cjk_search_indexes")]

    operations = [
        without_pending_list(
            "planning_risk_search_trgm",
            "planning_risk_search_cjk",
        )
    ]
