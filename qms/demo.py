"""The demo agency: a department tree, one user per role, this year's public holidays.

Loading is idempotent: objects are found by code or user name and never duplicated, and
nothing that exists is overwritten, so running the command again keeps people's changes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_noop

from qms.history import save_with_history
from qms.models import CalendarDay, Department, User
from qms.notifications import notify

AGENCY_DOMAIN = "skhdt.hoaan.example"

# code, name, parent code
DEPARTMENTS = [
    ("SKHDT", "Sở Kế hoạch và Đầu tư tỉnh Hòa An", None),
    ("VP", "Văn phòng Sở", "SKHDT"),
    ("VP-MC", "Bộ phận Tiếp nhận và Trả kết quả (Một cửa)", "VP"),
    ("VP-ISO", "Tổ ISO và Cải cách hành chính", "VP"),
    ("DKKD", "Phòng Đăng ký kinh doanh", "SKHDT"),
    ("DKKD-DN", "Tổ Đăng ký doanh nghiệp", "DKKD"),
    ("DKKD-HKD", "Tổ Hộ kinh doanh và Hợp tác xã", "DKKD"),
    ("DTTD", "Phòng Đấu thầu, Thẩm định và Giám sát đầu tư", "SKHDT"),
    ("TH", "Phòng Tổng hợp, Quy hoạch", "SKHDT"),
    ("TTRA", "Thanh tra Sở", "SKHDT"),
    ("TTXT", "Trung tâm Xúc tiến đầu tư và Hỗ trợ doanh nghiệp", "SKHDT"),
    ("TTXT-HT", "Tổ Hỗ trợ doanh nghiệp nhỏ và vừa", "TTXT"),
]

# username, first name, last name, role, department code, job title, language, heads
USERS = [
    (
        "admin",
        "Quản",
        "Nguyễn Văn",
        "administrator",
        "VP",
        "Chuyên viên Công nghệ thông tin",
        "vi",
        None,
    ),
    ("giamdoc", "Đức", "Trần Minh", "top_management", "SKHDT", "Giám đốc Sở", "vi", "SKHDT"),
    (
        "qmsmanager",
        "Hồng",
        "Lê Thị",
        "qms_manager",
        "VP",
        "Chánh Văn phòng, Đại diện lãnh đạo về chất lượng",
        "vi",
        "VP",
    ),
    (
        "doccontroller",
        "Trang",
        "Phạm Thu",
        "document_controller",
        "VP-ISO",
        "Chuyên viên quản lý tài liệu",
        "vi",
        "VP-ISO",
    ),
    (
        "processowner",
        "Nam",
        "Hoàng Văn",
        "process_owner",
        "DKKD",
        "Trưởng phòng Đăng ký kinh doanh",
        "vi",
        "DKKD",
    ),
    (
        "auditor",
        "Lan",
        "Vũ Thị",
        "internal_auditor",
        "TTRA",
        "Thanh tra viên, Chuyên gia đánh giá nội bộ",
        "vi",
        "TTRA",
    ),
    (
        "extauditor",
        "Huy",
        "Đỗ Quang",
        "external_auditor",
        None,
        "Chuyên gia đánh giá, Tổ chức chứng nhận",
        "en",
        None,
    ),
    ("staff", "Mai", "Ngô Thị", "staff", "VP-MC", "Công chức Bộ phận Một cửa", "vi", None),
    (
        "staff2",
        "Toàn",
        "Bùi Văn",
        "staff",
        "DKKD-DN",
        "Chuyên viên Đăng ký doanh nghiệp",
        "zh-hans",
        None,
    ),
]

HOLIDAYS_2026 = [
    (date(2026, 1, 1), "Tết Dương lịch"),
    (date(2026, 2, 16), "Tết Nguyên đán"),
    (date(2026, 2, 17), "Tết Nguyên đán"),
    (date(2026, 2, 18), "Tết Nguyên đán"),
    (date(2026, 2, 19), "Tết Nguyên đán"),
    (date(2026, 2, 20), "Tết Nguyên đán"),
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (date(2026, 4, 30), "Ngày Chiến thắng"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
]


def _fixed_holidays(year: int) -> list[tuple[date, str]]:
    """Solar-calendar holidays; lunar ones (Tết, Hùng Kings) are entered by the admin."""
    return [
        (date(year, 1, 1), "Tết Dương lịch"),
        (date(year, 4, 30), "Ngày Chiến thắng"),
        (date(year, 5, 1), "Ngày Quốc tế Lao động"),
        (date(year, 9, 2), "Quốc khánh"),
    ]


def load(stdout) -> None:
    departments = _load_departments()
    users = _load_users(departments, stdout)
    _assign_heads(departments, users)
    _load_holidays(timezone.localdate().year)


def _load_departments() -> dict[str, Department]:
    found: dict[str, Department] = {d.code: d for d in Department.objects.all()}
    for code, name, parent_code in DEPARTMENTS:
        if code in found:
            continue
        department = Department(code=code, name=name, parent=found.get(parent_code))
        department.path = department.compute_path()
        department.depth = department.path.count("/") - 1
        found[code] = save_with_history(department, reason=gettext_noop("Demo agency"))
    return found


def _load_users(departments: dict[str, Department], stdout) -> dict[str, User]:
    users = {}
    for username, first, last, role, dept, title, language, _heads in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{AGENCY_DOMAIN}",
                department=departments.get(dept) if dept else None,
                job_title=title,
                language=language,
            )
            user.set_password(settings.QMS_DEMO_PASSWORD)
            save_with_history(user, reason=gettext_noop("Demo agency"))
            user.groups.set(Group.objects.filter(name=role))
            notify(
                recipient=user,
                message=gettext_noop(
                    "Welcome to the quality management portal. Your tasks appear on the home page."
                ),
                email=False,
            )
        users[username] = user
    return users


def _assign_heads(departments: dict[str, Department], users: dict[str, User]) -> None:
    for username, *_rest, heads in USERS:
        if not heads:
            continue
        department = departments[heads]
        if department.head_id is None:
            department.head = users[username]
            save_with_history(department, reason=gettext_noop("Demo agency: head of department"))


def _load_holidays(year: int) -> None:
    rows = HOLIDAYS_2026 if year == 2026 else _fixed_holidays(year)
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    for day, name in rows:
        if day not in existing:
            save_with_history(CalendarDay(date=day, name=name), reason=gettext_noop("Demo agency"))
