"""Internal audit rules: impartiality, the audit's steps, findings raising nonconformities."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits import services
from audits.models import AuditProgramme, Finding
from nonconformities.models import Nonconformity
from qms.models import Attachment, Signature
from tests.audits.conftest import TODAY, add_minor_nc, add_ofi, plan, start
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _run_to_confirmed(audit_crew, org, audit):
    audit = start(audit_crew, audit)
    item = audit.checklist.first()
    services.checklist_answer(
        actor=audit_crew["member"],
        item=item,
        result="minor_nc",
        notes="Thiếu",
        evidence="Sổ theo dõi",
    )
    add_minor_nc(audit_crew["member"], audit, org["a"], item)
    add_ofi(audit_crew["lead"], audit, org["a"])
    return services.audit_move(actor=audit_crew["lead"], audit=audit, move="confirm")


def test_an_auditor_never_audits_their_own_department(audit_crew, org):
    with pytest.raises(ValidationError, match="own work"):
        plan(audit_crew, org, departments=("b",))
    with pytest.raises(ValidationError, match="own work"):
        plan(audit_crew, org, departments=("agency",))  # B is a unit of the agency


def test_references_and_the_checklist(audit_crew, org):
    audit = plan(audit_crew, org)
    assert audit.reference == f"DGNB-{audit.start_date.year}-01"
    assert services.checklist_generate(actor=audit_crew["lead"], audit=audit) == 2
    assert services.checklist_generate(actor=audit_crew["lead"], audit=audit) == 0
    with pytest.raises(PermissionDenied):
        services.checklist_generate(actor=audit_crew["auditee"], audit=audit)


def test_confirming_raises_one_nonconformity_per_nc_finding(audit_crew, org):
    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    assert audit.status == "findings_confirmed"
    nc = Nonconformity.objects.get()
    finding = Finding.objects.get(kind="minor_nc")
    assert finding.nonconformity == nc and nc.origin == finding and nc.source == "internal_audit"
    assert nc.department == org["a"]
    assert Finding.objects.get(kind="ofi").nonconformity is None


def test_only_the_lead_signs_the_report_and_it_is_frozen(audit_crew, org):
    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    with pytest.raises(ValidationError, match="lead auditor"):
        services.report_sign(
            actor=audit_crew["member"],
            audit=audit,
            summary="",
            conclusion="Phù hợp",
            password=PASSWORD,
            version=audit.version,
        )
    reported = services.report_sign(
        actor=audit_crew["lead"],
        audit=audit,
        summary="Tóm tắt",
        conclusion="Phù hợp, có hiệu lực",
        password=PASSWORD,
        version=audit.version,
    )
    assert reported.status == "reported"
    report = Attachment.objects.get(object_id=audit.pk, content_type__model="audit")
    assert Signature.objects.get(meaning="report_signed").content_sha256 == report.sha256
    with pytest.raises(ValidationError):
        services.finding_add(
            actor=audit_crew["lead"],
            finding=Finding(
                audit=reported,
                kind="ofi",
                department=org["a"],
                requirement="x",
                evidence="x",
                statement="x",
            ),
        )


def test_no_closing_while_a_raised_nonconformity_is_open(audit_crew, org):
    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    audit = services.report_sign(
        actor=audit_crew["lead"],
        audit=audit,
        summary="",
        conclusion="Phù hợp",
        password=PASSWORD,
        version=audit.version,
    )
    with pytest.raises(ValidationError, match="still open"):
        services.audit_move(actor=audit_crew["lead"], audit=audit, move="close")
    Nonconformity.objects.update(status="closed")
    assert (
        services.audit_move(actor=audit_crew["lead"], audit=audit, move="close").status == "closed"
    )


def test_the_programme_is_approved_with_a_signature(audit_crew, org):
    programme = services.programme_save(
        actor=audit_crew["manager"], programme=AuditProgramme(year=TODAY.year)
    )
    with pytest.raises(ValidationError, match="Plan the year"):
        services.programme_approve(actor=audit_crew["head"], programme=programme, password=PASSWORD)
    plan(audit_crew, org, programme=programme)
    with pytest.raises(PermissionDenied):
        services.programme_approve(
            actor=audit_crew["manager"], programme=programme, password=PASSWORD
        )
    approved = services.programme_approve(
        actor=audit_crew["head"], programme=programme, password=PASSWORD
    )
    assert approved.status == "approved" and approved.signature.meaning == "programme_approved"


def test_an_approved_programme_takes_no_new_audit(audit_crew, org):
    programme = services.programme_save(
        actor=audit_crew["manager"], programme=AuditProgramme(year=TODAY.year)
    )
    plan(audit_crew, org, programme=programme)
    services.programme_approve(actor=audit_crew["head"], programme=programme, password=PASSWORD)
    with pytest.raises(ValidationError, match="approved as it stands"):
        plan(audit_crew, org, programme=programme, title="Thêm")


def test_an_opportunity_for_improvement_becomes_an_action(audit_crew, org):
    from datetime import timedelta

    from nonconformities.models import Action

    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    ofi = Finding.objects.get(kind="ofi")
    values = {
        "title": "Số hóa sổ theo dõi",
        "owner": audit_crew["auditee"],
        "due_date": TODAY + timedelta(days=30),
    }
    with pytest.raises(PermissionDenied):
        services.finding_action(actor=audit_crew["auditee"], finding=ofi, **values)
    with pytest.raises(ValidationError, match="own page"):
        services.finding_action(
            actor=audit_crew["lead"], finding=Finding.objects.get(kind="minor_nc"), **values
        )
    action = services.finding_action(actor=audit_crew["lead"], finding=ofi, **values)
    ofi.refresh_from_db()
    assert ofi.action == action and action.kind == "improvement"
    assert action.source == ofi and action.source_label == f"{audit.reference} F02"
    assert action.department == org["a"] and action.nonconformity is None
    with pytest.raises(ValidationError, match="already has an action"):
        services.finding_action(actor=audit_crew["lead"], finding=ofi, **values)
    assert Action.objects.count() == 1


def _signed(audit_crew, org):
    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    return services.report_sign(
        actor=audit_crew["lead"],
        audit=audit,
        summary="Tóm tắt",
        conclusion="Phù hợp",
        password=PASSWORD,
        version=audit.version,
    )


def test_a_correction_is_a_new_signed_version_and_the_first_stays(audit_crew, org):
    from pypdf import PdfReader

    audit = _signed(audit_crew, org)
    first = Attachment.objects.get(object_id=audit.pk, content_type__model="audit")
    first_bytes = first.file.open("rb").read()
    corrected = services.report_correct(
        actor=audit_crew["lead"],
        audit=audit,
        summary="Tóm tắt đã sửa",
        conclusion="Phù hợp, có hiệu lực",
        reason="Sai tên phòng trong phần phạm vi",
        password=PASSWORD,
        version=audit.version,
    )
    assert corrected.report_version == 2 and corrected.status == "reported"
    files = list(
        Attachment.objects.filter(object_id=audit.pk, content_type__model="audit").order_by("pk")
    )
    assert [f.original_name for f in files] == [
        f"{audit.reference}-report-v1.pdf",
        f"{audit.reference}-report-v2.pdf",
    ]
    assert files[0].file.open("rb").read() == first_bytes  # the signed version is untouched
    signed = list(Signature.objects.filter(meaning="report_signed").order_by("pk"))
    assert [s.content_sha256 for s in signed] == [f.sha256 for f in files]
    assert signed[1].comment == "Sai tên phòng trong phần phạm vi"
    text = "".join(page.extract_text() for page in PdfReader(files[1].file.open("rb")).pages)
    assert "Version 2" in text and "Sai tên phòng" in text and "replaces version 1" in text
    assert corrected.history.first().history_change_reason.startswith("Report corrected")


def test_a_correction_needs_a_reason_the_lead_and_the_password(audit_crew, org):
    audit = _signed(audit_crew, org)
    base = {
        "audit": audit,
        "summary": "",
        "conclusion": "Phù hợp",
        "reason": "Sửa lỗi chính tả",
        "password": PASSWORD,
        "version": audit.version,
    }
    with pytest.raises(ValidationError, match="lead auditor"):
        services.report_correct(actor=audit_crew["member"], **base)
    with pytest.raises(ValidationError, match="what is corrected"):
        services.report_correct(actor=audit_crew["lead"], **{**base, "reason": " "})
    with pytest.raises(ValidationError):
        services.report_correct(actor=audit_crew["lead"], **{**base, "password": "wrong"})
    stale = services.report_correct(actor=audit_crew["lead"], **base)
    with pytest.raises(ValidationError):
        services.report_correct(actor=audit_crew["lead"], **base)  # the form was stale
    assert stale.report_version == 2
    assert Signature.objects.filter(meaning="report_signed").count() == 2


def test_an_unsigned_report_cannot_be_corrected(audit_crew, org):
    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    with pytest.raises(ValidationError, match="signed report"):
        services.report_correct(
            actor=audit_crew["lead"],
            audit=audit,
            summary="",
            conclusion="Phù hợp",
            reason="x",
            password=PASSWORD,
            version=audit.version,
        )


def _in_progress_with_findings(audit_crew, org):
    audit = plan(audit_crew, org)
    services.checklist_generate(actor=audit_crew["lead"], audit=audit)
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="prepare")
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="start")
    made = []
    for kind, statement in (("minor_nc", "Phiếu kiểm soát không được lưu"), ("ofi", "Nên số hoá")):
        made.append(
            services.finding_add(
                actor=audit_crew["member"],
                finding=Finding(
                    audit=audit,
                    kind=kind,
                    department=org["a"],
                    requirement="Hồ sơ phải được kiểm soát",
                    evidence="3/10 hồ sơ",
                    statement=statement,
                ),
            )
        )
    return audit, made


def test_findings_are_corrected_or_withdrawn_until_the_closing_meeting(audit_crew, org):
    audit, (nc_finding, ofi) = _in_progress_with_findings(audit_crew, org)
    corrected = services.finding_update(
        actor=audit_crew["lead"],
        finding=nc_finding,
        version=nc_finding.version,
        kind="major_nc",
        statement="Không lưu phiếu kiểm soát hồ sơ",
    )
    assert (corrected.kind, corrected.statement) == ("major_nc", "Không lưu phiếu kiểm soát hồ sơ")
    with pytest.raises(ValidationError):  # a stale form changes nothing
        services.finding_update(
            actor=audit_crew["lead"], finding=nc_finding, version=nc_finding.version, kind="ofi"
        )
    with pytest.raises(ValidationError, match="scope"):
        services.finding_update(
            actor=audit_crew["lead"],
            finding=corrected,
            version=corrected.version,
            department=org["b"],
        )
    with pytest.raises(PermissionDenied):  # not on the audit team
        services.finding_withdraw(
            actor=audit_crew["manager"], finding=ofi, reason="x", version=ofi.version
        )
    with pytest.raises(ValidationError, match="why"):
        services.finding_withdraw(
            actor=audit_crew["member"], finding=ofi, reason=" ", version=ofi.version
        )
    withdrawn = services.finding_withdraw(
        actor=audit_crew["member"], finding=ofi, reason="Trùng với F01", version=ofi.version
    )
    assert withdrawn.withdrawn_by == audit_crew["member"] and Finding.objects.count() == 2
    assert withdrawn.history.first().history_change_reason == "Finding withdrawn"
    audit = services.audit_move(
        actor=audit_crew["lead"], audit=audit, move="confirm", version=audit.version
    )
    assert "Không lưu phiếu kiểm soát hồ sơ" in Nonconformity.objects.get().title
    assert list(audit.findings.current()) == [corrected]
    with pytest.raises(ValidationError, match="confirmed"):
        services.finding_update(
            actor=audit_crew["lead"],
            finding=corrected,
            version=Finding.objects.get(pk=corrected.pk).version,
            statement="muộn",
        )


def test_my_tasks_show_an_audit_session_to_the_head_of_the_department_met(
    audit_crew, org, role_users
):
    """The sessions of the next fortnight are read for the departments the user heads
    (kept with their access): a head named after their first page sees them at once."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from qms import mytasks
    from qms.services import department_save

    audit = plan(audit_crew, org)
    starts = timezone.make_aware(datetime.combine(TODAY + timedelta(days=3), time(9)))
    services.session_add(
        actor=audit_crew["lead"],
        audit=audit,
        department=org["a"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        topic="Kiểm soát tài liệu",
    )
    head = audit_crew["auditee"]

    def sessions(user) -> list[str]:
        user = type(user).objects.get(pk=user.pk)  # as the next request loads them
        return [t.title for t in mytasks.tasks_for(user, TODAY) if "Kiểm soát tài liệu" in t.title]

    assert sessions(head) == []  # heads nothing yet
    org["a"].head = head
    department_save(actor=role_users["administrator"], department=org["a"])
    assert sessions(head) == [f"Audit {audit.reference} meets Phòng A: Kiểm soát tài liệu"]
    assert sessions(audit_crew["member"]) == []
