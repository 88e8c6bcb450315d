"""Records: retention, immutability, legal hold, approved disposal with a certificate."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.models import Attachment, SecurityEvent, Signature
from records import services
from records.choices import Disposition, RecordStatus, Storage
from records.models import DisposalBatch, Record
from tests.factories import PASSWORD
from tests.records.conftest import make_type, pdf, register

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_retention_is_computed_from_the_type(cast, org):
    five_years = make_type(cast, org)
    forever = make_type(cast, org, code="NQ", years=None, permanent=True)
    record = register(cast, org, five_years, date(2024, 2, 29))
    assert record.retention_until == date(2029, 2, 28)
    assert register(cast, org, forever, date(2020, 1, 1)).retention_until is None
    with pytest.raises(ValidationError, match="retention in years"):
        make_type(cast, org, code="X", years=None)


def test_changing_the_types_retention_applies_to_records_kept(cast, org):
    record_type = make_type(cast, org)
    record = register(cast, org, record_type, date(2022, 3, 1))
    record_type.retention_years = 10
    services.record_type_save(
        actor=cast["manager"], record_type=record_type, version=record_type.version
    )
    record.refresh_from_db()
    assert record.retention_until == date(2032, 3, 1)


def test_registering_rules(cast, org):
    record_type = make_type(cast, org)
    with pytest.raises(ValidationError, match="attach its file"):
        register(cast, org, record_type, date(2025, 1, 1), files=[])
    with pytest.raises(ValidationError, match="future"):
        register(cast, org, record_type, TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="your own department"):
        register(cast, org, record_type, date(2025, 1, 1), department="b")
    archive = make_type(cast, org, code="HS-GIAY", storage=Storage.ARCHIVE, location="")
    with pytest.raises(ValidationError, match="where the original is kept"):
        register(cast, org, archive, date(2025, 1, 1), files=[])
    assert Record.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_correction_is_a_new_version_with_a_reason(cast, org):
    record = register(cast, org, make_type(cast, org), date(2025, 5, 1))
    record.title = "Biên bản họp tháng 5 (đã sửa)"
    with pytest.raises(ValidationError, match="why"):
        services.record_correct(
            actor=cast["clerk"], record=record, reason=" ", version=record.version
        )
    corrected = services.record_correct(
        actor=cast["clerk"],
        record=record,
        reason="Sai tiêu đề",
        version=0,
        uploads=[pdf("bo-sung.pdf")],
    )
    assert corrected.version_number == 2
    assert corrected.history.first().history_change_reason == "Sai tiêu đề"
    assert corrected.history.last().title == "Biên bản họp tháng"
    assert Attachment.objects.filter(object_id=record.pk).count() == 2
    with pytest.raises(PermissionDenied):
        services.record_correct(
            actor=cast["other"], record=corrected, reason="x", version=corrected.version
        )


def test_the_register_has_no_in_place_edit_or_delete(cast, org, client):
    record = register(cast, org, make_type(cast, org), date(2025, 5, 1))
    client.force_login(cast["clerk"])
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Record)
    response = client.post(f"/attachments/upload/{ct.pk}/{record.pk}/", {"file": pdf()})
    assert response.status_code == 404  # no file without a correction and its reason
    assert Attachment.objects.count() == 1


def _old_records(cast, org):
    destroy = make_type(cast, org)
    transfer = make_type(cast, org, code="HS-LT", disposition=Disposition.TRANSFER)
    old = register(cast, org, destroy, date(2018, 1, 10), title="Cũ, hủy")
    archived = register(cast, org, transfer, date(2018, 2, 10), title="Cũ, nộp lưu trữ")
    held = register(cast, org, destroy, date(2018, 3, 10), title="Cũ, đang tạm giữ")
    young = register(cast, org, destroy, date(2024, 3, 10), title="Còn hạn")
    services.hold_set(actor=cast["manager"], target=held, held=True, reason="Thanh tra tỉnh")
    return old, archived, held, young


def test_the_sweep_proposes_only_what_may_go(cast, org):
    old, archived, held, young = _old_records(cast, org)
    batch = services.disposal_propose(today=TODAY)
    assert set(batch.items.values_list("record_id", flat=True)) == {old.pk, archived.pk}
    assert services.disposal_propose(today=TODAY) is None  # nothing new
    assert DisposalBatch.objects.count() == 1


def test_approval_disposes_signs_and_issues_a_certificate(cast, org):
    old, archived, held, young = _old_records(cast, org)
    batch = services.disposal_propose(today=TODAY)
    with pytest.raises(ValidationError, match="password"):
        services.batch_approve(
            actor=cast["manager"], batch=batch, password="nope", version=batch.version
        )
    assert SecurityEvent.objects.filter(kind="signature_failed").count() == 1
    batch = services.batch_approve(
        actor=cast["manager"], batch=batch, password=PASSWORD, version=batch.version
    )
    old.refresh_from_db()
    archived.refresh_from_db()
    assert old.status == RecordStatus.DISPOSED and old.disposal_method == "destroy"
    assert archived.status == RecordStatus.DISPOSED and archived.disposal_method == "transfer"
    # Files destroyed only where the type says destroy; metadata stays.
    old_file = Attachment.objects.get(object_id=old.pk, content_type__model="record")
    assert not old_file.file and old_file.sha256 and old_file.removed_at
    assert Attachment.objects.get(object_id=archived.pk, content_type__model="record").file
    assert Record.objects.get(pk=held.pk).status == RecordStatus.ACTIVE
    certificate = batch.certificate
    assert certificate.record_type.permanent and certificate.retention_until is None
    assert Attachment.objects.filter(
        object_id=certificate.pk, content_type__model="record"
    ).exists()
    assert Signature.objects.get(pk=batch.signature_id).meaning == "disposal_approved"
    assert SecurityEvent.objects.filter(kind="disposal").count() == 1


def test_a_hold_placed_after_proposal_still_protects_the_record(cast, org):
    old, archived, held, young = _old_records(cast, org)
    batch = services.disposal_propose(today=TODAY)
    services.hold_set(actor=cast["manager"], target=old.record_type, held=True, reason="Khiếu nại")
    services.batch_approve(
        actor=cast["manager"], batch=batch, password=PASSWORD, version=batch.version
    )
    assert Record.objects.get(pk=old.pk).status == RecordStatus.ACTIVE
    item = batch.items.get(record=old)
    assert item.excluded and item.exclusion_reason == "Under legal hold"


def test_only_the_qms_manager_decides(cast, org):
    _old_records(cast, org)
    with pytest.raises(PermissionDenied):
        services.disposal_propose(today=TODAY, actor=cast["clerk"])
    batch = services.disposal_propose(today=TODAY)
    with pytest.raises(PermissionDenied):
        services.batch_approve(actor=cast["auditor"], batch=batch, password=PASSWORD, version=None)
    with pytest.raises(PermissionDenied):
        services.hold_set(
            actor=cast["clerk"], target=batch.items.first().record, held=True, reason="x"
        )
