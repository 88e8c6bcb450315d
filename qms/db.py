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

``rows_showing`` reads only the columns a list's rows show, joining only the relations
they name.

``many_to_many_lists`` reads several many-to-many lists of one object (an audit's team and
criteria, a document's clauses and legal basis) in one query.

``kept_rows`` reads the rows of a query whose SQL differs from call to call only in the
values it is given (an audit's findings, an object's history), building and compiling it
once per process.

``install_direct_loading`` makes the portal's models from their rows without Django's
generic constructor (``Model.from_db``, a documented hook).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, models, router, transaction
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from qms.prepared import one_plan_fits

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


def rows_showing(queryset: models.QuerySet, fields: tuple[str, ...]) -> models.QuerySet:
    """``queryset`` reading only what a list's rows show: ``fields`` ("title",
    "department__name"…) and the ids, with a join for each relation they name and no
    other join or prefetch (an export's lists, say). A row of a wide model with its people
    and units was most of the cost of building it (compiling the columns, making the
    objects); a field left out is read again per row if a template touches it, which the
    pages' query budgets catch."""
    relations = sorted({name.rsplit("__", 1)[0] for name in fields if "__" in name})
    return (
        queryset.select_related(None)
        .select_related(*relations)
        .prefetch_related(None)
        .only(*fields)
    )


# --- Many-to-many lists --------------------------------------------------------------


@functools.cache
def _lists_query(
    model: type[models.Model], shown: tuple[tuple[str, tuple[str, ...]], ...], alias: str
) -> tuple[str, tuple[tuple[str, type[models.Model], tuple[str, ...]], ...]]:
    """One UNION ALL over the relations, each part in its model's ``Meta.ordering``, built
    once per process from the models' metadata; and for each part the relation, its model
    and the fields read (in the model's order, as ``from_db`` takes them)."""
    quote = connections[alias].ops.quote_name
    width = max(len(fields) for _name, fields in shown)
    parts, shapes = [], []
    for kind, (name, wanted) in enumerate(shown):
        field = model._meta.get_field(name)
        related = field.related_model
        fields = [f for f in related._meta.concrete_fields if f.name in wanted]
        if len(fields) != len(wanted) or not all(
            isinstance(f, models.CharField | models.TextField) for f in fields
        ):
            # the parts share their columns: text in every one of them
            raise ImproperlyConfigured(f"{model.__name__}.{name}: text fields only, {wanted}")
        pk = quote(related._meta.pk.column)
        columns = [f"t.{quote(f.column)}" for f in fields] + ["NULL"] * (width - len(fields))
        order = ", ".join(
            f"t.{quote(related._meta.get_field(o.lstrip('-')).column)}"
            + (" DESC" if o.startswith("-") else "")
            for o in related._meta.ordering or ["pk"]
        )
        # names from the models' metadata, quoted; the object's id is a parameter
        parts.append(
            f"SELECT {kind}, t.{pk}, {', '.join(columns)}, "  # noqa: S608
            f"ROW_NUMBER() OVER (ORDER BY {order}) "
            f"FROM {quote(related._meta.db_table)} t "
            f"JOIN {quote(field.remote_field.through._meta.db_table)} m "
            f"ON m.{quote(field.m2m_reverse_name())} = t.{pk} "
            f"WHERE m.{quote(field.m2m_column_name())} = %s"
        )
        shapes.append((name, related, (related._meta.pk.attname, *(f.attname for f in fields))))
    return " UNION ALL ".join(parts) + f" ORDER BY 1, {width + 3}", tuple(shapes)


def many_to_many_lists(obj: models.Model, shown: dict[str, tuple[str, ...]]) -> dict[str, list]:
    """The many-to-many lists ``shown`` of ``obj`` (relation name: the text fields a page
    shows of it) from one query, where the related managers or ``prefetch_related`` take
    one each, mostly spent compiling SQL (six lists were a fifth of the audit's page).

    Each object holds only the fields named (and its id); each list is in its model's
    order, and is also left where ``prefetch_related`` leaves it, so ``obj.<relation>.all()``
    (a template's loop) reads nothing more.
    """
    alias = router.db_for_read(type(obj), instance=obj) or "default"
    sql, shapes = _lists_query(type(obj), tuple(shown.items()), alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [obj.pk] * len(shapes))
        rows = cursor.fetchall()
    lists: dict[str, list] = {name: [] for name, _model, _fields in shapes}
    for kind, *values in rows:
        name, related, fields = shapes[kind]
        lists[name].append(related.from_db(alias, fields, values[: len(fields)]))
    cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, items in lists.items():
        queryset = getattr(obj, name).all()
        queryset._result_cache = items
        queryset._prefetch_done = True
        cache[name] = queryset
    return lists


# --- Queries kept compiled -----------------------------------------------------------

# Two sets of stand-ins for the values of a kept query (int: within a small integer
# column's range, which Django checks; text and dates: no real value looks like them). A
# constant of the query equal to one is refused with the rest, never taken for a value.
_STAND_INS = {
    int: (lambda slot: 30_011 + 10 * slot, lambda slot: 31_013 + 10 * slot),
    str: (lambda slot: f"\x1dkept-a-{slot}\x1d", lambda slot: f"\x1dkept-b-{slot}\x1d"),
    date: (
        lambda slot: date(3001, 1, 1) + timedelta(days=slot),
        lambda slot: date(3003, 1, 1) + timedelta(days=slot),
    ),
}


def _as_parameter(connection, value):
    # what a date lookup hands the database: the date itself (PostgreSQL) or its text (SQLite)
    return connection.ops.adapt_datefield_value(value) if type(value) is date else value


class _Compiled:
    """A query built and compiled once: its SQL, where each value goes among its
    parameters, and what the ORM's compiler knows of its columns (to make the rows)."""

    def __init__(self, queryset, compiler, alias: str, sql: str, params: list, slots: list):
        self.queryset, self.alias, self.sql = queryset, alias, sql
        # (argument index, None) for a value's place, (None, constant) for the rest
        self.places = tuple(
            (slot, None) if slot is not None else (None, param)
            for slot, param in zip(slots, params, strict=True)
        )
        self.select, self.klass_info = compiler.select, compiler.klass_info
        self.annotation_col_map = compiler.annotation_col_map
        self.col_count, self.has_extra_select = compiler.col_count, compiler.has_extra_select

    def rows(self, alias: str, values: tuple) -> list:
        connection = connections[alias]
        values = tuple(_as_parameter(connection, value) for value in values)
        params = tuple(
            values[slot] if slot is not None else constant for slot, constant in self.places
        )
        shared = self.queryset
        # a shallow copy of the query (never changed by reading it) answering with this
        # compiler: the ORM's own iterables then make the rows, related objects and
        # annotations as for any queryset
        query = object.__new__(type(shared.query))
        query.__dict__ = shared.query.__dict__.copy()
        compiler = connection.ops.compiler(shared.query.compiler)(query, connection, alias)
        compiler.select, compiler.klass_info = self.select, self.klass_info
        compiler.annotation_col_map = self.annotation_col_map
        compiler.col_count, compiler.has_extra_select = self.col_count, self.has_extra_select
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        query.get_compiler = lambda *args, **kwargs: compiler
        rows = type(shared)(model=shared.model, query=query, using=alias)
        rows._iterable_class, rows._fields = shared._iterable_class, shared._fields
        rows._prefetch_related_lookups = shared._prefetch_related_lookups
        with one_plan_fits():
            return list(rows)


_kept_models: dict[tuple, type[models.Model]] = {}
_kept_queries: dict[tuple, _Compiled] = {}


# Descriptors whose __set__, on an instance just made, only stores the value.
_STORING_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)


def _from_row(cls, db: str, field_names, values):
    """``Model.from_db`` for a model whose columns only store their values: the instance's
    attributes set in one dictionary. Django's ``from_db`` lists every column of the model
    (a deferred one as a marker) and its constructor walks them all: 6.7 µs for a row of
    eight of a nonconformity's 33 columns, 0.7 µs this way; a board shows 240 rows."""
    if pre_init.receivers or post_init.receivers:
        return models.Model.from_db.__func__(cls, db, field_names, values)
    new = cls.__new__(cls)
    state = ModelState()
    state.adding = False
    state.db = db
    attributes = {"_state": state}  # first, as Model.__init__ sets it
    attributes.update(zip(field_names, values, strict=True))
    new.__dict__ = attributes
    return new


def loads_directly(model: type[models.Model]) -> bool:
    """Whether ``model``'s rows can be made by ``_from_row``: Django's own constructor and
    ``from_db``, and every column a plain stored attribute (not an image's dimensions or a
    field of its own kind)."""
    if model.__init__ is not models.Model.__init__:
        return False
    if getattr(model.from_db, "__func__", None) not in (models.Model.from_db.__func__, _from_row):
        return False
    return all(
        type(inspect.getattr_static(model, field.attname, None)) in _STORING_DESCRIPTORS
        for field in model._meta.concrete_fields
    )


def install_direct_loading(app_labels: set[str]) -> list[type[models.Model]]:
    """Give the models of these apps (and their history models) ``_from_row`` as their
    ``from_db``; returns the models that have it."""
    installed = []
    for model in apps.get_models():
        if model._meta.app_label in app_labels and loads_directly(model):
            model.from_db = classmethod(_from_row)
            installed.append(model)
    return installed


@models.Field.register_lookup
class AnyOf(models.Lookup):
    """``pk__any_of=[…]``: the values as one array parameter on PostgreSQL
    (``= ANY(%s)``), where ``__in`` compiles a placeholder for each (a thousand ids: 0.7 ms
    of Python, and as many parameters to send). The paginator reads short lists by their
    ids with it (``qms.pagination.CappedPaginator``)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)


def kept_rows(
    key: Hashable, build: Callable[..., models.QuerySet], *values: int | str | date
) -> list:
    """The rows of ``build(*values)`` (model objects, or what ``values()`` and
    ``values_list()`` give), with the query built and compiled once per process, ``key``,
    kinds of values and database, and only its parameters changed at each call.

    Building and compiling a query cost the ORM more than running it on most pages (an
    audit's findings: 2,500 of 5,600 function calls). ``build`` must make the same SQL for
    any values, passing each only to a lookup that takes it as it is (``audit_id=…``,
    ``codename=…``): it is built twice with different stand-ins, and a query whose SQL or
    other parameters change with them — a value tested in Python, transformed by the
    lookup (``icontains``), a clock, a list — is refused with ImproperlyConfigured, the
    first time it runs (in the tests). Nothing else may vary between calls with the same
    ``key``: not the reader, not the language.
    """
    kinds = tuple(type(value) for value in values)
    if not all(kind in _STAND_INS for kind in kinds):
        raise TypeError(f"kept_rows: values must be int, str or date, not {kinds}")
    model = _kept_models.get((key, kinds))
    alias = (router.db_for_read(model) or "default") if model else None
    compiled = _kept_queries.get((key, kinds, alias))
    if compiled is None:
        compiled = _compile_kept(key, build, kinds)
        alias = compiled.alias
        _kept_models[(key, kinds)] = compiled.queryset.model
        _kept_queries[(key, kinds, alias)] = compiled
    return compiled.rows(alias, values)


def parts_of(
    obj: models.Model,
    model: type[models.Model],
    field: str,
    *related: str,
    order_by: tuple[str, ...] = (),
    limit: int | None = None,
) -> list:
    """The rows of ``model`` whose foreign key ``field`` names ``obj`` (a case's steps, an
    action's notes), with the ``related`` objects a page shows of them, in ``order_by``
    (else the model's order), at most ``limit``: the list an object's page shows, through
    ``kept_rows``."""
    key = ("parts of", model._meta.label, field, related, order_by, limit)
    return kept_rows(key, functools.partial(_parts, model, field, related, order_by, limit), obj.pk)


def _parts(model, field: str, related: tuple, order_by: tuple, limit, pk: int):
    rows = model._default_manager.filter(**{f"{field}_id": pk})
    if related:
        rows = rows.select_related(*related)
    if order_by:
        rows = rows.order_by(*order_by)
    return rows[:limit] if limit else rows


def _compile_kept(key: Hashable, build: Callable, kinds: tuple) -> _Compiled:
    builds = []
    for stand_in in (0, 1):
        values = tuple(_STAND_INS[kind][stand_in](slot) for slot, kind in enumerate(kinds))
        queryset = build(*values)
        if queryset._known_related_objects or queryset._result_cache is not None:
            # a related manager's queryset would give every row the stand-in's object
            raise ImproperlyConfigured(f"kept_rows {key!r}: build from the model's manager")
        alias = router.db_for_read(queryset.model) or "default"
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        values = tuple(_as_parameter(connections[alias], value) for value in values)
        builds.append((queryset, compiler, sql, list(params), values))
    (queryset, compiler, sql, params, values), (_q, _c, other_sql, other_params, others) = builds
    slots = [values.index(p) if p in values else None for p in params]
    same_shape = sql == other_sql and len(params) == len(other_params)
    if same_shape:
        for slot, param, other in zip(slots, params, other_params, strict=True):
            if (slot is None and param != other) or (slot is not None and other != others[slot]):
                same_shape = False
    if not same_shape or set(range(len(kinds))) - set(slots):
        raise ImproperlyConfigured(
            f"kept_rows {key!r}: the SQL must take each value as a parameter, unchanged"
        )
    return _Compiled(queryset, compiler, alias, sql, params, slots)
