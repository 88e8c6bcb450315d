"""Evidence packs: complete, verifiable, safe to open, and never holding what is hidden."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import services
from audits.models import Finding
from documents.models import Document
from qms import evidence
from qms.models import EvidencePack, SecurityEvent
from tests.audits.conftest import plan
from tests.audits.test_services import _run_to_confirmed
from tests.documents import conftest as document_fixtures
from tests.documents.conftest import run_through, start
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
people = document_fixtures.people  # the document cast, as a fixture here too


@pytest.fixture
def documents(people, org):
    from documents import services as document_services

    made = []
    for title, restricted in (("Quy trình tiếp nhận hồ sơ", False), ("Quy chế mật", True)):
        document = document_services.document_register(
            actor=people["controller"],
            document=Document(
                title=title,
                document_type="procedure",
                department=org["a"],
                owner=people["owner"],
                confidentiality="restricted" if restricted else "internal",
            ),
        )
        run_through(people, start(people, document, text=title))
        made.append(Document.objects.get(pk=document.pk))
    return made


@pytest.fixture
def reported(audit_crew, org, documents):
    audit = plan(audit_crew, org)
    audit.criteria_documents.set(documents)
    audit = _run_to_confirmed(audit_crew, org, audit)
    Finding.objects.filter(kind="minor_nc").update(statement='=HYPERLINK("http://x","y")')
    return services.report_sign(
        actor=audit_crew["lead"],
        audit=audit,
        summary="Tóm tắt",
        conclusion="Phù hợp",
        password=PASSWORD,
        version=audit.version,
    )


def _build(user, audit, capture) -> EvidencePack:
    with capture(execute=False):
        pack = evidence.pack_request(actor=user, source="audit", object_id=audit.pk)
    return evidence.pack_build(pack.pk)


def _zip(pack) -> zipfile.ZipFile:
    with evidence.pack_open(pack=pack, user=pack.requested_by) as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_the_pack_holds_the_audit_and_verifies(
    audit_crew, reported, documents, django_capture_on_commit_callbacks
):
    pack = _build(audit_crew["lead"], reported, django_capture_on_commit_callbacks)
    assert pack.status == "ready" and pack.files_done == pack.files_total
    archive = _zip(pack)
    manifest = json.loads(archive.read("manifest.json"))
    paths = [entry["path"] for entry in manifest["files"]]
    assert any(p.startswith("01-report/") and p.endswith(".pdf") for p in paths)
    assert {"02-findings/findings.xlsx", "02-findings/findings.csv"} <= set(paths)
    assert {"03-checklist/checklist.xlsx", "06-history/audit-history.csv"} <= set(paths)
    open_doc, secret_doc = documents
    assert any(p.startswith(f"04-documents/{open_doc.code} rev 01/") for p in paths)
    nc = Finding.objects.get(kind="minor_nc").nonconformity
    assert f"05-nonconformities/{nc.number}/{nc.number}.json" in paths
    for entry in manifest["files"]:
        assert len(entry["sha256"]) == 64 and entry["size"] == len(archive.read(entry["path"]))
    # the pack never names what the exporting user cannot see
    everything = archive.read("manifest.json") + archive.read("index.html")
    assert secret_doc.code.encode() not in everything and b"Quy ch" not in everything
    # a formula typed into a finding stays text in the spreadsheet
    rows = list(csv.reader(io.StringIO(archive.read("02-findings/findings.csv").decode())))
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    with evidence.pack_open(pack=pack, user=pack.requested_by) as handle:
        report = evidence.verify_pack(handle)
    assert report.ok and report.checked == len(paths)


def test_the_export_is_in_the_security_log(
    audit_crew, reported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pack = evidence.pack_request(
            actor=audit_crew["lead"],
            source="audit",
            object_id=reported.pk,
        )
    assert len(callbacks) == 1  # the build is queued after the commit
    event = SecurityEvent.objects.get(kind="export")
    assert event.actor == audit_crew["lead"] and reported.reference in event.target
    assert event.details == {"evidence_pack": pack.pk}


def test_tampering_is_caught(tmp_path, audit_crew, reported, django_capture_on_commit_callbacks):
    pack = _build(audit_crew["lead"], reported, django_capture_on_commit_callbacks)
    original = _zip(pack)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name in original.namelist():
            data = original.read(name)
            if name == "02-findings/findings.csv":
                data += b"extra row\n"
            if name.startswith("06-history/"):
                continue
            out.writestr(name, data)
        out.writestr("../../etc/cron.d/x", b"evil")
        out.writestr("added.txt", b"not listed")
    report = evidence.verify_pack(tampered.open("rb"))
    text = "\n".join(report.problems)
    assert "Changed since it was packed: 02-findings/findings.csv" in text
    assert "Missing: 06-history/audit-history.csv" in text
    assert "Unsafe path in the pack: ../../etc/cron.d/x" in text
    assert "Not in the manifest: added.txt" in text
    with pytest.raises(CommandError, match="not intact"):
        call_command("verify_pack", str(tampered))
    assert evidence.verify_pack(io.BytesIO(b"not a zip")).problems == ["This is not a ZIP file."]


def test_paths_inside_the_pack_are_sanitised():
    assert evidence.pack_path("../../etc/passwd") == "etc/passwd"
    assert evidence.pack_path("/abs\\..\\win.ini") == "abs/win.ini"
    assert evidence.pack_path('a/b:c*"?.pdf') == "a/b_c___.pdf"
    assert evidence.pack_path("04-documents/QT-01 rev 02/1-Quy trình.pdf").endswith("Quy trình.pdf")


def test_pages_and_downloads(
    client, audit_crew, reported, documents, django_capture_on_commit_callbacks
):
    client.force_login(audit_crew["lead"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/evidence/request/", {"source": "audit", "object_id": reported.pk})
    pack = EvidencePack.objects.get()
    assert response["Location"] == pack.get_absolute_url()
    page = client.get(pack.get_absolute_url()).content.decode()
    assert 'data-status="queued"' in page and "every 2s" in page
    evidence.pack_build(pack.pk)
    partial = client.get(pack.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="ready"' in partial and "every 2s" not in partial
    download = client.get(f"/evidence/{pack.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    pack.refresh_from_db()
    assert hashlib.sha256(body).hexdigest() == pack.sha256 and len(body) == pack.size
    # someone else's pack, a foreign or hidden source: 404, and nothing is queued
    client.force_login(audit_crew["auditee"])
    assert client.get(pack.get_absolute_url()).status_code == 404
    assert client.get(f"/evidence/{pack.pk}/download/").status_code == 404
    client.force_login(audit_crew["external"])
    for object_id in (reported.pk, 999999, "x"):
        response = client.post("/evidence/request/", {"source": "audit", "object_id": object_id})
        assert response.status_code == 404
    assert EvidencePack.objects.count() == 1
    # the verification page
    client.force_login(audit_crew["lead"])
    pack.refresh_from_db()
    with evidence.pack_open(pack=pack, user=audit_crew["lead"]) as handle:
        data = handle.read()
    upload = io.BytesIO(data)
    upload.name = "pack.zip"
    result = client.post("/evidence/verify/", {"pack": upload}).content.decode()
    assert "The pack is intact" in result


def test_the_external_auditor_exports_what_was_assigned(
    client, audit_crew, reported, documents, django_capture_on_commit_callbacks
):
    services.assign_external_auditor(
        actor=audit_crew["manager"], audit=reported, user=audit_crew["external"]
    )
    pack = _build(audit_crew["external"], reported, django_capture_on_commit_callbacks)
    paths = [e["path"] for e in json.loads(_zip(pack).read("manifest.json"))["files"]]
    # documents the audit references are granted with it; the nonconformity is not
    assert any(p.startswith(f"04-documents/{documents[0].code}") for p in paths)
    assert not any(p.startswith("05-nonconformities/") for p in paths)


def test_building_reads_a_bounded_number_of_queries(
    audit_crew, reported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        pack = evidence.pack_request(
            actor=audit_crew["lead"], source="audit", object_id=reported.pk
        )
    with CaptureQueriesContext(connection) as context:
        evidence.pack_build(pack.pk)
    assert len(context) <= 80, len(context)


def test_evidence_files_on_checklist_items(
    client, audit_crew, org, django_capture_on_commit_callbacks
):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits.models import ChecklistItem
    from qms.models import Attachment
    from tests.documents.conftest import pdf_bytes

    audit = plan(audit_crew, org)
    services.checklist_generate(actor=audit_crew["lead"], audit=audit)
    item = audit.checklist.order_by("position").first()
    url = f"/attachments/upload/{ContentType.objects.get_for_model(ChecklistItem).pk}/{item.pk}/"

    def upload(user):
        client.force_login(user)
        scan = SimpleUploadedFile("Sổ theo dõi.pdf", pdf_bytes("So theo doi"), "application/pdf")
        return client.post(url, {"file": scan, "description": ""})

    assert upload(audit_crew["member"]).status_code == 404  # not during the audit yet
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="prepare")
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="start")
    assert upload(audit_crew["auditee"]).status_code == 404  # auditees look, not attach
    assert not Attachment.objects.exists()
    assert upload(audit_crew["member"]).status_code == 302
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Sổ theo dõi.pdf" in page
    pack = _build(audit_crew["lead"], audit, django_capture_on_commit_callbacks)
    paths = [e["path"] for e in json.loads(_zip(pack).read("manifest.json"))["files"]]
    assert any(
        p.startswith("03-checklist/files/001/") and p.endswith("Sổ theo dõi.pdf") for p in paths
    )


def test_withdrawing_one_audit_keeps_documents_another_audit_still_grants(
    audit_crew, org, documents
):
    outsider = UserFactory(username="ext9", department=None, roles=["external_auditor"])
    open_doc = documents[0]
    first, second = plan(audit_crew, org), plan(audit_crew, org, title="Lần 2")
    for audit in (first, second):
        audit.criteria_documents.set([open_doc])
        services.assign_external_auditor(actor=audit_crew["manager"], audit=audit, user=outsider)
    services.assign_external_auditor(
        actor=audit_crew["manager"], audit=first, user=outsider, granted=False
    )
    assert list(Document.objects.visible_to(outsider)) == [open_doc]
    services.assign_external_auditor(
        actor=audit_crew["manager"], audit=second, user=outsider, granted=False
    )
    assert not Document.objects.visible_to(outsider).exists()
