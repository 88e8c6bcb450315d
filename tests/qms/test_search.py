"""The substring match of search (``search_text__matches``) and the indexes that serve it."""

import pytest
from django.apps import apps
from django.db import connection

from procedures.models import Process
from qms.search import cjk_bigrams, fold, whole_words

pytestmark = pytest.mark.django_db

TITLES = {
    "P-1": "质量管理流程",
    "P-2": "文件控制程序",
    "P-3": "Quy trình tiếp nhận hồ sơ 流程图",
    "P-4": "流 程 (two characters apart)",
}


def _make_processes(org, titles: dict[str, str]) -> None:
    for code, name in titles.items():
        Process.objects.create(
            code=code, name=name, department=org["a"], search_text=fold(f"{code} {name}")
        )


@pytest.fixture
def processes(org):
    _make_processes(org, TITLES)


def _found(query: str) -> list[str]:
    return sorted(
        Process.objects.filter(search_text__matches=fold(query)).values_list("code", flat=True)
    )


def test_chinese_pairs_are_the_neighbouring_characters_of_each_chinese_word():
    assert cjk_bigrams("质量流程 qt-07 文件 流") == ["质量", "量流", "流程", "文件"]
    assert cjk_bigrams("quy trinh") == []


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("流程", ["P-1", "P-3"]),  # two characters: not the row where they stand apart
        ("管理流程", ["P-1"]),
        ("控制", ["P-2"]),
        ("程序", ["P-2"]),
        ("hồ sơ 流程图", ["P-3"]),  # Vietnamese and Chinese in one query
        ("ho so 流程", ["P-3"]),
        ("流 程", ["P-4"]),
        ("流程表", []),
        ("P-2", ["P-2"]),
    ],
)
def test_search_finds_exactly_the_rows_holding_the_query(processes, query, codes):
    assert _found(query) == codes


SEARCHED = [
    model
    for model in apps.get_models()
    if any(field.name == "search_text" for field in model._meta.fields)
    and not model.__name__.startswith("Historical")
]


def test_two_character_chinese_words_are_read_from_an_index_on_postgresql():
    """A trigram index cannot serve "流程" (no trigram); without the index of Chinese
    character pairs every row of every searched table is read (1 s at agency scale)."""
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: the pair indexes exist on PostgreSQL only (CI runs this)")
    assert len(SEARCHED) == 10, [model.__name__ for model in SEARCHED]
    with connection.cursor() as cursor:
        # In the test's transaction, on tables of a few rows: no reading the whole table or
        # walking the index of the list's order, so a plan that can read the pairs' index
        # (GIN: bitmap scans only) must.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    for model in SEARCHED:
        plan = model._default_manager.filter(search_text__matches="流程").order_by().explain()
        assert "_search_cjk" in plan, f"{model._meta.db_table}:\n{plan}"


WORDED = {
    "W-1": "Trịnh Văn An 0912345678",
    "W-2": "Công ty Trinhs (HS-2612-0042)",
    "W-3": "Quý Trình, hộ kinh doanh 流程",
}


@pytest.fixture
def worded(org):
    _make_processes(org, WORDED)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("trinh", ["W-1", "W-3"]),  # a comma ends a word; "Trinhs" is another word
        ("trinhs", ["W-2"]),
        ("trin", []),
        ("van an", ["W-1"]),
        ("an van", []),  # the substring as typed, as with ``matches``
        ("an", ["W-1"]),  # not inside "doanh"
        ("0912", ["W-1"]),  # digits: any part
        ("hs-2612", ["W-2"]),  # "hs" a whole word, the digits any part
        ("2612-004", ["W-2"]),
        ("流程", ["W-3"]),  # Chinese: as ``matches``
        ("kinh doanh 流程", ["W-3"]),
        ("kinh doanh 流程图", []),
    ],
)
def test_words_of_letters_are_found_whole(worded, query, codes):
    found = Process.objects.filter(search_text__matches_words=fold(query))
    assert sorted(found.values_list("code", flat=True)) == codes


def test_whole_words_of_a_query_are_its_runs_of_letters():
    assert whole_words("hs-2612-0042 trinh van, trinh qt07 流程") == ["hs", "trinh", "van"]


def test_cases_are_searched_by_the_index_of_words_on_postgresql():
    """At five million cases the trigram index answers "quy trinh" by reading the long lists
    of its common trigrams (25 ms); the index of words reads those of "quy" and "trinh"."""
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: the index of words exists on PostgreSQL only (CI runs this)")
    from procedures.models import ServiceCase

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = ServiceCase.objects.filter(search_text__matches_words="quy trinh").order_by().explain()
    assert "procedures_case_search_words" in plan and "_trgm" not in plan, plan
    # digits alone: any part of a code or number, from the trigram index
    plan = ServiceCase.objects.filter(search_text__matches_words="0912").order_by().explain()
    assert "procedures_case_search_trgm" in plan, plan


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_build_of_the_word_index_is_built_again():
    """The cases' word index is built concurrently (cases are received meanwhile); a build
    interrupted half-way leaves an invalid index, which running the migration again must
    replace rather than skip ("IF NOT EXISTS" alone would keep it, unused, for ever)."""
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: the index of words exists on PostgreSQL only (CI runs this)")
    from django.apps import apps as django_apps

    from qms.search import word_indexes

    def valid() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index "
                "WHERE indexrelid = 'procedures_case_search_words'::regclass"
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:  # what an interrupted CREATE INDEX CONCURRENTLY leaves
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false "
            "WHERE indexrelid = 'procedures_case_search_words'::regclass"
        )
    assert not valid()
    operation = word_indexes(("procedures_servicecase", "procedures_case_search_words"))
    with connection.schema_editor(atomic=False) as editor:
        operation.code(django_apps, editor)
    assert valid()
