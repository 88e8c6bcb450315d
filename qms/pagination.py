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
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        limit = settings.QMS_LIST_COUNT_LIMIT
        if not hasattr(self.object_list, "query"):
            return len(self.object_list)
        # COUNT over a LIMITed subquery: the database stops after limit + 1 rows
        capped = self.object_list[: limit + 1]
        query = capped.query
        try:
            sql, params = query.get_compiler(capped.db).as_sql()
        except EmptyResultSet:  # a filter that can match nothing (e.g. pk__in=[])
            return 0
        key = "qms:count:" + hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = capped.count()
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
