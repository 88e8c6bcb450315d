"""The substring match of search (``search_text__matches``) and the indexes that serve it."""

import pytest
from django.apps import apps
from django.db import connection

from procedures.models import Process
from qms.search import cjk_bigrams, fold

pytestmark = pytest.mark.django_db

TITLES = {
    "P-1": "质量管理流程",
    "P-2": "文件控制程序",
    "P-3": "Quy trình tiếp nhận hồ sơ 流程图",
    "P-4": "流 程 (two characters apart)",
}


@pytest.fixture
def processes(org):
    for code, name in TITLES.items():
        Process.objects.create(
            code=code, name=name, department=org["a"], search_text=fold(f"{code} {name}")
        )


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
