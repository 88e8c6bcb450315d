"""The key pages of ``make bench`` (bench/load.py's list, the same users and objects) cost
the same number of queries on two sizes of generated data, and at most 20 each.

A page showing one object (a document, a case, an audit) shows a different object at each
size, with its own history and links, so only its budget is checked here; its own module's
test holds its count flat while the data around the same object grows."""

import sys
from io import StringIO
from pathlib import Path

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


def _measure(scale: str) -> tuple[dict[str, int], set[str]]:
    """Generate ``scale`` in a savepoint, count every key page's queries, roll back.
    Also returns the list pages that showed no row (an empty page needs no row query)."""
    with transaction.atomic():
        call_command("generate_data", "--scale", scale, stdout=StringIO())
        cache.clear()
        users, ids = load.pick()
        counts, empty = {}, set()
        for label, user, method, path, data in load.pages(ids):
            client = Client()
            if user != "anonymous":
                client.force_login(users[user])
            counts[label] = page_queries(client, path, method, data)
            context = getattr(client.get(path), "context", None) if method == "GET" else None
            if context is not None and "page_obj" in context and not context["page_obj"]:
                empty.add(label)
        transaction.set_rollback(True)
    return counts, empty


def test_key_pages_cost_the_same_queries_at_two_data_sizes(settings):
    settings.QMS_PUBLIC_LOOKUP_LIMIT = 10**9
    tiny, tiny_empty = _measure("tiny")
    small, small_empty = _measure("small")
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
