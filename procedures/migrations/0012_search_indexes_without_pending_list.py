"""The search indexes keep no pending list (qms.search.without_pending_list): a search no
longer reads, one by one, the rows added since the last vacuum."""

from django.db import migrations

from qms.search import without_pending_list


class Migration(migrations.Migration):
    dependencies = [("procedures", "0011_open_cases_overdue_index")]

    operations = [
        without_pending_list(
            "procedures_case_search_trgm",
            "procedures_case_search_cjk",
            "procedures_procedure_search_trgm",
            "procedures_procedure_search_cjk",
            "procedures_process_search_trgm",
            "procedures_process_search_cjk",
        )
    ]
