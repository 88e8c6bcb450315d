"""Document control rules, at the service level."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents import services
from documents.choices import DocumentStatus, DocumentType, LegalStatus, RevisionStatus
from documents.models import (
    Acknowledgement,
    ApprovalStep,
    Document,
    DocumentTypeSetting,
    ExternalDocument,
    Revision,
)
from qms.models import Attachment, Notification, SecurityEvent, Signature
from qms.search import fold
from qms.workflow import ConcurrentChange
from tests.documents.conftest import docx_upload, pdf_upload, plan, run_through, start
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_codes_follow_the_agency_scheme(people, org, procedure):
    assert procedure.code == "QT-01"
    assert services.next_code(DocumentType.PROCEDURE) == "QT-02"
    DocumentTypeSetting.objects.create(
        document_type=DocumentType.FORM, prefix="BM", numbered_under_parent=True
    )
    Document.objects.filter(pk=procedure.pk).update(code="QT-07")
    procedure.refresh_from_db()
    assert services.next_code(DocumentType.FORM, parent=procedure) == "BM-07-01"
    form = Document(
        title="Phiếu đề nghị",
        document_type=DocumentType.FORM,
        department=org["a"],
        owner=people["owner"],
        parent=procedure,
    )
    services.document_register(actor=people["controller"], document=form)
    assert services.next_code(DocumentType.FORM, parent=procedure) == "BM-07-02"


def test_duplicate_code_is_refused_with_a_clear_message(people, org, procedure):
    duplicate = Document(
        code="qt-01",
        title="X",
        document_type=DocumentType.PROCEDURE,
        department=org["a"],
        owner=people["owner"],
    )
    with pytest.raises(ValidationError) as error:
        services.document_register(actor=people["controller"], document=duplicate)
    assert "already used" in str(error.value)
    assert Document.objects.count() == 1


def test_only_the_register_keeper_registers(people, org):
    document = Document(
        title="X", document_type=DocumentType.PLAN, department=org["a"], owner=people["owner"]
    )
    with pytest.raises(PermissionDenied):
        services.document_register(actor=people["owner"], document=document)


def test_full_cycle_makes_revision_one_effective_with_signatures(people, procedure):
    revision = start(people, procedure)
    assert revision.number == 1 and revision.status == RevisionStatus.DRAFT
    assert "kiểm soát tài liệu" in revision.text
    revision = run_through(people, revision)
    assert revision.status == RevisionStatus.EFFECTIVE
    procedure.refresh_from_db()
    assert procedure.status == DocumentStatus.EFFECTIVE
    assert procedure.effective_revision == revision
    assert procedure.next_review_date == services.add_months(timezone.localdate(), 12)
    meanings = list(Signature.objects.values_list("meaning", flat=True))
    assert meanings == ["reviewed", "approved"]
    assert all(s.content_sha256 == revision.file.sha256 for s in Signature.objects.all())
    assert SecurityEvent.objects.filter(kind="signature").count() == 2
    # the file's words are searched in file_text; search_text holds code and title only
    assert "kiem soat tai lieu" in procedure.file_text
    assert procedure.search_text == fold(f"{procedure.code} {procedure.title}")


def test_new_revision_supersedes_the_old_and_numbers_are_never_reused(people, procedure):
    first = run_through(people, start(people, procedure))
    discarded = start(people, procedure, text="Bản nháp bỏ")
    services.revision_discard(
        actor=people["owner"], revision=discarded, version=None, reason="Sai tệp"
    )
    second = run_through(people, start(people, procedure, text="Lần ban hành 3"))
    assert (first.number, discarded.number, second.number) == (1, 2, 3)
    first.refresh_from_db()
    assert (
        first.status == RevisionStatus.SUPERSEDED and first.superseded_date == timezone.localdate()
    )
    assert Revision.objects.get(pk=discarded.pk).status == RevisionStatus.DISCARDED
    assert Revision.objects.filter(document=procedure, status="effective").count() == 1


def test_one_effective_revision_is_a_database_rule(people, procedure):
    run_through(people, start(people, procedure))
    other = start(people, procedure, text="B")
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.filter(pk=other.pk).update(status="effective")


def test_nobody_approves_their_own_revision(people, procedure):
    with pytest.raises(ValidationError, match="drafted"):
        start(people, procedure, plan=plan(people, reviewers=(), approvers=("owner",)))
    assert not Revision.objects.exists()
    assert not Attachment.objects.exists()


def test_a_missing_approver_is_refused(people, procedure):
    with pytest.raises(ValidationError, match="at least one approver"):
        start(people, procedure, plan=plan(people, approvers=()))
    assert not Revision.objects.exists()


def test_a_wrong_file_type_changes_nothing(people, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        start(people, procedure, upload=SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\nxxxx"))
    assert not Revision.objects.exists() and not Attachment.objects.exists()


def test_who_may_start_a_revision(people, procedure):
    with pytest.raises(PermissionDenied):
        start(people, procedure, actor=people["outsider"])
    assert services.can_start_revision(people["reader"], procedure) is False  # A1 is below A
    assert services.can_start_revision(people["controller"], procedure)
    assert services.can_start_revision(people["manager"], procedure)


def test_steps_go_in_order_and_only_the_assigned_person_decides(people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    reviewer_step, approver_step = ApprovalStep.objects.filter(revision=revision).order_by(
        "position"
    )
    with pytest.raises(ValidationError, match="not your turn"):
        services.step_decide(
            actor=people["approver"], step=approver_step, decision="approved", password=PASSWORD
        )
    with pytest.raises(PermissionDenied):
        services.step_decide(
            actor=people["manager"], step=reviewer_step, decision="approved", password=PASSWORD
        )
    assert Notification.objects.filter(recipient=people["reviewer"]).exists()


def test_a_wrong_password_signs_nothing(people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    step = ApprovalStep.objects.filter(revision=revision).order_by("position").first()
    with pytest.raises(ValidationError, match="password is not correct"):
        services.step_decide(
            actor=people["reviewer"], step=step, decision="approved", password="wrong"
        )
    step.refresh_from_db()
    assert step.decision == "pending" and not Signature.objects.exists()
    assert SecurityEvent.objects.filter(kind="signature_failed").count() == 1


def test_request_changes_returns_the_draft_and_a_new_round_follows(people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    step = ApprovalStep.objects.filter(revision=revision).order_by("position").first()
    with pytest.raises(ValidationError, match="what must change"):
        services.step_decide(actor=people["reviewer"], step=step, decision="changes")
    services.step_decide(
        actor=people["reviewer"], step=step, decision="changes", comment="Bổ sung lưu đồ"
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.DRAFT
    assert Notification.objects.filter(
        recipient=people["owner"], params__comment="Bổ sung lưu đồ"
    ).exists()
    revision = run_through(people, revision)
    assert revision.status == RevisionStatus.EFFECTIVE
    rounds = sorted(
        set(ApprovalStep.objects.filter(revision=revision).values_list("round", flat=True))
    )
    assert rounds == [1, 2]


def test_a_signed_file_cannot_be_replaced(people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    reviewer_step, approver_step = ApprovalStep.objects.filter(revision=revision).order_by(
        "position"
    )
    services.step_decide(
        actor=people["reviewer"], step=reviewer_step, decision="approved", password=PASSWORD
    )
    services.step_decide(
        actor=people["approver"], step=approver_step, decision="changes", comment="Sửa mục 5"
    )
    revision.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be"):
        services.revision_update_draft(
            actor=people["owner"],
            revision=revision,
            version=revision.version,
            change_summary="x",
            plan=plan(people),
            planned_effective_date=None,
            upload=pdf_upload("Tệp khác"),
        )


def test_the_second_of_two_simultaneous_actions_is_refused(people, procedure):
    revision = start(people, procedure)
    stale_version = revision.version
    services.revision_submit(actor=people["owner"], revision=revision, version=stale_version)
    with pytest.raises((ConcurrentChange, ValidationError)):
        services.revision_submit(actor=people["owner"], revision=revision, version=stale_version)
    document = Document.objects.get(pk=procedure.pk)
    services.document_update(
        actor=people["controller"], document=document, version=document.version
    )
    with pytest.raises(ConcurrentChange):
        services.document_update(
            actor=people["controller"], document=document, version=document.version - 1
        )


def test_planned_effective_date_waits_for_the_daily_task(people, procedure):
    tomorrow = timezone.localdate() + timedelta(days=1)
    revision = run_through(people, start(people, procedure, planned_effective_date=tomorrow))
    assert revision.status == RevisionStatus.APPROVED
    assert services.publish_due_revisions(timezone.localdate()) == 0
    assert services.publish_due_revisions(tomorrow) == 1
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.EFFECTIVE


def test_distribution_asks_every_recipient_to_acknowledge(people, org, procedure):
    services.distribution_add(actor=people["owner"], document=procedure, department=org["a"])
    services.distribution_add(actor=people["owner"], document=procedure, user=people["outsider"])
    with pytest.raises(ValidationError, match="already"):
        services.distribution_add(actor=people["owner"], document=procedure, department=org["a"])
    revision = run_through(people, start(people, procedure))
    recipients = set(
        Acknowledgement.objects.filter(revision=revision).values_list("user__username", flat=True)
    )
    # Department A and its unit A1, plus the outsider named personally.
    assert {"owner", "reviewer", "reader", "outsider"} <= recipients
    services.acknowledge(actor=people["reader"], revision=revision)
    assert Acknowledgement.objects.get(revision=revision, user=people["reader"]).acknowledged_at
    with pytest.raises(ValidationError):
        services.acknowledge(actor=people["approver"], revision=revision)


def test_withdrawal_makes_the_effective_revision_obsolete(people, procedure):
    revision = run_through(people, start(people, procedure))
    with pytest.raises(ValidationError):
        services.document_withdraw(
            actor=people["controller"], document=procedure, reason=" ", version=None
        )
    services.document_withdraw(
        actor=people["controller"], document=procedure, reason="Thay bằng QT-05", version=None
    )
    revision.refresh_from_db()
    procedure.refresh_from_db()
    assert revision.status == RevisionStatus.OBSOLETE
    assert procedure.status == DocumentStatus.WITHDRAWN and procedure.effective_revision is None
    assert not services.can_start_revision(people["owner"], procedure)


def test_periodic_review_sets_the_next_date(people, procedure):
    run_through(people, start(people, procedure))
    procedure.refresh_from_db()
    services.document_review_record(
        actor=people["owner"],
        document=procedure,
        outcome="valid",
        comment="Còn phù hợp",
        next_review_date=None,
        version=procedure.version,
    )
    procedure.refresh_from_db()
    assert procedure.next_review_date == services.add_months(timezone.localdate(), 12)
    with pytest.raises(ValidationError, match="document controller"):
        services.document_review_record(
            actor=people["owner"],
            document=procedure,
            outcome="withdraw",
            comment="",
            next_review_date=None,
            version=procedure.version,
        )


def test_a_repealed_law_prompts_the_owners_of_dependent_documents(people, procedure):
    law = services.external_save(
        actor=people["controller"],
        external=ExternalDocument(
            kind="decree",
            number="61/2018/NĐ-CP",
            title="Nghị định về cơ chế một cửa",
            issuing_body="Chính phủ",
        ),
    )
    procedure.legal_basis.add(law)
    law.legal_status = LegalStatus.REPEALED
    services.external_save(actor=people["controller"], external=law, version=law.version)
    procedure.refresh_from_db()
    assert procedure.review_flag == "legal_repealed"
    assert procedure.review_flag_text == "Legal basis 61/2018/NĐ-CP was repealed"
    assert Notification.objects.filter(
        recipient=people["owner"], params__number="61/2018/NĐ-CP"
    ).exists()


def test_word_files_are_searchable_too(people, procedure):
    revision = run_through(
        people, start(people, procedure, upload=docx_upload("Tiếp nhận hồ sơ một cửa"))
    )
    procedure.refresh_from_db()
    assert "tiep nhan ho so mot cua" in procedure.file_text
    assert revision.file.mime_type.endswith("wordprocessingml.document")
