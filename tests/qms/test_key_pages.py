"""The key pages of ``make bench`` (bench/load.py's list, the same users and objects) cost
the same number of queries on two sizes of generated data, and at most 20 each.

A page showing one object (a document, a case, an audit) shows a different object at each
size, with its own history and links, so only its budget is checked here; its own module's
test holds its count flat while the data around the same object grows."""

import re
import sys
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.querycount import page_queries

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import load  # noqa: E402  (bench/load.py: the benchmark's pages)

pytestmark = pytest.mark.django_db(transaction=False)
BUDGET = 20
ONE_OBJECT = {"document page", "revision download", "case page", "audit page", "procedure page"}
# Queries compiled per request once a page has been shown: the pages of one object compile
# only what follows their reader (the object under their rule, which of its links they may
# open, its files); their own lists, every object's history and My tasks are kept compiled
# (qms.db.kept_rows) — compiling them was most of these pages' cost.
COMPILED = {
    "home / My tasks (staff)": 1,
    "document page": 3,
    "case page": 1,
    "procedure page": 1,
    "audit page": 3,
}


# What the layout reads (the person, their permissions, groups and departments, the bell)
# and the grants in a person's rules are kept with their access in production
# (tests/qms/test_kept_access.py), but nothing is kept inside a test's transaction: those
# reads are left out of the count.
LAYOUT_TABLES = {"qms_user", "auth_permission", "auth_group", "qms_department", "qms_notification"}
GRANT_TABLES = ("userobjectpermission", "groupobjectpermission")


class _Compiles:
    def __init__(self):
        self.count = 0

    def __enter__(self):
        from django.db.models.sql.compiler import SQLCompiler

        original = SQLCompiler.as_sql

        def counted(compiler, *args, **kwargs):
            sql, params = original(compiler, *args, **kwargs)
            table = re.search(r'FROM "(\w+)"', sql)
            if table is None or not (
                table.group(1) in LAYOUT_TABLES or table.group(1).endswith(GRANT_TABLES)
            ):
                self.count += 1
            return sql, params

        self._patch = mock.patch.object(SQLCompiler, "as_sql", counted)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def _measure(scale: str) -> tuple[dict[str, int], set[str], dict[str, int]]:
    """Generate ``scale`` in a savepoint, count every key page's queries, roll back.
    Also returns the list pages that showed no row (an empty page needs no row query) and
    the queries compiled by a request of each page of ``COMPILED`` after its first."""
    with transaction.atomic():
        call_command("generate_data", "--scale", scale, stdout=StringIO())
        cache.clear()
        users, ids = load.pick()
        counts, empty, compiled = {}, set(), {}
        for label, user, method, path, data in load.pages(ids):
            client = Client()
            if user != "anonymous":
                client.force_login(users[user])
            counts[label] = page_queries(client, path, method, data)
            if label in COMPILED:
                with _Compiles() as compiles:
                    assert client.get(path).status_code == 200
                compiled[label] = compiles.count
            context = getattr(client.get(path), "context", None) if method == "GET" else None
            if context is not None and "page_obj" in context and not context["page_obj"]:
                empty.add(label)
        transaction.set_rollback(True)
    return counts, empty, compiled


def test_key_pages_cost_the_same_queries_at_two_data_sizes(settings):
    settings.QMS_PUBLIC_LOOKUP_LIMIT = 10**9
    tiny, tiny_empty, tiny_compiled = _measure("tiny")
    small, small_empty, small_compiled = _measure("small")
    assert set(tiny) == set(small) and len(small) == 23  # the ceiling and 22 key pages
    # a list with no row at one size (open actions, at some hours) skips its row query
    compared = set(small) - ONE_OBJECT - tiny_empty - small_empty
    assert len(compared) >= 12, sorted(tiny_empty | small_empty)
    # Search reads a document's file text only when the titles leave room on the page
    # (documents/integration.py): one query more at most, however many documents there are.
    slack = {page: 1 for page in compared if page.startswith("search:")}
    grown = {
        page: (tiny[page], small[page])
        for page in compared
        if abs(tiny[page] - small[page]) > slack.get(page, 0)
    }
    assert not grown, f"queries changed with the data (1,000 → 5,000 cases): {grown}"
    over = {
        page: (tiny[page], small[page]) for page in small if max(tiny[page], small[page]) > BUDGET
    }
    assert not over, f"over {BUDGET} queries: {over}"
    compiling = {
        page: (tiny_compiled[page], small_compiled[page])
        for page in COMPILED
        if max(tiny_compiled[page], small_compiled[page]) > COMPILED[page]
    }
    assert not compiling, f"queries compiled at each request beyond {COMPILED}: {compiling}"
