"""Demo: the process map and 30 administrative procedures of a provincial Department of
Planning and Investment (names as in the agency's published catalogue)."""

from __future__ import annotations

from decimal import Decimal

from documents.models import Document, ExternalDocument
from procedures import services
from procedures.choices import AllowanceUnit, Level, ProcessType
from procedures.models import Procedure, Process
from qms.models import Department, User

M, C, S = ProcessType.MANAGEMENT, ProcessType.CORE, ProcessType.SUPPORT

PROCESSES = [
    # code, name, type, department, documents, hands over to
    (
        "QL-01",
        "Hoạch định, chính sách và xem xét của lãnh đạo",
        M,
        "SKHDT",
        ["QT-05", "QT-12"],
        ["CT-01", "HT-01"],
    ),
    ("QL-02", "Kiểm soát tài liệu và hồ sơ", M, "VP-ISO", ["QT-01", "QT-02"], ["CT-01"]),
    (
        "QL-03",
        "Đánh giá nội bộ, đo lường và cải tiến",
        M,
        "VP-ISO",
        ["QT-03", "QT-04", "QT-13"],
        ["QL-01"],
    ),
    (
        "CT-01",
        "Tiếp nhận và trả kết quả hồ sơ (Một cửa)",
        C,
        "VP-MC",
        ["QT-06"],
        ["CT-02", "CT-03", "CT-04", "QL-03"],
    ),
    ("CT-02", "Đăng ký doanh nghiệp", C, "DKKD", ["QT-07", "QT-08"], ["CT-01"]),
    ("CT-03", "Đầu tư và thẩm định dự án", C, "DTTD", ["QT-10", "QT-16"], ["CT-01"]),
    ("CT-04", "Đăng ký hợp tác xã và hỗ trợ doanh nghiệp", C, "DKKD-HKD", ["QT-09"], ["CT-01"]),
    ("HT-01", "Tổ chức cán bộ và đào tạo", S, "VP", ["QT-14"], ["CT-01"]),
    ("HT-02", "Văn thư, lưu trữ và công nghệ thông tin", S, "VP", ["QT-15"], ["CT-01", "QL-02"]),
    ("HT-03", "Giải quyết khiếu nại, tố cáo", S, "TTRA", ["QT-11"], ["QL-03"]),
]

INDICATORS = {
    "CT-01": [
        ("Tỷ lệ hồ sơ trả đúng hạn", "98", "%", "higher", "manual"),
        ("Chỉ số hài lòng", "95", "%", "higher", "manual"),
    ],
    "CT-02": [
        ("Tỷ lệ hồ sơ đăng ký doanh nghiệp đúng hạn", "95", "%", "higher", "on_time"),
        ("Chỉ số hài lòng về đăng ký doanh nghiệp", "90", "%", "higher", "satisfaction"),
    ],
    "CT-03": [("Thời gian thẩm định trung bình", "12", "ngày làm việc", "lower", "average_days")],
    "QL-03": [("Sự không phù hợp đóng đúng hạn", "90", "%", "higher", "manual")],
}

H = AllowanceUnit.HOURS

BUSINESS_STEPS = [
    (
        "Tiếp nhận hồ sơ, kiểm tra thành phần, cấp giấy biên nhận",
        "VP-MC",
        "4",
        H,
        "Công chức Một cửa",
    ),
    (
        "Thẩm định hồ sơ, nhập dữ liệu vào Hệ thống thông tin quốc gia",
        "DKKD-DN",
        "1.5",
        "days",
        "Chuyên viên",
    ),
    ("Xem xét, ký Giấy chứng nhận hoặc thông báo bổ sung", "DKKD", "0.5", "days", "Trưởng phòng"),
    ("Trả kết quả cho tổ chức, công dân", "VP-MC", "4", H, "Công chức Một cửa"),
]
INVESTMENT_STEPS = [
    ("Tiếp nhận hồ sơ, cấp giấy biên nhận", "VP-MC", "4", H, "Công chức Một cửa"),
    ("Thẩm định hồ sơ, lấy ý kiến các cơ quan liên quan", "DTTD", "9", "days", "Chuyên viên"),
    ("Tổng hợp, trình lãnh đạo Sở", "DTTD", "2", "days", "Trưởng phòng"),
    ("Lãnh đạo Sở xem xét, ký", "SKHDT", "2", "days", "Giám đốc / Phó Giám đốc"),
    ("Đóng dấu, trả kết quả", "VP-MC", "4", H, "Công chức Một cửa"),
]
COOPERATIVE_STEPS = [
    ("Tiếp nhận hồ sơ, cấp giấy biên nhận", "VP-MC", "4", H, "Công chức Một cửa"),
    ("Thẩm định hồ sơ", "DKKD-HKD", "3", "days", "Chuyên viên"),
    ("Xem xét, ký kết quả", "DKKD", "1", "days", "Trưởng phòng"),
    ("Trả kết quả", "VP-MC", "4", H, "Công chức Một cửa"),
]
SUPPORT_STEPS = [
    ("Tiếp nhận yêu cầu", "VP-MC", "4", H, "Công chức Một cửa"),
    ("Xử lý, chuẩn bị nội dung hỗ trợ", "TTXT-HT", "6", "days", "Viên chức"),
    ("Lãnh đạo Trung tâm duyệt", "TTXT", "2", "days", "Giám đốc Trung tâm"),
    ("Trả kết quả", "VP-MC", "4", H, "Công chức Một cửa"),
]

COMPANY_DOSSIER = [
    ("Giấy đề nghị đăng ký doanh nghiệp", "01 bản chính"),
    ("Điều lệ công ty", "01 bản"),
    ("Danh sách thành viên hoặc cổ đông sáng lập", "01 bản"),
    ("Bản sao giấy tờ pháp lý của cá nhân, tổ chức là thành viên, cổ đông", "01 bản sao"),
    ("*Văn bản ủy quyền cho người nộp hồ sơ", "01 bản"),
]
CHANGE_DOSSIER = [
    ("Thông báo thay đổi nội dung đăng ký doanh nghiệp", "01 bản chính"),
    ("Nghị quyết, quyết định và biên bản họp về việc thay đổi", "01 bản sao"),
    ("*Văn bản ủy quyền cho người nộp hồ sơ", "01 bản"),
]
INVESTMENT_DOSSIER = [
    ("Văn bản đề nghị thực hiện dự án đầu tư", "01 bản chính"),
    ("Tài liệu về tư cách pháp lý của nhà đầu tư", "01 bản sao"),
    ("Đề xuất dự án đầu tư", "04 bộ"),
    ("Tài liệu chứng minh năng lực tài chính của nhà đầu tư", "01 bản"),
    ("*Đề xuất nhu cầu sử dụng đất", "01 bản"),
]
COOPERATIVE_DOSSIER = [
    ("Giấy đề nghị đăng ký", "01 bản chính"),
    ("Điều lệ", "01 bản"),
    ("Nghị quyết hội nghị thành lập", "01 bản sao"),
    ("Danh sách thành viên", "01 bản"),
]
BUSINESS_FEE = "Lệ phí 50.000 đồng/lần; nộp hồ sơ trực tuyến: miễn lệ phí."
BUSINESS_LAW = ["59/2020/QH14", "01/2021/NĐ-CP"]

BUSINESS = "Thành lập và hoạt động của doanh nghiệp"
INVEST = "Đầu tư tại Việt Nam"
COOP = "Thành lập và hoạt động của hợp tác xã"
SME = "Hỗ trợ doanh nghiệp nhỏ và vừa"

PROCEDURES = [
    # code, name, field, days, process, department, steps, dossier, fees, legal basis
    ("DN-01", "Đăng ký thành lập doanh nghiệp tư nhân", BUSINESS, 3),
    ("DN-02", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", BUSINESS, 3),
    ("DN-03", "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên", BUSINESS, 3),
    ("DN-04", "Đăng ký thành lập công ty cổ phần", BUSINESS, 3),
    ("DN-05", "Đăng ký thành lập công ty hợp danh", BUSINESS, 3),
    ("DN-06", "Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp", BUSINESS, 3),
    ("DN-07", "Đăng ký đổi tên doanh nghiệp", BUSINESS, 3),
    ("DN-08", "Đăng ký thay đổi người đại diện theo pháp luật của công ty", BUSINESS, 3),
    ("DN-09", "Đăng ký thay đổi vốn điều lệ, tỷ lệ phần vốn góp", BUSINESS, 3),
    (
        "DN-10",
        "Đăng ký thay đổi thành viên công ty trách nhiệm hữu hạn hai thành viên trở lên",
        BUSINESS,
        3,
    ),
    ("DN-11", "Thông báo thay đổi ngành, nghề kinh doanh", BUSINESS, 3),
    ("DN-12", "Đăng ký hoạt động chi nhánh, văn phòng đại diện", BUSINESS, 3),
    ("DN-13", "Thông báo lập địa điểm kinh doanh", BUSINESS, 3),
    ("DN-14", "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn", BUSINESS, 3),
    ("DN-15", "Cấp lại Giấy chứng nhận đăng ký doanh nghiệp", BUSINESS, 3),
    ("DN-16", "Hiệu đính thông tin đăng ký doanh nghiệp", BUSINESS, 3),
    ("DN-17", "Chuyển đổi công ty trách nhiệm hữu hạn thành công ty cổ phần", BUSINESS, 3),
    ("DN-18", "Giải thể doanh nghiệp", BUSINESS, 5),
    ("DN-19", "Cung cấp thông tin về doanh nghiệp theo yêu cầu", BUSINESS, 3),
    (
        "DT-01",
        "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án không thuộc diện chấp thuận chủ trương đầu tư",
        INVEST,
        15,
    ),
    ("DT-02", "Điều chỉnh Giấy chứng nhận đăng ký đầu tư", INVEST, 15),
    ("DT-03", "Gia hạn thời hạn hoạt động của dự án đầu tư", INVEST, 15),
    ("DT-04", "Chấm dứt hoạt động của dự án đầu tư", INVEST, 15),
    (
        "DT-05",
        "Thành lập văn phòng điều hành của nhà đầu tư nước ngoài trong hợp đồng BCC",
        INVEST,
        15,
    ),
    ("DT-06", "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", INVEST, 35),
    ("HTX-01", "Đăng ký thành lập liên hiệp hợp tác xã", COOP, 5),
    ("HTX-02", "Đăng ký thay đổi tên, địa chỉ trụ sở chính của liên hiệp hợp tác xã", COOP, 5),
    ("HTX-03", "Giải thể tự nguyện liên hiệp hợp tác xã", COOP, 5),
    ("DNNVV-01", "Hỗ trợ tư vấn, hướng dẫn hồ sơ, thủ tục thành lập doanh nghiệp", SME, 10),
    ("DNNVV-02", "Hỗ trợ đào tạo, tập huấn cho doanh nghiệp nhỏ và vừa", SME, 10),
]

BY_FIELD = {
    BUSINESS: ("CT-02", "DKKD", BUSINESS_STEPS, COMPANY_DOSSIER, BUSINESS_FEE, BUSINESS_LAW),
    INVEST: ("CT-03", "DTTD", INVESTMENT_STEPS, INVESTMENT_DOSSIER, "Không", ["61/2018/NĐ-CP"]),
    COOP: (
        "CT-04",
        "DKKD-HKD",
        COOPERATIVE_STEPS,
        COOPERATIVE_DOSSIER,
        "Lệ phí 100.000 đồng/lần",
        [],
    ),
    SME: ("CT-04", "TTXT", SUPPORT_STEPS, [("Phiếu đề nghị hỗ trợ", "01 bản chính")], "Không", []),
}
CHANGE_CODES = {f"DN-{n:02d}" for n in range(6, 18)}


def _scaled(steps, days: int):
    """Investment steps stretch with the statutory time (35 days for chủ trương đầu tư)."""
    scale = Decimal(days) / Decimal(15) if days > 15 else Decimal(1)
    return [
        (
            name,
            dept,
            str((Decimal(allow) * scale).quantize(Decimal("0.01")) if unit == "days" else allow),
            unit,
            role,
        )
        for name, dept, allow, unit, role in steps
    ]


def load(stdout) -> None:
    if Process.objects.exists():
        load_cases(stdout)
        return
    manager = User.objects.filter(username="qmsmanager").first()
    if manager is None:
        return
    departments = {d.code: d for d in Department.objects.all()}
    documents = {d.code: d for d in Document.objects.all()}
    externals = {e.number: e for e in ExternalDocument.objects.all()}
    owner = User.objects.filter(username="processowner").first()
    processes = {}
    for code, name, kind, dept, docs, _targets in PROCESSES:
        processes[code] = services.process_save(
            actor=manager,
            process=Process(
                code=code,
                name=name,
                process_type=kind,
                department=departments[dept],
                owner=departments[dept].head,
                purpose=f"Bảo đảm {name.lower()} đúng quy định, đúng hạn.",
                inputs="Yêu cầu của tổ chức, công dân; quy định pháp luật",
                outputs="Kết quả giải quyết; hồ sơ lưu",
            ),
            documents=[documents[d] for d in docs if d in documents],
            indicators=[
                services.IndicatorData(name=n, target=Decimal(t), unit=u, direction=d, measure=m)
                for n, t, u, d, m in INDICATORS.get(code, [])
            ],
        )
    for code, _name, _kind, _dept, _docs, targets in PROCESSES:
        process = processes[code]
        services.process_save(
            actor=manager,
            process=process,
            version=process.version,
            hands_over_to=[processes[t] for t in targets],
            documents=list(process.documents.all()),
        )
    for code, name, field, days in PROCEDURES:
        process_code, dept, steps, dossier, fees, laws = BY_FIELD[field]
        if code in CHANGE_CODES:
            dossier = CHANGE_DOSSIER
        services.procedure_save(
            actor=manager,
            procedure=Procedure(
                code=code,
                name=name,
                field=field,
                level=Level.PROVINCIAL,
                process=processes[process_code],
                department=departments[dept],
                owner=owner if field == BUSINESS else departments[dept].head,
                statutory_days=days,
                fees=fees,
                applicants="Tổ chức, cá nhân",
                result="Giấy chứng nhận hoặc văn bản trả lời",
            ),
            steps=[
                services.StepData(
                    name=step,
                    allowance=Decimal(allowance),
                    unit=unit,
                    department=departments.get(step_dept),
                    role=role,
                )
                for step, step_dept, allowance, unit, role in _scaled(steps, days)
            ],
            dossier=[
                services.DossierData(
                    name=item.lstrip("*"), copies=copies, required=not item.startswith("*")
                )
                for item, copies in dossier
            ],
            legal_basis=[externals[n] for n in laws if n in externals],
            documents=[documents[c] for c in ("QT-06",) if c in documents],
        )
    stdout.write(
        f"  procedures: {Process.objects.count()} processes, "
        f"{Procedure.objects.count()} administrative procedures"
    )
    load_cases(stdout)


# --- A year of service cases ---------------------------------------------------------

APPLICANTS = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Hoàng Cường",
    "Phạm Thu Dung",
    "Hoàng Minh Đức",
    "Công ty TNHH Thương mại Hòa An",
    "Công ty CP Xây dựng Sông Lam",
    "Vũ Thị Hà",
    "Đặng Quốc Hùng",
    "HTX Nông nghiệp Tân Phú",
    "Bùi Thanh Lâm",
    "Đỗ Ngọc Mai",
    "Công ty TNHH MTV Cơ khí Phú Thành",
    "Ngô Văn Nam",
    "Dương Thị Oanh",
    "Lý Gia Phát",
]
LATE_REASONS = [
    "Phải lấy ý kiến cơ quan thuế về ngành nghề kinh doanh",
    "Hệ thống thông tin quốc gia về đăng ký doanh nghiệp gián đoạn",
    "Cán bộ thẩm định nghỉ ốm, chưa bố trí kịp người thay",
]
VOLUME = {
    "DN-01": 160,
    "DN-02": 420,
    "DN-03": 210,
    "DN-04": 230,
    "DN-06": 260,
    "DN-08": 180,
    "DN-09": 170,
    "DN-11": 200,
    "DN-14": 150,
    "DN-18": 60,
    "DT-01": 45,
    "DT-02": 50,
    "DT-06": 12,
    "HTX-01": 25,
    "DNNVV-01": 40,
}


def load_cases(stdout, *, seed: int = 2026) -> None:
    """About 2,200 finished cases over the last twelve months (most on time, some late,
    paused, returned or withdrawn) written in bulk with their history, then a few dozen
    open ones received through the service so that desks and handlers have work today."""
    import random
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from procedures.models import (
        CaseDossierItem,
        CasePause,
        CaseStatus,
        CaseStep,
        ServiceCase,
    )
    from qms.calendar import WorkingCalendar, working_seconds_per_day
    from qms.search import fold

    if ServiceCase.objects.exists():
        return
    rng = random.Random(seed)  # noqa: S311  (repeatable demo data, not security)
    calendar = WorkingCalendar()
    day = working_seconds_per_day()
    now = timezone.now()
    clerk = User.objects.filter(username="staff").first()
    handlers = {u.department_id: u for u in User.objects.filter(is_active=True).order_by("pk")}
    procedures = {
        p.code: p
        for p in Procedure.objects.prefetch_related("steps__department", "dossier").select_related(
            "department"
        )
    }
    codes: dict[str, int] = {}
    cases, steps, dossier, pauses = [], [], [], []
    for code, count in VOLUME.items():
        procedure = procedures.get(code)
        if procedure is None:
            continue
        plan = list(procedure.steps.all())
        for _ in range(count):
            received = now - timedelta(days=rng.uniform(8, 365))
            received = calendar.add_working_time(received, rng.uniform(0, day / 2))
            if received > now - timedelta(days=7):
                continue
            stamp = f"{timezone.localtime(received):%y%m%d}"
            codes[stamp] = codes.get(stamp, 0) + 1
            fate = rng.random()
            case = ServiceCase(
                receipt_code=f"HS-{stamp}-{codes[stamp]:04d}",
                procedure=procedure,
                department=procedure.department,
                applicant_name=rng.choice(APPLICANTS),
                applicant_kind="organisation" if rng.random() < 0.6 else "person",
                applicant_phone=f"09{rng.randint(10000000, 99999999)}",
                channel=rng.choice(["desk", "desk", "online"]),
                received_at=received,
                received_by=clerk,
                statutory_days=procedure.statutory_days,
                due_at=calendar.add_working_time(received, procedure.statutory_days * day),
            )
            case.search_text = fold(
                f"{case.receipt_code} {case.applicant_name} {case.applicant_phone}"
            )
            clock = received
            paused_days = 0.0
            if rng.random() < 0.08:  # a supplement requested at the first step
                pause_start = calendar.add_working_time(received, day * 0.25)
                paused_days = rng.uniform(1, 6)
                pause_end = calendar.add_working_time(pause_start, paused_days * day)
                pauses.append(
                    CasePause(
                        case=case,
                        reason="Bổ sung bản sao giấy tờ pháp lý",
                        notified_on=timezone.localdate(pause_start),
                        started_at=pause_start,
                        started_by=clerk,
                        ended_at=pause_end,
                        working_days=round(paused_days, 3),
                    )
                )
                case.due_at = calendar.add_working_time(case.due_at, paused_days * day)
            slow = fate > 0.93  # about 7 % late
            case_steps = []
            for step in plan:
                allowance = float(step.allowance_days)
                used = allowance * (
                    rng.uniform(1.2, 2.2) if slow and step.position == 2 else rng.uniform(0.3, 0.98)
                )
                started = clock
                clock = calendar.add_working_time(started, used * day)
                if paused_days and step.position == 1:
                    clock = calendar.add_working_time(clock, paused_days * day)
                department = step.department or procedure.department
                case_steps.append(
                    CaseStep(
                        case=case,
                        position=step.position,
                        name=step.name,
                        department=department,
                        role=step.role,
                        allowance_days=step.allowance_days,
                        handler=handlers.get(department.pk, clerk),
                        started_at=started,
                        due_at=calendar.add_working_time(started, allowance * day),
                        finished_at=clock,
                        finished_by=handlers.get(department.pk, clerk),
                        working_days_used=round(used, 3),
                        on_time=used <= allowance,
                    )
                )
            if fate < 0.03:
                case.status, case.outcome_reason = (
                    CaseStatus.RETURNED,
                    "Hồ sơ không đủ điều kiện theo quy định",
                )
                case_steps = case_steps[:2]
            elif fate < 0.05:
                case.status, case.outcome_reason = CaseStatus.WITHDRAWN, "Người nộp xin rút hồ sơ"
                case_steps = case_steps[:1]
            else:
                case.status = CaseStatus.COMPLETED
            case.finished_at = case_steps[-1].finished_at
            if case.finished_at > now:
                continue
            case.working_days_used = round(
                calendar.working_time_between(received, case.finished_at) / day - paused_days, 2
            )
            if case.status == CaseStatus.COMPLETED:
                case.on_time = case.finished_at <= case.due_at
                if not case.on_time:
                    case.late_reason = rng.choice(LATE_REASONS)
                    case.apology_issued_at = case.due_at
            cases.append(case)
            steps.extend(case_steps)
            dossier.extend(
                CaseDossierItem(
                    case=case,
                    position=item.position,
                    name=item.name,
                    required=item.required,
                    received=True,
                )
                for item in procedure.dossier.all()
            )
    with transaction.atomic():
        bulk_create_with_history(
            cases,
            ServiceCase,
            batch_size=500,
            default_user=clerk,
            default_change_reason="Demo: a year of cases",
        )
        for objects, model in ((steps, CaseStep), (dossier, CaseDossierItem), (pauses, CasePause)):
            for obj in objects:
                obj.case_id = obj.case.pk
            bulk_create_with_history(
                objects,
                model,
                batch_size=1000,
                default_user=clerk,
                default_change_reason="Demo: a year of cases",
            )
    _ratings(cases, clerk, rng)
    _open_cases(procedures, clerk, handlers, rng, calendar, day, now)
    stdout.write(
        f"  service cases: {ServiceCase.objects.count()} ({ServiceCase.objects.filter(on_time=False).count()} late)"
    )


def _open_cases(procedures, clerk, handlers, rng, calendar, day, now) -> None:
    """Open cases received through the service during the last days; some already late."""
    from datetime import timedelta

    from procedures.services import Applicant, case_move, case_receive

    for number in range(36):
        procedure = procedures[rng.choice(["DN-02", "DN-04", "DN-06", "DN-09", "DT-01"])]
        received = now - timedelta(days=rng.uniform(0.1, 9))
        if received.weekday() >= 5:
            received -= timedelta(days=2)
        case = case_receive(
            actor=clerk,
            procedure=procedure,
            applicant=Applicant(
                name=rng.choice(APPLICANTS), phone=f"09{rng.randint(10000000, 99999999)}"
            ),
            dossier_received=[item.position for item in procedure.dossier.all()],
            received_at=received,
        )
        if number % 3:
            step = case.steps.get(position=2)
            case_move(
                actor=clerk,
                case=case,
                version=case.version,
                handler=handlers.get(step.department_id),
            )


def _ratings(cases, clerk, rng) -> None:
    """A third of the applicants rate their completed case; the last few dissatisfied ones
    have open feedback items, and two complaints came in through the public form."""
    from simple_history.utils import bulk_create_with_history

    from procedures import services
    from procedures.models import CaseStatus, Rating

    ratings = []
    for case in cases:
        if case.status != CaseStatus.COMPLETED or rng.random() > 0.33:
            continue
        if case.on_time:
            score = rng.choices([5, 4, 3, 2], weights=[60, 30, 8, 2])[0]
        else:
            score = rng.choices([4, 3, 2, 1], weights=[20, 30, 35, 15])[0]
        rating = Rating(case=case, score=score, comment="" if score > 2 else "Phải chờ lâu")
        ratings.append(rating)
    bulk_create_with_history(
        ratings,
        Rating,
        batch_size=1000,
        default_user=clerk,
        default_change_reason="Demo: a year of cases",
    )
    # submitted_at is stamped on creation; demo ratings date from their case (history-free)
    for rating in ratings:
        Rating.objects.filter(pk=rating.pk).update(submitted_at=rating.case.finished_at)
    recent_bad = sorted((r for r in ratings if r.score <= 2), key=lambda r: r.case.finished_at)[-5:]
    for rating in recent_bad:
        services._open_feedback(
            kind="rating",
            case=rating.case,
            text=rating.comment or "Không hài lòng",
            name=rating.case.applicant_name,
            contact=rating.case.applicant_phone,
        )
    for text, code in (
        ("Cán bộ một cửa hướng dẫn chưa rõ, tôi phải bổ sung hồ sơ hai lần", "DN-02"),
        ("Quá hạn hẹn trả kết quả nhưng không được thông báo trước", "DN-06"),
    ):
        services.complaint_submit(
            text=text,
            name=rng.choice(APPLICANTS),
            contact="0912 000 111",
            procedure=Procedure.objects.get(code=code),
        )
