"""A page links only what its reader may open; the rest it names (found by crawling every
page of the demo agency as each of its people: 120 links answered "Page not found")."""

import pytest

from audits.models import Audit, AuditProgramme
from documents import services as document_services
from documents.choices import Confidentiality, DocumentType
from documents.models import Document, ExternalDocument
from procedures import services as procedure_services
from tests.audits.conftest import plan
from tests.factories import UserFactory
from tests.procedures.conftest import make_procedure, make_process

pytestmark = pytest.mark.django_db


def _document(role_users, org, **values) -> Document:
    return document_services.document_register(
        actor=role_users["document_controller"],
        document=Document(department=org["a"], owner=role_users["qms_manager"], **values),
    )


def _restricted_document(role_users, org) -> Document:
    return _document(
        role_users,
        org,
        title="Quy chế chấm điểm thi đua nội bộ",
        document_type=DocumentType.POLICY,
        confidentiality=Confidentiality.RESTRICTED,
    )


def test_a_units_staff_see_its_parent_named_not_linked(client, org):
    clerk = UserFactory(department=org["a1"], roles=["staff"])
    client.force_login(clerk)
    html = client.get(f"/departments/{org['a1'].pk}/").content.decode()
    assert org["a"].name in html
    assert f'href="/departments/{org["a"].pk}/"' not in html
    assert client.get(f"/departments/{org['a'].pk}/").status_code == 404
    head = UserFactory(department=org["a"], roles=["staff"])  # A's scope holds A1
    client.force_login(head)
    assert (
        f'href="/departments/{org["a"].pk}/"'
        in client.get(f"/departments/{org['a1'].pk}/").content.decode()
    )


def test_the_programme_links_only_the_audits_its_reader_may_open(client, role_users, org):
    crew = {
        "manager": role_users["qms_manager"],
        "lead": UserFactory(username="lead", department=org["b"], roles=["internal_auditor"]),
        "member": UserFactory(username="member", department=org["b"], roles=["internal_auditor"]),
    }
    programme = AuditProgramme.objects.create(year=2026)
    audit = plan(crew, org, programme=programme)
    outsider = UserFactory(department=org["b"], roles=["staff"])  # B is not audited
    assert not Audit.objects.visible_to(outsider).filter(pk=audit.pk).exists()
    client.force_login(outsider)
    html = client.get(f"/audits/programmes/{programme.pk}/").content.decode()
    assert audit.reference in html and audit.get_absolute_url() not in html
    client.force_login(crew["lead"])
    html = client.get(f"/audits/programmes/{programme.pk}/").content.decode()
    assert f'href="{audit.get_absolute_url()}"' in html


def test_a_process_lists_only_the_documents_its_reader_may_open(client, role_users, org):
    manager = role_users["qms_manager"]
    restricted = _restricted_document(role_users, org)
    process = make_process(manager, org)
    procedure_services.process_save(
        actor=manager, process=process, version=process.version, documents=[restricted]
    )
    client.force_login(UserFactory(department=org["b"], roles=["staff"]))
    html = client.get(process.get_absolute_url()).content.decode()
    assert "thi đua" not in html and restricted.code not in html
    client.force_login(manager)
    assert restricted.get_absolute_url() in client.get(process.get_absolute_url()).content.decode()


def test_an_external_auditor_sees_the_legal_basis_named(client, role_users, org):
    law = ExternalDocument.objects.create(
        kind="decree", number="61/2018/NĐ-CP", title="Một cửa", issuing_body="Chính phủ"
    )
    manager = role_users["qms_manager"]
    procedure = make_procedure(manager, org)
    procedure.legal_basis.add(law)
    client.force_login(manager)
    assert law.get_absolute_url() in client.get(procedure.get_absolute_url()).content.decode()
    auditor = role_users["external_auditor"]
    client.force_login(auditor)
    response = client.get(procedure.get_absolute_url())
    if response.status_code == 200:
        html = response.content.decode()
        assert "61/2018/NĐ-CP" in html and law.get_absolute_url() not in html
    assert client.get(law.get_absolute_url()).status_code == 404


def test_a_procedure_lists_only_the_documents_its_reader_may_open(client, role_users, org):
    manager = role_users["qms_manager"]
    procedure = make_procedure(manager, org)
    restricted = _restricted_document(role_users, org)
    procedure.documents.add(restricted)
    client.force_login(UserFactory(department=org["b"], roles=["staff"]))
    html = client.get(procedure.get_absolute_url()).content.decode()
    assert "thi đua" not in html and restricted.code not in html
    client.force_login(manager)
    assert (
        restricted.get_absolute_url() in client.get(procedure.get_absolute_url()).content.decode()
    )


def test_the_activity_page_links_only_the_objects_its_reader_may_open(client, role_users, org):
    """An internal auditor reads the agency's activity, a restricted document's changes
    among it, but may not open the document: its entry linked a "Page not found"."""
    restricted = _restricted_document(role_users, org)
    open_one = _document(
        role_users, org, title="Quy trình tiếp nhận hồ sơ", document_type=DocumentType.PROCEDURE
    )

    def entries(user) -> dict[int, str]:
        client.force_login(user)
        listed = client.get("/activity/", {"model": "documents.document"}).context["entries"]
        return {entry["id"]: entry["url"] for entry in listed}

    auditor = role_users["internal_auditor"]
    seen = entries(auditor)
    assert seen[restricted.pk] == "" and seen[open_one.pk]
    assert client.get(seen[open_one.pk], follow=True).status_code == 200
    html = client.get("/activity/", {"model": "documents.document"}).content.decode()
    assert restricted.code in html  # named, not linked
    assert all(entries(role_users["qms_manager"]).values())


def test_the_activity_page_names_people_to_whoever_may_not_open_their_page(client, role_users, org):
    """An internal auditor reads the activity but not the people's pages (403)."""
    from qms.services import user_save

    clerk = UserFactory(department=org["a"], roles=["staff"])
    clerk.job_title = "Chuyên viên"
    user_save(actor=role_users["administrator"], user=clerk, roles=["staff"])
    client.force_login(role_users["internal_auditor"])
    entries = client.get("/activity/", {"model": "qms.user"}).context["entries"]
    assert entries and not any(entry["url"] for entry in entries)
    assert client.get(clerk.get_absolute_url()).status_code == 403
    client.force_login(role_users["administrator"])
    entries = client.get("/activity/", {"model": "qms.user"}).context["entries"]
    assert entries and all(entry["url"] for entry in entries)
