"""Global search: one box over every module, accent- and case-insensitive.

Each searchable model keeps a ``search_text`` column holding ``fold()`` of what should be
found (code, title, extracted file text). Queries are folded the same way, so "quy trinh"
finds "Quy trình", "QT-07" finds "qt-07", and Chinese matches by substring — the same on
SQLite and PostgreSQL (where a trigram index keeps it fast).
Modules register a provider: ``register(label, provider)``; a provider takes the user,
the folded query and a limit, and returns hits already limited by ``visible_to``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l"})


def fold(text: str) -> str:
    """Lower-case, without diacritics, whitespace collapsed."""
    text = (text or "").translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    module: str
    detail: str = ""


Provider = Callable[[object, str, int], list[Hit]]
_PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    _PROVIDERS[key] = provider


def search(user, query: str, *, limit: int = 20) -> dict[str, list[Hit]]:
    folded = fold(query)
    if len(folded) < 2:
        return {}
    results = {}
    for key, provider in _PROVIDERS.items():
        hits = provider(user, folded, limit)
        if hits:
            results[key] = hits
    return results


def trigram_indexes(*indexes: tuple[str, str]):
    """A migration operation creating GIN trigram indexes ``(table, index name)`` on
    ``search_text``, so that a substring search reads the index instead of every row
    (PostgreSQL only; SQLite scans, which is fine at its sizes)."""
    from django.db import migrations

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, name in indexes:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _table, name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
