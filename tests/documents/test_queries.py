"""The register, a document's page and My tasks cost the same queries for 20 or 2,000 documents."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from documents.choices import DocumentStatus, RevisionStatus
from documents.models import Acknowledgement, ApprovalStep, Document, Revision
from tests.documents.conftest import run_through, start
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db


def _bulk_documents(people, org, count: int) -> None:
    """Effective documents with an outstanding acknowledgement and a pending approval each."""
    today = timezone.localdate()
    start_index = Document.objects.count()
    for i in range(start_index, start_index + count):
        document = Document.objects.create(
            code=f"HD-{i:05d}",
            title=f"Hướng dẫn công việc số {i}",
            document_type="instruction",
            department=org["a"] if i % 2 else org["b"],
            owner=people["owner"],
            status=DocumentStatus.EFFECTIVE,
            next_review_date=today + timedelta(days=(i % 60) - 20),
            search_text=f"hd-{i:05d} huong dan cong viec so {i}",
        )
        effective = Revision.objects.create(
            document=document,
            number=1,
            status=RevisionStatus.EFFECTIVE,
            change_summary="x",
            created_by=people["owner"],
            effective_date=today,
        )
        Document.objects.filter(pk=document.pk).update(effective_revision=effective)
        document.clauses.add(1, 2)
        Acknowledgement.objects.create(revision=effective, user=people["reader"])
        pending = Revision.objects.create(
            document=document,
            number=2,
            status=RevisionStatus.IN_REVIEW,
            change_summary="y",
            created_by=people["owner"],
            submitted_at=timezone.now(),
        )
        ApprovalStep.objects.create(
            revision=pending, role="approver", position=1, user=people["approver"]
        )


def test_document_pages_do_not_grow_with_the_register(people, org, procedure):
    revision = run_through(people, start(people, procedure))
    pages = {
        "controller": [
            "/documents/",
            "/documents/?status=effective&sort=-review",
            f"/documents/{procedure.pk}/",
            f"/documents/revisions/{revision.pk}/",
            "/documents/external/",
            "/search/?q=huong+dan",
        ],
        "reader": ["/", "/documents/", f"/documents/{procedure.pk}/"],
        "approver": ["/"],
    }

    def measure():
        counts = {}
        for who, urls in pages.items():
            client = Client()
            client.force_login(people[who])
            for url in urls:
                counts[(who, url)] = page_queries(client, url)
        return counts

    _bulk_documents(people, org, 20)
    small = measure()
    _bulk_documents(people, org, 1980)
    assert Document.objects.count() > 2000
    large = measure()
    grown = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not grown, f"query counts grew with data (20 → 2,000 documents): {grown}"
    assert max(large.values()) <= 20, large


def test_lists_and_tasks_leave_the_file_text_in_the_database(people, org, procedure):
    """A revision's text (up to 500,000 characters) and the document's folded copy of it are
    read only by the page that compares revisions; the lists, a document's page, My tasks
    and search leave them out, also where revisions come along with steps and
    acknowledgements."""
    first = run_through(people, start(people, procedure, text="Lời văn thứ nhất của tài liệu"))
    second = run_through(
        people, start(people, procedure, text="Lời văn thứ hai, sửa đổi của tài liệu")
    )
    _bulk_documents(people, org, 3)
    large_columns = ('"documents_revision"."text"', '"documents_document"."file_text"')

    def selected(client, url: str) -> list[str]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        return [
            column
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith("SELECT")
            for column in large_columns
            if column in query["sql"].split(" FROM ")[0]
        ]

    controller, reader, approver = Client(), Client(), Client()
    controller.force_login(people["controller"])
    reader.force_login(people["reader"])
    approver.force_login(people["approver"])
    for client, url in [
        (controller, "/documents/"),
        (controller, "/documents/?q=loi+van"),
        (controller, f"/documents/{procedure.pk}/"),
        (controller, "/search/?q=loi+van"),
        (reader, "/"),
        (approver, "/"),
    ]:
        assert selected(client, url) == [], url
    # the search still finds a document by words of its file
    assert procedure.code in controller.get("/search/?q=sửa đổi của tài liệu").content.decode()
    # the revision page reads both texts and shows what changed
    page = controller.get(f"/documents/revisions/{second.pk}/")
    assert "thứ hai" in page.content.decode()
    assert first.pk != second.pk


def test_search_lists_the_newest_documents_first_and_titles_before_file_words(
    people, org, procedure
):
    """Hits come newest registered first, as in the other modules (in the primary key's
    order a common word stops at the 20th document found instead of sorting every match);
    documents found only by their file's words follow those found by code or title."""
    from qms.search import search

    _bulk_documents(people, org, 25)
    Document.objects.filter(pk=procedure.pk).update(file_text="ban so 2 cua quy trinh")
    hits = search(people["controller"], "huong dan cong viec")["documents"]
    newest = Document.objects.filter(code__startswith="HD-").order_by("-pk")[:20]
    assert [hit.title.split()[0] for hit in hits] == [document.code for document in newest]

    hits = search(people["controller"], "so 2")["documents"]
    by_title = Document.objects.filter(search_text__contains="so 2").order_by("-pk")
    assert len(by_title) > 1
    assert [hit.title.split()[0] for hit in hits] == [
        *(document.code for document in by_title),
        procedure.code,
    ]


def test_a_documents_page_shows_its_three_lists_from_one_query(people, org, procedure):
    """Clauses, legal basis and related documents: one query for the three (they were a
    prefetch each), shown in their own order, each with what the page writes of it."""
    from qms.models import IsoClause
    from tests.documents.factories import ExternalDocumentFactory
    from tests.querycount import page_queries

    controller = Client()
    controller.force_login(people["controller"])
    url = f"/documents/{procedure.pk}/"
    before = page_queries(controller, url)
    laws = [
        ExternalDocumentFactory(
            number=number,
            issued_on=timezone.localdate() - timedelta(days=days),
            legal_status=status,
        )
        for number, days, status in (
            ("61/2018/NĐ-CP", 2000, "repealed"),
            ("107/2021/NĐ-CP", 900, "in_force"),
        )
    ]
    procedure.legal_basis.set(laws)
    procedure.clauses.set(IsoClause.objects.filter(number__in=["8.5", "4.4", "7.5"]))
    _bulk_documents(people, org, 2)
    procedure.related_documents.set(Document.objects.filter(code__startswith="HD-"))
    assert page_queries(controller, url) == before
    html = controller.get(url).content.decode()
    shown = [html.index(text) for text in ("4.4", "7.5", "8.5")]
    assert shown == sorted(shown)
    # the newest decree first, as the register of external documents lists them
    assert html.index("107/2021/NĐ-CP") < html.index("61/2018/NĐ-CP")
    with translation.override(people["controller"].language or "vi"):
        assert str(laws[0].get_legal_status_display()) in html
    for other in Document.objects.filter(code__startswith="HD-"):
        assert other.code in html and other.title in html


def test_the_register_reads_what_its_rows_show_and_the_export_whole_rows(people, org, procedure):
    """The register's rows come from one query naming only the columns shown — no clauses
    read for a page that does not show them, no one's password hash — and show every
    column they need without reading a row again; the export still lists each document's
    clauses."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run_through(people, start(people, procedure))
    _bulk_documents(people, org, 6)
    client = Client()
    client.force_login(people["controller"])
    client.get("/documents/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/documents/").content.decode()
    rows = [q["sql"] for q in captured.captured_queries if 'FROM "documents_document"' in q["sql"]]
    listed = [sql for sql in rows if '"documents_document"."title"' in sql.split(" FROM ")[0]]
    assert len(listed) == 1, rows
    columns = listed[0].split(" FROM ")[0]
    assert '"qms_user"."password"' not in columns
    assert '"documents_document"."withdrawn_reason"' not in columns
    assert not any("documents_document_clauses" in q["sql"] for q in captured.captured_queries)
    assert "HD-00005" in page and str(people["owner"]) in page and org["b"].name in page
    clauses = ", ".join(c.number for c in Document.objects.get(code="HD-00005").clauses.all())
    response = client.get("/documents/", {"export": "csv"})
    export = b"".join(response.streaming_content).decode("utf-8-sig")
    assert clauses and export.count(clauses) == 6
