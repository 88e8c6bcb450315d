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
        ("Tỷ lệ hồ sơ trả đúng hạn", "98", "%", "higher"),
        ("Chỉ số hài lòng", "95", "%", "higher"),
    ],
    "CT-02": [("Tỷ lệ hồ sơ đăng ký doanh nghiệp đúng hạn", "99", "%", "higher")],
    "CT-03": [("Thời gian thẩm định trung bình", "12", "ngày làm việc", "lower")],
    "QL-03": [("Sự không phù hợp đóng đúng hạn", "90", "%", "higher")],
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
                services.IndicatorData(name=n, target=Decimal(t), unit=u, direction=d)
                for n, t, u, d in INDICATORS.get(code, [])
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
