"""List pages never count more rows than a person could page through (qms/pagination.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _counts(captured) -> list[str]:
    """The queries that counted a list: Django's count, or the count that returns a short
    list's ids with it (``ids_first_below``)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(("SELECT COUNT(*) FROM (", "SELECT capped.*, COUNT(*) OVER ()"))
    ]


def test_a_long_list_says_more_than_the_limit_and_offers_pages_up_to_it(
    client, role_users, settings
):
    settings.QMS_LIST_PAGE_SIZE = 1
    settings.QMS_LIST_COUNT_LIMIT = 2
    client.force_login(role_users["administrator"])  # four departments in the tree
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/departments/").content.decode()
    assert "Showing 1–1 of more than 2" in html and "Page 1 of 2" in html
    assert ">Last<" not in html and 'rel="next"' in html
    counts = _counts(captured)
    # the count stops after limit + 1 rows, any of them: in the list's order, PostgreSQL
    # walked the sort's index to count (a clerk's actions, 29,000 rows for 389)
    assert any("LIMIT 3) capped" in sql or sql.endswith("LIMIT 3) subquery") for sql in counts)
    assert not any("ORDER BY" in sql for sql in counts), counts
    # the last page offered is the limit's
    assert "Page 2 of 2" in client.get("/departments/?page=2").content.decode()
    assert client.get("/departments/?page=3").status_code == 404


def test_a_short_list_counts_exactly_and_links_the_last_page(client, role_users, settings):
    settings.QMS_LIST_PAGE_SIZE = 1
    client.force_login(role_users["administrator"])
    html = client.get("/departments/").content.decode()
    assert "Showing 1–1 of 4" in html and "Page 1 of 4" in html and ">Last<" in html


def test_a_large_count_is_kept_for_a_minute_a_small_one_never(client, role_users, settings):
    from django.core.cache import cache

    cache.clear()
    settings.QMS_LIST_PAGE_SIZE = 1
    client.force_login(role_users["administrator"])

    def counted() -> bool:
        with CaptureQueriesContext(connection) as captured:
            client.get("/departments/")
        return bool(_counts(captured))

    settings.QMS_LIST_COUNT_CACHE_ABOVE = 4  # four departments: a "small" list
    assert counted() and counted()
    settings.QMS_LIST_COUNT_CACHE_ABOVE = 3  # now "large": counted once, then remembered
    assert counted() and not counted()
    # another filter is another count
    with CaptureQueriesContext(connection) as captured:
        client.get("/departments/?q=A")
    assert _counts(captured)


def test_a_kept_count_belongs_to_its_list_and_its_reader(client, role_users, settings):
    """A list page names its count by address, filters and reader: another reader of the
    same address (another scope) is counted for themselves."""
    settings.QMS_LIST_PAGE_SIZE = 1
    settings.QMS_LIST_COUNT_CACHE_ABOVE = 0

    def counted(user, url="/departments/") -> bool:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert "Showing " in html
        return bool(_counts(captured))

    administrator, manager = role_users["administrator"], role_users["qms_manager"]
    assert counted(administrator) and not counted(administrator)
    assert counted(manager) and not counted(manager)
    assert counted(administrator, "/departments/?sort=-code")
    assert not counted(administrator, "/departments/?sort=-code&page=2")


def test_a_short_list_read_by_its_ids_pages_like_the_list(org, role_users):
    """``ids_first_below``: the query counting a list of at most that many rows also
    returns its ids, and each page's rows are read among them by their primary key,
    without the list's filters — the same rows, in the same order, on every page, in one
    query a page after the count; a longer list is counted and read as before."""
    from qms.models import Department
    from qms.pagination import CappedPaginator
    from tests.factories import DepartmentFactory

    for number in range(7):
        DepartmentFactory(code=f"P{number}", parent=org["a"])
    DepartmentFactory(code="X1", parent=org["a"])
    rows = (
        Department.objects.filter(code__startswith="P", parent__code="A")
        .select_related("parent")
        .only("code", "parent__code")
        .order_by("-code")
    )
    expected = [(d.code, d.parent.code) for d in rows]
    assert len(expected) == 7

    def pages(paginator) -> tuple[list[tuple[str, str]], list[str]]:
        shown, sql = [], []
        for number in paginator.page_range:
            with CaptureQueriesContext(connection) as captured:
                shown += [(d.code, d.parent.code) for d in paginator.page(number)]
            sql += [q["sql"] for q in captured.captured_queries]
        return shown, sql

    by_ids = '"qms_department"."id" = ANY(' if connection.vendor == "postgresql" else "IN ("
    paginator = CappedPaginator(rows, 3, ids_first_below=10)
    with CaptureQueriesContext(connection) as counting:
        assert paginator.count == 7
    assert len(counting.captured_queries) == 1
    assert "COUNT(*) OVER ()" in counting.captured_queries[0]["sql"]
    shown, sql = pages(paginator)
    assert shown == expected
    assert len(sql) == 3  # one query a page: the ids came with the count
    for page_sql in sql:
        assert by_ids in page_sql and "ORDER BY" in page_sql
        where = page_sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0]
        assert "LIKE" not in where and '"code"' not in where  # the filters found the ids

    shown, sql = pages(CappedPaginator(rows, 3, ids_first_below=5))  # longer than that
    assert shown == expected and not any(by_ids in q for q in sql)
