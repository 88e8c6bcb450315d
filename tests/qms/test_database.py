"""How the portal's connections to PostgreSQL are set up."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_does_not_compile_the_portals_short_queries():
    """JIT compiling took 8 ms of a 9 ms count at province scale (docs/performance.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: a PostgreSQL setting (CI runs this on PostgreSQL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        # an index probe costed as on SSD (a clerk's action list: 23 -> 6.9 ms)
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_many_to_many_lists_read_in_one_query_and_stay_read(django_assert_num_queries, org):
    """Several lists of one object in one query, each in its model's order; the lists are
    left where prefetch_related leaves them, so a template looping over
    ``obj.relation.all()`` reads nothing more."""
    from django.core.exceptions import ImproperlyConfigured

    from documents.models import Document
    from qms.db import many_to_many_lists
    from qms.models import IsoClause
    from tests.documents.factories import DocumentFactory
    from tests.factories import UserFactory

    owner = UserFactory(username="owner-m2m", department=org["a"])
    documents = [
        DocumentFactory(code=code, department=org["a"], owner=owner)
        for code in ("QT-09", "QT-01", "BM-03")
    ]
    document = documents[0]
    document.clauses.set(IsoClause.objects.filter(number__in=["9.1", "4.1", "7.5"]))
    document.related_documents.set(documents[1:])
    document = Document.objects.get(pk=document.pk)
    shown = {"clauses": ("number",), "related_documents": ("code", "title")}
    with django_assert_num_queries(1):
        lists = many_to_many_lists(document, shown)
        assert [c.number for c in document.clauses.all()] == ["4.1", "7.5", "9.1"]
        assert [str(d) for d in document.related_documents.all()] == [
            "BM-03 Tài liệu BM-03",
            "QT-01 Tài liệu QT-01",
        ]
    assert lists["clauses"] == list(IsoClause.objects.filter(number__in=["9.1", "4.1", "7.5"]))
    # the parts share their columns, which are text: a number is refused when built
    with pytest.raises(ImproperlyConfigured):
        many_to_many_lists(document, {"clauses": ("position",)})


def test_rows_showing_joins_and_reads_only_what_is_named():
    """The relations the fields name are joined, no other (the queryset's own joins and
    prefetches dropped); the columns are the fields and the ids."""
    from nonconformities.models import Nonconformity
    from qms.db import rows_showing

    queryset = Nonconformity.objects.select_related("reported_by", "owner").prefetch_related(
        "actions"
    )
    rows = rows_showing(queryset, ("title", "department__name", "owner__username"))
    sql = str(rows.query)
    columns = sql.split(" FROM ")[0]
    assert '"nonconformities_nonconformity"."title"' in columns
    assert '"nonconformities_nonconformity"."description"' not in columns
    assert columns.count('"qms_user"') == 2  # the owner's id and user name only
    assert "reported_by" not in sql.split(" FROM ")[1]
    assert set(rows.query.select_related) == {"department", "owner"}
    assert rows._prefetch_related_lookups == ()
