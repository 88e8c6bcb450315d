"""Demo nonconformities: about 80 over the past year, from every source, at every stage,
with actions (some overdue), analyses and a few reopened after a failed check."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from nonconformities import services
from nonconformities.models import Action, Nonconformity
from qms.history import save_with_history
from qms.models import Department, User

PROBLEMS = [
    ("late_case", "Trả kết quả trễ hạn hồ sơ đăng ký doanh nghiệp", "DKKD-DN", "procedure"),
    ("late_case", "Hồ sơ đăng ký hộ kinh doanh quá hạn 2 ngày làm việc", "DKKD-HKD", "people"),
    ("complaint", "Công dân phản ánh thái độ tiếp nhận chưa đúng mực", "VP-MC", "people"),
    ("complaint", "Thu phí không đúng biểu phí hiện hành", "VP-MC", "legal"),
    ("rating", "Phiếu đánh giá “không hài lòng” về thời gian chờ", "VP-MC", "environment"),
    ("internal_audit", "Hồ sơ không lưu phiếu kiểm soát quá trình", "DKKD", "materials"),
    ("internal_audit", "Tài liệu hết hiệu lực còn sử dụng tại bộ phận", "DTTD", "procedure"),
    ("external_audit", "Chưa đo lường mục tiêu chất lượng theo kế hoạch", "VP-ISO", "procedure"),
    ("monitoring", "Tỷ lệ hồ sơ đúng hạn tháng dưới chỉ tiêu 95%", "DKKD", "it_system"),
    ("monitoring", "Phần mềm một cửa không gửi tin nhắn hẹn trả", "VP-MC", "it_system"),
    ("management_review", "Chưa có kế hoạch đào tạo nghiệp vụ năm", "VP", "people"),
    ("staff_report", "Biểu mẫu cũ vẫn được phát cho công dân", "VP-MC", "materials"),
    ("staff_report", "Máy scan tại quầy hỏng, hồ sơ điện tử thiếu trang", "VP-MC", "environment"),
    ("late_case", "Hồ sơ thẩm định dự án trả chậm do chờ ý kiến liên ngành", "DTTD", "procedure"),
    (
        "complaint",
        "Hướng dẫn thành phần hồ sơ không thống nhất giữa các cán bộ",
        "DKKD-DN",
        "procedure",
    ),
    ("internal_audit", "Không có biên bản xem xét định kỳ tài liệu", "VP-ISO", "procedure"),
]
STORIES = [
    "reported",
    "reported",
    "triaged",
    "correction_only",
    "analysis",
    "planned",
    "implementing",
    "implementing_overdue",
    "check",
    "check_due",
    "closed",
    "closed",
    "closed",
    "reopened",
    "merged",
]


def load(stdout) -> None:
    if Nonconformity.objects.exists():
        return
    users = {u.username: u for u in User.objects.all()}
    if "qmsmanager" not in users:
        return
    departments = {d.code: d for d in Department.objects.all()}
    manager, head, staff, staff2 = (
        users["qmsmanager"],
        users["processowner"],
        users["staff"],
        users["staff2"],
    )
    password = settings.QMS_DEMO_PASSWORD
    rng = random.Random(2026)  # the same demo every time  # noqa: S311
    today = timezone.localdate()
    count = 0
    for index in range(80):
        source, title, dept_code, category = PROBLEMS[index % len(PROBLEMS)]
        story = STORIES[index % len(STORIES)]
        department = departments[dept_code]
        reporter = staff if index % 3 else staff2
        days_ago = rng.randint(5, 360)
        severity = (
            ["minor", "minor", "major", "critical"][index % 4]
            if story != "correction_only"
            else "minor"
        )
        nc = services.nonconformity_report(
            actor=reporter,
            nonconformity=Nonconformity(
                title=title,
                description=f"{title}. Phát hiện ngày {today - timedelta(days=days_ago):%d/%m/%Y}.",
                department=department,
                occurred_on=today - timedelta(days=days_ago),
                source=source,
                restricted=(category == "people" and source == "complaint" and index % 2 == 0),
            ),
        )
        owner = (
            head
            if department.path.startswith("SKHDT/DKKD/")
            else manager
            if story in ("reopened",)
            else head
        )
        if owner.pk == manager.pk:
            owner = head
        if story != "reported":
            nc = _play(story, nc, manager, owner, severity, category, password, today, rng)
        nc.reported_at = timezone.now() - timedelta(days=days_ago)
        save_with_history(nc, reason=gettext_noop("Demo agency"))
        count += 1
    overdue = Action.objects.filter(
        status__in=["planned", "in_progress"], due_date__lt=today
    ).count()
    stdout.write(
        f"  nonconformities: {count}, actions: {Action.objects.count()} ({overdue} overdue)"
    )


def _play(story, nc, manager, owner, severity, category, password, today, rng):
    needs_ca = story != "correction_only"
    nc = services.triage(
        actor=manager,
        nc=nc,
        severity=severity,
        category=category,
        needs_corrective_action=needs_ca,
        owner=owner,
        due_date=today + timedelta(days=rng.randint(10, 60)),
        version=nc.version,
    )
    if story == "merged":
        original = Nonconformity.objects.exclude(pk=nc.pk).filter(status="cause_analysis").first()
        if original:
            return services.merge(
                actor=manager, nc=nc, into=original, reason="Cùng một sự việc", version=nc.version
            )
        return nc
    if story == "triaged":
        return nc
    nc = services.record_correction(
        actor=owner,
        nc=nc,
        text="Đã xử lý ngay cho công dân và thông báo lại.",
        done_on=today,
        version=nc.version,
    )
    if story == "correction_only":
        return services.close_correction_only(actor=manager, nc=nc, version=nc.version)
    nc = services.start_analysis(actor=owner, nc=nc, version=nc.version)
    nc = services.save_analysis(
        actor=owner,
        nc=nc,
        five_whys=[
            "Vì sao xảy ra?",
            "Không kiểm tra trước khi trả",
            "Quy trình không quy định bước kiểm tra",
            "Chưa rà soát quy trình sau khi luật thay đổi",
        ],
        fishbone={category: ["Nguyên nhân chính"], "procedure": ["Thiếu bước kiểm soát"]},
        root_cause="Quy trình chưa quy định bước kiểm tra trước khi trả kết quả.",
        version=nc.version,
    )
    if story == "analysis":
        return nc
    due = today + timedelta(days=-20 if story == "implementing_overdue" else rng.randint(5, 40))
    first = _action(owner, nc, "Bổ sung bước kiểm tra vào quy trình", due)
    second = _action(owner, nc, "Phổ biến, đào tạo lại cán bộ liên quan", due + timedelta(days=7))
    if story == "planned":
        return _reload(nc)
    services.action_move(actor=owner, action=first, move="start")
    if story in ("implementing", "implementing_overdue"):
        return _reload(nc)
    services.action_move(actor=owner, action=Action.objects.get(pk=first.pk), move="complete")
    services.action_move(actor=owner, action=second, move="complete")
    nc = _reload(nc)
    if story == "check_due":
        nc.effectiveness_due = today - timedelta(days=3)
        return save_with_history(nc, reason=gettext_noop("Demo agency"))
    if story == "check":
        return nc
    # The demo's closed ones were checked on their date, in the past.
    nc.effectiveness_due = today
    nc = save_with_history(nc, reason=gettext_noop("Demo agency"))
    verifier = manager
    if story == "reopened":
        nc = services.verify(
            actor=verifier,
            nc=nc,
            result="not_effective",
            evidence="Tháng sau vẫn tái diễn 2 trường hợp.",
            password=password,
            version=nc.version,
        )
        _action(owner, nc, "Cài đặt cảnh báo hạn trên phần mềm một cửa", today + timedelta(days=15))
        return _reload(nc)
    return services.verify(
        actor=verifier,
        nc=nc,
        result="effective",
        evidence="Theo dõi 3 tháng không tái diễn.",
        password=password,
        version=nc.version,
    )


def _action(owner, nc, title, due):
    action = Action(
        title=title, owner=owner, due_date=max(due, timezone.localdate()), kind="corrective"
    )
    action = services.action_add(actor=owner, action=action, nonconformity=nc)
    if due < timezone.localdate():
        action.due_date = due  # the demo's overdue actions: planned earlier, now late
        save_with_history(action, reason=gettext_noop("Demo agency"))
    return action


def _reload(nc):
    nc.refresh_from_db()
    return nc
