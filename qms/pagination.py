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

import contextlib
import copy
import hashlib
from functools import cached_property, partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections

from qms.prepared import one_plan_fits


class CompiledRows:
    """The rows of one query compiled once: a page is a slice of its SQL, the count a
    COUNT over it, neither compiling it again. For a query that costs more to compile
    than to run — the activity page's union of fifty history tables (qms/history.py) —
    compiled once per process and filter, where a queryset compiles on every request."""

    def __init__(
        self, sql: str, params: tuple, *, using: str = "default", parse=None, constant=False
    ):
        self.sql, self.params, self.using = sql, tuple(params), using
        self.parse = parse or {}  # column name -> function applied to its values
        # its parameters are the query's constants, not a reader's filters: one plan
        # fits, prepared on the server (qms/prepared.py)
        self.constant = constant

    def count_upto(self, limit: int) -> int:
        # self.sql is the ORM's own compiled SQL; values travel as parameters
        count = f"SELECT COUNT(*) FROM ({self.sql} LIMIT %s) capped"  # noqa: S608
        with connections[self.using].cursor() as cursor:
            cursor.execute(count, (*self.params, limit))
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[dict]:
        start = page.start or 0
        # the page's bounds written in (ints), so that a plan kept for the statement is
        # the plan for this page
        planned = one_plan_fits() if self.constant else contextlib.nullcontext()
        with planned, connections[self.using].cursor() as cursor:
            cursor.execute(
                f"{self.sql} LIMIT {int(page.stop - start)} OFFSET {int(start)}", self.params
            )
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for name, parse in self.parse.items():
            for row in rows:
                row[name] = parse(row[name])
        return rows


def _among(rows, ids: list):
    """The rows of ``ids`` as ``rows`` shows them (the same related rows, columns, order and
    prefetched lists), without ``rows``' filters: the ids were found by them, and a
    reader's rule evaluated again for the page cost a clerk's action list 3 ms. A list
    whose rows carry annotations or extra columns keeps its filters (they may name them)."""
    query = rows.query
    if query.annotations or query.extra or rows._fields is not None or query.combinator:
        return rows.filter(pk__any_of=ids)
    fresh = rows.model._base_manager.filter(pk__any_of=ids)
    fresh.query.select_related = copy.deepcopy(query.select_related)
    fresh.query.deferred_loading = (frozenset(query.deferred_loading[0]), query.deferred_loading[1])
    fresh.query.order_by = query.order_by
    fresh.query.default_ordering = query.default_ordering
    fresh.query.standard_ordering = query.standard_ordering
    fresh._prefetch_related_lookups = rows._prefetch_related_lookups
    return fresh


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
        the query that counts it also returns its ids (``_ids_and_count``), and the page's
        rows are read among them, by their primary key. Read in the list's order instead,
        PostgreSQL can misjudge a short filtered list as a long one and walk the sort
        order's index until it has a page (42,000 cases read for a page of the 45 overdue
        ones of a unit; a clerk's 553 actions among 30,000: 5.6 ms, by their ids 0.9)."""
        rows = self.object_list
        self.count  # noqa: B018 -- counting a short list reads its ids
        ids = self._ids
        if ids is None:
            return super().page(number)
        self.object_list = _among(rows, ids) if ids else rows.none()
        try:
            return super().page(number)
        finally:
            self.object_list = rows

    _ids: list | None = None

    @cached_property
    def count(self) -> int:
        limit = settings.QMS_LIST_COUNT_LIMIT
        rows = self.object_list
        by_ids = False
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
            by_ids = bool(self.ids_first_below)
        else:
            return len(rows)
        key = "qms:count:" + hashlib.sha256(name.encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            if by_ids:
                ids, count = self._ids_and_count(rows, limit + 1)
                if ids is not None:
                    self._ids = ids
            else:
                count = counter()
            if count > settings.QMS_LIST_COUNT_CACHE_ABOVE:
                cache.set(key, count, 60)
        return count

    def _ids_and_count(self, rows, limit: int) -> tuple[list | None, int]:
        """The list's count up to ``limit`` and, when it is at most ``ids_first_below``,
        its ids — one query instead of a count and then the ids (any order: the page
        sorts them)."""
        ids = rows.order_by().values_list("pk", flat=True)[:limit]
        try:
            sql, params = ids.query.get_compiler(ids.db).as_sql()
        except EmptyResultSet:
            return [], 0
        connection = connections[ids.db]
        # sql is the ORM's own compiled SQL; values travel as parameters
        counted = f"SELECT capped.*, COUNT(*) OVER () FROM ({sql}) capped LIMIT %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(counted, (*params, self.ids_first_below + 1))
            found = cursor.fetchall()
        if not found:
            return [], 0
        count = found[0][1]
        return ([row[0] for row in found] if count <= self.ids_first_below else None), count

    @cached_property
    def capped(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > settings.QMS_LIST_COUNT_LIMIT

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return settings.QMS_LIST_COUNT_LIMIT // self.per_page
        return super().num_pages
