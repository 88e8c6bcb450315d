"""Reports may read from a PostgreSQL replica.

With ``REPORTS_DATABASE_URL`` set (a streaming replica of the main database), the code that
only reads to aggregate — the dashboards' figures, the service-delivery figures and their
monthly report, the annual QMS report, the management-review inputs — runs inside
``reports()`` and its reads go to the replica, so that heavy aggregates do not compete with
the people working in the portal. Everything else, and every write, stays on the primary. A
replica is a few seconds behind at most, which these figures (cached for a minute anyway)
tolerate; nothing that is read back right after a write goes there.

Without the setting the router answers nothing and every read stays on the primary.

``at_commit`` collects what a transaction must hand over once it has committed (e-mails to
queue, cached counts to forget) and hands it over in one call.

``PortalQuerySet`` leaves out the columns a model names in ``large_fields`` (the text of a
revision's file, the folded copy of it a document is searched by: up to 500,000 characters
each) unless a query asks for them, also when the row comes along through
``select_related``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction

REPORTS = "reports"
_READING_REPORTS: ContextVar[bool] = ContextVar("qms_reading_reports", default=False)
F = TypeVar("F", bound=Callable)


@contextmanager
def reports() -> Iterator[None]:
    """Within this block, reads go to the reports replica when one is configured."""
    token = _READING_REPORTS.set(True)
    try:
        yield
    finally:
        _READING_REPORTS.reset(token)


def reads_reports(func: F) -> F:
    """Run the whole function within ``reports()``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with reports():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReportsRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _READING_REPORTS.get() and REPORTS in settings.DATABASES:
            return REPORTS
        return None

    def db_for_write(self, model, **hints) -> str | None:
        # an object read from the replica is saved to the primary
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # the replica holds the same rows as the primary
        if {obj1._state.db, obj2._state.db} <= {"default", REPORTS}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPORTS else None


def at_commit(name: str, item, flush: Callable[[list], None]) -> None:
    """Add ``item`` to what this transaction hands over under ``name``; when it commits,
    ``flush`` receives everything collected, once, in order and without repeats (outside
    a transaction: at once). A sweep writes thousands of rows per transaction, and a call
    to Redis per row was a round trip each. What a savepoint rolled back stays collected:
    ``flush`` must accept items whose rows are gone."""
    connection = transaction.get_connection()
    connection.__dict__.setdefault(f"qms_at_commit_{name}", {})[item] = None

    def hand_over() -> None:
        # the first callback of the commit takes everything; the others find nothing (and
        # what a rolled-back transaction left goes with the next commit)
        items = transaction.get_connection().__dict__.pop(f"qms_at_commit_{name}", None)
        if items:
            flush(list(items))

    transaction.on_commit(hand_over)


# --- Large columns -------------------------------------------------------------------


def large_fields_along(model: type[models.Model], path: str) -> list[str]:
    """``path__field`` for each large field of the model at the end of a relation path."""
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model
        if model is None:
            return []
    return [f"{path}__{field}" for field in getattr(model, "large_fields", ())]


class _LeavesOutLargeFields(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        large = getattr(self.model, "large_fields", ())
        return queryset.defer(*large) if large else queryset


class PortalQuerySet(models.QuerySet):
    """The queryset of the portal's models: rows come without their large fields, which
    a list, a task or a link never shows; a page that does show one reads it with
    ``.defer(None)`` (or touches it: one query)."""

    def as_manager(cls) -> models.Manager:
        manager = _LeavesOutLargeFields.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True
    as_manager = classmethod(as_manager)

    def select_related(self, *fields: str | None) -> PortalQuerySet:
        clone = super().select_related(*fields)
        large = [name for path in fields if path for name in large_fields_along(self.model, path)]
        return clone.defer(*large) if large else clone
