"""Evidence packs of filtered lists: documents, nonconformities and records.

The pack holds exactly what the list page showed the user for that filter, never what they
cannot see, verifies against its manifest, and the download checks every object again.
"""

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import Document
from nonconformities import services as nc_services
from nonconformities.models import Nonconformity
from qms import evidence
from qms.attachments import attachment_create
from qms.models import EvidencePack, SecurityEvent
from tests.audits import test_evidence as audit_evidence
from tests.documents import conftest as document_fixtures
from tests.nonconformities import conftest as nc_fixtures
from tests.records import conftest as record_fixtures

pytestmark = pytest.mark.django_db
people = document_fixtures.people
documents = audit_evidence.documents  # two documents, one restricted, both effective
crew = nc_fixtures.crew
cast = record_fixtures.cast

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pack(user, source, query, capture) -> EvidencePack:
    with capture(execute=False):
        pack = evidence.list_pack_request(actor=user, source=source, query=query)
    return evidence.pack_build(pack.pk)


def _zip(pack) -> zipfile.ZipFile:
    with evidence.pack_open(pack=pack, user=pack.requested_by) as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _paths(archive) -> list[str]:
    return [entry["path"] for entry in json.loads(archive.read("manifest.json"))["files"]]


def _csv_rows(archive, path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(path).decode("utf-8-sig"))))


def _ncs(crew, org, count_a=2):
    made = [
        nc_fixtures.report(crew, org, title=f"Trễ hạn {n}", department=org["a"])
        for n in range(count_a)
    ]
    made.append(nc_fixtures.report(crew, org, title="Phòng B", department=org["b"]))
    return made


def test_a_filtered_nonconformity_list_is_packed_whole(
    crew, org, django_capture_on_commit_callbacks
):
    in_a = _ncs(crew, org)
    attachment_create(
        parent=in_a[0],
        upload=SimpleUploadedFile("anh.png", PNG, content_type="image/png"),
        actor=crew["reporter"],
    )
    query = f"department={org['a'].pk}"
    pack = _pack(crew["manager"], "nonconformities", query, django_capture_on_commit_callbacks)
    assert pack.status == "ready" and pack.object_id is None
    assert sorted(pack.object_ids) == sorted(nc.pk for nc in in_a[:2])
    archive = _zip(pack)
    paths = _paths(archive)
    rows = _csv_rows(archive, "00-list/nonconformities.csv")
    assert len(rows) == 3  # header and the two nonconformities of A, not B's
    for nc in in_a[:2]:
        assert f"{nc.number}/{nc.number}.json" in paths
    assert any(p.startswith(f"{in_a[0].number}/files/") and p.endswith("anh.png") for p in paths)
    assert not any(p.startswith(in_a[2].number) for p in paths)
    data = json.loads(archive.read(f"{in_a[0].number}/{in_a[0].number}.json"))
    assert data["title"] == "Trễ hạn 0" and data["history"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["source"] == f"nonconformities?{query}"
    with evidence.pack_open(pack=pack, user=crew["manager"]) as handle:
        assert evidence.verify_pack(handle).ok
    event = SecurityEvent.objects.get(kind="export")
    assert event.details == {"evidence_pack": pack.pk, "objects": 2}
    assert "nonconformities?department=" in event.target


def test_a_list_pack_holds_only_what_its_requester_sees(
    crew, org, django_capture_on_commit_callbacks
):
    in_a = _ncs(crew, org)
    pack = _pack(crew["other"], "nonconformities", "", django_capture_on_commit_callbacks)
    everything = b"".join(_zip(pack).read(name) for name in ("manifest.json", "index.html"))
    visible = set(Nonconformity.objects.visible_to(crew["other"]).values_list("pk", flat=True))
    assert set(pack.object_ids) == visible and in_a[0].pk not in visible
    assert in_a[0].number.encode() not in everything


def test_packing_queries_do_not_grow_with_the_list(crew, org, django_capture_on_commit_callbacks):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            pack = _pack(crew["manager"], "nonconformities", "", django_capture_on_commit_callbacks)
        return len(captured), len(pack.object_ids)

    def raise_some(count):
        for n in range(count):
            nc = nc_fixtures.triaged(crew, org, title=f"Trễ hạn {n}")
            nc = nc_services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
            nc_fixtures.add_action(crew, nc)

    raise_some(2)
    queries()  # the first pack reads the requester's access, kept for the next ones
    few, few_count = queries()
    raise_some(7)
    many, many_count = queries()
    assert (few_count, many_count) == (2, 9) and few == many


def test_an_empty_or_unknown_selection_changes_nothing(crew, org):
    _ncs(crew, org)
    with pytest.raises(ValidationError) as empty:
        evidence.list_pack_request(actor=crew["manager"], source="nonconformities", query="q=zzzz")
    assert "nothing to pack" in " ".join(empty.value.messages)
    with pytest.raises(ValidationError):
        evidence.list_pack_request(actor=crew["manager"], source="secrets", query="")
    assert not EvidencePack.objects.exists() and not SecurityEvent.objects.exists()


def test_a_document_register_pack_leaves_out_restricted_documents(
    people, documents, django_capture_on_commit_callbacks
):
    open_doc, secret_doc = documents
    pack = _pack(people["reader"], "documents", "", django_capture_on_commit_callbacks)
    archive = _zip(pack)
    paths = _paths(archive)
    assert pack.object_ids == [open_doc.pk]
    assert any(p.startswith(f"03-files/{open_doc.code} rev 01/") for p in paths)
    assert {"01-revisions/revisions.csv", "02-signatures/signatures.xlsx"} <= set(paths)
    signatures = _csv_rows(archive, "02-signatures/signatures.csv")
    assert len(signatures) == 3  # header, the review and the approval of revision 01
    everything = b"".join(archive.read(p) for p in archive.namelist() if not p.endswith(".xlsx"))
    assert secret_doc.code.encode() not in everything and "Quy chế".encode() not in everything

    controller_pack = _pack(
        people["controller"], "documents", "", django_capture_on_commit_callbacks
    )
    assert sorted(controller_pack.object_ids) == sorted([open_doc.pk, secret_doc.pk])


def test_the_download_checks_every_packed_object_again(
    people, documents, django_capture_on_commit_callbacks
):
    open_doc, _secret = documents
    pack = _pack(people["reader"], "documents", "", django_capture_on_commit_callbacks)
    Document.objects.filter(pk=open_doc.pk).update(confidentiality="restricted")
    with pytest.raises(PermissionDenied):
        evidence.pack_open(pack=pack, user=people["reader"])


def test_a_records_pack_holds_their_files_and_history(
    cast, org, django_capture_on_commit_callbacks
):
    record_type = record_fixtures.make_type(cast, org)
    kept = record_fixtures.register(cast, org, record_type, date(2026, 3, 2))
    other = record_fixtures.register(cast, org, record_type, date(2025, 3, 2), title="Năm trước")
    pack = _pack(
        cast["manager"], "records", "date_from=2026-01-01", django_capture_on_commit_callbacks
    )
    archive = _zip(pack)
    paths = _paths(archive)
    assert pack.object_ids == [kept.pk]
    assert any(p.startswith(f"01-records/{kept.reference}/") for p in paths)
    assert not any(other.reference in p for p in paths)
    history = _csv_rows(archive, "02-history/record-history.csv")
    assert len(history) >= 2 and history[1][2] == kept.reference


def test_the_list_page_offers_the_pack_and_the_request_keeps_the_filter(
    client, crew, org, django_capture_on_commit_callbacks
):
    _ncs(crew, org)
    client.force_login(crew["manager"])
    query = f"department={org['a'].pk}"
    page = client.get(reverse("nonconformities:nc_list") + "?" + query)
    assert b'data-testid="export-list-pack"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("qms:evidence_request"),
            {"source": "nonconformities", "query": query + "&page=2&sort=-number"},
        )
    pack = EvidencePack.objects.get()
    assert response.status_code == 302 and response.url == pack.get_absolute_url()
    assert pack.query == query and len(pack.object_ids) == 2
    detail = client.get(pack.get_absolute_url()).content.decode()
    assert reverse("nonconformities:nc_list") + "?" + query in detail
    # an empty selection goes back to the list with the reason, in the user's language
    client.post(reverse("qms:evidence_request"), {"source": "nonconformities", "query": "q=zzzz"})
    assert EvidencePack.objects.count() == 1


def test_the_empty_selection_message_is_translated(client, crew, org):
    crew["manager"].language = "vi"
    crew["manager"].save()
    client.force_login(crew["manager"])
    response = client.post(
        reverse("qms:evidence_request"),
        {"source": "nonconformities", "query": "q=zzzz", "next": "/nonconformities/?q=zzzz"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/nonconformities/?q=zzzz"
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "nothing to pack" not in messages[0]
