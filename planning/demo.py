"""The demo agency's planning: scope and announcement, objectives, risks and opportunities."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from planning import services
from planning.models import Objective, Risk, Scope, ScorecardCriterion
from qms.history import save_with_history
from qms.models import Department, User

# year offset 0; department code (None: the agency); statement; indicator; measure; target;
# unit; direction; frequency; owner; manual values by month (None for live ones)
OBJECTIVES = [
    (
        None,
        "100% hồ sơ TTHC được giải quyết đúng hạn, phấn đấu tối thiểu 95%",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "on_time",
        95,
        "%",
        "higher",
        "monthly",
        "qmsmanager",
        None,
    ),
    (
        None,
        "Mức độ hài lòng của người dân, doanh nghiệp đạt từ 90% trở lên",
        "Chỉ số hài lòng",
        "satisfaction",
        90,
        "%",
        "higher",
        "quarterly",
        "qmsmanager",
        None,
    ),
    (
        None,
        "Khắc phục sự không phù hợp trong vòng 30 ngày",
        "Tỷ lệ SKPH đóng trong 30 ngày",
        "nc_closed_within",
        80,
        "%",
        "higher",
        "quarterly",
        "qmsmanager",
        None,
    ),
    (
        None,
        "Hoàn thành chương trình đánh giá nội bộ năm",
        "Tỷ lệ cuộc đánh giá đã hoàn thành",
        "audit_programme",
        100,
        "%",
        "higher",
        "yearly",
        "qmsmanager",
        None,
    ),
    (
        "VP-ISO",
        "Rà soát tài liệu đúng hạn",
        "Tỷ lệ tài liệu không quá hạn rà soát",
        "documents_reviewed",
        95,
        "%",
        "higher",
        "quarterly",
        "doccontroller",
        None,
    ),
    (
        "DKKD",
        "Rút ngắn thời gian đăng ký doanh nghiệp",
        "Số ngày làm việc trung bình",
        "manual",
        2.5,
        "ngày",
        "lower",
        "quarterly",
        "processowner",
        [3.1, 2.9, 2.6],
    ),
    (
        "VP-MC",
        "Tăng tỷ lệ hồ sơ nộp trực tuyến",
        "Tỷ lệ hồ sơ trực tuyến",
        "manual",
        60,
        "%",
        "higher",
        "monthly",
        "staff",
        [41, 44, 47, 50, 52, 55, 54, 57, 58, 61],
    ),
    (
        "DTTD",
        "Đào tạo nghiệp vụ đấu thầu cho công chức",
        "Số giờ đào tạo bình quân/người",
        "manual",
        24,
        "giờ",
        "higher",
        "quarterly",
        "processowner",
        [4, 9, 13],
    ),
]

RISKS = [
    (
        "risk",
        "Cán bộ một cửa nghỉ đột xuất, không có người thay",
        "VP-MC",
        "staff",
        4,
        4,
        "reduce",
        (2, 3),
        "Phân công người dự phòng, đào tạo chéo",
    ),
    (
        "risk",
        "Phần mềm một cửa điện tử gián đoạn",
        "VP-MC",
        "staff",
        3,
        5,
        "reduce",
        (2, 4),
        "Hợp đồng hỗ trợ kỹ thuật 24/7, quy trình tiếp nhận giấy dự phòng",
    ),
    (
        "risk",
        "Văn bản pháp luật thay đổi nhưng quy trình chưa cập nhật",
        "VP-ISO",
        "doccontroller",
        4,
        3,
        "reduce",
        (2, 3),
        "Theo dõi văn bản mới hằng tuần",
    ),
    (
        "risk",
        "Hồ sơ giấy thất lạc khi luân chuyển giữa các phòng",
        "DKKD",
        "processowner",
        2,
        5,
        "reduce",
        None,
        "Sổ giao nhận hồ sơ có ký nhận",
    ),
    (
        "risk",
        "Lộ thông tin cá nhân của người nộp hồ sơ",
        "VP",
        "qmsmanager",
        2,
        5,
        "avoid",
        (1, 5),
        "Phân quyền truy cập, mã hóa dữ liệu",
    ),
    (
        "risk",
        "Quá tải hồ sơ cuối năm",
        "DKKD",
        "processowner",
        5,
        3,
        "reduce",
        None,
        "Tăng cường nhân lực tháng 11–12",
    ),
    (
        "risk",
        "Nhà thầu tư vấn thẩm định chậm tiến độ",
        "DTTD",
        "processowner",
        3,
        3,
        "transfer",
        (2, 2),
        "Điều khoản phạt chậm tiến độ trong hợp đồng",
    ),
    (
        "risk",
        "Khiếu nại do hướng dẫn hồ sơ không thống nhất",
        "VP-MC",
        "staff2",
        3,
        2,
        "accept",
        None,
        "",
    ),
    (
        "opportunity",
        "Liên thông dữ liệu với Cổng dịch vụ công quốc gia",
        "VP-MC",
        "qmsmanager",
        4,
        4,
        "pursue",
        None,
        "Đề xuất kinh phí tích hợp",
    ),
    (
        "opportunity",
        "Thanh toán phí, lệ phí trực tuyến",
        "DKKD",
        "processowner",
        3,
        3,
        "pursue",
        None,
        "Phối hợp Kho bạc triển khai",
    ),
]

CRITERIA = [
    ("Công khai thủ tục hành chính", "publicity", 15, 100),
    ("Giải quyết hồ sơ đúng hạn", "on_time", 30, 95),
    ("Sự hài lòng của người dân", "satisfaction", 25, 90),
    ("Khắc phục sự không phù hợp", "nc_closed", 15, 80),
    ("Hành động không quá hạn", "actions_on_time", 5, 95),
    ("Thực hiện chương trình đánh giá", "audit_programme", 10, 100),
]


def load(stdout) -> None:
    if Objective.objects.exists() or Scope.objects.exists():
        return
    users = {u.username: u for u in User.objects.all()}
    if "qmsmanager" not in users:
        return
    departments = {d.code: d for d in Department.objects.all()}
    manager = users["qmsmanager"]
    today = timezone.localdate()
    from procedures.models import Procedure

    scope = services.scope_change(
        actor=manager,
        statement=(
            "Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính thuộc thẩm quyền của "
            "Sở Kế hoạch và Đầu tư tỉnh Hòa An; các hoạt động quản lý nội bộ hỗ trợ."
        ),
        exclusions="8.3 Thiết kế và phát triển: Sở không thiết kế sản phẩm, dịch vụ mới.",
        departments=[d for d in departments.values() if d.depth <= 1],
        procedures=list(Procedure.objects.all()),
        effective_from=date(today.year - 1, 3, 1),
        reason="",
    )
    services.announcement_record(
        actor=manager,
        scope=scope,
        announced_on=date(today.year - 1, 3, 15),
        decision_number=f"45/QĐ-SKHĐT/{today.year - 1}",
        signed_by="Trần Minh Đức, Giám đốc Sở",
        note="Công bố trên Cổng thông tin điện tử của Sở.",
    )
    for (
        code,
        statement,
        indicator,
        measure,
        target,
        unit,
        direction,
        frequency,
        owner,
        values,
    ) in OBJECTIVES:
        objective = services.objective_save(
            actor=manager,
            objective=Objective(
                year=today.year,
                department=departments.get(code) if code else None,
                statement=statement,
                indicator=indicator,
                measure=measure,
                target=Decimal(str(target)),
                unit=unit,
                direction=direction,
                frequency=frequency,
                owner=users[owner],
                within_days=30 if measure == "nc_closed_within" else None,
            ),
        )
        from planning.measures import periods

        for (start, end), value in zip(periods(today.year, frequency), values or [], strict=False):
            if start > today:
                break
            services.measurement_record(
                actor=users[owner],
                objective=objective,
                period_end=end - timedelta(days=1),
                value=Decimal(str(value)),
            )
    for index, (kind, title, code, owner, lik, imp, treatment, residual, plan) in enumerate(RISKS):
        risk = services.risk_save(
            actor=manager,
            risk=Risk(
                kind=kind,
                title=title,
                department=departments[code],
                owner=users[owner],
                likelihood=lik,
                impact=imp,
                treatment=treatment,
                treatment_plan=plan,
                residual_likelihood=residual[0] if residual else None,
                residual_impact=residual[1] if residual else None,
                review_date=today + timedelta(days=[-5, 10, 40, 90, 120, 200][index % 6]),
                cause="",
                consequence="",
            ),
        )
        if plan and index % 2 == 0:
            services.risk_action(
                actor=manager,
                risk=risk,
                title=plan,
                owner=users[owner],
                due_date=today + timedelta(days=20 + 10 * index),
            )
        risk.identified_on = today - timedelta(days=200 - 10 * index)
        save_with_history(risk, reason="Demo agency")
    for position, (name, metric, weight, target) in enumerate(CRITERIA):
        save_with_history(
            ScorecardCriterion(
                name=name, metric=metric, weight=weight, target=target, position=position
            ),
            actor=manager,
            reason="Demo agency",
        )
    stdout.write(
        f"  planning: {Objective.objects.count()} objectives, {Risk.objects.count()} risks and "
        f"opportunities, {len(CRITERIA)} scorecard criteria"
    )
