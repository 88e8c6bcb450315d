"""Global search: one box over every module, accent- and case-insensitive.

Each searchable model keeps a ``search_text`` column holding ``fold()`` of what should be
found (code, title, extracted file text). Queries are folded the same way, so "quy trinh"
finds "Quy trình", "QT-07" finds "qt-07", and Chinese matches by substring — the same on
SQLite and PostgreSQL. Filters use the ``matches`` lookup (``search_text__matches=folded``):
a substring match everywhere; on PostgreSQL a trigram index serves queries of three
characters or more, and an index of the Chinese character pairs serves the two-character
Chinese words that have no trigram ("流程", "文件"). The service cases, millions of them,
are searched with ``matches_words`` instead: the same substring, whose words of letters must
also be whole words of the text, read from an index of the text's words.
Modules register a provider: ``register(label, provider)``; a provider takes the user,
the folded query and a limit, and returns hits already limited by ``visible_to``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import Lookup, TextField
from django.db.models.lookups import Contains, Regex

# NUL, which PostgreSQL refuses in a text value, is typed by no one: a space
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ø": "o", "ł": "l", "\x00": " "})


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


def _gin_indexes(
    indexes: tuple[tuple[str, str], ...], setup: str, indexed: str, *, concurrently: bool = False
):
    """A migration operation: run ``setup``, then create a GIN index ``(table, index name)``
    on ``indexed`` in each table; PostgreSQL only (SQLite scans, fine at its sizes).

    ``concurrently`` (in a migration with ``atomic = False``) builds the index while the
    table takes writes: for an index added to a table of millions of rows already in use
    (the cases' words: 75 s at province scale, with no case received meanwhile
    otherwise). A build interrupted half-way leaves an invalid index, rebuilt on the next
    run.

    The indexes keep no pending list (``fastupdate = off``): with one, every search reads
    the rows added since the last vacuum one by one, up to 4 MB of them per index (a search
    took 10 ms instead of 1.5 on the ``agency`` data); a new row costs a little more to
    write instead, which a case or a record written by a person does not notice.
    """
    from django.db import migrations

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(setup)
        how = "CONCURRENTLY " if concurrently else ""
        for table, name in indexes:
            if concurrently:
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                        [name],
                    )
                    invalid = cursor.fetchone()
                if invalid and invalid[0]:
                    schema_editor.execute(f"DROP INDEX CONCURRENTLY {name}")
            schema_editor.execute(
                f"CREATE INDEX {how}IF NOT EXISTS {name} ON {table} USING gin ({indexed}) "
                "WITH (fastupdate = off)"
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _table, name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def without_pending_list(*names: str):
    """A migration operation: the search indexes ``names``, created before their pending
    list was turned off (see ``_gin_indexes``), lose it; what it holds is merged now."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # merged first, while the index still takes writes; the ALTER (which locks the
        # index until the migration commits) then leaves at most a few new rows to merge
        for name in names:
            schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
            schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in names:
            schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")

    return migrations.RunPython(forwards, backwards)


def _gin_index_names(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
        "WHERE am.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace "
        "ORDER BY c.relname"
    )
    return [name for (name,) in cursor.fetchall()]


@contextmanager
def bulk_load(connection) -> Iterator[None]:
    """For a load of many thousand rows (``generate_data``): inside, the search indexes
    gather new rows in a pending list and merge them in large batches (row by row, the
    ``agency`` data would take minutes longer); on the way out the lists are merged and
    turned off again, so searches afterwards read no pending rows."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        names = _gin_index_names(cursor)
        for name in names:
            cursor.execute(f"ALTER INDEX {name} SET (fastupdate = on)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
                cursor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")


def trigram_indexes(*indexes: tuple[str, str], column: str = "search_text"):
    """GIN trigram indexes on ``search_text`` (or another folded column), so that a
    substring search of three characters or more reads the index instead of every row."""
    return _gin_indexes(indexes, "CREATE EXTENSION IF NOT EXISTS pg_trgm", f"{column} gin_trgm_ops")


# CJK ideographs (extension A, the unified block, compatibility ideographs): the same ranges
# as the SQL function below, so a query's pairs are the pairs the index holds.
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")

_BIGRAM_FUNCTION = r"""
CREATE OR REPLACE FUNCTION qms_cjk_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(run[1], i, 2)), '{}'::text[])
    FROM regexp_matches($1, '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}', 'g') AS run,
         generate_series(1, char_length(run[1]) - 1) AS i
$$
"""


def cjk_bigrams(folded: str) -> list[str]:
    """The distinct pairs of neighbouring Chinese characters in a text, in order."""
    pairs: dict[str, None] = {}
    for run in _CJK_RUN.findall(folded):
        for i in range(len(run) - 1):
            pairs[run[i : i + 2]] = None
    return list(pairs)


@TextField.register_lookup
class Matches(Lookup):
    """``search_text__matches=folded``: the substring match of search.

    On PostgreSQL a query holding Chinese words also asks that the row hold every pair of
    neighbouring characters of those words, which any row containing the query does; the
    condition is there so that the index of pairs (``cjk_bigram_indexes``) can find the rows
    where trigrams cannot.
    """

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        return compiler.compile(Contains(self.lhs, self.rhs))

    def as_postgresql(self, compiler, connection):
        sql, params = self.as_sql(compiler, connection)
        pairs = cjk_bigrams(self.rhs) if isinstance(self.rhs, str) else []
        if not pairs:
            return sql, params
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        return (
            f"({sql} AND qms_cjk_bigrams({lhs_sql}) @> %s::text[])",
            (*params, *lhs_params, pairs),
        )


# A word of a folded text: a run of ASCII letters and digits (what Vietnamese and English
# names, codes and numbers fold to). The SQL function splits the same way, so the words of a
# query are the words the index holds.
_NOT_WORD = re.compile("[^a-z0-9]+")
_LETTERS = re.compile("[a-z]+")

_WORDS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION qms_words(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_split_to_array($1, '[^a-z0-9]+')
$$
"""


def whole_words(folded: str) -> list[str]:
    """The words of a query that ``matches_words`` finds whole: its runs of letters, in
    order. Runs holding a digit (receipt codes, phone and ID numbers) are not among them:
    those match any part, as people type them."""
    return list(dict.fromkeys(w for w in _NOT_WORD.split(folded) if _LETTERS.fullmatch(w)))


@TextField.register_lookup
class MatchesWords(Lookup):
    """``search_text__matches_words=folded``: ``matches``, where each word of letters of the
    query must also be a whole word of the text ("trinh" finds "Trịnh Văn An", not
    "Trinhs"; "0912" still finds any phone number holding it).

    For tables of millions of rows of names (the service cases): a trigram index answers
    "quy trinh" by reading the long lists of its common trigrams ("inh", " tr"), 25 ms at
    five million cases; the index of words (``word_indexes``) reads the lists of "quy" and
    "trinh" only. The substring is then checked on the rows it gives (``strpos``, which no
    trigram index serves, so the planner does not read both).
    """

    lookup_name = "matches_words"

    def as_sql(self, compiler, connection):
        words = whole_words(self.rhs) if isinstance(self.rhs, str) else []
        sql, params = compiler.compile(Matches(self.lhs, self.rhs))
        for word in words:
            regex_sql, regex_params = compiler.compile(
                Regex(self.lhs, f"(^|[^a-z0-9]){word}([^a-z0-9]|$)")
            )
            sql, params = f"{sql} AND {regex_sql}", (*params, *regex_params)
        return (f"({sql})" if words else sql), params

    def as_postgresql(self, compiler, connection):
        words = whole_words(self.rhs) if isinstance(self.rhs, str) else []
        if not words:
            return compiler.compile(Matches(self.lhs, self.rhs))
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        # strpos first: where the planner walks the list's order instead of the index
        # (common words), each row is tested by the cheap substring before its words are
        # split (3 µs a row; 800 rows for "trinh" on the agency data)
        return (
            f"(strpos({lhs_sql}, %s) > 0 AND qms_words({lhs_sql}) @> %s::text[])",
            (*lhs_params, self.rhs, *lhs_params, words),
        )


def word_indexes(*indexes: tuple[str, str], column: str = "search_text"):
    """GIN indexes on the words of ``search_text`` (or another folded column), for
    ``search_text__matches_words``; built concurrently (the migration is ``atomic = False``):
    the tables they serve are the largest."""
    return _gin_indexes(indexes, _WORDS_FUNCTION, f"qms_words({column})", concurrently=True)


def cjk_bigram_indexes(*indexes: tuple[str, str], column: str = "search_text"):
    """GIN indexes on the Chinese character pairs of ``search_text`` (or another folded
    column), for the two-character Chinese words of ``search_text__matches``."""
    return _gin_indexes(indexes, _BIGRAM_FUNCTION, f"qms_cjk_bigrams({column})")
