"""One paginator for every list page: it never counts more rows than a person could page
through.

Counting every matching row costs the database a scan of all of them (half a million
service cases for the QMS manager) on each request, for a figure nobody reads exactly.
``CappedPaginator`` counts at most ``QMS_LIST_COUNT_LIMIT`` rows; beyond that the page says
"more than 10,000" and offers the pages up to the cap — a filter narrows the rest.
A count above ``QMS_LIST_COUNT_CACHE_ABOVE`` is kept for a minute (paging through a long
list, or coming back to it, does not count it again); a short list is always counted
exactly, so that what a person just changed shows at once.
"""

from __future__ import annotations

import hashlib
from functools import cached_property, partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections


class CompiledRows:
    """The rows of one query compiled once: a page is a slice of its SQL, the count a
    COUNT over it, neither compiling it again. For a query that costs more to compile
    than to run — the activity page's union of fifty history tables (qms/history.py) —
    compiled once per process and filter, where a queryset compiles on every request."""

    def __init__(self, sql: str, params: tuple, *, using: str = "default", parse=None):
        self.sql, self.params, self.using = sql, tuple(params), using
        self.parse = parse or {}  # column name -> function applied to its values

    def count_upto(self, limit: int) -> int:
        # self.sql is the ORM's own compiled SQL; values travel as parameters
        count = f"SELECT COUNT(*) FROM ({self.sql} LIMIT %s) capped"  # noqa: S608
        with connections[self.using].cursor() as cursor:
            cursor.execute(count, (*self.params, limit))
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[dict]:
        start = page.start or 0
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"{self.sql} LIMIT %s OFFSET %s", (*self.params, page.stop - start, start)
            )
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for name, parse in self.parse.items():
            for row in rows:
                row[name] = parse(row[name])
        return rows


class CappedPaginator(Paginator):
    """``count_key`` names the list for the kept count — a list page passes its path, query
    and reader (``ObjectListView``), which saves compiling the query a second time just
    to name it; without it the count is named by its compiled SQL."""

    def __init__(self, *args, count_key: str = "", ids_first_below: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.ids_first_below = ids_first_below

    def page(self, number):
        """With ``ids_first_below``, a list of at most that many rows is read by its ids:
        first every matching id (no order, no limit: the plan the count used), then the
        page's rows among them. On a table of millions — the service cases — PostgreSQL
        can misjudge a short filtered list as a long one and walk the sort order's index
        until it has a page (42,000 cases read for a page of the 45 overdue ones of a unit); by
        their ids the rows come from the primary key."""
        rows = self.object_list
        if not (self.ids_first_below and hasattr(rows, "query")):
            return super().page(number)
        if self.count > self.ids_first_below:
            return super().page(number)
        ids = list(rows.order_by().values_list("pk", flat=True))
        self.object_list = rows.filter(pk__in=ids)
        try:
            return super().page(number)
        finally:
            self.object_list = rows

    @cached_property
    def count(self) -> int:
        limit = settings.QMS_LIST_COUNT_LIMIT
        rows = self.object_list
        if isinstance(rows, CompiledRows):
            name = f"{rows.sql}|{rows.params!r}"
            counter = partial(rows.count_upto, limit + 1)
        elif hasattr(rows, "query"):
            # COUNT over a LIMITed subquery: the database stops after limit + 1 rows, any
            # of them. Kept in the list's order, PostgreSQL walked the sort's index to count
            # (a clerk's actions: 29,000 rows read one by one for 389, 21 ms).
            capped = rows.order_by()[: limit + 1]
            if self.count_key:
                name = self.count_key
            else:
                try:
                    sql, params = capped.query.get_compiler(capped.db).as_sql()
                except EmptyResultSet:  # a filter that can match nothing (e.g. pk__in=[])
                    return 0
                name = f"{sql}|{params!r}"
            counter = capped.count
        else:
            return len(rows)
        key = "qms:count:" + hashlib.sha256(name.encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = counter()
            if count > settings.QMS_LIST_COUNT_CACHE_ABOVE:
                cache.set(key, count, 60)
        return count

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > settings.QMS_LIST_COUNT_LIMIT

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return settings.QMS_LIST_COUNT_LIMIT // self.per_page
        return super().num_pages
