"""Roles × document pages × in-scope, out-of-scope and restricted documents."""

import pytest
from guardian.shortcuts import assign_perm

from documents import services
from documents.choices import Confidentiality, DocumentType
from documents.models import Document, ExternalDocument, Revision
from tests.documents.conftest import run_through, start
from tests.factories import UserFactory
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix

pytestmark = pytest.mark.django_db

CONTROLLERS = {"document_controller": 200, "qms_manager": 200}
SEE_ALL = {**CONTROLLERS, "internal_auditor": 200, "top_management": 200}


@pytest.fixture
def catalogue(people, org, procedure):
    effective = run_through(people, start(people, procedure))
    restricted = services.document_register(
        actor=people["controller"],
        document=Document(
            title="Quy chế xử lý kỷ luật cán bộ",
            document_type=DocumentType.POLICY,
            department=org["a"],
            owner=people["owner"],
            confidentiality=Confidentiality.RESTRICTED,
        ),
    )
    restricted_revision = run_through(people, start(people, restricted, text="Quy chế"))
    assign_perm("documents.view_document", people["outsider"], restricted)
    draft_b = services.document_register(
        actor=people["controller"],
        document=Document(
            title="Kế hoạch của phòng B",
            document_type=DocumentType.PLAN,
            department=org["b"],
            owner=people["outsider"],
        ),
    )
    external = services.external_save(
        actor=people["controller"],
        external=ExternalDocument(
            kind="law", number="01/2026/QH15", title="Luật thử", issuing_body="Quốc hội"
        ),
    )
    return {
        "procedure": procedure,
        "effective": effective,
        "restricted": restricted,
        "restricted_revision": restricted_revision,
        "draft_b": draft_b,
        "external": external,
    }


def test_document_permission_matrix(role_users, catalogue):
    procedure = catalogue["procedure"]
    effective = catalogue["effective"]
    restricted = catalogue["restricted"]
    draft_b = catalogue["draft_b"]
    external = catalogue["external"]
    not_external = {"external_auditor": 404}
    cases = [
        Case("/documents/", 200),
        Case(f"/documents/{procedure.pk}/", 200, not_external),
        Case(f"/documents/revisions/{effective.pk}/", 200, not_external),
        Case(f"/documents/revisions/{effective.pk}/file/", 200, not_external),
        Case(f"/documents/{restricted.pk}/", 404, CONTROLLERS),
        Case(f"/documents/revisions/{catalogue['restricted_revision'].pk}/file/", 404, CONTROLLERS),
        Case(f"/documents/{draft_b.pk}/", 404, SEE_ALL),
        Case("/documents/999999/", 404),
        Case("/documents/new/", 403, CONTROLLERS),
        Case(f"/documents/{procedure.pk}/edit/", 403, {**CONTROLLERS, **not_external}),
        Case(f"/documents/{procedure.pk}/revise/", 200, not_external),
        Case(
            f"/documents/{draft_b.pk}/revise/",
            404,
            {**CONTROLLERS, "internal_auditor": 403, "top_management": 403},
        ),
        Case(
            f"/documents/revisions/{effective.pk}/acknowledgements/",
            403,
            {**CONTROLLERS, **not_external},
        ),
        Case("/documents/types/", 403, CONTROLLERS),
        Case("/documents/types/procedure/", 403, CONTROLLERS),
        Case("/documents/external/", 200),
        Case(f"/documents/external/{external.pk}/", 200, not_external),
        Case("/documents/external/new/", 403, CONTROLLERS),
        Case(f"/documents/external/{external.pk}/edit/", 403, {**CONTROLLERS, **not_external}),
    ]
    check_matrix(role_users, cases)


def test_named_reader_of_a_restricted_document(client, people, catalogue):
    client.force_login(people["outsider"])
    assert client.get(f"/documents/{catalogue['restricted'].pk}/").status_code == 200
    client.force_login(people["reader"])
    assert client.get(f"/documents/{catalogue['restricted'].pk}/").status_code == 404


def test_who_is_asked_to_acknowledge_a_restricted_document_may_read_it(
    client, people, org, catalogue
):
    """Its distribution list names its readers: a reader of A1 asked to read and
    acknowledge it had the task, and a 404 behind it."""
    restricted = Document.objects.get(pk=catalogue["restricted"].pk)  # as published
    revision = catalogue["restricted_revision"]
    client.force_login(people["reader"])
    assert client.get(f"/documents/{restricted.pk}/").status_code == 404
    services.distribution_add(actor=people["owner"], document=restricted, department=org["a"])
    task = f"/documents/revisions/{revision.pk}/"
    assert task in client.get("/").content.decode()  # My tasks: read and acknowledge it
    assert client.get(task).status_code == 200
    assert client.get(f"/documents/{restricted.pk}/").status_code == 200
    listed = client.get("/documents/", {"q": "kỷ luật"}).context["page_obj"]
    assert [d.pk for d in listed] == [restricted.pk]
    client.post(f"/documents/revisions/{revision.pk}/acknowledge/")
    assert revision.acknowledgements.get(user=people["reader"]).acknowledged_at is not None
    # not on the list: still not readable
    client.force_login(people["outsider"])
    assert client.get(task).status_code == 200  # a named reader (guardian grant)
    client.force_login(UserFactory(username="b2", department=org["b"], roles=["staff"]))
    assert client.get(task).status_code == 404


def test_taken_off_the_list_before_reading_is_no_longer_asked(
    client, people, org, catalogue, django_capture_on_commit_callbacks
):
    """A department removed from a restricted document's distribution list: its readers
    kept the task, the reminders and the document, until the next revision."""
    from datetime import timedelta

    from django.utils import timezone

    from documents.models import Acknowledgement
    from qms import reminders

    restricted = Document.objects.get(pk=catalogue["restricted"].pk)
    revision = catalogue["restricted_revision"]
    services.distribution_add(actor=people["owner"], document=restricted, department=org["a"])
    services.acknowledge(actor=people["reviewer"], revision=revision)  # read before removal
    entry = restricted.distribution.get(removed_at__isnull=True)
    client.force_login(people["owner"])
    client.post(f"/documents/distribution/{entry.pk}/remove/")
    task = f"/documents/revisions/{revision.pk}/"
    client.force_login(people["reader"])
    assert task not in client.get("/").content.decode()
    assert client.get(task).status_code == 404
    assert client.get(f"/documents/{restricted.pk}/").status_code == 404
    in_a_week = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run_sweep("documents.acknowledgement_outstanding", in_a_week) == 0
    # what was read stays read; the owner sees who was asked and when it was withdrawn
    client.force_login(people["owner"])
    listing = client.get(f"/documents/revisions/{revision.pk}/acknowledgements/")
    withdrawn_count = Acknowledgement.objects.filter(revision=revision).exclude(withdrawn_at=None)
    assert withdrawn_count.count() >= 1  # the reader (A1) and the owner (A), unread
    assert (
        f"1 of 1 acknowledged, 0 not yet. {withdrawn_count.count()} request"
        in listing.content.decode()
    )
    withdrawn = client.get(
        f"/documents/revisions/{revision.pk}/acknowledgements/", {"state": "withdrawn"}
    )
    assert people["reader"] in [a.user for a in withdrawn.context["page_obj"]]
    assert "Request withdrawn on" in withdrawn.content.decode()
    assert Acknowledgement.objects.get(revision=revision, user=people["reviewer"]).acknowledged_at
    # put back on the list: asked again, the task is back
    services.distribution_add(actor=people["owner"], document=restricted, user=people["reader"])
    client.force_login(people["reader"])
    assert task in client.get("/").content.decode()
    client.post(f"/documents/revisions/{revision.pk}/acknowledge/")
    ack = Acknowledgement.objects.get(revision=revision, user=people["reader"])
    assert ack.acknowledged_at is not None and ack.withdrawn_at is None


def test_register_and_document_pages_agree_for_every_role(role_users, people, catalogue):
    users = {**role_users, "outsider": people["outsider"], "reader": people["reader"]}
    check_list_detail_agree(
        users, "/documents/", lambda d: f"/documents/{d.pk}/", list(Document.objects.all())
    )


def test_external_auditors_see_only_what_they_were_granted(client, role_users, catalogue):
    auditor = role_users["external_auditor"]
    client.force_login(auditor)
    assert list(client.get("/documents/").context["page_obj"]) == []
    assign_perm("documents.view_document", auditor, catalogue["procedure"])
    client.force_login(auditor)
    assert [d.pk for d in client.get("/documents/").context["page_obj"]] == [
        catalogue["procedure"].pk
    ]
    assert client.get(f"/documents/revisions/{catalogue['effective'].pk}/").status_code == 200


def test_a_foreign_id_in_a_form_is_refused(client, people, org, catalogue):
    """A related document the user cannot see is not a valid choice: nothing changes."""
    client.force_login(people["owner"])
    procedure = catalogue["procedure"]
    response = client.post(
        f"/documents/{procedure.pk}/edit/",
        {
            "document_type": "procedure",
            "code": procedure.code,
            "title": procedure.title,
            "department": org["a"].pk,
            "owner": people["owner"].pk,
            "confidentiality": "internal",
            "review_interval_months": 12,
            "related_documents": [catalogue["draft_b"].pk],
            "version": Document.objects.get(pk=procedure.pk).version,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not procedure.related_documents.exists()


def test_drafts_are_seen_by_the_department_only(client, people, org, procedure):
    from tests.factories import UserFactory

    revision = start(people, procedure)
    colleague = UserFactory(department=org["a"], roles=["staff"])
    client.force_login(colleague)  # same department as the document: sees its drafts
    assert client.get(revision.get_absolute_url()).status_code == 200
    for outsider in (people["outsider"], people["reader"]):  # department B; unit A1 below A
        client.force_login(outsider)
        assert client.get(revision.get_absolute_url()).status_code == 404
        assert Revision.objects.visible_to(outsider).count() == 0


def test_a_grant_is_seen_at_once_though_the_grant_rule_is_kept(client, people, catalogue):
    """The set of a person's grants is compiled once and kept with their access
    (``object_grant_q``): its SQL reads guardian's tables, so a grant given or taken away
    shows at the next page, and the rule is not built again meanwhile."""
    from unittest import mock

    from guardian.shortcuts import remove_perm

    from qms import visibility

    restricted = catalogue["restricted"]
    client.force_login(people["reader"])
    page = f"/documents/{restricted.pk}/"
    assert client.get(page).status_code == 404
    client.get("/documents/")  # the rule is built and kept
    with mock.patch.object(visibility, "_granted_ids", wraps=visibility._granted_ids) as built:
        assign_perm("documents.view_document", people["reader"], restricted)
        assert client.get(page).status_code == 200
        listed = client.get("/documents/", {"q": "kỷ luật"}).context["page_obj"]
        assert [d.pk for d in listed] == [restricted.pk]
        remove_perm("documents.view_document", people["reader"], restricted)
        assert client.get(page).status_code == 404
    assert built.call_count == 0
