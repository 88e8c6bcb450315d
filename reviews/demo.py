"""The demo agency's management reviews: last year's, signed, and the coming one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.history import save_with_history
from qms.models import User
from reviews import services
from reviews.models import ManagementReview


def load(stdout) -> None:
    if ManagementReview.objects.exists():
        return
    users = {u.username: u for u in User.objects.all()}
    if "qmsmanager" not in users or "giamdoc" not in users:
        return
    manager, head = users["qmsmanager"], users["giamdoc"]
    participants = [
        users[name] for name in ("processowner", "doccontroller", "auditor") if name in users
    ]
    today = timezone.localdate()
    past = services.review_schedule(
        actor=manager,
        review=ManagementReview(
            title=f"Xem xét của lãnh đạo 6 tháng đầu năm {today.year}",
            meeting_date=today,
            place="Phòng họp tầng 2",
            chair=head,
            issues="Luật Doanh nghiệp sửa đổi có hiệu lực; tỉnh đẩy mạnh dịch vụ công trực tuyến toàn trình.",
            external_providers="Đơn vị cung cấp phần mềm một cửa: 2 lần gián đoạn, khắc phục trong ngày.",
            resources="Bộ phận Một cửa thiếu 01 công chức từ tháng 5.",
        ),
        participants=participants,
    )
    past = services.review_compile(actor=manager, review=past, version=past.version)
    past = services.review_hold(
        actor=manager,
        review=past,
        minutes=(
            "Giám đốc Sở chủ trì. Đại diện lãnh đạo về chất lượng báo cáo kết quả thực hiện mục tiêu "
            "chất lượng, kết quả đánh giá nội bộ và tình hình giải quyết hồ sơ. Các phòng thảo luận "
            "nguyên nhân hồ sơ trễ hạn và đề xuất giải pháp."
        ),
        conclusion="Hệ thống quản lý chất lượng phù hợp, đầy đủ và có hiệu lực; cần cải tiến tỷ lệ đúng hạn.",
        participants=participants,
        other_participants="Đại diện Sở Nội vụ (dự thính)",
        version=past.version,
    )
    for kind, text, title, owner, days in (
        (
            "resources",
            "Bổ sung 01 công chức cho Bộ phận Một cửa",
            "Trình phương án bổ sung biên chế",
            "qmsmanager",
            45,
        ),
        (
            "improvement",
            "Triển khai thanh toán lệ phí trực tuyến",
            "Phối hợp Kho bạc triển khai thanh toán trực tuyến",
            "processowner",
            90,
        ),
        (
            "qms_change",
            "Cập nhật quy trình đăng ký doanh nghiệp theo luật mới",
            "Sửa đổi QT-07",
            "processowner",
            30,
        ),
    ):
        services.decision_add(
            actor=manager,
            review=past,
            kind=kind,
            text=text,
            title=title,
            owner=users[owner],
            due_date=today + timedelta(days=days),
        )
    past = services.review_sign(
        actor=head, review=past, password=settings.QMS_DEMO_PASSWORD, version=None
    )
    # the meeting was held in the summer: dates moved back for the demo only
    past = ManagementReview.objects.get(pk=past.pk)
    past.meeting_date = today - timedelta(days=140)
    past.period_start = today - timedelta(days=320)
    past.inputs_as_of = past.meeting_date
    save_with_history(past, reason=gettext_noop("Demo agency"))
    coming = services.review_schedule(
        actor=manager,
        review=ManagementReview(
            title=f"Xem xét của lãnh đạo năm {today.year}",
            meeting_date=today + timedelta(days=12),
            place="Phòng họp tầng 2",
            chair=head,
            period_start=past.meeting_date,
        ),
        participants=participants,
    )
    services.review_compile(actor=manager, review=coming, version=coming.version)
    stdout.write(
        f"  management reviews: {ManagementReview.objects.count()} (one signed, one coming)"
    )
