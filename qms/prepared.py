"""Queries prepared on the PostgreSQL server, as psycopg 3 prepares them, for psycopg2.

PostgreSQL plans a statement every time it receives one. On the key pages that planning
took longer than running the plans (My tasks: 2.0 ms of planning, 0.5 ms of execution for
twelve queries), and it happens on the database's share of the same two CPUs. A SELECT
run inside ``one_plan_fits()`` whose text a connection has run ``QMS_PREPARE_AFTER`` times
is prepared there once (``PREPARE``) and run by name from then on (``EXECUTE``), its values
still passed as values; PostgreSQL keeps a generic plan once it has seen that plan is no
worse than the ones it makes for each set of values (its ``plan_cache_mode = auto``), else
keeps planning.

Each connection keeps at most ``QMS_PREPARED_MAX`` statements (the least recently used
one is deallocated). A statement's parameter types are declared from the Python values
(an ``int`` is ``int8``, a ``str`` is ``text``, a list of ints ``int8[]``…), so that a value
in a statement's output keeps its type; a statement with a value of another kind
(``None``, JSON, a list of texts) runs as before. A statement PostgreSQL refuses to prepare runs as before, and is not tried again
in this process. Server-side cursors (``.iterator()``) and writes are left alone.

Switched on for PostgreSQL with persistent connections (``CONN_MAX_AGE``), off with
``QMS_PREPARED_STATEMENTS = False`` — behind a pooler in transaction mode (PgBouncer
without ``max_prepared_statements``), where a session's statements do not follow it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import hashlib
import re
import uuid
from collections import OrderedDict

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.dispatch import receiver
from psycopg2 import Error as DriverError
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

_PLACEHOLDER = re.compile(r"%%|%s")
# "cached plan must not change result type"
_PLAN_OUTDATED = "0A000"

# The type each Python value is declared as; bool before int (a bool is an int).
_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "int8"),
    (str, "text"),
    (float, "float8"),
    (decimal.Decimal, "numeric"),
    (datetime.datetime, "timestamptz"),
    (datetime.date, "date"),
    (datetime.time, "time"),
    (datetime.timedelta, "interval"),
    (uuid.UUID, "uuid"),
)

#: statements PostgreSQL would not prepare, by text and types: run as they are
_refused: set[tuple[str, tuple[str, ...]]] = set()

_one_plan = contextvars.ContextVar("qms_prepared_one_plan", default=False)
_each_time = contextvars.ContextVar("qms_prepared_each_time", default=False)


@contextlib.contextmanager
def one_plan_fits():
    """The queries run in this block are prepared: one plan suits every value they may
    be given — they reach their rows through the ids they are given (an object's page, its
    parts, a person's tasks), or their values are constants of the query (the activity
    page's labels). A query filtering by a status or a date, sorted and cut to a page, is
    not: PostgreSQL's plan for any value walks the sort's index past rows a plan for the
    value would never read (the open actions: 6.6 ms instead of 0.15)."""
    token = _one_plan.set(True)
    try:
        yield
    finally:
        _one_plan.reset(token)


@contextlib.contextmanager
def planned_each_time():
    """The queries run in this block are planned for their values, also those that
    ``one_plan_fits`` would prepare inside it (``kept_rows``): a person's open items by
    status, sorted by date and cut to a few (My tasks), whose best plan depends on whose
    they are."""
    token = _each_time.set(True)
    try:
        yield
    finally:
        _each_time.reset(token)


class Statements:
    """One connection's prepared statements and how often it ran the others."""

    def __init__(self) -> None:
        self.prepared: OrderedDict[tuple, str] = OrderedDict()
        self.seen: OrderedDict[tuple, int] = OrderedDict()
        self.paused = False


def enabled_for(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and getattr(settings, "QMS_PREPARED_STATEMENTS", True)
        and bool(connection.settings_dict.get("CONN_MAX_AGE"))
    )


@receiver(connection_created)
def _on_new_connection(sender, connection, **kwargs) -> None:
    # A new session on the server: it holds no statement yet.
    if not enabled_for(connection):
        return
    connection.qms_statements = Statements()
    if run_prepared not in connection.execute_wrappers:
        connection.execute_wrappers.append(run_prepared)
        connection.ops.last_executed_query = _as_written(connection.ops.last_executed_query)


def _as_written(last_executed_query):
    """What Django logs of a query (``connection.queries``, the tests' captured queries):
    the statement with its values, as before, rather than ``EXECUTE qms_…(values)``."""

    def as_written(cursor, sql, params):
        query = getattr(cursor, "query", None) or b""
        if query.startswith(b"EXECUTE qms_") and params is not None:
            return cursor.mogrify(sql, params).decode(errors="replace")
        return last_executed_query(cursor, sql, params)

    return as_written


@receiver(pre_migrate)
def _pause_while_migrating(sender, using="default", **kwargs) -> None:
    # A migration may change a column a prepared statement reads.
    statements = getattr(connections[using], "qms_statements", None)
    if statements is not None:
        statements.paused = True


@receiver(post_migrate)
def _forget_after_migrating(sender, using="default", **kwargs) -> None:
    connection = connections[using]
    statements = getattr(connection, "qms_statements", None)
    if statements is None:
        return
    if statements.prepared and connection.connection is not None:
        with connection.connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    statements.prepared.clear()
    statements.seen.clear()
    statements.paused = False


def _declared(params) -> tuple[str, ...] | None:
    types = []
    for value in params:
        if type(value) is list and all(type(item) is int for item in value):
            types.append("int8[]")  # ids: pk__any_of
            continue
        for kind, name in _TYPES:
            if isinstance(value, kind):
                if kind is datetime.datetime and value.tzinfo is None:
                    name = "timestamp"
                types.append(name)
                break
        else:
            return None
    return tuple(types)


def run_prepared(execute, sql, params, many, context):
    """A connection's execute wrapper (``connection.execute_wrappers``)."""
    connection = context["connection"]
    statements: Statements | None = getattr(connection, "qms_statements", None)
    if (
        statements is None
        or not _one_plan.get()
        or _each_time.get()
        or statements.paused
        or many
        or not isinstance(params, (list, tuple))
        or not sql.startswith(("SELECT", "(SELECT"))  # a union starts with its bracket
        or getattr(context["cursor"].cursor, "name", None)  # a server-side cursor
    ):
        return execute(sql, params, many, context)
    types = _declared(params)
    if types is None:
        return execute(sql, params, many, context)
    key = (sql, types)
    name = statements.prepared.get(key)
    if name is None:
        name = _prepare_when_due(connection, statements, key)
        if name is None:
            return execute(sql, params, many, context)
    else:
        statements.prepared.move_to_end(key)
    call = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    try:
        return execute(call, params, many, context)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) != _PLAN_OUTDATED:
            raise
        # a column it reads changed type since it was prepared (a migration while this
        # process ran): forgotten, and run as written where the transaction allows it
        statements.prepared.pop(key, None)
        if connection.in_atomic_block:
            raise
        with connection.connection.cursor() as cursor:
            cursor.execute(f"DEALLOCATE {name}")
        return execute(sql, params, many, context)


def _prepare_when_due(connection, statements: Statements, key: tuple) -> str | None:
    if key in _refused:
        return None
    seen = statements.seen.pop(key, 0) + 1
    if seen < settings.QMS_PREPARE_AFTER:
        statements.seen[key] = seen
        while len(statements.seen) > 4 * settings.QMS_PREPARED_MAX:
            statements.seen.popitem(last=False)
        return None
    sql, types = key
    numbers = iter(range(1, len(types) + 1))
    try:
        text = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    except StopIteration:  # more placeholders than values: not a query to touch
        _refused.add(key)
        return None
    if next(numbers, None) is not None:
        _refused.add(key)
        return None
    name = "qms_" + hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest()
    declared = f"({', '.join(types)})" if types else ""
    raw = connection.connection
    if raw.get_transaction_status() == TRANSACTION_STATUS_INERROR:
        return None  # the query will fail as it would have; nothing to prepare
    savepoint = connection.in_atomic_block
    with raw.cursor() as cursor:
        try:
            # In a transaction a refused PREPARE would abort it: tried in a savepoint.
            if savepoint:
                cursor.execute("SAVEPOINT qms_prepare")
            cursor.execute(f"PREPARE {name} {declared} AS {text}")
        except DriverError as error:
            if savepoint:
                cursor.execute("ROLLBACK TO SAVEPOINT qms_prepare")
            if (error.pgcode or "").startswith("42"):
                # the statement itself (a type PostgreSQL cannot settle): not again
                _refused.add(key)
            return None
        if savepoint:
            cursor.execute("RELEASE SAVEPOINT qms_prepare")
        statements.prepared[key] = name
        if len(statements.prepared) > settings.QMS_PREPARED_MAX:
            _old_key, old_name = statements.prepared.popitem(last=False)
            cursor.execute(f"DEALLOCATE {old_name}")
    return name
