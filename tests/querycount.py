"""Counting a page's queries, the same way in every query-budget test."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.context_processors import agency_name


def page_queries(client, url: str, method: str = "get", data: dict | None = None) -> int:
    """Queries of a second visit: the first warms the process-level caches (content types,
    guardian's lookups, the agency name), so only data-driven queries can differ between a
    small and a large round. (Long lists' counts are never cached in tests: see
    QMS_LIST_COUNT_CACHE_ABOVE in qms/settings/test.py.)"""
    call = getattr(client, method.lower())
    call(url, data or {})
    # The agency name is kept a minute: in a long round (thousands of rows created before
    # it) it could expire between the two visits and cost the second one a query.
    agency_name()
    with CaptureQueriesContext(connection) as captured:
        response = call(url, data or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured.captured_queries)
