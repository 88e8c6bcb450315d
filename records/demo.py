"""Demo records: 15 record types of a provincial department and about 300 records over six
years, some past their retention, some on legal hold, and one disposal batch proposed."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Document
from qms.models import Department, User
from records import services
from records.choices import Access, Disposition, Storage
from records.models import Record, RecordType

D, T, R = Disposition.DESTROY, Disposition.TRANSFER, Disposition.REVIEW
P, A = Storage.PORTAL, Storage.ARCHIVE

# code, name, department, years (None = permanent), end, access, storage, location, form, procedure, per year
TYPES = [
    (
        "HS-KN",
        "Hồ sơ giải quyết khiếu nại, tố cáo",
        "TTRA",
        10,
        T,
        Access.RESTRICTED,
        P,
        "",
        None,
        "QT-11",
        4,
    ),
    (
        "BC-DGNB",
        "Báo cáo đánh giá nội bộ",
        "VP-ISO",
        5,
        D,
        Access.AGENCY,
        P,
        "",
        "BM-03-02",
        "QT-03",
        2,
    ),
    ("DS-DT", "Danh sách tham dự đào tạo", "VP", 3, D, Access.DEPARTMENT, P, "", None, "QT-14", 6),
    (
        "BB-XXLD",
        "Biên bản họp xem xét của lãnh đạo",
        "VP",
        None,
        R,
        Access.AGENCY,
        P,
        "",
        "BM-05-01",
        "QT-05",
        1,
    ),
    (
        "SO-HS",
        "Sổ theo dõi hồ sơ tại Bộ phận Một cửa",
        "VP-MC",
        5,
        T,
        Access.DEPARTMENT,
        A,
        "Kho lưu trữ tầng 1, giá A",
        "BM-06-05",
        "QT-06",
        4,
    ),
    (
        "PK-KS",
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "DKKD",
        5,
        D,
        Access.DEPARTMENT,
        P,
        "",
        "BM-07-02",
        "QT-07",
        12,
    ),
    (
        "PYC-KP",
        "Phiếu yêu cầu hành động khắc phục",
        "VP-ISO",
        5,
        D,
        Access.AGENCY,
        P,
        "",
        "BM-04-01",
        "QT-04",
        4,
    ),
    (
        "PKS-HL",
        "Phiếu khảo sát ý kiến tổ chức, công dân",
        "VP-MC",
        3,
        D,
        Access.DEPARTMENT,
        P,
        "",
        "BM-13-01",
        "QT-13",
        4,
    ),
    (
        "HS-DKDN",
        "Hồ sơ đăng ký doanh nghiệp (bản lưu)",
        "DKKD-DN",
        20,
        T,
        Access.DEPARTMENT,
        A,
        "Kho lưu trữ tầng 2, giá C",
        None,
        "QT-07",
        6,
    ),
    (
        "BB-KT",
        "Biên bản kiểm tra, thanh tra",
        "TTRA",
        10,
        T,
        Access.RESTRICTED,
        P,
        "",
        None,
        "QT-11",
        2,
    ),
    (
        "CT-DGNB",
        "Chương trình đánh giá nội bộ hằng năm",
        "VP-ISO",
        5,
        D,
        Access.AGENCY,
        P,
        "",
        "BM-03-01",
        "QT-03",
        1,
    ),
    (
        "HS-TD",
        "Hồ sơ thẩm định dự án đầu tư",
        "DTTD",
        10,
        T,
        Access.DEPARTMENT,
        A,
        "Kho lưu trữ tầng 2, giá D",
        None,
        "QT-10",
        3,
    ),
    (
        "PX-LOI",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "VP-MC",
        3,
        D,
        Access.DEPARTMENT,
        P,
        "",
        "BM-06-04",
        "QT-06",
        3,
    ),
    ("BB-GB", "Biên bản họp giao ban", "VP", 2, D, Access.DEPARTMENT, P, "", None, None, 6),
    (
        "HS-CC",
        "Hồ sơ cán bộ, công chức",
        "VP",
        None,
        R,
        Access.RESTRICTED,
        A,
        "Phòng lưu trữ hồ sơ cán bộ, tủ khóa",
        None,
        "QT-14",
        2,
    ),
]


def _pdf(title: str) -> bytes:
    from qms.pdf import html_to_pdf

    return html_to_pdf(f"<h1 style='font-family:sans-serif'>{title}</h1><p>Bản lưu hồ sơ.</p>")


def load(stdout) -> None:
    if Record.objects.exists():
        return
    manager = User.objects.filter(username="qmsmanager").first()
    if manager is None:
        return
    departments = {d.code: d for d in Department.objects.all()}
    documents = {d.code: d for d in Document.objects.all()}
    today = timezone.localdate()
    count = 0
    for code, name, dept, years, end, access, storage, location, form, procedure, per_year in TYPES:
        record_type = services.record_type_save(
            actor=manager,
            record_type=RecordType(
                code=code,
                name=name,
                department=departments[dept],
                retention_years=years,
                permanent=years is None,
                disposition=end,
                access=access,
                storage=storage,
                location=location,
                form=documents.get(form),
                procedure=documents.get(procedure),
            ),
        )
        pdf = _pdf(name) if storage == P else b""
        for year in range(today.year - 6, today.year + 1):
            for index in range(per_year):
                month = 1 + (index * 12) // per_year
                when = date(year, month, min(28, 5 + index))
                if when > today:
                    continue
                record = Record(
                    record_type=record_type,
                    title=f"{name} {index + 1:02d}/{year}",
                    reference=services.next_reference(record_type, year),
                    record_date=when,
                    department=departments[dept],
                    physical_location=location,
                )
                uploads = (
                    [SimpleUploadedFile(f"{code}-{year}-{index + 1:02d}.pdf", pdf)] if pdf else []
                )
                services.record_register(actor=manager, record=record, uploads=uploads)
                count += 1
    hold_type = RecordType.objects.get(code="BB-KT")
    services.hold_set(
        actor=manager,
        target=hold_type,
        held=True,
        reason="Thanh tra công vụ của Sở Nội vụ năm 2026",
    )
    complaint = Record.objects.filter(record_type__code="BB-GB").order_by("record_date").first()
    services.hold_set(
        actor=manager, target=complaint, held=True, reason="Khiếu nại của công dân đang giải quyết"
    )
    batch = services.disposal_propose(today=today)
    stdout.write(
        f"  records: {RecordType.objects.count()} types, {count} records"
        + (f", batch {batch.number} proposed with {batch.items.count()} records" if batch else "")
    )
