"""Parts of a page kept per process, keyed by everything they show (``{% keep %}``).

A list page renders twenty-five rows through Django's template engine at every request
(≈200 µs a row: half of a register's time), though most rows read the same as the last
time anyone saw them. ``{% keep document today colours %}…{% endkeep %}`` keeps the
HTML of its block in this process, keyed by

- the *values* of the variables it names: for a model instance, every value it holds
  (its loaded fields and annotations, the related rows read with it, its prefetched
  lists), so a row whose status, title, owner's name or anything else it shows has
  changed has another key — nothing is ever invalidated, and nothing stale is ever
  found;
- the reader's language, time zone, today's date and autoescaping.

Correct by construction, and checked, not trusted:

- at parse time the block may only read the variables it names (and those it binds
  itself, such as a loop's); a block that reads anything else, holds a CSRF token, an
  ``{% include %}``, ``{% now %}``, a tag that reads the whole context, or a filter of
  the time of day (``timesince``) is a template error;
- a block whose rendering queried the database (a value read that is not in its key) is
  shown but not kept;
- a value of a kind the key cannot hold (a form, a file) means the block is rendered
  as usual.

What may still deceive it is code that reads a process-wide state that is not in the
key and not in the database: a row's template may not call such code, and no key page's
does: the tests compare the department and document registers with keeping switched
off, and all 22 key pages were compared the same way on the ``agency`` data
(docs/performance.md, "Twelfth pass").
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.db.models.query import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

_numbers = itertools.count(1)
_store: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()
_PLAIN = frozenset(
    {str, int, float, bool, type(None), datetime.date, datetime.datetime, datetime.time}
    | {datetime.timedelta, uuid.UUID, bytes}
)
_DEPTH = 4
statistics = {"kept": 0, "found": 0, "queried": 0, "unkeyable": 0}


_keys_of: dict[type, Callable[[Any], Any]] = {}


def key_for(kind: type) -> Callable:
    """Register what a block shows of objects of ``kind`` that are not model rows (a
    filter bar's filterset): the function returns a hashable value of plain values (texts,
    numbers, classes, ``signature``'s results) that differs whenever the block would."""

    def register(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _keys_of[kind] = function
        return function

    return register


class Unkeyable(Exception):
    """A value the key cannot hold: the block is rendered as usual."""


def next_number() -> int:
    """Each ``{% keep %}`` block's own number, part of its keys."""
    return next(_numbers)


def signature(value: Any, depth: int = 0) -> Any:
    """A hashable value equal for two values exactly when a template shows them alike."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if depth > _DEPTH:
        raise Unkeyable("too deep")
    if isinstance(value, Model):
        return _instance(value, depth + 1)
    if isinstance(value, Promise):
        return str(value)
    if kind is decimal.Decimal:
        return ("decimal", str(value))  # 1.0 and 1.00 are equal but print apart
    if isinstance(value, (str, int, float)):  # choices' enums, SafeString
        return (kind, value)
    if isinstance(value, dict):
        return ("dict", *((k, signature(v, depth + 1)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (kind, *(signature(v, depth + 1) for v in value))
    if isinstance(value, QuerySet) and value._result_cache is not None:
        return ("rows", *(signature(v, depth + 1) for v in value._result_cache))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # a task of My tasks, a search hit: its fields are what it holds
        return (kind, *(signature(getattr(value, f.name), depth + 1) for f in _fields(kind)))
    for registered, key in _keys_of.items():
        if isinstance(value, registered):
            return (kind, key(value))
    raise Unkeyable(kind.__name__)


@functools.cache
def _fields(kind: type) -> tuple:
    return dataclasses.fields(kind)


def _instance(obj: Model, depth: int) -> tuple:
    attributes = obj.__dict__
    names = tuple(attributes)
    values = tuple(attributes.values())
    if names and names[0] == "_state":  # Model.__init__ sets it first
        names, values = names[1:], values[1:]
        if _PLAIN.issuperset(map(type, values)):
            # a row of plain columns (most rows): compared as they are, without a call each
            parts: list[Any] = [type(obj), names, values]
            for name, related in obj._state.fields_cache.items():
                parts.append(name)
                parts.append(signature(related, depth))
            return tuple(parts)
    parts = [type(obj)]
    append = parts.append
    plain = _PLAIN
    for name, value in attributes.items():
        append(name)
        if type(value) in plain:
            append(value)
        elif name == "_state":
            parts.pop()
        elif name == "_prefetched_objects_cache":
            append(signature({key: list(rows) for key, rows in value.items()}, depth))
        else:
            append(signature(value, depth))
    for name, related in obj._state.fields_cache.items():
        append(name)
        append(signature(related, depth))
    return tuple(parts)


def render(
    number: int, values: list[Any], render_block, autoescape: bool, page: dict | None = None
) -> str:
    """The block's HTML: kept if its key was seen in this process, else rendered (and
    kept unless it queried the database).

    ``page`` (the template's render context) keeps, for one rendering of the page, the
    key's part that is the same for every row: the reader's language, zone and day, and
    the signatures of the values after the first while they are the same objects (a
    page's colours and today's date, named by each of its rows)."""
    size = settings.QMS_KEPT_FRAGMENTS
    if not size:
        return render_block()
    try:
        shared = None if page is None else page.get(("qms.fragments", number))
        others = tuple(id(value) for value in values[1:])
        if shared is None or shared[0] != others:
            common = (
                translation.get_language(),
                timezone.get_current_timezone_name(),
                timezone.localdate(),
                autoescape,
                *(signature(value) for value in values[1:]),
            )
            # the values themselves are held too, so that no other object can take one's
            # id while this page is rendered
            shared = (others, common, values[1:])
            if page is not None:
                page[("qms.fragments", number)] = shared
        key = (number, signature(values[0]), shared[1])
        hash(key)
    except (Unkeyable, TypeError):
        statistics["unkeyable"] += 1
        return render_block()
    with _lock:
        html = _store.get(key)
        if html is not None:
            _store.move_to_end(key)
            statistics["found"] += 1
            return html
    queried = []

    def watch(execute, sql, params, many, context):
        queried.append(sql)
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for connection in connections.all(initialized_only=True):
            stack.enter_context(connection.execute_wrapper(watch))
        html = render_block()
    if queried:
        statistics["queried"] += 1
        return html
    html = mark_safe(html)  # noqa: S308 — the template engine's own output
    with _lock:
        _store[key] = html
        statistics["kept"] += 1
        while len(_store) > size:
            _store.popitem(last=False)
    return html


def forget() -> None:
    """Drop every kept block (tests; nothing in the product needs it)."""
    with _lock:
        _store.clear()
    for name in statistics:
        statistics[name] = 0
