"""The register, a document's page and My tasks cost the same queries for 20 or 2,000 documents."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

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
