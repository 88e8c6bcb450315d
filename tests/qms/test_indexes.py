"""The indexes the list pages, My tasks and search rely on (found by ``make bench`` at
agency scale: without them a page reads hundreds of thousands of rows).

Each entry is a table and the leading columns of an index it must have: a filter on the
first column(s) followed by the list's default sort.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

LIST_INDEXES = {
    "procedures_servicecase": [
        ("status", "received_at"),  # a status filter, newest first (the overdue cases)
        ("status", "due_at"),  # open cases by due date (reminders, the dashboard)
        ("department_id", "received_at"),  # a department's cases, newest first
        ("procedure_id", "received_at"),  # a procedure's cases
        ("received_at",),  # the case list's default order
    ],
    "procedures_casestep": [
        ("department_id", "case_id"),  # who sees a case: its steps' departments
        ("handler_id", "case_id"),  # … and the people who handled them
    ],
    "documents_document": [("department_id", "status"), ("status", "confidentiality")],
    "documents_acknowledgement": [("user_id", "acknowledged_at")],  # My tasks
    "documents_approvalstep": [("user_id", "decision")],  # My tasks
    "records_record": [
        ("department_id", "record_date"),
        ("record_type_id", "record_date"),
        ("status", "retention_until"),
    ],
    "nonconformities_nonconformity": [("status", "severity"), ("department_id", "status")],
    "nonconformities_action": [("status", "due_date"), ("owner_id", "status")],
    "audits_audit": [("status", "start_date")],
    "planning_risk": [("department_id", "status")],
    "qms_notification": [("recipient_id", "read_at")],  # the bell on every page
    # the activity page: every history table newest first
    "documents_historicaldocument": [("history_date",)],
    "procedures_historicalservicecase": [("history_date",)],
}
PARTIAL_INDEXES = {
    "procedures_casestep": [
        "case_step_open_due",  # the steps being handled (reminders)
        "case_step_open_handler",  # … a person's (My tasks)
        "case_step_open_unassigned",  # … a department's with nobody named (My tasks)
    ],
    "procedures_servicecase": ["case_open_department_due"],  # a unit's overdue cases
    "nonconformities_action": ["action_open_due"],  # the open actions by due date
}
TRIGRAM_INDEXES = {
    "documents_document": "documents_document_search_trgm",
    "records_record": "records_record_search_trgm",
    "procedures_servicecase": "procedures_case_search_trgm",
    "procedures_procedure": "procedures_procedure_search_trgm",
    "nonconformities_nonconformity": "nonconformities_nc_search_trgm",
    "nonconformities_action": "nonconformities_action_search_trgm",
    "audits_audit": "audits_audit_search_trgm",
    "planning_risk": "planning_risk_search_trgm",
}


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if info["index"] or info["unique"] or info["primary_key"]
    }


def test_the_lists_have_the_indexes_they_filter_and_sort_by():
    missing = []
    for table, wanted in LIST_INDEXES.items():
        indexes = _indexes(table)
        for columns in wanted:
            if not any(tuple(found[: len(columns)]) == columns for found in indexes.values()):
                missing.append(f"{table}({', '.join(columns)})")
    assert not missing, f"missing indexes: {missing}"


def test_open_steps_and_actions_are_read_from_partial_indexes():
    for table, names in PARTIAL_INDEXES.items():
        for name in names:
            assert name in _indexes(table), f"{table}: {name}"


def test_search_has_trigram_indexes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "!!! NOT RUN: trigram indexes exist on PostgreSQL only (CI runs this on PostgreSQL)"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes")
        found = {(table, name): definition for table, name, definition in cursor.fetchall()}
    for table, name in TRIGRAM_INDEXES.items():
        definition = found.get((table, name), "")
        assert "gin_trgm_ops" in definition, f"{table}: {name} missing"
    # a document's file text is searched apart from its code and title, by its own indexes
    file_text = found.get(("documents_document", "documents_document_file_trgm"), "")
    assert "file_text gin_trgm_ops" in file_text
    pairs = found.get(("documents_document", "documents_document_file_cjk"), "")
    assert "qms_cjk_bigrams(file_text)" in pairs


def test_search_indexes_keep_no_pending_list():
    """With a pending list, every search reads the rows added since the last vacuum one by
    one (up to 4 MB per index): the bench's Chinese search took 10 ms instead of 1.5."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "!!! NOT RUN: GIN indexes exist on PostgreSQL only (CI runs this on PostgreSQL)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c "
            "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'gin'"
        )
        options = dict(cursor.fetchall())
    assert set(TRIGRAM_INDEXES.values()) <= set(options)
    assert "procedures_case_search_words" in options
    assert len(options) >= 2 * len(TRIGRAM_INDEXES)  # each has its index of Chinese pairs
    kept = sorted(name for name, given in options.items() if "fastupdate=off" not in given)
    assert not kept, f"search indexes with a pending list: {kept}"
