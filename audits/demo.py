"""Demo internal audits: this year's approved programme, two audits reported (one closed),
one in progress, one planned, and the certification body's surveillance audit."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from audits import services
from audits.models import Audit, AuditProgramme, Finding
from documents.models import Document
from qms.calendar import add_working_days
from qms.models import Department, IsoClause, User

CLAUSES = ["4.4", "7.5", "8.2", "8.5", "9.1", "10.2"]


def _plan(manager, **values) -> Audit:
    departments = values.pop("departments")
    team = values.pop("team", [])
    clauses = list(IsoClause.objects.filter(number__in=values.pop("clauses", CLAUSES)))
    documents = values.pop("documents", [])
    return services.audit_plan(
        actor=manager,
        audit=Audit(**values),
        departments=departments,
        team=team,
        clauses=clauses,
        procedures=[d for d in documents if d.document_type == "procedure"],
        documents=documents,
    )


def _session(manager, audit: Audit, department: Department, day, topic: str) -> None:
    start = timezone.make_aware(datetime.combine(day, time(8, 30)))
    services.session_add(
        actor=manager,
        audit=audit,
        department=department,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        topic=topic,
    )


def _run(lead, member, audit: Audit, answers: list[tuple[str, str, str]], findings) -> Audit:
    """Prepare, start, answer the checklist in order, record findings and confirm."""
    services.checklist_generate(actor=lead, audit=audit)
    audit = services.audit_move(actor=lead, audit=audit, move="prepare")
    audit = services.audit_move(actor=lead, audit=audit, move="start")
    items = list(audit.checklist.select_related("clause").order_by("position"))
    for item, (result, notes, evidence) in zip(items, answers, strict=False):
        services.checklist_answer(
            actor=member, item=item, result=result, notes=notes, evidence=evidence
        )
    for kind, clause, requirement, evidence, statement in findings:
        item = next((i for i in items if i.clause.number == clause), None)
        services.finding_add(
            actor=lead,
            finding=Finding(
                audit=audit,
                kind=kind,
                clause=item.clause if item else None,
                department=audit.scope_departments.first(),
                checklist_item=item,
                requirement=requirement,
                evidence=evidence,
                statement=statement,
            ),
        )
    return audit


def load(stdout) -> None:
    if Audit.objects.exists():
        return
    users = {u.username: u for u in User.objects.all()}
    if "auditor" not in users:
        return
    manager, lead, head, external = (
        users["qmsmanager"],
        users["auditor"],
        users["giamdoc"],
        users["extauditor"],
    )
    password = settings.QMS_DEMO_PASSWORD
    departments = {d.code: d for d in Department.objects.all()}
    today = timezone.localdate()
    procedures = list(Document.objects.filter(document_type="procedure").order_by("code")[:3])

    programme = services.programme_save(
        actor=manager,
        programme=AuditProgramme(
            year=today.year,
            objectives=(
                "Đánh giá toàn bộ các phòng và các điều khoản TCVN ISO 9001:2015 trong chu kỳ "
                "3 năm; ưu tiên các thủ tục có tỷ lệ trễ hạn cao và phản ánh của công dân."
            ),
        ),
    )
    ok = ("conforming", "Áp dụng đúng quy trình", "Kiểm tra 10 hồ sơ ngẫu nhiên")

    # Reported and closed: the investment appraisal department, no nonconformity.
    first = _plan(
        manager,
        programme=programme,
        title="Đánh giá nội bộ Phòng Đấu thầu, Thẩm định và Giám sát đầu tư",
        start_date=today - timedelta(days=150),
        end_date=today - timedelta(days=149),
        lead_auditor=lead,
        team=[manager],
        departments=[departments["DTTD"]],
        documents=procedures,
    )
    first = _run(
        lead,
        manager,
        first,
        [ok, ok, ("observation", "Sổ theo dõi ghi tay", "Sổ theo dõi năm nay"), ok, ok, ok],
        [
            (
                "observation",
                "8.5",
                "Theo dõi tiến độ thẩm định",
                "Sổ theo dõi ghi tay, khó tổng hợp",
                "Nên theo dõi tiến độ thẩm định trên phần mềm",
            ),
        ],
    )
    first = services.audit_move(actor=lead, audit=first, move="confirm")
    first = services.report_sign(
        actor=lead,
        audit=first,
        summary="Phòng áp dụng đầy đủ các quy trình thẩm định dự án.",
        conclusion="Hệ thống phù hợp và được duy trì hiệu lực tại phòng.",
        password=password,
        version=first.version,
    )
    services.audit_move(actor=manager, audit=first, move="close")

    # Reported, waiting for its nonconformity: business registration.
    second = _plan(
        manager,
        programme=programme,
        title="Đánh giá nội bộ Phòng Đăng ký kinh doanh",
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=58),
        lead_auditor=lead,
        team=[manager],
        departments=[departments["DKKD"]],
        documents=procedures,
    )
    _session(manager, second, departments["DKKD"], second.start_date, "Họp khai mạc")
    second = _run(
        lead,
        manager,
        second,
        [
            ok,
            ("minor_nc", "3/12 hồ sơ thiếu phiếu kiểm soát", "Hồ sơ tháng 8 và 9"),
            ok,
            ("ofi", "Có thể gửi tin nhắn hẹn trả", "Phỏng vấn cán bộ"),
            ok,
            ok,
        ],
        [
            (
                "minor_nc",
                "7.5",
                "Thông tin dạng văn bản phải được lưu giữ (7.5.3)",
                "3/12 hồ sơ tháng 8–9 không lưu phiếu kiểm soát quá trình giải quyết",
                "Phiếu kiểm soát quá trình không được lưu đầy đủ trong hồ sơ",
            ),
            (
                "ofi",
                "8.2",
                "Trao đổi thông tin với công dân",
                "Công dân phải gọi điện hỏi tiến độ",
                "Có thể gửi tin nhắn tự động khi hồ sơ sẵn sàng trả kết quả",
            ),
        ],
    )
    second = services.audit_move(actor=lead, audit=second, move="confirm")
    services.report_sign(
        actor=lead,
        audit=second,
        summary="Phòng thực hiện đúng thời hạn 96% hồ sơ trong kỳ.",
        conclusion="Hệ thống phù hợp, trừ một điểm không phù hợp nhỏ về lưu hồ sơ.",
        password=password,
        version=second.version,
    )
    services.finding_action(
        actor=lead,
        finding=second.findings.get(kind="ofi"),
        title="Gửi tin nhắn tự động khi hồ sơ sẵn sàng trả kết quả",
        owner=users["processowner"],
        due_date=add_working_days(today, 30),
    )

    # In progress: the one-stop shop, half of the checklist answered.
    third = _plan(
        manager,
        programme=programme,
        title="Đánh giá nội bộ Bộ phận Một cửa",
        start_date=today - timedelta(days=1),
        end_date=add_working_days(today, 1),
        lead_auditor=lead,
        departments=[departments["VP-MC"]],
    )
    _session(manager, third, departments["VP-MC"], today, "Phỏng vấn cán bộ tiếp nhận")
    _run(lead, lead, third, [ok, ok, ("observation", "Biểu mẫu dán chưa cập nhật", "Quầy 2")], [])

    # Planned next month.
    _plan(
        manager,
        programme=programme,
        title="Đánh giá nội bộ Trung tâm Xúc tiến đầu tư",
        start_date=add_working_days(today, 20),
        end_date=add_working_days(today, 21),
        lead_auditor=lead,
        team=[manager],
        departments=[departments["TTXT"]],
    )
    services.programme_approve(actor=head, programme=programme, password=password)

    # The certification body's surveillance audit, led by its own auditor.
    surveillance = _plan(
        manager,
        title="Đánh giá giám sát lần 1 — Tổ chức chứng nhận",
        audit_type="surveillance",
        start_date=add_working_days(today, 30),
        end_date=add_working_days(today, 31),
        lead_auditor=external,
        departments=[departments["SKHDT"]],
        clauses=[c.number for c in IsoClause.objects.all()],
        documents=procedures,
    )
    services.assign_external_auditor(actor=manager, audit=surveillance, user=external)
    stdout.write(f"  audits: {Audit.objects.count()} audits, {Finding.objects.count()} findings")
