"""Benchmark data at the scale of a real agency (``manage.py generate_data``).

The figures of one agency (``SCALES["agency"]``) are what the portal has to stay fast
with: 60 departments, 2,000 civil servants, 20,000 controlled documents, 500,000 service
cases and the rest. The data follows the product's own rules, so that pages, counts and
dashboards behave as they would on an agency's real data:

* statuses, dates and links agree: an effective document points at its effective
  revision, a completed case has its finish time, its on-time flag and every step done,
  a closed nonconformity its closing time and its signed verification;
* the numbers people quote follow ``qms.numbering`` (NC-2026-0001, HD-…, RR-…, MT-…,
  PA-…) and the receipt codes of ``procedures.services``, numbered in time order;
* a case's deadlines are counted in office time of working days exactly as
  ``qms.calendar.WorkingCalendar`` counts them (see ``OfficeClock``);
* every row of a model with django-simple-history gets its "+" history row, dated when
  the object came to be and naming who made it. It holds the object's final state: the
  changes in between (submitted, approved, closed…) have no "~" rows of their own.

Speed: rows are plain dicts whose ids are chosen here, so that related rows need no
round trip. On PostgreSQL they are streamed with COPY, about five times faster than
``bulk_create`` (which spends most of its time preparing each value in Python);
elsewhere ``bulk_create`` in batches. Nothing is notified or e-mailed and no file is
stored: revisions have no file (the model allows it), record types keep their originals
in the archive room or another system.
"""

from __future__ import annotations

import bisect
import calendar as month_calendar
import io
import json
import random
import time as stopwatch
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from qms.calendar import WorkingCalendar, office_periods
from qms.search import bulk_load, fold
from qms.signatures import content_hash

# --- Scales -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How much of everything. ``ratings`` is approximate (a share of the completed
    cases); every other figure is met exactly."""

    name: str
    top_departments: int  # under the agency itself
    units: int  # below those departments
    users: int
    documents: int
    revisions: int
    acknowledgements: int
    record_types: int
    records: int
    external_documents: int
    processes: int
    procedures: int
    cases: int
    ratings: int
    nonconformities: int
    actions: int
    audits: int
    findings: int
    risks: int
    objectives: int

    @property
    def departments(self) -> int:
        return 1 + self.top_departments + self.units


AGENCY = Scale(
    name="agency",
    top_departments=8,
    units=51,
    users=2_000,
    documents=20_000,
    revisions=60_000,
    acknowledgements=200_000,
    record_types=120,
    records=50_000,
    external_documents=60,
    processes=24,
    procedures=1_500,
    cases=500_000,
    ratings=100_000,
    nonconformities=10_000,
    actions=30_000,
    audits=300,
    findings=9_000,
    risks=2_000,
    objectives=500,
)
# About a hundredth of an agency, for tests: a tree small enough to stay whole.
SMALL = Scale(
    name="small",
    top_departments=3,
    units=8,
    users=40,
    documents=200,
    revisions=600,
    acknowledgements=2_000,
    record_types=8,
    records=500,
    external_documents=8,
    processes=6,
    procedures=15,
    cases=5_000,
    ratings=1_000,
    nonconformities=100,
    actions=300,
    audits=3,
    findings=90,
    risks=20,
    objectives=5,
)
SCALES: dict[str, Scale] = {
    "small": SMALL,
    "agency": AGENCY,
    # The same tree and people as "small" with a fifth of the work: the smaller of the two
    # sizes at which tests/qms/test_key_pages.py compares the key pages' queries.
    "tiny": replace(
        SMALL,
        name="tiny",
        documents=40,
        revisions=120,
        acknowledgements=400,
        records=100,
        cases=1_000,
        ratings=200,
        nonconformities=30,
        actions=90,
        findings=30,
        risks=10,
    ),
    # A province's portal: the same departments' work, ten times the cases and people.
    "province": replace(AGENCY, name="province", users=20_000, cases=5_000_000, ratings=500_000),
}

DEFAULT_SEED = 2026
DOMAIN = "skhdt.hoaan.example"
#: A receipt code numbers a day's cases in four digits; the actions of a year stay within
#: four digits too (numbers of the year continue past 9,999: a province's feedback does).
YEAR_CAPACITY = 9_999
BATCH = 5_000
CASE_CHUNK = 10_000


class DatabaseNotEmpty(Exception):
    """generate_data only fills an empty database."""


# fmt: off


# --- Words ----------------------------------------------------------------------------
# Triples are (Vietnamese, Chinese, English): most names are Vietnamese, one in ten
# Chinese and one in ten English (Context.lang), so that search, sorting and the three
# interface languages meet all three scripts.

VI, ZH, EN = 0, 1, 2

FAMILY_VI = (
    "Nguyễn Văn", "Nguyễn Thị", "Trần Văn", "Trần Thị", "Lê Văn", "Lê Thị", "Phạm Minh",
    "Phạm Thu", "Hoàng Văn", "Hoàng Thị", "Huỳnh Ngọc", "Phan Thanh", "Vũ Thị", "Võ Văn",
    "Đặng Quang", "Bùi Văn", "Đỗ Quang", "Hồ Thị", "Ngô Thị", "Dương Minh", "Lý Thị",
    "Trịnh Xuân", "Đinh Văn", "Mai Thị", "Tạ Hữu", "Cao Thị", "Lương Đức", "Kiều Thị",
)
GIVEN_VI = (
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hằng", "Hiếu", "Hoa",
    "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc",
    "Nhung", "Phong", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
    "Thủy", "Trang", "Trung", "Tuấn", "Tú", "Uyên", "Việt", "Yến", "Đức", "Hồng", "Toàn",
)
FAMILY_ZH = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
             ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
             ("林", "lin"), ("何", "he"))
GIVEN_ZH = ("小明", "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
            "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚")
FIRST_EN = ("John", "Mary", "David", "Sarah", "Michael", "Emma", "James", "Olivia",
            "Robert", "Sophie", "Daniel", "Grace", "Thomas", "Alice", "Peter", "Laura")
LAST_EN = ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Hall",
           "Young", "King", "Wright", "Green", "Baker", "Hill")

TOP_DEPARTMENTS = (
    ("VP", "Văn phòng Sở"),
    ("TTRA", "Thanh tra Sở"),
    ("DKKD", "Phòng Đăng ký kinh doanh"),
    ("DTTD", "Phòng Đấu thầu, Thẩm định và Giám sát đầu tư"),
    ("TH", "Phòng Tổng hợp, Quy hoạch"),
    ("KTN", "Phòng Kinh tế ngành"),
    ("KGVX", "Phòng Khoa giáo – Văn xã"),
    ("TTXT", "Trung tâm Xúc tiến đầu tư và Hỗ trợ doanh nghiệp"),
    ("DNKT", "Phòng Doanh nghiệp, Kinh tế tập thể và tư nhân"),
    ("KTDN", "Phòng Kinh tế đối ngoại"),
)
UNIT_TEMPLATES = ("Tổ {}", "{}组", "{} team")
UNIT_FUNCTIONS = (
    ("Tiếp nhận hồ sơ", "受理", "Intake"), ("Thẩm định", "审查", "Appraisal"),
    ("Tổng hợp", "综合", "Coordination"), ("Pháp chế", "法制", "Legal affairs"),
    ("Kế toán", "会计", "Accounting"), ("Công nghệ thông tin", "信息技术", "IT"),
    ("Lưu trữ", "档案", "Archives"), ("Kiểm tra", "检查", "Inspection"),
    ("Hỗ trợ doanh nghiệp", "企业扶持", "Business support"), ("Quy hoạch", "规划", "Planning"),
    ("Đầu tư công", "公共投资", "Public investment"), ("Giám sát", "监督", "Supervision"),
    ("Thống kê", "统计", "Statistics"), ("Hợp tác quốc tế", "国际合作", "International cooperation"),
    ("Xúc tiến đầu tư", "投资促进", "Investment promotion"), ("Tổ chức cán bộ", "人事", "Personnel"),
    ("Hành chính", "行政", "Administration"), ("Văn thư", "文书", "Clerical"),
)

# role → job titles (Vietnamese, Chinese, English); heads get the first set's head title.
JOB_TITLES = {
    "staff": (("Chuyên viên", "Chuyên viên chính", "Cán sự", "Viên chức"), ("科员",), ("Officer",)),
    "desk": (("Công chức Bộ phận Một cửa",), ("一站式窗口科员",), ("One-stop desk officer",)),
    "head": (("Trưởng phòng",), ("处长",), ("Head of division",)),
    "unit_head": (("Tổ trưởng",), ("组长",), ("Team leader",)),
    "director": (("Giám đốc Sở",), ("厅长",), ("Director",)),
    "deputy": (("Phó Giám đốc Sở",), ("副厅长",), ("Deputy director",)),
    "qms_manager": (("Đại diện lãnh đạo về chất lượng", "Chuyên viên ISO"), ("质量经理",), ("Quality manager",)),
    "document_controller": (("Chuyên viên quản lý tài liệu",), ("文件管理员",), ("Document controller",)),
    "internal_auditor": (("Chuyên gia đánh giá nội bộ",), ("内审员",), ("Internal auditor",)),
    "external_auditor": (("Chuyên gia đánh giá, Tổ chức chứng nhận",), ("认证审核员",), ("Certification auditor",)),
    "administrator": (("Chuyên viên Công nghệ thông tin",), ("系统管理员",), ("System administrator",)),
}

TOPICS = (
    ("kiểm soát tài liệu", "文件控制", "document control"),
    ("kiểm soát hồ sơ", "记录控制", "records control"),
    ("đánh giá nội bộ", "内部审核", "internal audit"),
    ("xem xét của lãnh đạo", "管理评审", "management review"),
    ("kiểm soát sự không phù hợp", "不合格控制", "nonconformity control"),
    ("hành động khắc phục", "纠正措施", "corrective action"),
    ("tiếp nhận và trả kết quả hồ sơ", "受理和返还结果", "receiving and returning dossiers"),
    ("giải quyết khiếu nại, tố cáo", "处理投诉和举报", "handling complaints"),
    ("đăng ký doanh nghiệp", "企业登记", "business registration"),
    ("thẩm định dự án đầu tư", "投资项目评估", "investment project appraisal"),
    ("quản lý văn thư", "文书管理", "clerical work"),
    ("lưu trữ hồ sơ", "档案保管", "archiving"),
    ("đào tạo cán bộ", "干部培训", "staff training"),
    ("tuyển dụng công chức", "公务员招聘", "recruitment"),
    ("quản lý tài sản công", "公共资产管理", "public asset management"),
    ("mua sắm thường xuyên", "日常采购", "routine purchasing"),
    ("quản lý công nghệ thông tin", "信息技术管理", "IT management"),
    ("sao lưu dữ liệu", "数据备份", "data backup"),
    ("đo lường sự hài lòng", "满意度测量", "satisfaction measurement"),
    ("quản lý rủi ro", "风险管理", "risk management"),
    ("hoạch định mục tiêu chất lượng", "质量目标策划", "quality objectives"),
    ("thanh tra, kiểm tra", "检查和监督", "inspection"),
    ("tiếp công dân", "接待公民", "receiving citizens"),
    ("quản lý con dấu", "印章管理", "seal management"),
    ("soạn thảo văn bản", "公文起草", "drafting official letters"),
    ("cấp giấy chứng nhận đầu tư", "颁发投资证书", "investment certificates"),
    ("hỗ trợ doanh nghiệp nhỏ và vừa", "扶持中小企业", "support for small businesses"),
    ("đăng ký hợp tác xã", "合作社登记", "cooperative registration"),
    ("quản lý đấu thầu", "招标管理", "bidding"),
    ("giám sát đầu tư công", "公共投资监督", "public investment supervision"),
    ("tổng hợp báo cáo định kỳ", "定期报告汇总", "periodic reporting"),
    ("an toàn thông tin", "信息安全", "information security"),
    ("xử lý văn bản đến", "收文处理", "incoming letters"),
    ("phát hành văn bản đi", "发文管理", "outgoing letters"),
    ("quản lý tài chính, kế toán", "财务会计管理", "finance and accounting"),
    ("cải cách hành chính", "行政改革", "administrative reform"),
    ("phòng cháy chữa cháy", "消防安全", "fire safety"),
    ("quản lý xe công", "公务车辆管理", "official vehicles"),
)
# document type → templates per language ({t} topic, {y} year)
DOCUMENT_TITLES = {
    "manual": (("Sổ tay chất lượng",), ("质量手册",), ("Quality manual",)),
    "policy": (("Chính sách {t}",), ("{t}方针",), ("Policy on {t}",)),
    "procedure": (("Quy trình {t}",), ("{t}程序",), ("Procedure for {t}",)),
    "instruction": (("Hướng dẫn {t}",), ("{t}作业指导书",), ("Work instruction: {t}",)),
    "form": (("Phiếu {t}", "Sổ theo dõi {t}", "Biểu mẫu {t}", "Báo cáo {t}"), ("{t}表",), ("Form: {t}",)),
    "plan": (("Kế hoạch {t} năm {y}",), ("{y}年{t}计划",), ("Plan for {t} {y}",)),
    "other": (("Tài liệu {t}",), ("{t}资料",), ("Guidance on {t}",)),
}
DOCUMENT_PREFIX = {"manual": "STCL", "policy": "CS", "procedure": "QT", "instruction": "HD",
                   "form": "BM", "plan": "KH", "other": "TL"}
DOCUMENT_TYPE_WEIGHTS = {"policy": 1, "procedure": 25, "instruction": 18, "form": 40, "plan": 10,
                         "other": 6}
CHANGE_SUMMARIES = (
    "Ban hành lần đầu", "Cập nhật theo văn bản pháp luật mới", "Sửa đổi lưu đồ và trách nhiệm",
    "Bổ sung biểu mẫu kèm theo", "Rút ngắn thời gian xử lý", "Chỉnh sửa theo kết quả đánh giá nội bộ",
    "根据新法规更新", "Updated after the management review",
)
# The text extracted from a revision's file (search reads it, the document keeps it folded):
# numbered sections of sentences about the document's topic, 1.5–10 KB as a three- to
# ten-page procedure gives; {t} is the topic.
TEXT_SECTIONS = (
    ("Mục đích", "Phạm vi áp dụng", "Tài liệu viện dẫn", "Định nghĩa và chữ viết tắt",
     "Nội dung quy trình", "Trách nhiệm thực hiện", "Hồ sơ lưu", "Biểu mẫu kèm theo"),
    ("目的", "适用范围", "引用文件", "术语和缩写", "程序内容", "职责", "记录保存", "附件表格"),
    ("Purpose", "Scope", "References", "Definitions and abbreviations", "Procedure",
     "Responsibilities", "Records kept", "Forms attached"),
)
TEXT_SENTENCES = (
    ("Quy trình này quy định cách thức thực hiện {t} thống nhất trong toàn cơ quan.",
     "Cán bộ tiếp nhận kiểm tra tính đầy đủ của hồ sơ trước khi chuyển bộ phận chuyên môn.",
     "Trưởng phòng chịu trách nhiệm phân công xử lý và theo dõi thời hạn giải quyết.",
     "Kết quả {t} được cập nhật vào hệ thống và thông báo cho các đơn vị liên quan.",
     "Trường hợp quá hạn, bộ phận xử lý phải có văn bản xin lỗi và hẹn lại thời gian trả kết quả.",
     "Hồ sơ được lưu trữ theo quy định về thời hạn bảo quản tài liệu lưu trữ.",
     "Việc {t} tuân thủ các yêu cầu của TCVN ISO 9001:2015 và văn bản pháp luật hiện hành.",
     "Định kỳ hằng năm, lãnh đạo xem xét hiệu lực của quy trình và đề xuất cải tiến.",
     "Mọi thay đổi phải được phê duyệt trước khi áp dụng và phổ biến đến người thực hiện.",
     "Công chức thực hiện ghi nhận đầy đủ thông tin vào sổ theo dõi và biểu mẫu kèm theo."),
    ("本程序规定了全机关统一开展{t}的方法。",
     "受理人员在移交业务部门前检查材料是否齐全。",
     "科室负责人负责分派办理任务并跟踪办理时限。",
     "{t}的结果录入系统并通知相关单位。",
     "逾期时，办理部门应出具致歉函并重新约定办结时间。",
     "档案按照文件保管期限的规定予以保存。",
     "{t}遵守TCVN ISO 9001:2015和现行法律法规的要求。",
     "领导每年审查程序的有效性并提出改进建议。"),
    ("This procedure sets out how {t} is carried out in the same way across the agency.",
     "The receiving officer checks that the file is complete before passing it on.",
     "The head of division assigns the work and follows the statutory time limit.",
     "The result of {t} is recorded in the system and sent to the units concerned.",
     "When a case is late the division apologises in writing and sets a new date.",
     "Records are kept for the retention period the archive rules lay down.",
     "{t} follows ISO 9001:2015 and the legal documents in force.",
     "Each year the management reviews how well the procedure works and what to improve."),
)


WITHDRAW_REASONS = ("Thủ tục đã bãi bỏ", "Được thay thế bằng quy trình liên thông",
                    "Không còn áp dụng sau khi sắp xếp lại tổ chức")

RECORD_KINDS = (
    ("BB", "Biên bản họp giao ban", "例会记录", "Minutes of the weekly meeting"),
    ("SO", "Sổ theo dõi văn bản đến", "收文登记簿", "Incoming letters register"),
    ("SD", "Sổ theo dõi văn bản đi", "发文登记簿", "Outgoing letters register"),
    ("PK", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "办理过程控制单", "Case control sheet"),
    ("KN", "Hồ sơ giải quyết khiếu nại", "投诉处理档案", "Complaint file"),
    ("BC", "Báo cáo tháng", "月度报告", "Monthly report"),
    ("DS", "Danh sách tham dự đào tạo", "培训签到表", "Training attendance list"),
    ("TD", "Hồ sơ thẩm định dự án", "项目评估档案", "Project appraisal file"),
    ("MS", "Hồ sơ mua sắm", "采购档案", "Purchasing file"),
    ("HD", "Hợp đồng", "合同", "Contract"),
    ("KT", "Biên bản kiểm tra", "检查记录", "Inspection report"),
    ("QD", "Quyết định", "决定", "Decision"),
)
PLACES = ("Kho lưu trữ tầng 1", "Kho lưu trữ tầng 2", "Tủ hồ sơ phòng", "Kho lưu trữ cơ quan")

PROCEDURE_FIELDS = (
    ("DN", "Thành lập và hoạt động của doanh nghiệp"),
    ("DT", "Đầu tư tại Việt Nam"),
    ("HTX", "Thành lập và hoạt động của hợp tác xã"),
    ("DTH", "Đấu thầu"),
    ("HTDN", "Hỗ trợ doanh nghiệp nhỏ và vừa"),
    ("ODA", "Vốn hỗ trợ phát triển chính thức"),
    ("QH", "Quy hoạch"),
    ("DTC", "Đầu tư công"),
    ("PPP", "Đầu tư theo phương thức đối tác công tư"),
)
PROCEDURE_ACTIONS = (("Cấp", "颁发", "Issue of"), ("Cấp lại", "补发", "Re-issue of"),
                     ("Điều chỉnh", "调整", "Amendment of"), ("Gia hạn", "延期", "Extension of"),
                     ("Thu hồi", "撤销", "Revocation of"),
                     ("Đăng ký thay đổi nội dung", "变更", "Change of"),
                     ("Chấm dứt hiệu lực", "终止", "Termination of"))
PROCEDURE_SUBJECTS = (
    ("giấy chứng nhận đăng ký doanh nghiệp", "企业登记证书", "the business registration certificate"),
    ("giấy chứng nhận đăng ký đầu tư", "投资登记证书", "the investment registration certificate"),
    ("giấy chứng nhận đăng ký hợp tác xã", "合作社登记证书", "the cooperative registration certificate"),
    ("giấy chứng nhận đăng ký hộ kinh doanh", "个体工商户登记证书", "the household business certificate"),
    ("quyết định chủ trương đầu tư", "投资主张决定", "the investment policy decision"),
    ("giấy chứng nhận ưu đãi đầu tư", "投资优惠证书", "the investment incentive certificate"),
    ("văn bản xác nhận hỗ trợ doanh nghiệp", "企业扶持确认书", "the business support confirmation"),
    ("kế hoạch lựa chọn nhà thầu", "承包商选择计划", "the contractor selection plan"),
    ("đăng ký hoạt động chi nhánh", "分支机构登记", "the branch registration"),
    ("đăng ký văn phòng đại diện", "代表处登记", "the representative office registration"),
    ("thông báo mẫu con dấu", "印章样式通知", "the seal notice"),
    ("hợp đồng dự án đối tác công tư", "公私合作项目合同", "the public-private partnership contract"),
)
PROCEDURE_QUALIFIERS = (
    ("", "", ""), ("đối với doanh nghiệp tư nhân", "（私营企业）", "for sole proprietorships"),
    ("đối với công ty trách nhiệm hữu hạn", "（有限责任公司）", "for limited companies"),
    ("đối với công ty cổ phần", "（股份公司）", "for joint-stock companies"),
    ("đối với nhà đầu tư nước ngoài", "（外国投资者）", "for foreign investors"),
    ("đối với dự án ngoài khu công nghiệp", "（工业区外项目）", "for projects outside industrial zones"),
)
DESK_STEPS = (
    ("Tiếp nhận hồ sơ, kiểm tra thành phần, cấp giấy biên nhận", "Công chức Một cửa"),
    ("Trả kết quả cho tổ chức, công dân", "Công chức Một cửa"),
)
MIDDLE_STEPS = (
    ("Thẩm định hồ sơ", "Chuyên viên"), ("Lấy ý kiến các cơ quan liên quan", "Chuyên viên"),
    ("Tổng hợp, trình lãnh đạo phòng", "Chuyên viên"), ("Xem xét, ký kết quả", "Trưởng phòng"),
    ("Lãnh đạo Sở xem xét, ký", "Giám đốc / Phó Giám đốc"), ("Kiểm tra thực địa", "Chuyên viên"),
)
DOSSIER_ITEMS = (
    ("Giấy đề nghị theo mẫu", "01 bản chính"), ("Điều lệ", "01 bản"),
    ("Danh sách thành viên", "01 bản"), ("Bản sao giấy tờ pháp lý của cá nhân", "01 bản sao"),
    ("Văn bản ủy quyền cho người nộp hồ sơ", "01 bản"), ("Đề xuất dự án", "04 bộ"),
    ("Báo cáo tài chính hai năm gần nhất", "01 bản sao"), ("Bản thuyết minh", "01 bản"),
)
PROCESS_NAMES = {
    "management": ("Hoạch định, chính sách và xem xét của lãnh đạo", "Kiểm soát tài liệu và hồ sơ",
                   "Đánh giá nội bộ, đo lường và cải tiến", "Quản lý rủi ro và cơ hội"),
    "core": ("Giải quyết thủ tục hành chính {}",),
    "support": ("Tổ chức cán bộ và đào tạo", "Văn thư, lưu trữ và công nghệ thông tin",
                "Giải quyết khiếu nại, tố cáo", "Tài chính, kế toán và tài sản",
                "Mua sắm và quản lý hợp đồng", "Truyền thông và tiếp công dân"),
}

COMPANY_WORDS = ("Hòa An", "Minh Phát", "Thành Công", "Phú Thịnh", "Đại Việt", "An Khang",
                 "Sao Mai", "Hưng Long", "Tân Tiến", "Bình Minh", "Kim Ngân", "Trường Sơn")
COMPANY_FORMS = ("Công ty TNHH {}", "Công ty Cổ phần {}", "Hợp tác xã {}", "Doanh nghiệp tư nhân {}")
COMPANIES_ZH = ("华盛贸易有限公司", "东方建设股份公司", "金龙投资有限公司", "天和电子有限公司")
COMPANIES_EN = ("Green Valley Co., Ltd", "Blue Ocean Logistics JSC", "Sunrise Foods Ltd",
                "Pacific Textiles Co.")
STREETS = ("Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt")
PAUSE_REASONS = ("Bổ sung bản sao giấy tờ pháp lý", "Bổ sung văn bản ủy quyền",
                 "Sửa lại giấy đề nghị cho đúng mẫu", "Bổ sung báo cáo tài chính")
RETURN_REASONS = ("Hồ sơ không đủ điều kiện theo quy định", "Ngành nghề thuộc danh mục cấm")
WITHDRAW_CASE_REASONS = ("Người nộp xin rút hồ sơ", "Tổ chức đề nghị dừng giải quyết")
LATE_REASONS = ("Chờ ý kiến của cơ quan liên quan", "Hệ thống phần mềm gặp sự cố",
                "Số lượng hồ sơ tăng đột biến")
RATING_COMMENTS = ("Cán bộ hướng dẫn tận tình", "Giải quyết nhanh", "Phải đi lại nhiều lần",
                   "Thời gian chờ quá lâu", "服务很好", "Very helpful staff")

PROBLEMS = (
    ("Hồ sơ trả kết quả trễ hạn", "案件逾期返还结果", "Dossier returned late"),
    ("Thiếu chữ ký phê duyệt trên phiếu kiểm soát", "控制单缺少审批签字", "Approval signature missing on the control sheet"),
    ("Sử dụng biểu mẫu đã hết hiệu lực", "使用了已失效的表格", "Obsolete form in use"),
    ("Hồ sơ lưu không đầy đủ thành phần", "存档材料不完整", "Archived file incomplete"),
    ("Nhập sai dữ liệu trên hệ thống một cửa điện tử", "电子一站式系统数据录入错误", "Wrong data in the one-stop system"),
    ("Không thông báo bổ sung hồ sơ đúng thời hạn", "未按时通知补充材料", "Supplement request sent late"),
    ("Chưa cập nhật văn bản pháp luật mới", "未更新新的法律文件", "New legal text not applied"),
    ("Sổ theo dõi không được cập nhật", "登记簿未及时更新", "Logbook not kept up to date"),
    ("Không gửi thư xin lỗi khi hồ sơ trễ hạn", "逾期未致歉", "No apology letter for a late case"),
    ("Phần mềm một cửa ngừng hoạt động", "软件系统停止运行", "One-stop software outage"),
    ("Thiếu bằng chứng đào tạo nhân viên mới", "缺少新员工培训证据", "No evidence of new staff training"),
    ("Mục tiêu chất lượng không được theo dõi", "质量目标未被跟踪", "Quality objective not monitored"),
    ("Phản ánh của doanh nghiệp chưa được trả lời", "企业反映未获答复", "Business complaint left unanswered"),
    ("Quy trình chưa quy định rõ trách nhiệm phê duyệt", "程序未明确审批职责", "Approval responsibility unclear in the procedure"),
)
ROOT_CAUSES = ("Công chức chưa được đào tạo lại khi quy trình thay đổi",
               "Quy trình không có bước kiểm tra chéo", "Thiếu nhân lực vào thời điểm cao điểm",
               "Phần mềm không cảnh báo hồ sơ sắp đến hạn", "Biểu mẫu cũ chưa được thu hồi")
ACTIONS = (
    ("Đào tạo lại quy trình cho công chức", "对公务员重新培训", "Retrain staff on the procedure"),
    ("Cập nhật biểu mẫu và thu hồi bản cũ", "更新表格并收回旧版", "Update the form and withdraw the old one"),
    ("Bổ sung bước kiểm tra chéo trước khi trả kết quả", "返还前增加交叉检查", "Add a cross-check before returning results"),
    ("Cài đặt cảnh báo hồ sơ sắp đến hạn", "设置到期提醒", "Set up due-date alerts"),
    ("Rà soát và sửa đổi quy trình", "审查并修订程序", "Review and revise the procedure"),
    ("Bố trí thêm nhân lực tại Bộ phận Một cửa", "增加一站式窗口人员", "Add staff at the one-stop desk"),
    ("Kiểm tra đột xuất việc lưu hồ sơ", "突击检查存档", "Spot-check the files kept"),
)
OBSERVATIONS = (
    ("Có thể rút ngắn thời gian luân chuyển hồ sơ", "可缩短案卷流转时间", "Case hand-over time could be shortened"),
    ("Nên số hóa sổ theo dõi", "建议登记簿数字化", "The logbook could be digitised"),
    ("Bảng niêm yết thủ tục chưa thuận tiện cho người dân", "公示栏不便于市民查看", "Notice board hard for citizens to read"),
)
RISKS = (
    ("Hồ sơ trễ hạn do thiếu nhân lực vào cao điểm", "高峰期人手不足导致逾期", "Late cases when staff are short at peak times"),
    ("Mất dữ liệu do sự cố máy chủ", "服务器故障导致数据丢失", "Data loss after a server failure"),
    ("Văn bản pháp luật thay đổi chưa kịp cập nhật", "法规变化未及时更新", "Legal changes not applied in time"),
    ("Lộ thông tin cá nhân của người nộp hồ sơ", "申请人个人信息泄露", "Leak of applicants' personal data"),
    ("Công chức nghỉ việc làm gián đoạn công việc", "公务员离职导致工作中断", "Staff turnover interrupts the work"),
)
OPPORTUNITIES = (
    ("Ứng dụng chữ ký số để rút ngắn thời gian", "使用数字签名缩短时间", "Digital signatures to save time"),
    ("Liên thông dữ liệu với cơ sở dữ liệu quốc gia", "与国家数据库互联", "Data exchange with the national database"),
    ("Tăng tỷ lệ nộp hồ sơ trực tuyến", "提高网上申请比例", "More applications filed online"),
)
MANUAL_OBJECTIVES = (
    # statement, indicator, target, unit, direction
    ("Nâng cao năng lực công chức", "Số giờ đào tạo bình quân mỗi công chức", 24, "giờ", "higher"),
    ("Giảm phản ánh, kiến nghị", "Số phản ánh, kiến nghị trong kỳ", 10, "ý kiến", "lower"),
    ("Trả lời văn bản đúng hạn", "Thời gian trung bình trả lời văn bản", 5, "ngày", "lower"),
    ("Đẩy mạnh dịch vụ công trực tuyến", "Tỷ lệ hồ sơ nộp trực tuyến", 60, "%", "higher"),
    ("Xây dựng chính quyền điện tử", "Tỷ lệ văn bản điện tử có chữ ký số", 90, "%", "higher"),
    ("提高服务质量", "投诉处理及时率", 95, "%", "higher"),
    ("Improve records keeping", "Records registered within a week", 90, "%", "higher"),
)
LIVE_OBJECTIVES = {
    "on_time": ("Giải quyết hồ sơ đúng hạn", "Tỷ lệ hồ sơ giải quyết đúng hạn", (95, 99)),
    "satisfaction": ("Nâng cao sự hài lòng của người dân", "Chỉ số hài lòng của người dân", (85, 95)),
    "nc_closed_within": ("Khắc phục kịp thời sự không phù hợp", "Tỷ lệ sự không phù hợp đóng đúng hạn", (80, 95)),
    "documents_reviewed": ("Tài liệu luôn được xem xét định kỳ", "Tỷ lệ tài liệu được xem xét đúng hạn", (90, 100)),
    "audit_programme": ("Hoàn thành chương trình đánh giá nội bộ", "Tỷ lệ hoàn thành chương trình đánh giá", (90, 100)),
}

# kind, number, title, issuing body, issued on
LEGAL_TEXTS = (
    ("law", "59/2020/QH14", "Luật Doanh nghiệp", "Quốc hội", date(2020, 6, 17)),
    ("law", "61/2020/QH14", "Luật Đầu tư", "Quốc hội", date(2020, 6, 17)),
    ("law", "17/2023/QH15", "Luật Hợp tác xã", "Quốc hội", date(2023, 6, 20)),
    ("law", "22/2023/QH15", "Luật Đấu thầu", "Quốc hội", date(2023, 6, 23)),
    ("law", "04/2017/QH14", "Luật Hỗ trợ doanh nghiệp nhỏ và vừa", "Quốc hội", date(2017, 6, 12)),
    ("law", "64/2020/QH14", "Luật Đầu tư theo phương thức đối tác công tư", "Quốc hội", date(2020, 6, 18)),
    ("decree", "01/2021/NĐ-CP", "Nghị định về đăng ký doanh nghiệp", "Chính phủ", date(2021, 1, 4)),
    ("decree", "31/2021/NĐ-CP", "Nghị định quy định chi tiết Luật Đầu tư", "Chính phủ", date(2021, 3, 26)),
    ("decree", "61/2018/NĐ-CP", "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông", "Chính phủ", date(2018, 4, 23)),
    ("decree", "107/2021/NĐ-CP", "Nghị định sửa đổi Nghị định 61/2018/NĐ-CP", "Chính phủ", date(2021, 12, 6)),
    ("decree", "30/2020/NĐ-CP", "Nghị định về công tác văn thư", "Chính phủ", date(2020, 3, 5)),
    ("decree", "24/2024/NĐ-CP", "Nghị định hướng dẫn Luật Đấu thầu", "Chính phủ", date(2024, 2, 27)),
    ("circular", "01/2021/TT-BKHĐT", "Thông tư hướng dẫn về đăng ký doanh nghiệp", "Bộ Kế hoạch và Đầu tư", date(2021, 3, 16)),
    ("circular", "03/2021/TT-BKHĐT", "Thông tư quy định mẫu văn bản về hoạt động đầu tư", "Bộ Kế hoạch và Đầu tư", date(2021, 4, 9)),
    ("circular", "01/2018/TT-VPCP", "Thông tư hướng dẫn thi hành cơ chế một cửa", "Văn phòng Chính phủ", date(2018, 11, 23)),
    ("decision", "19/2014/QĐ-TTg", "Quyết định áp dụng ISO 9001 vào cơ quan hành chính nhà nước", "Thủ tướng Chính phủ", date(2014, 3, 5)),
    ("standard", "TCVN ISO 9001:2015", "Hệ thống quản lý chất lượng – Các yêu cầu", "Bộ Khoa học và Công nghệ", date(2015, 12, 31)),
)
# fmt: on


# --- Writing rows ---------------------------------------------------------------------

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_HISTORY_COLUMNS = (
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPE)


# One converter per exact class: the lookup costs less than a chain of isinstance().
_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: lambda v: v.translate(_ESCAPE),
    int: str,
    bool: lambda v: "t" if v else "f",
    type(None): lambda v: "\\N",
    datetime: datetime.isoformat,
    date: date.isoformat,
    Decimal: str,
    uuid.UUID: str,
    list: _json_text,
    dict: _json_text,
}


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    convert = _COPY_TEXT.get(value.__class__)
    if convert is None:
        # Choices members are str or int subclasses: convert their plain value.
        for base in (bool, int, str, datetime, date, Decimal, list, dict):
            if isinstance(value, base):
                return _COPY_TEXT[base](base(value))
        raise TypeError(f"Cannot write {value!r} ({type(value).__name__})")
    return convert(value)


@dataclass
class _Table:
    model: type[models.Model]
    columns: list[str]  # db columns, in the order the rows are written
    fields: list[tuple[str, str]]  # (attname, the default as COPY text)
    history_columns: list[str]
    tracked: list[int]  # positions in ``fields`` of the history model's tracked fields


class Writer:
    """Inserts rows given as dicts of attname → value, optionally with their "+" rows.

    A row's missing fields take the model's defaults. A row that gets history carries
    ``_when`` (the history date) and ``_who`` (the user id, or None for the system).
    Ids are chosen by the caller through ``ids()``, so that rows can point at each other
    before they are written; the database's sequences are moved past them in
    ``finish()``. Foreign keys are checked at commit (Django declares them deferrable),
    so the order of the writes within the transaction does not matter.
    """

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"
        self.counts: Counter[type[models.Model]] = Counter()
        self._next: dict[type[models.Model], int] = {}
        self._tables: dict[type[models.Model], _Table] = {}

    def ids(self, model: type[models.Model], count: int) -> range:
        if model not in self._next:
            pk = model._meta.pk.attname
            last = model._base_manager.using(self.connection.alias).aggregate(last=Max(pk))
            self._next[model] = (last["last"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return range(first, first + count)

    def insert(
        self, model: type[models.Model], rows: Sequence[dict], *, reason: str | None = None
    ) -> range | None:
        """Write the rows; with a ``reason``, also their "+" history rows, whose ids are
        returned in the rows' order."""
        if not rows:
            return None
        history_ids = None
        if reason is not None:
            history_ids = self.ids(model.history.model, len(rows))
        if self.copy:
            self._copy(model, rows, history_ids, reason)
        else:
            self._bulk_create(model, rows, history_ids, reason)
        self.counts[model] += len(rows)
        if history_ids is not None:
            self.counts[model.history.model] += len(rows)
        return history_ids

    def insert_m2m(
        self,
        model: type[models.Model],
        name: str,
        pairs: Sequence[tuple[int, int]],
        history_ids: Mapping[int, int] | None = None,
    ) -> None:
        """Many-to-many links ``(object id, target id)``; with the objects' history ids,
        also the links' snapshot rows of those history rows, as simple-history keeps them
        for ``m2m_fields``."""
        if not pairs:
            return
        relation = model._meta.get_field(name)
        through = relation.remote_field.through
        source = f"{relation.m2m_field_name()}_id"
        target = f"{relation.m2m_reverse_field_name()}_id"
        link_ids = self.ids(through, len(pairs))
        self.insert(
            through,
            [{"id": i, source: a, target: b} for i, (a, b) in zip(link_ids, pairs, strict=True)],
        )
        snapshot = getattr(getattr(model, "history", None), "model", None)
        if history_ids is None or name not in {f.name for f in snapshot._history_m2m_fields}:
            return
        m2m_history = getattr(snapshot, name).model
        snapshot_ids = self.ids(m2m_history, len(pairs))
        self.insert(
            m2m_history,
            [
                {"m2m_history_id": h, "id": i, source: a, target: b, "history_id": history_ids[a]}
                for h, i, (a, b) in zip(snapshot_ids, link_ids, pairs, strict=True)
            ],
        )

    def finish(self) -> None:
        """Move the sequences past the ids chosen here (SQLite follows by itself)."""
        if not self.copy or not self._next:
            return
        statements = self.connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    # -- PostgreSQL: COPY

    def _table(self, model: type[models.Model]) -> _Table:
        table = self._tables.get(model)
        if table is not None:
            return table
        concrete = model._meta.concrete_fields
        fields = [(f.attname, _copy_text(f.get_default())) for f in concrete]
        history_columns: list[str] = []
        tracked: list[int] = []
        snapshot = getattr(getattr(model, "history", None), "model", None)
        if snapshot is not None:
            positions = {f.attname: n for n, f in enumerate(concrete)}
            extra = []
            for f in snapshot._meta.concrete_fields:
                if f.attname in _HISTORY_COLUMNS:
                    extra.append(f.attname)
                    continue
                tracked.append(positions[f.attname])  # KeyError: a field we do not know
                history_columns.append(f.column)
            if sorted(extra) != sorted(_HISTORY_COLUMNS):
                raise LookupError(f"Unexpected history columns on {snapshot.__name__}")
            history_columns.extend(_HISTORY_COLUMNS)
        table = _Table(model, [f.column for f in concrete], fields, history_columns, tracked)
        self._tables[model] = table
        return table

    def _copy(
        self,
        model: type[models.Model],
        rows: Sequence[dict],
        history_ids: range | None,
        reason: str | None,
    ) -> None:
        table = self._table(model)
        text = _copy_text
        fields = table.fields
        lines = []
        history_lines = []
        reason_text = text(reason)
        for n, row in enumerate(rows):
            values = [text(row[name]) if name in row else default for name, default in fields]
            lines.append("\t".join(values))
            if history_ids is not None:
                picked = [values[i] for i in table.tracked]
                who = row.get("_who")
                picked += (
                    str(history_ids[n]),
                    row["_when"].isoformat(),
                    reason_text,
                    "+",
                    "\\N" if who is None else str(who),
                )
                history_lines.append("\t".join(picked))
        self._copy_lines(model._meta.db_table, table.columns, lines)
        if history_lines:
            self._copy_lines(
                model.history.model._meta.db_table, table.history_columns, history_lines
            )

    def _copy_lines(self, db_table: str, columns: list[str], lines: list[str]) -> None:
        quote = self.connection.ops.quote_name
        sql = f"COPY {quote(db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        data = io.StringIO("\n".join(lines) + "\n")
        self.connection.ensure_connection()
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, data, size=1 << 20)

    # -- Other databases: bulk_create

    def _bulk_create(
        self,
        model: type[models.Model],
        rows: Sequence[dict],
        history_ids: range | None,
        reason: str | None,
    ) -> None:
        objects = [model(**{k: v for k, v in row.items() if k[0] != "_"}) for row in rows]
        with _timestamps_as_given(model):
            model._base_manager.using(self.connection.alias).bulk_create(objects, batch_size=BATCH)
        if history_ids is None:
            return
        snapshot = model.history.model
        tracked = [f.attname for f in snapshot.tracked_fields]
        snapshot._base_manager.using(self.connection.alias).bulk_create(
            [
                snapshot(
                    history_id=history_ids[n],
                    history_date=row["_when"],
                    history_change_reason=reason,
                    history_type="+",
                    history_user_id=row.get("_who"),
                    **{name: getattr(obj, name) for name in tracked},
                )
                for n, (row, obj) in enumerate(zip(rows, objects, strict=True))
            ],
            batch_size=BATCH,
        )


class _timestamps_as_given:  # noqa: N801  (used as a context manager)
    """auto_now(_add) would stamp every row with the moment of the run: switched off while
    the rows are created, so that they keep the dates chosen for them."""

    def __init__(self, model: type[models.Model]) -> None:
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.saved: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        for f in self.fields:
            self.saved.append((f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False

    def __exit__(self, *exc) -> None:
        for f, (now, now_add) in zip(self.fields, self.saved, strict=True):
            f.auto_now, f.auto_now_add = now, now_add


# --- Office time ----------------------------------------------------------------------


def _seconds_of(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


class OfficeClock:
    """Office time as a number line, so that a case's timeline is plain arithmetic.

    ``seconds(t)`` counts the office seconds from the first day to ``t``; ``moment(s)`` is
    the earliest moment with that count. They agree with ``WorkingCalendar`` (the same
    holidays, weekend and office hours): ``add_working_time(t, x) == moment(seconds(t) +
    x)`` and ``working_time_between(a, b) == seconds(b) - seconds(a)`` for moments in
    whole seconds. WorkingCalendar walks day by day, fine for one case but far too slow
    for millions of steps.
    """

    def __init__(self, first: date, last: date, calendar: WorkingCalendar) -> None:
        self.first = first
        self.zone = timezone.get_current_timezone()
        self.periods = [(_seconds_of(a), _seconds_of(b)) for a, b in office_periods()]
        self.per_day = sum(end - start for start, end in self.periods)
        days = (last - first).days + 1
        self.working = [calendar.is_working_day(first + timedelta(days=n)) for n in range(days)]
        # office seconds before each day, and at its end
        self.before = list(accumulate((self.per_day if w else 0 for w in self.working), initial=0))
        self.ends = self.before[1:]
        self.midnights = [
            datetime.combine(first + timedelta(days=n), time(), tzinfo=self.zone)
            for n in range(days)
        ]

    def index(self, day: date) -> int:
        return (day - self.first).days

    def seconds(self, moment: datetime) -> int:
        local = moment.astimezone(self.zone)
        index = (local.date() - self.first).days
        done = self.before[index]
        if self.working[index]:
            of_day = _seconds_of(local.time())
            for start, end in self.periods:
                if of_day > start:
                    done += min(of_day, end) - start
        return done

    def moment(self, seconds: int) -> datetime:
        index = bisect.bisect_left(self.ends, seconds)
        left = seconds - self.before[index]
        for start, end in self.periods:
            if left <= end - start:
                return self.midnights[index] + timedelta(seconds=start + left)
            left -= end - start
        raise ValueError(seconds)


# --- The agency being built -------------------------------------------------------------


@dataclass
class Unit:
    id: int
    code: str
    name: str
    path: str
    depth: int
    parent_id: int | None
    head_id: int


@dataclass
class Person:
    id: int
    department_id: int | None
    role: str
    first_name: str
    last_name: str
    job_title: str
    active: bool = True

    @property
    def full_name(self) -> str:
        # as User.get_full_name(): family name first, no space between Chinese names
        if "\u4e00" <= self.last_name[-1:] <= "\u9fff":
            return self.last_name + self.first_name
        return f"{self.last_name} {self.first_name}"


@dataclass
class DocumentInfo:
    id: int
    code: str
    title: str
    document_type: str
    department_id: int
    owner_id: int
    status: str
    created_at: datetime


@dataclass
class PlannedStep:
    position: int
    name: str
    department_id: int
    role: str
    allowance_days: Decimal  # as a case step copies it: in days, three decimals
    seconds: int  # the same in office seconds
    handlers: list[int]


@dataclass
class ProcedureInfo:
    id: int
    code: str
    department_id: int
    owner_id: int
    statutory_days: int
    status: str
    steps: list[PlannedStep]
    receivers: list[int]  # who may receive at its desk (the first step's department)


@dataclass
class Context:
    scale: Scale
    rng: random.Random
    writer: Writer
    now: datetime
    today: date
    start: datetime  # three years ago: the portal is set up then
    activity_start: datetime  # a week later the work begins
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    clock: OfficeClock | None = None
    units: list[Unit] = field(default_factory=list)
    unit_by_id: dict[int, Unit] = field(default_factory=dict)
    desk_id: int = 0
    iso_unit_id: int = 0
    user_ids: range = range(0)
    people: list[Person] = field(default_factory=list)
    person_by_id: dict[int, Person] = field(default_factory=dict)
    members: dict[int, list[int]] = field(default_factory=dict)  # active, of exactly that unit
    subtree_members: dict[int, list[int]] = field(default_factory=dict)
    by_role: dict[str, list[int]] = field(default_factory=dict)  # active
    documents: list[DocumentInfo] = field(default_factory=list)
    setup_documents: dict[int, list[DocumentInfo]] = field(
        default_factory=lambda: defaultdict(list)
    )
    external_ids: list[int] = field(default_factory=list)
    process_ids: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    procedures: list[ProcedureInfo] = field(default_factory=list)
    late_cases: list[tuple[str, int, date]] = field(default_factory=list)
    raised: list[dict] = field(default_factory=list)  # nonconformities raised by findings
    clause_ids: list[int] = field(default_factory=list)
    content_types: dict[str, int] = field(default_factory=dict)

    # -- choosing

    def lang(self) -> int:
        draw = self.rng.random()
        return VI if draw < 0.8 else ZH if draw < 0.9 else EN

    def pick(self, triple: Sequence[Any], lang: int | None = None) -> Any:
        return triple[self.lang() if lang is None else lang]

    def head(self, unit_id: int) -> int:
        return self.unit_by_id[unit_id].head_id

    def member(self, unit_id: int, *, not_in: Iterable[int] = ()) -> int:
        """Someone active of the unit who is not one of ``not_in``; of the unit above
        when the unit has nobody else."""
        excluded = set(not_in)
        unit: Unit | None = self.unit_by_id[unit_id]
        while unit is not None:
            pool = [p for p in self.members.get(unit.id, ()) if p not in excluded]
            if pool:
                return self.rng.choice(pool)
            unit = self.unit_by_id.get(unit.parent_id) if unit.parent_id else None
        return self.rng.choice([p for p in self.by_role["top_management"] if p not in excluded])

    def manager_or_head(self, unit_id: int, *, not_in: Iterable[int] = ()) -> int:
        """Who may decide for the unit: its head, or else a QMS manager."""
        head = self.head(unit_id)
        if head not in set(not_in):
            return head
        return self.rng.choice([p for p in self.by_role["qms_manager"] if p not in set(not_in)])

    def working_units(self) -> list[Unit]:
        """Departments and units (not the agency itself), where the work is done."""
        return [u for u in self.units if u.depth > 0]

    # -- dates

    def between(self, first: datetime, last: datetime) -> datetime:
        """An office moment between two moments (office hours are when things happen)."""
        low, high = self.clock.seconds(first), self.clock.seconds(last)
        if high <= low + 1:
            return max(first, min(last, self.clock.moment(low + 1)))
        return self.clock.moment(self.rng.randint(low + 1, high))

    def on(self, day: date) -> datetime:
        """An office moment on ``day``, or on the next working day."""
        index = self.clock.index(day)
        if index < 0:
            raise ValueError(f"{day} is before the first day of the clock")
        while not self.clock.working[index]:
            index += 1
        return self.clock.moment(
            self.rng.randint(self.clock.before[index] + 1, self.clock.ends[index])
        )

    def local_date(self, moment: datetime) -> date:
        return timezone.localtime(moment).date()


def _year_numbers(prefix: str, moments: Sequence[datetime]) -> list[str]:
    """``PREFIX-YYYY-NNNN`` in time order within each year, as ``qms.numbering`` gives
    them; the year is the local year of the moment the object was saved."""
    order = sorted(range(len(moments)), key=lambda n: moments[n])
    seen: Counter[int] = Counter()
    numbers = [""] * len(moments)
    for n in order:
        year = timezone.localtime(moments[n]).year
        seen[year] += 1
        # past 9,999 the number has five digits, as qms.numbering continues it
        numbers[n] = f"{prefix}-{year}-{seen[year]:04d}"
    return numbers


def _add_months(day: date, months: int) -> date:
    from documents.services import add_months

    return add_months(day, months)


def _add_years(day: date, years: int) -> date:
    # as records.services.add_years
    year = day.year + years
    return date(year, day.month, min(day.day, month_calendar.monthrange(year, day.month)[1]))


def _split(total: int, parts: int, rng: random.Random, *, minimum: int = 0) -> list[int]:
    """``total`` in ``parts`` random shares of at least ``minimum`` each."""
    shares = [minimum] * parts
    for _ in range(total - minimum * parts):
        shares[rng.randrange(parts)] += 1
    return shares


_MILLI = Decimal("0.001")
_CENT = Decimal("0.01")


# --- Parts ------------------------------------------------------------------------------
# Each part writes one module's data and returns what it wrote, for the command's report.

# Tết and the Hùng Kings' day move with the lunar calendar: entered by the administrator.
_TET = {
    2023: (date(2023, 1, 20), 7),
    2024: (date(2024, 2, 8), 7),
    2025: (date(2025, 1, 25), 9),
    2026: (date(2026, 2, 16), 5),
    2027: (date(2027, 2, 4), 7),
    2028: (date(2028, 1, 24), 7),
    2029: (date(2029, 2, 10), 7),
}
_HUNG_KINGS = {
    2023: date(2023, 4, 29),
    2024: date(2024, 4, 18),
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 27),
    2027: date(2027, 4, 16),
    2028: date(2028, 4, 4),
    2029: date(2029, 4, 23),
}


def make_calendar(ctx: Context) -> str:
    """Public holidays from three years ago to next year: deadlines count around them."""
    from qms.models import CalendarDay

    days: dict[date, str] = {}
    for year in range(ctx.start.year, ctx.today.year + 2):
        days[date(year, 1, 1)] = "Tết Dương lịch"
        first, length = _TET.get(year, (None, 0))
        for n in range(length):
            days[first + timedelta(days=n)] = "Tết Nguyên đán"
        if year in _HUNG_KINGS:
            days[_HUNG_KINGS[year]] = "Giỗ Tổ Hùng Vương"
        days[date(year, 4, 30)] = "Ngày Chiến thắng"
        days[date(year, 5, 1)] = "Ngày Quốc tế Lao động"
        days[date(year, 9, 1)] = "Quốc khánh"
        days[date(year, 9, 2)] = "Quốc khánh"
    ids = ctx.writer.ids(CalendarDay, len(days))
    rows = [
        {"id": i, "date": day, "kind": "holiday", "name": name, "_when": ctx.start}
        for i, (day, name) in zip(ids, sorted(days.items()), strict=True)
    ]
    ctx.writer.insert(CalendarDay, rows, reason="Added to the calendar")
    ctx.calendar = WorkingCalendar()
    ctx.clock = OfficeClock(
        ctx.start.date() - timedelta(days=7), ctx.today + timedelta(days=400), ctx.calendar
    )
    return f"{len(rows)} holidays"


def make_departments(ctx: Context) -> str:
    """The agency, its departments and their units; the first unit of the office is the
    one-stop desk where dossiers are received, the second the ISO team."""
    from qms.models import Department, User

    scale, rng = ctx.scale, ctx.rng
    if scale.top_departments > len(TOP_DEPARTMENTS):
        raise ValueError(f"At most {len(TOP_DEPARTMENTS)} departments under the agency")
    ids = iter(ctx.writer.ids(Department, scale.departments))
    # Heads are the first users: their ids are known now, the rows come with the users.
    ctx.user_ids = ctx.writer.ids(User, scale.users)
    heads = iter(ctx.user_ids)
    root = Unit(
        next(ids), "SKHDT", "Sở Kế hoạch và Đầu tư tỉnh Hòa An", "SKHDT/", 0, None, next(heads)
    )
    tops = []
    for code, name in TOP_DEPARTMENTS[: scale.top_departments]:
        tops.append(Unit(next(ids), code, name, f"{root.path}{code}/", 1, root.id, next(heads)))
    units = []
    per_parent: Counter[str] = Counter()
    for n in range(scale.units):
        parent = tops[n % len(tops)]
        per_parent[parent.code] += 1
        number = per_parent[parent.code]
        if parent.code == "VP" and number == 1:
            code, name = "VP-MC", "Bộ phận Tiếp nhận và Trả kết quả (Một cửa)"
        elif parent.code == "VP" and number == 2:
            code, name = "VP-ISO", "Tổ ISO và Cải cách hành chính"
        else:
            lang = ctx.lang()
            function = UNIT_FUNCTIONS[(n + rng.randrange(3)) % len(UNIT_FUNCTIONS)]
            code = f"{parent.code}-{number:02d}"
            name = UNIT_TEMPLATES[lang].format(function[lang])
            if lang == EN:
                name = name[0].upper() + name[1:]
        units.append(
            Unit(next(ids), code, name, f"{parent.path}{code}/", 2, parent.id, next(heads))
        )
    ctx.units = [root, *tops, *units]
    ctx.unit_by_id = {u.id: u for u in ctx.units}
    ctx.desk_id = next((u.id for u in units if u.code == "VP-MC"), tops[0].id)
    ctx.iso_unit_id = next((u.id for u in units if u.code == "VP-ISO"), tops[0].id)
    administrator = ctx.user_ids[len(ctx.units)]  # the first user after the heads
    rows = [
        {
            "id": u.id,
            "code": u.code,
            "name": u.name,
            "parent_id": u.parent_id,
            "head_id": u.head_id,
            "path": u.path,
            "depth": u.depth,
            "_when": ctx.start,
            "_who": administrator,
        }
        for u in ctx.units
    ]
    ctx.writer.insert(Department, rows, reason="Department created")
    return f"{len(rows)} ({len(tops)} departments, {len(units)} units)"


def _name(ctx: Context, lang: int, number: int) -> tuple[str, str, str]:
    """(first name, family name, user name)."""
    rng = ctx.rng
    if lang == ZH:
        family, pinyin = rng.choice(FAMILY_ZH)
        return rng.choice(GIVEN_ZH), family, f"{pinyin}{number}"
    if lang == EN:
        first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
        return first, last, f"{first.lower()}.{last.lower()}{number}"
    first, last = rng.choice(GIVEN_VI), rng.choice(FAMILY_VI)
    initials = "".join(word[0] for word in fold(last).split())
    return first, last, f"{fold(first).replace(' ', '')}.{initials}{number}"


def make_users(ctx: Context) -> str:
    """Civil servants in every unit with their roles: the heads are process owners (the
    director is top management), a few QMS managers, document controllers, internal
    auditors, certification auditors, one administrator, and staff for the rest."""
    from qms.models import User
    from qms.roles import sync_roles

    sync_roles()
    scale, rng = ctx.scale, ctx.rng
    tops = [u for u in ctx.units if u.depth == 1]
    office = next((u for u in tops if u.code == "VP"), tops[0])
    inspectorate = next((u for u in tops if u.code == "TTRA"), tops[-1])
    root = ctx.units[0]
    plan: list[tuple[str, int | None, str]] = []  # role, unit, title key (heads first)
    for unit in ctx.units:
        if unit.depth == 0:
            plan.append(("top_management", unit.id, "director"))
        else:
            plan.append(("process_owner", unit.id, "head" if unit.depth == 1 else "unit_head"))
    plan.append(("administrator", office.id, "administrator"))
    for _ in range(max(1, scale.users // 600)):
        plan.append(("qms_manager", ctx.iso_unit_id, "qms_manager"))
    for _ in range(max(1, scale.users // 400)):
        plan.append(("document_controller", ctx.iso_unit_id, "document_controller"))
    for n in range(max(3, scale.users // 100)):
        # most in the inspectorate; others elsewhere, so that every unit finds impartial ones
        unit = inspectorate if n % 2 == 0 else rng.choice(ctx.working_units())
        plan.append(("internal_auditor", unit.id, "internal_auditor"))
    for _ in range(max(1, scale.users // 1000)):
        plan.append(("external_auditor", None, "external_auditor"))
    for _ in range(2 if scale.users >= 200 else 0):
        plan.append(("top_management", root.id, "deputy"))
    if len(plan) > scale.users:
        raise ValueError(f"{scale.users} users cannot fill the {len(plan)} roles needed")
    # staff: the one-stop desk needs many hands, the departments' own offices a few
    weights = [
        3.0 if u.id == ctx.desk_id else 1.0 if u.depth == 2 else 0.4 if u.depth == 1 else 0
        for u in ctx.units
    ]
    for unit in rng.choices(ctx.units, weights=weights, k=scale.users - len(plan)):
        plan.append(("staff", unit.id, "desk" if unit.id == ctx.desk_id else "staff"))

    password = make_password(settings.QMS_DEMO_PASSWORD)  # one hash: hashing 2,000 takes minutes
    languages = {VI: "vi", ZH: "zh-hans", EN: "en"}
    rows, people = [], []
    for n, (user_id, (role, unit_id, title_key)) in enumerate(zip(ctx.user_ids, plan, strict=True)):
        lang = ctx.lang()
        first, last, username = _name(ctx, lang, n + 1)
        title = rng.choice(JOB_TITLES[title_key][lang])
        # a few staff have left: kept (history points at them), never chosen for new work
        active = not (role == "staff" and rng.random() < 0.02)
        person = Person(user_id, unit_id, role, first, last, title, active)
        people.append(person)
        joined = ctx.start + timedelta(minutes=rng.randint(5, 7 * 24 * 60))
        rows.append(
            {
                "id": user_id,
                "password": password,
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{DOMAIN}",
                "is_active": active,
                "date_joined": joined,
                "department_id": unit_id,
                "job_title": title,
                "phone": f"0{rng.choice('389')}{rng.randrange(10**8):08d}",
                "language": languages[lang],
                "_when": joined,
                "_who": ctx.user_ids[len(ctx.units)],
            }
        )
    ctx.writer.insert(User, rows, reason="Account created")
    groups = dict(Group.objects.values_list("name", "id"))
    ctx.writer.insert_m2m(User, "groups", [(p.id, groups[p.role]) for p in people])

    ctx.people = people
    ctx.person_by_id = {p.id: p for p in people}
    for person in people:
        if person.active:
            ctx.by_role.setdefault(person.role, []).append(person.id)
            if person.department_id is not None:
                ctx.members.setdefault(person.department_id, []).append(person.id)
    for unit in ctx.units:
        ctx.subtree_members[unit.id] = [
            p.id
            for p in people
            if p.active
            and p.department_id is not None
            and ctx.unit_by_id[p.department_id].path.startswith(unit.path)
        ]
    roles = Counter(p.role for p in people)
    return f"{len(rows):,} ({', '.join(f'{n:,} {r}' for r, n in roles.most_common())})"


def make_external_documents(ctx: Context) -> str:
    """Laws, decrees and the province's decisions that procedures and documents cite."""
    from documents.models import ExternalDocument

    rng = ctx.rng
    texts = list(LEGAL_TEXTS[: ctx.scale.external_documents])
    while len(texts) < ctx.scale.external_documents:
        number = len(texts) + 1
        topic = PROCEDURE_FIELDS[number % len(PROCEDURE_FIELDS)][1]
        issued = ctx.start.date() - timedelta(days=rng.randint(30, 1500))
        texts.append(
            (
                "decision",
                f"{100 + number * 7}/QĐ-UBND",
                f"Quyết định công bố danh mục thủ tục hành chính lĩnh vực {topic.lower()}",
                "Ủy ban nhân dân tỉnh Hòa An",
                issued,
            )
        )
    ids = ctx.writer.ids(ExternalDocument, len(texts))
    controller = ctx.by_role["document_controller"][0]
    rows = []
    for n, (i, (kind, number, title, body, issued)) in enumerate(zip(ids, texts, strict=True)):
        # the last few were amended or repealed since; nothing is based on those
        status = "in_force" if n < len(texts) * 0.9 else rng.choice(["amended", "repealed"])
        rows.append(
            {
                "id": i,
                "kind": kind,
                "number": number,
                "title": title,
                "issuing_body": body,
                "issued_on": issued,
                "effective_on": issued + timedelta(days=45),
                "legal_status": status,
                "status_note": "" if status == "in_force" else "Văn bản sửa đổi, thay thế năm 2025",
                "search_text": fold(f"{number} {title} {body}"),
                "_when": ctx.start,
                "_who": controller,
            }
        )
        if status == "in_force":
            ctx.external_ids.append(i)
    ctx.writer.insert(ExternalDocument, rows, reason="External document saved")
    return f"{len(rows)}"


def _title_of(
    ctx: Context, templates: Mapping[str, tuple], kind: str, year: int
) -> tuple[str, int, tuple]:
    """A title, with its language and topic (the document's text is about the same)."""
    lang = ctx.lang()
    topic = ctx.rng.choice(TOPICS)
    title = ctx.rng.choice(templates[kind][lang]).format(t=topic[lang], y=year)
    return title[0].upper() + title[1:], lang, topic


class RevisionTexts:
    """The text extracted from each revision's file, and its folded form for the document's
    ``search_text``: numbered sections of sentences in the document's language, 2–9 KB.
    Its own random sequence, so that the rest of the data does not change with it; the
    sentences are folded once per language and topic, not per text."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311  (repeatable data, not secrets)
        self._pieces: dict[tuple[int, str], tuple[list, list]] = {}

    def _for(self, lang: int, topic: tuple) -> tuple[list, list]:
        key = (lang, topic[lang])
        if key not in self._pieces:
            headings = [(h, fold(h)) for h in TEXT_SECTIONS[lang]]
            sentences = [
                (text, fold(text))
                for text in (s.format(t=topic[lang]) for s in TEXT_SENTENCES[lang])
            ]
            self._pieces[key] = (headings, sentences)
        return self._pieces[key]

    def make(self, lang: int, topic: tuple) -> tuple[str, str]:
        headings, sentences = self._for(lang, topic)
        rng, target = self.rng, self.rng.randint(2_000, 9_000)
        parts: list[str] = []
        folded: list[str] = []
        size, section = 0, 0
        while size < target:
            heading, heading_folded = headings[section % len(headings)]
            parts.append(f"{section + 1}. {heading}\n")
            folded.append(f"{section + 1}. {heading_folded}")
            for _ in range(rng.randint(3, 8)):
                sentence, sentence_folded = rng.choice(sentences)
                parts.append(sentence)
                folded.append(sentence_folded)
                size += len(sentence) + 1
            parts.append("\n")
            section += 1
        return " ".join(parts).strip(), " ".join(folded)


def _seconds_later(moment: datetime, low_hours: float, high_hours: float, rng) -> datetime:
    return moment + timedelta(seconds=int(rng.uniform(low_hours, high_hours) * 3600))


def _revision_roles(rng: random.Random, status: str, count: int) -> list[str]:
    """What became of each revision: published (effective, then superseded), discarded,
    or still open (draft, in review, approved for a later date) — only the last."""
    if status == "draft":
        return ["discarded"] * (count - 1) + [
            rng.choice(["draft", "draft", "in_review", "approved"])
        ]
    roles = ["discarded" if n and rng.random() < 0.05 else "published" for n in range(count)]
    if status == "effective" and count > 1 and rng.random() < 0.12:
        roles[-1] = rng.choice(["draft", "in_review", "approved"])
    if "published" not in roles:
        roles[0] = "published"
    return roles


def _approver(ctx: Context, unit_id: int, not_in: set[int]) -> int:
    unit = ctx.unit_by_id[unit_id]
    while unit is not None:
        if unit.head_id not in not_in:
            return unit.head_id
        unit = ctx.unit_by_id.get(unit.parent_id) if unit.parent_id else None
    return ctx.rng.choice([p for p in ctx.by_role["top_management"] if p not in not_in])


SAMPLE_FILES = 6


def _revision_files(ctx: Context, revisions: list[dict]) -> None:
    """Every revision has its file, as the product requires before submission: a dozen small
    PDFs are written once to the storage and shared by the attachments (each attachment is
    its own row, with its history row), so downloads can be measured."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from qms.models import Attachment
    from qms.pdf import html_to_pdf

    if not revisions:
        return
    samples = []
    for n in range(SAMPLE_FILES):
        data = html_to_pdf(
            f"<h1 style='font-family:sans-serif'>Tài liệu mẫu {n + 1:02d}</h1>"
            "<p>Quy định cách thức thực hiện thống nhất, đúng thời hạn, công khai và minh bạch."
            "</p><p>规范统一、按时、公开、透明地办理。</p>"
        )
        name = default_storage.save(f"generated/sample-{n + 1:02d}.pdf", ContentFile(data))
        samples.append((name, len(data), hashlib.sha256(data).hexdigest()))
    revision_ct = ctx.content_types["revision"]
    rows = []
    ids = ctx.writer.ids(Attachment, len(revisions))
    for attachment_id, revision in zip(ids, revisions, strict=True):
        name, size, sha = samples[revision["id"] % SAMPLE_FILES]
        rows.append(
            {
                "id": attachment_id,
                "uuid": uuid.UUID(int=attachment_id, version=4),
                "content_type_id": revision_ct,
                "object_id": revision["id"],
                "file": name,
                "original_name": f"revision-{revision['number']:02d}.pdf",
                "description": "",
                "size": size,
                "sha256": sha,
                "mime_type": "application/pdf",
                "uploaded_by_id": revision["created_by_id"],
                "uploaded_at": revision["created_at"],
                "_when": revision["created_at"],
                "_who": revision["created_by_id"],
            }
        )
        revision["file_id"] = attachment_id
    ctx.writer.insert(Attachment, rows, reason="File attached")


def make_documents(ctx: Context) -> str:
    """The document register: documents, their revisions with review and approval steps
    (approvals e-signed), periodic reviews, distribution lists and the acknowledgements
    of the effective revisions."""
    from documents.models import (
        Acknowledgement,
        ApprovalStep,
        DistributionEntry,
        Document,
        DocumentReview,
        Revision,
    )
    from qms.models import Signature

    scale, rng, writer, now = ctx.scale, ctx.rng, ctx.writer, ctx.now
    if scale.revisions < scale.documents:
        raise ValueError("Every document has at least one revision")
    units = ctx.working_units()
    office = next(u for u in units if u.depth == 1)
    setup_end = ctx.start + timedelta(days=5)
    kinds, weights = zip(*DOCUMENT_TYPE_WEIGHTS.items(), strict=True)
    specs = []
    for n in range(scale.documents):
        kind = "manual" if n == 0 else rng.choices(kinds, weights)[0]
        unit = office if kind in ("manual", "policy") else rng.choice(units)
        # the system's documentation is written when the portal is set up; the rest later
        if n < 2 or rng.random() < 0.15:
            created = ctx.between(ctx.start, setup_end)
        else:
            created = ctx.between(ctx.activity_start, now - timedelta(hours=6))
        specs.append((created, kind, unit))
    specs.sort(key=lambda spec: spec[0])

    statuses = []
    for created, _kind, _unit in specs:
        age = (now - created).days
        if age < 30:
            statuses.append("draft" if rng.random() < 0.5 else "effective")
        else:
            draw = rng.random()
            statuses.append("effective" if draw < 0.87 else "withdrawn" if draw < 0.95 else "draft")
    # older documents have been revised more often; drafts rarely
    counts = [1] * scale.documents
    age_weights = [
        1 if status == "draft" else max((now - spec[0]).days, 10)
        for spec, status in zip(specs, statuses, strict=True)
    ]
    extra = scale.revisions - scale.documents
    while extra:
        for n in rng.choices(range(scale.documents), age_weights, k=extra):
            if counts[n] < 12 and extra:
                counts[n] += 1
                extra -= 1

    doc_ids = writer.ids(Document, scale.documents)
    rev_ids = iter(writer.ids(Revision, scale.revisions))
    revision_ct = ctx.content_types["revision"]
    per_prefix: Counter[str] = Counter()
    procedures_of: dict[int, list[int]] = defaultdict(list)
    documents, revisions, steps, signatures, reviews = [], [], [], [], []
    texts, folded_texts = RevisionTexts(seed=len(doc_ids)), {}
    effective = []  # (document info, revision id, effective moment)
    for doc_id, (created, kind, unit), status, count in zip(
        doc_ids, specs, statuses, counts, strict=True
    ):
        prefix = DOCUMENT_PREFIX[kind]
        per_prefix[prefix] += 1
        code = f"{prefix}-{per_prefix[prefix]:02d}"
        title, lang, topic = _title_of(ctx, DOCUMENT_TITLES, kind, timezone.localtime(created).year)
        owner = ctx.head(unit.id) if rng.random() < 0.4 else ctx.member(unit.id)
        interval = 24 if rng.random() < 0.2 else 12
        parent = None
        if kind == "form" and procedures_of[unit.id] and rng.random() < 0.5:
            parent = rng.choice(procedures_of[unit.id])
        if kind == "procedure":
            procedures_of[unit.id].append(doc_id)

        roles = _revision_roles(rng, status, count)
        moment = min(_seconds_later(created, 0.1, 24, rng), now)
        published = []  # (revision row, effective moment)
        for number, role in enumerate(roles, start=1):
            rev_id = next(rev_ids)
            slot = (now - moment) / (len(roles) - number + 1)
            waits = [rng.uniform(2, 120), rng.uniform(1, 72), rng.uniform(1, 96)]
            squeeze = max(0.0, min(1.0, slot.total_seconds() * 0.5 / (sum(waits) * 3600)))
            submitted = _seconds_later(moment, waits[0] * squeeze, waits[0] * squeeze, rng)
            reviewed = _seconds_later(submitted, waits[1] * squeeze, waits[1] * squeeze, rng)
            approved = _seconds_later(reviewed, waits[2] * squeeze, waits[2] * squeeze, rng)
            drafter = owner if rng.random() < 0.6 else ctx.member(unit.id)
            reviewer = ctx.member(unit.id, not_in=[drafter])
            approver = _approver(ctx, unit.id, {drafter, reviewer})
            text, folded_text = texts.make(lang, topic)
            row = {
                "id": rev_id,
                "document_id": doc_id,
                "number": number,
                "status": role,
                "text": text,
                "change_summary": CHANGE_SUMMARIES[0]
                if number == 1
                else rng.choice(CHANGE_SUMMARIES[1:]),
                "created_by_id": drafter,
                "created_at": moment,
                "_when": moment,
                "_who": drafter,
            }
            decisions = ["pending", "pending"]
            decided = [None, None]
            comment = ""
            end = moment
            if role in ("published", "approved"):
                row.update(submitted_at=submitted, approved_at=approved)
                decisions, decided = ["approved", "approved"], [reviewed, approved]
                planned = None
                if role == "approved":
                    planned = ctx.today + timedelta(days=rng.randint(1, 30))
                elif rng.random() < 0.2 and approved + timedelta(days=15) < now:
                    planned = ctx.local_date(approved) + timedelta(days=rng.randint(1, 14))
                row["planned_effective_date"] = planned
                if role == "published":
                    # published by the nightly run on its planned date, or at approval
                    end = approved
                    if planned is not None:
                        end = datetime.combine(planned, time(0, 5), tzinfo=ctx.clock.zone)
                    row["effective_date"] = ctx.local_date(end)
                    published.append((row, end))
            elif role == "discarded":
                row["submitted_at"] = submitted
                decisions, decided = ["rejected", "cancelled"], [reviewed, None]
                comment = "Chưa phù hợp với quy định hiện hành, đề nghị dừng sửa đổi"
                end = _seconds_later(reviewed, 1, 48 * squeeze + 1, rng)
            elif role == "in_review":
                row["submitted_at"] = submitted
                if rng.random() < 0.5:
                    decisions, decided = ["approved", "pending"], [reviewed, None]
            revisions.append(row)
            folded_texts[rev_id] = folded_text
            for position, (who, decision, when) in enumerate(
                zip((reviewer, approver), decisions, decided, strict=True), start=1
            ):
                signature_id = None
                if decision == "approved":
                    signature_id = writer.ids(Signature, 1)[0]
                    person = ctx.person_by_id[who]
                    signatures.append(
                        {
                            "id": signature_id,
                            "content_type_id": revision_ct,
                            "object_id": rev_id,
                            "signer_id": who,
                            "signer_name": person.full_name,
                            "signer_title": person.job_title,
                            "meaning": "reviewed" if position == 1 else "approved",
                            "signed_at": when,
                            "content_sha256": content_hash(f"{code} {number:02d}"),
                            "content_label": f"{code} revision {number:02d}",
                        }
                    )
                steps.append(
                    {
                        "role": "reviewer" if position == 1 else "approver",
                        "revision_id": rev_id,
                        "round": 1,
                        "position": position,
                        "user_id": who,
                        "decision": decision,
                        "comment": comment if decision == "rejected" else "",
                        "decided_at": when,
                        "signature_id": signature_id,
                        "_when": moment,
                        "_who": drafter,
                    }
                )
            # the next revision starts once this one is effective or discarded
            rest = max(timedelta(0), slot - (end - moment))
            moment = min(now, max(end, moment) + rest * rng.uniform(0.3, 0.9)).replace(
                microsecond=0
            )

        # published revisions: each superseded by the next one, the last effective (or
        # obsolete when the document was withdrawn)
        for (row, _end), (_next_row, next_end) in zip(published, published[1:], strict=False):
            row["status"] = "superseded"
            row["superseded_date"] = ctx.local_date(next_end)
        current, current_end = published[-1] if published else (None, None)
        document = {
            "id": doc_id,
            "code": code,
            "title": title,
            "document_type": kind,
            "department_id": unit.id,
            "owner_id": owner,
            "confidentiality": rng.choices(["public", "internal", "restricted"], [20, 77, 3])[0],
            "parent_id": parent,
            "review_interval_months": interval,
            "status": status,
            "created_at": created,
            "search_text": fold(f"{code} {title}"),
            "_when": created,
            "_who": ctx.by_role["document_controller"][0],
        }
        if status == "withdrawn":
            withdrawn = ctx.between(max(current_end, moment), now)
            current["status"] = "obsolete"
            current["superseded_date"] = ctx.local_date(withdrawn)
            document.update(withdrawn_at=withdrawn, withdrawn_reason=rng.choice(WITHDRAW_REASONS))
        elif status == "effective":
            current["status"] = "effective"
            document["effective_revision_id"] = current["id"]
            # as documents.services keeps it: the effective revision's text, folded
            document["file_text"] = folded_texts[current["id"]]
            due = _add_months(current["effective_date"], interval)
            while due <= ctx.today and rng.random() < 0.85:
                day = min(due + timedelta(days=rng.randint(0, 10)), ctx.today)
                reviewed_at = min(ctx.on(day), now)
                day = ctx.local_date(reviewed_at)
                following = _add_months(day, interval)
                reviews.append(
                    {
                        "document_id": doc_id,
                        "reviewed_by_id": owner,
                        "reviewed_on": day,
                        "outcome": "valid",
                        "next_review_date": following,
                        "_when": reviewed_at,
                        "_who": owner,
                    }
                )
                due = following
            document["next_review_date"] = due
        documents.append(document)
        info = DocumentInfo(doc_id, code, title, kind, unit.id, owner, status, created)
        ctx.documents.append(info)
        if status == "effective":
            effective.append((info, current["id"], current_end))
            if created <= setup_end and kind in ("procedure", "form", "manual"):
                ctx.setup_documents[unit.id].append(info)

    history = writer.insert(Document, documents, reason="Document registered")
    history_of = dict(zip(doc_ids, history, strict=True))
    clause_links, legal_links = [], []
    for info in ctx.documents:
        if info.document_type in ("manual", "policy", "procedure"):
            for clause in rng.sample(ctx.clause_ids, rng.randint(1, 3)):
                clause_links.append((info.id, clause))
            if info.document_type == "procedure" and ctx.external_ids and rng.random() < 0.1:
                legal_links.append((info.id, rng.choice(ctx.external_ids)))
    writer.insert_m2m(Document, "clauses", clause_links, history_of)
    writer.insert_m2m(Document, "legal_basis", legal_links, history_of)
    _revision_files(ctx, revisions)
    writer.insert(Revision, revisions, reason="Revision started")
    writer.insert(Signature, signatures)
    for row, i in zip(steps, writer.ids(ApprovalStep, len(steps)), strict=True):
        row["id"] = i
    writer.insert(ApprovalStep, steps, reason="Step planned")
    for row, i in zip(reviews, writer.ids(DocumentReview, len(reviews)), strict=True):
        row["id"] = i
    writer.insert(DocumentReview, reviews, reason="Periodic review recorded")
    entries, acks = _distribute(ctx, effective)
    writer.insert(DistributionEntry, entries, reason="Added to the distribution list")
    for n in range(0, len(acks), 50_000):
        writer.insert(Acknowledgement, acks[n : n + 50_000])
    by_status = Counter(row["status"] for row in revisions)
    return (
        f"{len(documents):,} ({len(revisions):,} revisions: "
        + ", ".join(f"{n:,} {s}" for s, n in by_status.most_common())
        + f"; {len(steps):,} approval steps, {len(signatures):,} signatures, "
        f"{len(reviews):,} periodic reviews, {len(entries):,} distribution entries, "
        f"{len(acks):,} acknowledgements)"
    )


def _distribute(ctx: Context, effective: list) -> tuple[list[dict], list[dict]]:
    """Distribution lists whose recipients add up to exactly the acknowledgements wanted.

    Some documents go to their whole department (and its units), a few to a role, the
    others to a handful of named people; each document's share is worked out from what
    is left, so that the total comes out exact.
    """
    from documents.models import Acknowledgement, DistributionEntry

    rng, now = ctx.rng, ctx.now
    everyone = [p.id for p in ctx.people if p.active]
    roles = [(role, ids) for role, ids in ctx.by_role.items() if role != "staff"]
    remaining = ctx.scale.acknowledgements
    entries, acks = [], []
    for index, (info, revision_id, published_at) in enumerate(effective):
        left = len(effective) - index - 1
        share = remaining / (left + 1)
        room = remaining - left  # every later document needs at least one reader
        chosen: set[int] = set()
        targets: list[dict] = []
        own = ctx.subtree_members[info.department_id]
        draw = rng.random()
        if left and draw < 0.3 and 0 < len(own) <= min(4 * share, room):
            targets.append({"department_id": info.department_id})
            chosen.update(own)
        elif left and draw < 0.4:
            role, members = rng.choice(roles)
            if 0 < len(members) <= min(4 * share, room):
                targets.append({"role": role})
                chosen.update(members)
        if left == 0:
            want = remaining
        elif chosen:
            want = len(chosen) + min(room - len(chosen), rng.choice([0, 0, 1, 2]))
        else:
            want = max(1, min(room, round(share * rng.uniform(0.3, 1.7))))
        # no later document can take more than everyone: take the excess now
        want = min(max(want, remaining - left * len(everyone)), len(everyone))
        named = [p for p in own if p not in chosen]
        rng.shuffle(named)
        while len(chosen) < want:
            person = named.pop() if named else rng.choice(everyone)
            if person not in chosen:
                chosen.add(person)
                targets.append({"user_id": person})
        remaining -= len(chosen)
        for target in targets:
            entries.append(
                {**target, "document_id": info.id, "_when": published_at, "_who": info.owner_id}
            )
        settled = 0.93 if now - published_at > timedelta(days=30) else 0.55
        for person in sorted(chosen):
            read = None
            if rng.random() < settled:
                read = min(now, published_at + timedelta(seconds=rng.randint(600, 20 * 86400)))
            acks.append(
                {
                    "revision_id": revision_id,
                    "user_id": person,
                    "requested_at": published_at,
                    "acknowledged_at": read,
                }
            )
    for row, i in zip(entries, ctx.writer.ids(DistributionEntry, len(entries)), strict=True):
        row["id"] = i
    for row, i in zip(acks, ctx.writer.ids(Acknowledgement, len(acks)), strict=True):
        row["id"] = i
    return entries, acks


def make_records(ctx: Context) -> str:
    """Record types of each department (kept in the archive room or another system, so
    that no file is needed) and the records registered under them."""
    from records.models import Record, RecordType

    scale, rng, writer = ctx.scale, ctx.rng, ctx.writer
    units = ctx.working_units()
    type_ids = writer.ids(RecordType, scale.record_types)
    types, infos = [], []
    used: Counter[str] = Counter()
    for n, type_id in enumerate(type_ids):
        unit = units[n % len(units)]
        abbreviation, *names = RECORD_KINDS[(n // len(units) + n) % len(RECORD_KINDS)]
        stem = f"{abbreviation}-{unit.code}"
        used[stem] += 1
        code = stem if used[stem] == 1 else f"{stem}-{used[stem]}"
        permanent = rng.random() < 0.1
        years = None if permanent else rng.choice([1, 2, 3, 5, 5, 10, 10, 20])
        storage = rng.choice(["archive", "archive", "system"])
        location = (
            rng.choice(PLACES) if storage == "archive" else "Hệ thống quản lý văn bản điều hành"
        )
        forms = [d for d in ctx.setup_documents.get(unit.id, ()) if d.document_type == "form"]
        procedures = [
            d for d in ctx.setup_documents.get(unit.id, ()) if d.document_type == "procedure"
        ]
        row = {
            "id": type_id,
            "code": code,
            "name": ctx.pick(names),
            "form_id": rng.choice(forms).id if forms else None,
            "procedure_id": rng.choice(procedures).id if procedures else None,
            "department_id": unit.id,
            "storage": storage,
            "location": location,
            "retention_years": years,
            "permanent": permanent,
            "disposition": "review"
            if permanent
            else rng.choice(["destroy", "destroy", "transfer"]),
            "access": rng.choices(["agency", "department", "restricted"], [30, 65, 5])[0],
            "_when": ctx.between(ctx.start, ctx.activity_start),
            "_who": ctx.by_role["qms_manager"][0],
        }
        if rng.random() < 0.03:
            row.update(legal_hold=True, legal_hold_reason="Đang thanh tra theo kế hoạch của tỉnh")
        types.append(row)
        infos.append(row)
    writer.insert(RecordType, types, reason="Record type saved")

    weights = [rng.uniform(0.2, 3) for _ in infos]
    record_ids = writer.ids(Record, scale.records)
    rows = []
    for n, (record_id, kind) in enumerate(
        zip(record_ids, rng.choices(infos, weights, k=scale.records), strict=True)
    ):
        unit = ctx.unit_by_id[kind["department_id"]]
        below = [u for u in ctx.units if u.parent_id == unit.id]
        department = rng.choice(below).id if below and rng.random() < 0.3 else unit.id
        registered = ctx.between(ctx.activity_start, ctx.now)
        record_date = ctx.local_date(registered) - timedelta(days=rng.choice([0, 0, 0, 1, 2, 7]))
        reference = f"{n + 1}/{kind['code']}"
        title = f"{kind['name']} {record_date:%m/%Y}"
        row = {
            "id": record_id,
            "record_type_id": kind["id"],
            "title": title,
            "reference": reference,
            "record_date": record_date,
            "department_id": department,
            "physical_location": f"{kind['location']}, hộp {rng.randint(1, 400)}"
            if kind["storage"] == "archive"
            else "",
            # as records.services.retention_until
            "retention_until": None
            if kind["permanent"]
            else _add_years(record_date, kind["retention_years"]),
            "registered_by_id": ctx.member(department),
            "registered_at": registered,
            "search_text": fold(f"{reference} {title} {kind['code']} {kind['name']}"),
            "_when": registered,
        }
        row["_who"] = row["registered_by_id"]
        if rng.random() < 0.005:
            row.update(legal_hold=True, legal_hold_reason="Phục vụ giải quyết khiếu nại")
        rows.append(row)
    for n in range(0, len(rows), 20_000):
        writer.insert(Record, rows[n : n + 20_000], reason="Record registered")
    expired = sum(1 for r in rows if r["retention_until"] and r["retention_until"] < ctx.today)
    return f"{len(rows):,} ({len(types)} record types; {expired:,} past their retention)"


def _allowances(rng: random.Random, statutory: int, middle: int) -> list[tuple[Decimal, str]]:
    """(allowance, unit) of each step: the desk's first and last steps in hours, the
    middle ones in half days, together within the statutory time (as check_steps_fit
    demands). Every allowance is a whole number of office seconds."""
    desk_hours = 2 if statutory == 1 else 4
    budget = Decimal(statutory) - Decimal(desk_hours * 2) / 8
    middle = min(middle, max(1, int(budget * 2)))
    halves = max(middle, int(budget * 2 * Decimal(rng.uniform(0.8, 1.0))))
    shares = _split(halves, middle, rng, minimum=1)
    desk = (Decimal(desk_hours), "hours")
    return [desk, *[(Decimal(share) / 2, "days") for share in shares], desk]


def make_procedures(ctx: Context) -> str:
    """The process map (processes with their indicators) and the catalogue of
    administrative procedures with their steps and dossiers."""
    from procedures.models import DossierItem, Procedure, ProcedureStep, Process, ProcessIndicator

    scale, rng, writer = ctx.scale, ctx.rng, ctx.writer
    tops = [u for u in ctx.units if u.depth == 1]
    when = ctx.start + timedelta(days=6)  # after the set-up documents, before the first case
    manager = ctx.by_role["qms_manager"][0]

    # processes: one core process per department, management and support ones around
    process_specs = [("CT", "core", unit) for unit in tops]
    other = scale.processes - len(process_specs)
    for n in range(max(0, other)):
        kind = "management" if n % 2 == 0 else "support"
        process_specs.append(("QL" if kind == "management" else "HT", kind, rng.choice(tops)))
    process_specs = process_specs[: scale.processes]
    process_ids = writer.ids(Process, len(process_specs))
    numbers: Counter[str] = Counter()
    processes, indicators, documents, handovers = [], [], [], []
    core_of: dict[int, int] = {}
    for process_id, (prefix, kind, unit) in zip(process_ids, process_specs, strict=True):
        numbers[prefix] += 1
        names = PROCESS_NAMES[kind]
        name = names[(numbers[prefix] - 1) % len(names)].format(unit.name.lower())
        code = f"{prefix}-{numbers[prefix]:02d}"
        processes.append(
            {
                "id": process_id,
                "code": code,
                "name": name,
                "process_type": kind,
                "department_id": unit.id,
                "owner_id": unit.head_id,
                "purpose": f"Bảo đảm {name.lower()} đúng quy định, đúng hạn",
                "search_text": fold(f"{code} {name}"),
                "_when": when,
                "_who": manager,
            }
        )
        ctx.process_ids[unit.id].append(process_id)
        if kind == "core":
            core_of[unit.id] = process_id
            measures = [
                ("Tỷ lệ hồ sơ đúng hạn", "95", "%", "higher", "on_time"),
                ("Chỉ số hài lòng", "90", "%", "higher", "satisfaction"),
            ]
        else:
            measures = [("Tỷ lệ công việc hoàn thành đúng kế hoạch", "90", "%", "higher", "manual")]
        for position, (label, target, unit_label, direction, measure) in enumerate(measures, 1):
            indicators.append(
                {
                    "process_id": process_id,
                    "name": label,
                    "target": Decimal(target),
                    "unit": unit_label,
                    "direction": direction,
                    "measure": measure,
                    "position": position,
                    "_when": when,
                    "_who": manager,
                }
            )
        for info in ctx.setup_documents.get(unit.id, [])[:2]:
            documents.append((process_id, info.id))
    for process_id in process_ids:
        for other_id in rng.sample(list(process_ids), min(2, len(process_ids))):
            if other_id != process_id:
                handovers.append((process_id, other_id))
    history = writer.insert(Process, processes, reason="Process saved")
    history_of = dict(zip(process_ids, history, strict=True))
    writer.insert_m2m(Process, "hands_over_to", handovers, history_of)
    writer.insert_m2m(Process, "documents", documents, history_of)
    for row, i in zip(indicators, writer.ids(ProcessIndicator, len(indicators)), strict=True):
        row["id"] = i
    writer.insert(ProcessIndicator, indicators, reason="Added with its procedure")

    # procedures
    procedure_ids = writer.ids(Procedure, scale.procedures)
    per_field: Counter[str] = Counter()
    procedures, steps, dossier, legal, linked = [], [], [], [], []
    desk_handlers = ctx.members.get(ctx.desk_id) or [ctx.head(ctx.desk_id)]
    for procedure_id in procedure_ids:
        unit = rng.choice(tops)
        abbreviation, field_name = rng.choice(PROCEDURE_FIELDS)
        per_field[abbreviation] += 1
        code = f"{abbreviation}-{per_field[abbreviation]:03d}"
        lang = ctx.lang()
        action, subject, qualifier = (
            rng.choice(PROCEDURE_ACTIONS)[lang],
            rng.choice(PROCEDURE_SUBJECTS)[lang],
            rng.choice(PROCEDURE_QUALIFIERS)[lang],
        )
        name = {
            VI: f"{action} {subject} {qualifier}",
            ZH: f"{action}{subject}{qualifier}",
            EN: f"{action} {subject} {qualifier}",
        }[lang].strip()
        statutory = rng.choice([1, 2, 3, 3, 5, 5, 7, 10, 15, 15, 20, 30])
        status = rng.choices(["active", "suspended", "abolished"], [92, 4, 4])[0]
        national = f"1.{rng.randrange(1, 14000):06d}"
        row = {
            "id": procedure_id,
            "code": code,
            "national_code": national,
            "name": name,
            "field": field_name,
            "level": rng.choices(["provincial", "district", "national"], [85, 10, 5])[0],
            "process_id": core_of.get(unit.id),
            "department_id": unit.id,
            "owner_id": unit.head_id,
            "applicants": "Tổ chức, cá nhân",
            "fees": rng.choice(["Không", "Lệ phí 50.000 đồng/lần", "Lệ phí 100.000 đồng/hồ sơ"]),
            "statutory_days": statutory,
            "result": f"Văn bản {subject}" if lang == VI else subject,
            "status": status,
            "is_public": rng.random() < 0.95,
            "search_text": fold(f"{code} {national} {name} {field_name}"),
            "_when": when,
            "_who": manager,
        }
        procedures.append(row)
        for external in rng.sample(ctx.external_ids, min(len(ctx.external_ids), rng.randint(1, 3))):
            legal.append((procedure_id, external))
        for info in ctx.setup_documents.get(unit.id, [])[:1]:
            linked.append((procedure_id, info.id))
        allowances = _allowances(rng, statutory, rng.randint(1, 3))
        middle = len(allowances) - 2
        below = [u for u in ctx.units if u.parent_id == unit.id]
        planned = []
        for position, (allowance, allowance_unit) in enumerate(allowances, start=1):
            if position == 1 or position == middle + 2:
                step_name, role = DESK_STEPS[0 if position == 1 else 1]
                department = ctx.desk_id
            else:
                step_name, role = rng.choice(MIDDLE_STEPS)
                department = rng.choice(below).id if below and rng.random() < 0.7 else unit.id
            in_days = allowance / 8 if allowance_unit == "hours" else allowance
            in_days = in_days.quantize(_MILLI)
            steps.append(
                {
                    "procedure_id": procedure_id,
                    "position": position,
                    "name": step_name,
                    "department_id": department,
                    "role": role,
                    "allowance": allowance,
                    "unit": allowance_unit,
                    "_when": when,
                    "_who": manager,
                }
            )
            handlers = ctx.members.get(department) or [ctx.head(department)]
            planned.append(
                PlannedStep(
                    position,
                    step_name,
                    department,
                    role,
                    in_days,
                    int(in_days * ctx.clock.per_day),
                    handlers,
                )
            )
        for position, (item, copies) in enumerate(rng.sample(DOSSIER_ITEMS, rng.randint(2, 5)), 1):
            dossier.append(
                {
                    "procedure_id": procedure_id,
                    "position": position,
                    "name": item,
                    "copies": copies,
                    "required": rng.random() < 0.85,
                    "_when": when,
                    "_who": manager,
                }
            )
        ctx.procedures.append(
            ProcedureInfo(
                procedure_id, code, unit.id, unit.head_id, statutory, status, planned, desk_handlers
            )
        )
    history = writer.insert(Procedure, procedures, reason="Procedure saved")
    history_of = dict(zip(procedure_ids, history, strict=True))
    writer.insert_m2m(Procedure, "legal_basis", legal, history_of)
    writer.insert_m2m(Procedure, "documents", linked, history_of)
    for rows, model in ((steps, ProcedureStep), (dossier, DossierItem)):
        for row, i in zip(rows, writer.ids(model, len(rows)), strict=True):
            row["id"] = i
        writer.insert(model, rows, reason="Added with its procedure")
    return (
        f"{len(procedures):,} ({len(processes)} processes, {len(indicators)} indicators, "
        f"{len(steps):,} steps, {len(dossier):,} dossier components)"
    )


def _applicants(ctx: Context, count: int) -> list[tuple[str, str, str]]:
    """(kind, name, ID or tax number) of people and businesses who apply."""
    rng = ctx.rng
    out = []
    for n in range(count):
        if rng.random() < 0.3:
            lang = ctx.lang()
            name = (
                rng.choice(COMPANY_FORMS).format(rng.choice(COMPANY_WORDS))
                if lang == VI
                else rng.choice(COMPANIES_ZH if lang == ZH else COMPANIES_EN)
            )
            out.append(("organisation", name, f"{rng.randrange(10**9, 10**10)}"))
        else:
            first, last, _username = _name(ctx, ctx.lang(), n)
            person = Person(0, None, "", first, last, "")
            out.append(("person", person.full_name, f"0{rng.randrange(10**10, 10**11)}"))
    return out


def _days_per_receipt_day(ctx: Context, total: int) -> list[tuple[int, int, int, int]]:
    """(day index, first and last office second, cases) for every working day from the
    start of the work to now: about the same each day, a little busier lately."""
    clock, rng = ctx.clock, ctx.rng
    begin, end = clock.seconds(ctx.activity_start), clock.seconds(ctx.now)
    days = []
    for index in range(clock.index(ctx.local_date(ctx.activity_start)), clock.index(ctx.today) + 1):
        low, high = max(clock.before[index], begin), min(clock.ends[index], end)
        if high > low:
            days.append((index, low, high))
    weights = [
        (high - low) * rng.uniform(0.75, 1.25) * (0.85 + 0.3 * n / len(days))
        for n, (_index, low, high) in enumerate(days)
    ]
    whole, reached, given, carry = sum(weights), 0.0, 0, 0
    out = []
    for (index, low, high), weight in zip(days, weights, strict=True):
        reached += weight
        target = round(reached / whole * total)
        count = target - given + carry
        given = target
        # a receipt code has four digits for the day's sequence
        carry = max(0, count - YEAR_CAPACITY)
        out.append((index, low, high, count - carry))
    if carry:
        raise ValueError("More cases than the receipt codes of the last day can number")
    return out


def make_cases(ctx: Context) -> str:
    """Service cases received at the desk every working day, each handled step by step
    along its procedure (the step log), some paused for a supplement, a few returned or
    withdrawn, the late ones with their reason and apology; completed cases rated by
    some applicants, and the dissatisfied ratings followed up as citizen feedback."""
    from procedures.models import CasePause, CaseStep, Rating, ServiceCase

    scale, rng, writer, clock = ctx.scale, ctx.rng, ctx.writer, ctx.clock
    active = [p for p in ctx.procedures if p.status == "active"]
    rng.shuffle(active)  # how much a procedure is used has nothing to do with its code
    popularity = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(active))))
    applicants = _applicants(ctx, 5_000)
    per_day = clock.per_day
    day_length = Decimal(per_day)
    now_s = clock.seconds(ctx.now)
    rate_share = min(1.0, scale.ratings / max(1, scale.cases * 0.85))
    case_ids = iter(writer.ids(ServiceCase, scale.cases))
    moment, randint, random_, uniform, choice = (
        clock.moment,
        rng.randint,
        rng.random,
        rng.uniform,
        rng.choice,
    )
    totals: Counter[str] = Counter()
    feedback: list[dict] = []
    cases, steps, pauses, ratings = [], [], [], []
    seen_late = 0

    def flush() -> None:
        with transaction.atomic(using=writer.connection.alias):
            writer.insert(ServiceCase, cases, reason="Case received")
            writer.insert(CaseStep, steps, reason="Case received")
            writer.insert(CasePause, pauses, reason="Supplement requested")
            writer.insert(Rating, ratings, reason="Rated by the applicant")
        for rows in (cases, steps, pauses, ratings):
            rows.clear()

    for index, low, high, count in _days_per_receipt_day(ctx, scale.cases):
        prefix = f"{settings.QMS_RECEIPT_PREFIX}-{clock.first + timedelta(days=index):%y%m%d}-"
        for sequence, received_s in enumerate(
            sorted(randint(low + 1, high) for _ in range(count)), 1
        ):
            procedure = active[bisect.bisect(popularity, random_() * popularity[-1])]
            plan = procedure.steps
            case_id = next(case_ids)
            step_ids = writer.ids(CaseStep, len(plan))
            received = moment(received_s)
            receiver = choice(procedure.receivers)
            due_s = received_s + procedure.statutory_days * per_day
            draw = random_()
            slow_step, pace = -1, (0.15, 0.9)
            if draw < 0.07:
                slow_step = randint(0, len(plan) - 1)
            elif draw < 0.1:
                pace = (0.8, 1.7)
            draw = random_()
            close_at = randint(0, len(plan) - 1) if draw < 0.045 else -1
            outcome = "returned" if draw < 0.03 else "withdrawn"
            pause_at = randint(0, len(plan) - 1) if random_() < 0.04 else -1
            status, current, paused_days = "completed", None, Decimal(0)
            start_s, started, handler = received_s, received, receiver
            step_rows = []
            for k, planned in enumerate(plan):
                row = {
                    "id": step_ids[k],
                    "case_id": case_id,
                    "position": planned.position,
                    "name": planned.name,
                    "department_id": planned.department_id,
                    "role": planned.role,
                    "allowance_days": planned.allowance_days,
                    "_when": received,
                    "_who": receiver,
                }
                step_rows.append(row)
                if status != "completed" or current is not None:
                    continue  # not started: the case ended or waits before it
                if k:
                    handler = choice(planned.handlers) if random_() < 0.8 else None
                step_due = start_s + planned.seconds
                factor = uniform(1.1, 2.5) if k == slow_step else uniform(*pace)
                length = max(60, int(planned.seconds * factor))
                row["handler_id"] = handler
                row["started_at"] = started
                pause_days = Decimal(0)
                if k == pause_at:
                    pause_s = start_s + randint(1, length)
                    pause_length = randint(per_day // 2, 10 * per_day)
                    # a supplement asked before the deadlines passed moves them on
                    if pause_s < min(step_due, due_s, now_s):
                        by = handler or choice(planned.handlers)
                        pause = {
                            "case_id": case_id,
                            "reason": choice(PAUSE_REASONS),
                            "notified_on": ctx.local_date(moment(pause_s)),
                            "started_at": moment(pause_s),
                            "started_by_id": by,
                            "_when": moment(pause_s),
                            "_who": by,
                        }
                        pauses.append(pause)
                        if pause_s + pause_length > now_s:
                            status, current = "paused", k
                            row["due_at"] = moment(step_due)
                            continue
                        pause_days = (Decimal(pause_length) / day_length).quantize(_MILLI)
                        paused_days += pause_days
                        pause["ended_at"] = moment(pause_s + pause_length)
                        pause["working_days"] = pause_days
                        step_due += pause_length
                        due_s += pause_length
                        length += pause_length
                row["due_at"] = moment(step_due)
                end_s = start_s + length
                if end_s > now_s:
                    status, current = "in_progress", k
                    continue
                ended = moment(end_s)
                row["finished_at"] = ended
                row["finished_by_id"] = handler or choice(planned.handlers)
                row["working_days_used"] = (Decimal(end_s - start_s) / day_length).quantize(
                    _MILLI
                ) - pause_days
                row["on_time"] = end_s <= step_due
                start_s, started = end_s, ended
                if k == close_at:
                    status = outcome
                    row["note"] = choice(
                        RETURN_REASONS if outcome == "returned" else WITHDRAW_CASE_REASONS
                    )
            kind, name, id_number = choice(applicants)
            phone = f"09{randint(0, 99_999_999):08d}"
            code = f"{prefix}{sequence:04d}"
            case = {
                "id": case_id,
                "receipt_code": code,
                "procedure_id": procedure.id,
                "department_id": procedure.department_id,
                "applicant_kind": kind,
                "applicant_name": name,
                "applicant_id_number": id_number,
                "applicant_phone": phone,
                "applicant_address": f"Số {randint(1, 300)} đường {choice(STREETS)}, thành phố Hòa An",
                "channel": "online" if draw < 0.4 else "post" if draw > 0.95 else "desk",
                "received_at": received,
                "received_by_id": receiver,
                "statutory_days": procedure.statutory_days,
                "due_at": moment(due_s),
                "status": status,
                "search_text": fold(f"{code} {name} {phone} {id_number}"),
                "_when": received,
                "_who": receiver,
            }
            if current is not None:
                case["current_step_id"] = step_ids[current]
                if status == "in_progress" and now_s > due_s and random_() < 0.4:
                    case["late_reason"] = choice(LATE_REASONS)
                    case["apology_issued_at"] = moment(randint(due_s + 1, now_s))
            else:
                used = (Decimal(start_s - received_s) / day_length).quantize(_MILLI)
                case["finished_at"] = started
                case["working_days_used"] = (used - paused_days).quantize(_CENT)
                if status == "completed":
                    case["on_time"] = on_time = start_s <= due_s
                    if not on_time:
                        # completing late needs the reason and the apology letter first
                        case["late_reason"] = choice(LATE_REASONS)
                        case["apology_issued_at"] = moment(randint(due_s + 1, start_s))
                        seen_late += 1
                        if len(ctx.late_cases) < 300:
                            ctx.late_cases.append(
                                (code, procedure.department_id, ctx.local_date(started))
                            )
                        elif randint(1, seen_late) <= 300:
                            ctx.late_cases[randint(0, 299)] = (
                                code,
                                procedure.department_id,
                                ctx.local_date(started),
                            )
                    if random_() < rate_share:
                        submitted = started + timedelta(seconds=randint(600, 3 * 86400))
                        if submitted <= ctx.now:
                            score = rng.choices((5, 4, 3, 2, 1), (55, 28, 9, 5, 3))[0]
                            comment = choice(RATING_COMMENTS) if random_() < 0.2 else ""
                            ratings.append(
                                {
                                    "case_id": case_id,
                                    "score": score,
                                    "comment": comment,
                                    "submitted_at": submitted,
                                    "_when": submitted,
                                }
                            )
                            if score <= 2:
                                feedback.append(
                                    {
                                        "kind": "rating",
                                        "case_id": case_id,
                                        "procedure_id": procedure.id,
                                        "department_id": procedure.department_id,
                                        "citizen_name": name[:200],
                                        "citizen_contact": phone,
                                        "text": comment
                                        or (
                                            "Rất không hài lòng" if score == 1 else "Không hài lòng"
                                        ),
                                        "received_at": submitted,
                                        "owner_id": procedure.owner_id,
                                        "_when": submitted,
                                    }
                                )
                else:
                    case["outcome_reason"] = step_rows[close_at]["note"]
            cases.append(case)
            steps.extend(step_rows)
            totals[status] += 1
        if len(cases) >= CASE_CHUNK:
            _number_rows(writer, CasePause, pauses)
            _number_rows(writer, Rating, ratings)
            totals["steps"] += len(steps)
            totals["pauses"] += len(pauses)
            totals["ratings"] += len(ratings)
            flush()
    _number_rows(writer, CasePause, pauses)
    _number_rows(writer, Rating, ratings)
    totals["steps"] += len(steps)
    totals["pauses"] += len(pauses)
    totals["ratings"] += len(ratings)
    flush()
    with transaction.atomic(using=writer.connection.alias):
        _write_feedback(ctx, feedback)
    finished = ", ".join(
        f"{totals[s]:,} {s}"
        for s in ("completed", "returned", "withdrawn", "in_progress", "paused")
    )
    return (
        f"{scale.cases:,} ({finished}; {totals['steps']:,} case steps, {totals['pauses']:,} "
        f"pauses, {totals['ratings']:,} ratings, {len(feedback):,} feedback items)"
    )


def _number_rows(writer: Writer, model: type[models.Model], rows: list[dict]) -> None:
    for row, i in zip(rows, writer.ids(model, len(rows)), strict=True):
        row["id"] = i


def _write_feedback(ctx: Context, items: list[dict]) -> None:
    """A dissatisfied rating opens a feedback item (PA-2026-0001): an owner, a deadline in
    working days, the call-back and the outcome once handled."""
    from procedures.models import Feedback

    rng, now = ctx.rng, ctx.now
    items.sort(key=lambda item: item["received_at"])
    numbers = _year_numbers("PA", [item["received_at"] for item in items])
    for item, number, i in zip(items, numbers, ctx.writer.ids(Feedback, len(items)), strict=True):
        received = ctx.local_date(item["received_at"])
        deadline = ctx.calendar.add_working_days(received, settings.QMS_FEEDBACK_DAYS)
        item.update(id=i, number=number, deadline=deadline)
        if deadline < ctx.today - timedelta(days=3) or rng.random() < 0.3:
            closed = ctx.between(item["received_at"], min(now, ctx.on(deadline)))
            item.update(
                status=rng.choice(["rectified", "rectified", "unfounded"]),
                callback_on=ctx.local_date(closed),
                callback_outcome="Đã gọi điện trao đổi, công dân đồng ý với cách giải quyết",
                resolution="Đã nhắc nhở công chức, rút kinh nghiệm trong giao ban",
                closed_at=closed,
                closed_by_id=item["owner_id"],
            )
    ctx.writer.insert(Feedback, items, reason="Citizen feedback received")


def _impartial(ctx: Context, scope: list[Unit], pool: list[int]) -> list[int]:
    """Auditors who belong to none of the departments audited (nor a unit below one)."""
    out = []
    for person_id in pool:
        own = ctx.person_by_id[person_id].department_id
        path = ctx.unit_by_id[own].path if own else ""
        if not any(path.startswith(unit.path) for unit in scope):
            out.append(person_id)
    return out


def _audit_status(rng: random.Random, start: date, end: date, today: date) -> str:
    if start > today:
        return "prepared" if start <= today + timedelta(days=14) else "planned"
    if end >= today:
        return "in_progress"
    age = (today - end).days
    if age < 7:
        return rng.choice(["in_progress", "findings_confirmed"])
    if age < 45:
        return "findings_confirmed" if rng.random() < 0.3 else "reported"
    return "closed" if age > 150 and rng.random() < 0.85 else "reported"


def make_audits(ctx: Context) -> str:
    """The yearly audit programmes, internal and external audits with their plan
    (sessions), checklists and findings; a nonconformity finding confirmed at the
    closing meeting is raised as a nonconformity (written with the others)."""
    from audits.models import Audit, AuditProgramme, AuditSession, ChecklistItem, Finding
    from audits.services import PREFIX
    from nonconformities.models import Nonconformity

    scale, rng, writer, today, now = ctx.scale, ctx.rng, ctx.writer, ctx.today, ctx.now
    tops = [u for u in ctx.units if u.depth == 1]
    auditors = ctx.by_role["internal_auditor"]
    externals = ctx.by_role.get("external_auditor", [])
    director = ctx.by_role["top_management"][0]
    future = scale.audits // 20
    earliest = ctx.activity_start + timedelta(days=30)
    starts = sorted(
        [
            ctx.local_date(ctx.between(earliest, now - timedelta(days=2)))
            for _ in range(scale.audits - future)
        ]
        + [today + timedelta(days=rng.randint(3, 90)) for _ in range(future)]
    )
    kinds = rng.choices(
        ["internal", "surveillance", "certification", "inspection"], [75, 10, 5, 10], k=len(starts)
    )
    # programmes: approved at the start of their year, the audits planned just before
    years = sorted(
        {start.year for start, kind in zip(starts, kinds, strict=True) if kind == "internal"}
    )
    programme_ids = dict(zip(years, writer.ids(AuditProgramme, len(years)), strict=True))
    approvals: dict[int, datetime | None] = {}
    programmes = []
    for year in years:
        approved = None
        if year <= today.year:
            # approved early in January; the first year's as soon as the work begins
            first_day = ctx.local_date(ctx.activity_start) + timedelta(days=1)
            approved = min(now, ctx.on(max(date(year, 1, 5), first_day)))
        approvals[year] = approved
        drafted = (approved or now) - timedelta(days=25)
        programmes.append(
            {
                "id": programme_ids[year],
                "year": year,
                "objectives": "Đánh giá toàn bộ các phòng và điều khoản ISO 9001 trong chu kỳ 3 năm",
                "status": "approved" if approved else "draft",
                "approved_by_id": director if approved else None,
                "approved_at": approved,
                "_when": max(ctx.start, drafted),
                "_who": ctx.by_role["qms_manager"][0],
            }
        )
    writer.insert(AuditProgramme, programmes, reason="Audit programme saved")

    audit_ids = writer.ids(Audit, len(starts))
    references: Counter[str] = Counter()
    audits, sessions, checklist, scope_links, team_links, clause_links, procedure_links = (
        [] for _ in range(7)
    )
    active_audits = []
    for audit_id, start, kind in zip(audit_ids, starts, kinds, strict=True):
        end = start + timedelta(days=rng.randint(0, 4))
        for _attempt in range(20):
            if kind in ("certification", "surveillance"):
                scope = rng.sample(tops, min(len(tops), rng.randint(2, 4)))
                lead_pool = externals or _impartial(ctx, scope, auditors)
            else:
                scope = rng.sample(ctx.working_units(), rng.randint(1, 3))
                lead_pool = _impartial(ctx, scope, auditors)
            if lead_pool:
                break
        lead = rng.choice(lead_pool)
        team = [p for p in _impartial(ctx, scope, auditors) if p != lead]
        team = rng.sample(team, min(len(team), rng.randint(1, 2)))
        stem = f"{PREFIX[kind]}-{start.year}-"
        references[stem] += 1
        reference = f"{stem}{references[stem]:02d}"
        names = ", ".join(unit.name for unit in scope)
        title = {
            "internal": ctx.pick(
                (f"Đánh giá nội bộ {names}", f"{names}内部审核", f"Internal audit of {names}")
            ),
            "surveillance": "Đánh giá giám sát hệ thống quản lý chất lượng ISO 9001:2015",
            "certification": "Đánh giá chứng nhận lại hệ thống quản lý chất lượng ISO 9001:2015",
            "inspection": f"Kiểm tra công tác cải cách hành chính tại {names}",
        }[kind]
        status = _audit_status(rng, start, end, today)
        programme = programme_ids.get(start.year) if kind == "internal" else None
        if programme is not None and approvals[start.year] is not None:
            planned = ctx.between(
                max(ctx.start, approvals[start.year] - timedelta(days=20)), approvals[start.year]
            )
        else:
            planned = ctx.between(
                max(ctx.activity_start, ctx.on(start) - timedelta(days=60)), min(now, ctx.on(start))
            )
        row = {
            "id": audit_id,
            "reference": reference,
            "programme_id": programme,
            "audit_type": kind,
            "title": title[:300],
            "start_date": start,
            "end_date": end,
            "lead_auditor_id": lead,
            "status": status,
            "search_text": fold(f"{reference} {title}"),
            "_when": planned,
            "_who": ctx.by_role["qms_manager"][0],
        }
        confirmed = None
        if status in ("findings_confirmed", "reported", "closed"):
            confirmed = ctx.between(ctx.on(end), min(now, ctx.on(end + timedelta(days=2))))
        if status in ("reported", "closed"):
            row.update(
                summary="Hệ thống quản lý chất lượng được duy trì, một số điểm cần cải tiến.",
                conclusion="Hệ thống phù hợp với ISO 9001:2015 và được áp dụng có hiệu lực.",
                report_version=1,
            )
        if status == "closed":
            row["closed_at"] = ctx.between(
                ctx.on(end + timedelta(days=120)), min(now, ctx.on(end + timedelta(days=240)))
            )
        audits.append(row)
        scope_links += [(audit_id, unit.id) for unit in scope]
        team_links += [(audit_id, person) for person in team]
        clauses = rng.sample(ctx.clause_ids, rng.randint(3, 6))
        clause_links += [(audit_id, clause) for clause in clauses]
        for unit in scope:
            for info in ctx.setup_documents.get(unit.id, [])[:1]:
                procedure_links.append((audit_id, info.id))
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        for unit in scope:
            begins = ctx.on(rng.choice(days))
            sessions.append(
                {
                    "audit_id": audit_id,
                    "department_id": unit.id,
                    "starts_at": begins,
                    "ends_at": begins + timedelta(hours=2),
                    "topic": "Phỏng vấn lãnh đạo, kiểm tra hồ sơ và việc áp dụng quy trình",
                    "_when": planned,
                    "_who": lead,
                }
            )
        items = []
        if status != "planned":  # prepared: "Mark as prepared" needs the checklist
            for unit in scope:
                for clause in clauses:
                    item = {
                        "audit_id": audit_id,
                        "position": len(items) + 1,
                        "clause_id": clause,
                        "department_id": unit.id,
                        "_when": planned,
                        "_who": lead,
                    }
                    if status != "prepared" and (status != "in_progress" or rng.random() < 0.5):
                        item.update(
                            result=rng.choices(
                                ["conforming", "observation", "ofi", "minor_nc", "major_nc"],
                                [70, 10, 10, 8, 2],
                            )[0],
                            notes="Đã phỏng vấn và xem xét hồ sơ mẫu",
                            evidence="Hồ sơ lưu năm hiện hành",
                            answered_by_id=rng.choice([lead, *team]),
                        )
                    items.append(item)
        _number_rows(writer, ChecklistItem, items)
        checklist += items
        if status not in ("planned", "prepared"):
            active_audits.append((row, scope, items, team, confirmed))
    history = writer.insert(Audit, audits, reason="Audit planned")
    history_of = dict(zip(audit_ids, history, strict=True))
    writer.insert_m2m(Audit, "scope_departments", scope_links, history_of)
    writer.insert_m2m(Audit, "team", team_links, history_of)
    writer.insert_m2m(Audit, "criteria_clauses", clause_links)
    writer.insert_m2m(Audit, "scope_procedures", procedure_links)
    _number_rows(writer, AuditSession, sessions)
    writer.insert(AuditSession, sessions, reason="Session planned")
    writer.insert(ChecklistItem, checklist, reason="Checklist prepared")

    if scale.findings and not active_audits:
        raise ValueError("No audit has started: nowhere to record the findings")
    shares = _split(scale.findings, len(active_audits), rng) if active_audits else []
    findings = []
    finding_ct = ctx.content_types["finding"]
    clause_numbers = dict(_clause_numbers())
    raised_room = scale.nonconformities
    for (audit, scope, items, _team, confirmed), count in zip(active_audits, shares, strict=True):
        start, end = audit["start_date"], audit["end_date"]
        finding_ids = writer.ids(Finding, count)
        for number, finding_id in enumerate(finding_ids, start=1):
            unit = rng.choice(scope)
            kind = rng.choices(["observation", "ofi", "minor_nc", "major_nc"], [30, 30, 32, 8])[0]
            clause = rng.choice(ctx.clause_ids)
            lang = ctx.lang()
            problem = rng.choice(PROBLEMS if kind.endswith("_nc") else OBSERVATIONS)[lang]
            recorded = min(now, ctx.on(start + timedelta(days=rng.randint(0, (end - start).days))))
            matching = [i for i in items if i["department_id"] == unit.id]
            row = {
                "id": finding_id,
                "audit_id": audit["id"],
                "number": number,
                "kind": kind,
                "clause_id": clause,
                "department_id": unit.id,
                "checklist_item_id": rng.choice(matching)["id"]
                if matching and rng.random() < 0.4
                else None,
                "requirement": f"ISO 9001:2015, điều {clause_numbers[clause]}",
                "evidence": f"Kiểm tra hồ sơ mẫu tại {unit.name}",
                "statement": problem,
                "_when": recorded,
                "_who": audit["lead_auditor_id"],
            }
            if rng.random() < 0.02:
                # withdrawn by the team before the closing meeting: kept, no longer counts
                row.update(
                    withdrawn_at=min(now, recorded + timedelta(hours=1)),
                    withdrawn_by_id=audit["lead_auditor_id"],
                    withdrawal_reason="Trùng với phát hiện khác",
                )
            elif kind.endswith("_nc") and confirmed is not None:
                if raised_room <= 0:
                    row["kind"] = "observation"
                else:
                    raised_room -= 1
                    # the confirmation raises the nonconformity, linked both ways
                    ctx.raised.append(
                        {
                            "finding_id": finding_id,
                            "title": f"{audit['reference']} F{number:02d}: {problem[:200]}",
                            "description": f"{clause_numbers[clause]} {row['requirement']}\n\n{row['evidence']}",
                            "department_id": unit.id,
                            "occurred_on": min(end, today),
                            "source": "internal_audit"
                            if audit["audit_type"] == "internal"
                            else "external_audit",
                            "origin_content_type_id": finding_ct,
                            "origin_object_id": finding_id,
                            "reported_at": confirmed,
                            "reported_by_id": audit["lead_auditor_id"],
                            "severity": "major" if kind == "major_nc" else "minor",
                            "close_by": audit.get("closed_at"),
                        }
                    )
            findings.append(row)
    raised_ids = writer.ids(Nonconformity, len(ctx.raised))
    by_finding = {}
    for spec, nc_id in zip(ctx.raised, raised_ids, strict=True):
        spec["id"] = nc_id
        by_finding[spec["finding_id"]] = nc_id
    for row in findings:
        row["nonconformity_id"] = by_finding.get(row["id"])
    writer.insert(Finding, findings, reason="Finding recorded")
    by_status = Counter(a["status"] for a in audits)
    return (
        f"{len(audits)} ("
        + ", ".join(f"{n} {s}" for s, n in by_status.most_common())
        + f"; {len(programmes)} programmes, {len(sessions):,} sessions, "
        f"{len(checklist):,} checklist items, {len(findings):,} findings, "
        f"{len(ctx.raised):,} raising nonconformities)"
    )


def _clause_numbers() -> list[tuple[int, str]]:
    from qms.models import IsoClause

    return list(IsoClause.objects.values_list("id", "number"))


_NC_SOURCES = {
    "staff_report": 35,
    "monitoring": 20,
    "late_case": 12,
    "complaint": 10,
    "rating": 8,
    "management_review": 5,
}


class _Timeline:
    """Durations of one nonconformity's handling, in days, stretched for a slow one and
    squeezed for one that must be closed before its audit closes."""

    def __init__(self, rng: random.Random, speed: float) -> None:
        self.rng, self.speed = rng, speed

    def later(self, moment: datetime, low: float, high: float) -> datetime:
        days = self.rng.uniform(low, high) * self.speed
        return moment + timedelta(seconds=max(60, int(days * 86400)))


def _nonconformity_specs(ctx: Context) -> list[dict]:
    """The nonconformities raised from audit findings, and the others reported by staff,
    found by monitoring, or coming from late cases, complaints and ratings."""
    rng, now = ctx.rng, ctx.now
    from nonconformities.models import Nonconformity

    specs = [dict(spec) for spec in ctx.raised]
    others = ctx.scale.nonconformities - len(specs)
    units = ctx.working_units()
    procedures_of: dict[int, list[int]] = defaultdict(list)
    for info in ctx.documents:
        if info.document_type == "procedure" and info.status == "effective":
            procedures_of[info.department_id].append(info.id)
    sources, weights = zip(*_NC_SOURCES.items(), strict=True)
    for nc_id in ctx.writer.ids(Nonconformity, others):
        source = rng.choices(sources, weights)[0]
        unit = rng.choice(units)
        spec = {"id": nc_id, "source": source}
        if source == "late_case" and ctx.late_cases:
            code, unit_id, day = rng.choice(ctx.late_cases)
            unit = ctx.unit_by_id[unit_id]
            first = min(ctx.on(day), now - timedelta(hours=2))
            reported = ctx.between(first, min(now, first + timedelta(days=5)))
            spec.update(case_reference=code, occurred_on=day)
        else:
            reported = ctx.between(ctx.activity_start, now - timedelta(hours=1))
            spec["occurred_on"] = max(
                ctx.local_date(ctx.activity_start),
                ctx.local_date(reported) - timedelta(days=rng.randint(0, 5)),
            )
        lang = ctx.lang()
        problem = rng.choice(PROBLEMS)[lang]
        where = f" tại {unit.name}" if lang == VI and rng.random() < 0.5 else ""
        reporter = (
            rng.choice(ctx.by_role["qms_manager"])
            if source in ("complaint", "rating", "management_review")
            else ctx.member(unit.id)
        )
        spec.update(
            title=f"{problem}{where}",
            description=f"{problem}. Phát hiện ngày {spec['occurred_on']:%d/%m/%Y}, cần xác định nguyên nhân.",
            department_id=unit.id,
            reported_at=reported,
            reported_by_id=reporter,
            severity=rng.choices(["minor", "major", "critical"], [70, 25, 5])[0],
            restricted=rng.random() < 0.02,
        )
        if procedures_of[unit.id] and rng.random() < 0.4:
            spec["procedure_id"] = rng.choice(procedures_of[unit.id])
        specs.append(spec)
    specs.sort(key=lambda spec: spec["reported_at"])
    return specs


def make_nonconformities(ctx: Context) -> str:
    """Nonconformities through their workflow — triage, correction, cause analysis,
    actions, effectiveness check — each in the status its dates lead to today; the
    actions of the agency's tracker (of each nonconformity's department) and the signed
    verifications of those closed as effective."""
    from nonconformities.models import Action, Nonconformity, Verification
    from qms.models import Signature

    rng, writer, now = ctx.rng, ctx.writer, ctx.now
    specs = _nonconformity_specs(ctx)
    numbers = _year_numbers("NC", [spec["reported_at"] for spec in specs])
    merged_into: dict[int, list[int]] = defaultdict(list)  # unit → earlier nonconformities
    for spec, number in zip(specs, numbers, strict=True):
        spec["number"] = number
        unit = spec["department_id"]
        close_by = spec.get("close_by")
        clock = _Timeline(rng, 0.25 if close_by else rng.choice([1, 1, 1, 1.5, 2.5, 4, 8]))
        spec["_clock"] = clock
        reported = spec["reported_at"]
        triaged = clock.later(reported, 0.1, 5)
        if not close_by and merged_into[unit] and rng.random() < 0.02 and triaged <= now:
            spec.update(status="merged", duplicate_of_id=rng.choice(merged_into[unit]))
            continue
        merged_into[unit].append(spec["id"])
        if triaged > now:
            spec["status"] = "reported"
            continue
        owner = ctx.head(unit) if rng.random() < 0.5 else ctx.member(unit)
        spec.update(
            status="triaged",
            category=rng.choice(
                ["people", "procedure", "legal", "it_system", "materials", "environment"]
            ),
            owner_id=owner,
            due_date=ctx.local_date(triaged) + timedelta(days=rng.randint(15, 60)),
            triaged_by_id=rng.choice(ctx.by_role["qms_manager"])
            if spec.get("restricted")
            else ctx.manager_or_head(unit, not_in=[spec["reported_by_id"]]),
        )
        correction_only = spec["severity"] == "minor" and rng.random() < 0.3
        corrected = clock.later(triaged, 0, 3)
        if (correction_only or rng.random() < 0.6) and corrected <= now:
            spec.update(
                correction="Đã xử lý ngay: liên hệ người nộp, bổ sung và trả lại kết quả",
                correction_by_id=owner,
                correction_on=ctx.local_date(corrected),
            )
        if correction_only:
            spec["needs_corrective_action"] = False
            closed = clock.later(corrected, 0.5, 5)
            if corrected <= now and closed <= now:
                spec.update(status="closed", closed_at=closed)
            continue
        analysed = clock.later(triaged, 0.5, 7)
        planned = clock.later(analysed, 1, 10)
        if analysed > now:
            continue
        spec["status"] = "cause_analysis"
        if planned <= now or rng.random() < 0.5:
            spec.update(
                five_whys=[rng.choice(ROOT_CAUSES) for _ in range(rng.randint(2, 4))],
                root_cause=rng.choice(ROOT_CAUSES),
            )
        if planned <= now:
            spec["_planned"] = planned

    counts = _action_counts(ctx, specs)
    actions, verifications, signatures = [], [], []
    nc_ct = ctx.content_types["nonconformity"]
    for spec in specs:
        count = counts.get(spec["id"], 0)
        if not count:
            spec.pop("_planned", None)
            continue
        rows = _actions_of(ctx, spec, count)
        actions += rows
        statuses = {row["status"] for row in rows}
        if statuses <= {"done", "cancelled"}:
            spec["status"] = "effectiveness_check"
            spec["effectiveness_due"] = spec.pop("_effectiveness_due")
            if spec.get("_verified"):
                spec["status"] = "closed"
                spec["closed_at"] = spec["_verified"]
        elif statuses & {"in_progress", "done"}:
            spec["status"] = "implementing"
        else:
            spec["status"] = "actions_planned"
        for row in rows:
            row.update(
                source_content_type_id=nc_ct,
                source_object_id=spec["id"],
                source_label=f"{spec['number']} {spec['title']}"[:300],
            )
    action_numbers = _year_numbers("HD", [row["created_at"] for row in actions])
    for row, number in zip(actions, action_numbers, strict=True):
        row["number"] = number
        row["search_text"] = fold(f"{row['title']} {row['description']} {row['source_label']}")
    by_nc: dict[int, list[dict]] = defaultdict(list)
    for row in actions:
        by_nc[row["nonconformity_id"]].append(row)
    for spec in specs:
        if spec["status"] != "closed" or spec.get("needs_corrective_action") is False:
            continue
        verifier = (
            rng.choice(
                [p for p in ctx.by_role["qms_manager"] if p != spec["owner_id"]]
                or [ctx.head(spec["department_id"])]
            )
            if spec["severity"] in ("major", "critical")
            else ctx.manager_or_head(spec["department_id"], not_in=[spec["owner_id"]])
        )
        evidence = "Kiểm tra 20 hồ sơ sau khắc phục: không tái diễn"
        content = {
            "nonconformity": spec["number"],
            "root_cause": spec.get("root_cause", ""),
            "actions": [[a["number"], a["status"]] for a in by_nc[spec["id"]]],
            "evidence": evidence,
            "result": "effective",
        }
        person = ctx.person_by_id[verifier]
        signature_id = writer.ids(Signature, 1)[0]
        signatures.append(
            {
                "id": signature_id,
                "content_type_id": nc_ct,
                "object_id": spec["id"],
                "signer_id": verifier,
                "signer_name": person.full_name,
                "signer_title": person.job_title,
                "meaning": "verified_effective",
                "signed_at": spec["closed_at"],
                "content_sha256": content_hash(content),
                "content_label": f"{spec['number']} {spec['title']}"[:300],
                "comment": evidence,
            }
        )
        verifications.append(
            {
                "nonconformity_id": spec["id"],
                "verifier_id": verifier,
                "result": "effective",
                "evidence": evidence,
                "verified_at": spec["closed_at"],
                "signature_id": signature_id,
                "_when": spec["closed_at"],
                "_who": verifier,
            }
        )
    rows = []
    for spec in specs:
        row = {
            k: v
            for k, v in spec.items()
            if not k.startswith("_") and k not in ("close_by", "finding_id")
        }
        row["search_text"] = fold(
            f"{spec['number']} {spec['title']} {spec['description']} {spec.get('case_reference', '')}"
        )
        row["_when"] = spec["reported_at"]
        row["_who"] = spec["reported_by_id"]
        if spec["status"] in ("reported", "merged"):
            row["severity"] = ""  # set at triage
        rows.append(row)
    writer.insert(Nonconformity, rows, reason="Nonconformity reported")
    writer.insert(Action, actions, reason="Action planned")
    writer.insert(Signature, signatures)
    _number_rows(writer, Verification, verifications)
    writer.insert(Verification, verifications, reason="")
    by_status = Counter(spec["status"] for spec in specs)
    action_status = Counter(row["status"] for row in actions)
    return (
        f"{len(rows):,} ("
        + ", ".join(f"{n:,} {s}" for s, n in by_status.most_common())
        + f"; {len(actions):,} actions: "
        + ", ".join(f"{n:,} {s}" for s, n in action_status.most_common())
        + f"; {len(verifications):,} verifications)"
    )


def _action_counts(ctx: Context, specs: list[dict]) -> dict[int, int]:
    """How many actions each nonconformity with planned actions gets, adding up to the
    actions wanted, with no year numbering more than HD-YYYY-9999."""
    rng, total = ctx.rng, ctx.scale.actions
    planned = [spec for spec in specs if "_planned" in spec]
    rng.shuffle(planned)
    while len(planned) > total:  # too few actions to go round: some still analyse
        planned.pop()["_planned"] = None
    counts = {spec["id"]: 1 for spec in planned if spec["_planned"]}
    planned = [spec for spec in planned if spec["_planned"]]
    year_of = {spec["id"]: ctx.local_date(spec["_planned"]).year for spec in planned}
    used = Counter(year_of.values())
    weight = {"minor": 1, "major": 2, "critical": 3}
    full: set[int] = {year for year, n in used.items() if n >= YEAR_CAPACITY}
    pool = [spec["id"] for spec in planned for _ in range(weight[spec["severity"]])]
    left = total - len(counts)
    while left:
        pool = [i for i in pool if year_of[i] not in full]
        if not pool:
            raise ValueError("Too many actions for the years: numbers would pass 9,999")
        for _ in range(min(left, 1000)):
            nc_id = rng.choice(pool)
            year = year_of[nc_id]
            if year in full:
                continue
            counts[nc_id] += 1
            used[year] += 1
            left -= 1
            if used[year] >= YEAR_CAPACITY:
                full.add(year)
    return counts


def _actions_of(ctx: Context, spec: dict, count: int) -> list[dict]:
    """The nonconformity's actions, planned together, each started, done or cancelled by
    now; the effectiveness check follows the last one."""
    from nonconformities.models import Action

    rng, now = ctx.rng, ctx.now
    unit = spec["department_id"]
    close_by = spec.get("close_by")
    planned = spec.pop("_planned")
    speed = spec["_clock"].speed
    effectiveness = settings.QMS_EFFECTIVENESS_DAYS.get(spec["severity"], 60)
    for _attempt in range(12):
        clock = _Timeline(rng, speed)
        rows = []
        for n in range(count):
            created = min(now, planned + timedelta(minutes=n * 7))
            row = {
                "nonconformity_id": spec["id"],
                "title": ctx.pick(rng.choice(ACTIONS)),
                "description": f"Khắc phục nguyên nhân: {spec.get('root_cause', '').lower() or 'đang phân tích'}",
                "expected_result": "Sự không phù hợp không tái diễn",
                "kind": "corrective" if rng.random() < 0.8 else "preventive",
                "owner_id": ctx.member(unit),
                "department_id": unit,
                "due_date": ctx.local_date(created) + timedelta(days=rng.randint(14, 60)),
                "created_by_id": spec["owner_id"],
                "created_at": created,
                "_when": created,
                "_who": spec["owner_id"],
            }
            if rng.random() < 0.05 and n:
                cancelled = clock.later(created, 1, 20)
                row["_end"] = cancelled
                row["status"] = "cancelled" if cancelled <= now else "planned"
                if cancelled <= now:
                    row["cancel_reason"] = "Trùng với hành động khác"
            else:
                started = clock.later(created, 0, 10) if rng.random() < 0.7 else None
                done = clock.later(started or created, 3, 40)
                row["_end"] = done
                if done <= now:
                    row.update(status="done", completed_at=done)
                elif started is not None and started <= now:
                    row["status"] = "in_progress"
                else:
                    row["status"] = "planned"
            rows.append(row)
        spec.pop("_verified", None)
        if all(row["status"] in ("done", "cancelled") for row in rows):
            last = max(row["_end"] for row in rows)
            due = ctx.local_date(last) + timedelta(days=effectiveness)
            spec["_effectiveness_due"] = due
            verified = max(last, ctx.on(due + timedelta(days=int(rng.uniform(0, 15) * speed))))
            if verified <= now:
                spec["_verified"] = verified
        if not close_by or (spec.get("_verified") and spec["_verified"] <= close_by):
            break
        speed /= 2  # an audit closes only once its nonconformities are: be quicker
    else:
        raise ValueError(f"{spec['number']} cannot be closed before its audit closes")
    ids = ctx.writer.ids(Action, len(rows))
    for row, i in zip(rows, ids, strict=True):
        row["id"] = i
        del row["_end"]
    return rows


def make_risks(ctx: Context) -> str:
    """The register of risks and opportunities: scored likelihood × impact, treated,
    re-scored after treatment where assessed, reviewed on a date (some overdue)."""
    from planning.models import Risk

    scale, rng, writer, now = ctx.scale, ctx.rng, ctx.writer, ctx.now
    units = ctx.working_units()
    specs = []
    for _ in range(scale.risks):
        identified = ctx.between(ctx.activity_start, now - timedelta(hours=1))
        specs.append((identified, rng.choice(units)))
    specs.sort(key=lambda spec: spec[0])
    numbers = _year_numbers("RR", [identified for identified, _unit in specs])
    rows = []
    for risk_id, number, (identified, unit) in zip(
        writer.ids(Risk, len(specs)), numbers, specs, strict=True
    ):
        opportunity = rng.random() < 0.15
        lang = ctx.lang()
        title = rng.choice(OPPORTUNITIES if opportunity else RISKS)[lang]
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        treatment = (
            rng.choice(["pursue", "pursue", "accept"])
            if opportunity
            else rng.choices(["reduce", "accept", "avoid", "transfer"], [60, 25, 10, 5])[0]
        )
        row = {
            "id": risk_id,
            "number": number,
            "kind": "opportunity" if opportunity else "risk",
            "title": title,
            "description": f"{title}: ảnh hưởng đến kết quả giải quyết công việc",
            "cause": rng.choice(ROOT_CAUSES),
            "consequence": "Ảnh hưởng đến sự hài lòng của tổ chức, công dân",
            "department_id": unit.id,
            "process_id": rng.choice(ctx.process_ids[unit.id])
            if ctx.process_ids.get(unit.id)
            else None,
            "owner_id": ctx.member(unit.id),
            "likelihood": likelihood,
            "impact": impact,
            "score": likelihood * impact,
            "treatment": treatment,
            "treatment_plan": "Theo dõi hằng tháng, báo cáo tại cuộc họp giao ban"
            if treatment != "accept"
            else "",
            "identified_on": ctx.local_date(identified),
            "created_by_id": ctx.manager_or_head(unit.id),
            "_when": identified,
        }
        row["_who"] = row["created_by_id"]
        if treatment in ("reduce", "avoid", "transfer", "pursue") and rng.random() < 0.6:
            residual = (rng.randint(1, likelihood), rng.randint(1, impact))
            row.update(
                residual_likelihood=residual[0],
                residual_impact=residual[1],
                residual_score=residual[0] * residual[1],
            )
        # reviewed every six or twelve months; a few reviews are overdue
        review = _add_months(row["identified_on"], rng.choice([6, 12]))
        while review < ctx.today and rng.random() < 0.85:
            review = _add_months(review, rng.choice([6, 12]))
        row["review_date"] = review
        row["search_text"] = fold(
            f"{title} {row['description']} {row['cause']} {row['consequence']}"
        )
        if now - identified > timedelta(days=180) and rng.random() < 0.15:
            row.update(status="closed", closed_reason="Đã xử lý xong, không còn nguy cơ")
        rows.append(row)
    writer.insert(Risk, rows, reason="Risk identified")
    closed = sum(1 for row in rows if row.get("status") == "closed")
    return f"{len(rows):,} ({closed:,} closed; {sum(r['kind'] == 'opportunity' for r in rows)} opportunities)"


def make_objectives(ctx: Context) -> str:
    """Quality objectives of each year, of the agency or one department: those entered by
    hand with their values so far (and the status those give), those the portal
    measures itself left for its nightly run (``manage.py measure_objectives``)."""
    from planning import measures
    from planning.models import Measurement, Objective

    scale, rng, writer, now, today = ctx.scale, ctx.rng, ctx.writer, ctx.now, ctx.today
    managers = ctx.by_role["qms_manager"]
    years = list(range(ctx.start.year + 1, today.year + 1))
    specs = []
    for _ in range(scale.objectives):
        year = rng.choice(years)
        created = ctx.between(
            max(ctx.activity_start, ctx.on(date(year - 1, 12, 1))),
            min(now, ctx.on(date(year, 1, 31))),
        )
        specs.append((created, year))
    specs.sort(key=lambda spec: spec[0])
    numbers = _year_numbers("MT", [created for created, _year in specs])
    rows, values = [], []
    for objective_id, number, (created, year) in zip(
        writer.ids(Objective, len(specs)), numbers, specs, strict=True
    ):
        unit = rng.choice(ctx.working_units()) if rng.random() < 0.85 else None
        frequency = rng.choices(["monthly", "quarterly", "yearly"], [40, 45, 15])[0]
        row = {
            "id": objective_id,
            "number": number,
            "year": year,
            "department_id": unit.id if unit else None,
            "frequency": frequency,
            "owner_id": ctx.head(unit.id) if unit else rng.choice(managers),
            "created_by_id": rng.choice(managers),
            "created_at": created,
            "_when": created,
        }
        row["_who"] = row["created_by_id"]
        if rng.random() < 0.3:
            measure = rng.choice(list(LIVE_OBJECTIVES))
            statement, indicator, (low, high) = LIVE_OBJECTIVES[measure]
            row.update(
                measure=measure,
                statement=statement,
                indicator=indicator,
                target=Decimal(rng.randint(low, high)),
                unit="%",
                direction="higher",
            )
            if measure == "nc_closed_within":
                row["within_days"] = rng.choice([30, 45, 60, 90])
            if measure in ("on_time", "satisfaction") and rng.random() < 0.3:
                scope = unit.path if unit else ""
                own = [
                    p.id
                    for p in ctx.procedures
                    if ctx.unit_by_id[p.department_id].path.startswith(scope)
                ]
                row["procedure_id"] = rng.choice(own) if own else None
            rows.append(row)
            continue
        statement, indicator, target, unit_label, direction = rng.choice(MANUAL_OBJECTIVES)
        row.update(
            measure="manual",
            statement=statement,
            indicator=indicator,
            target=Decimal(target),
            unit=unit_label,
            direction=direction,
        )
        series = []
        for start, end in measures.periods(year, frequency):
            if start > today:
                break
            period_end = end - timedelta(days=1)
            recorded = min(now, ctx.on(min(end, today)))
            value = (Decimal(target) * Decimal(rng.uniform(0.8, 1.15))).quantize(_CENT)
            series.append(value)
            values.append(
                {
                    "objective_id": objective_id,
                    "period_end": period_end,
                    "value": value,
                    "recorded_by_id": row["owner_id"],
                    "recorded_at": recorded,
                    "_when": recorded,
                    "_who": row["owner_id"],
                }
            )
        row["status"] = measures.status_of(series, row["target"], direction)
        if series:
            row.update(last_value=series[-1], last_period_end=values[-1]["period_end"])
        if rng.random() < 0.08:
            row.update(
                status="withdrawn", withdrawn_reason="Chỉ tiêu không còn phù hợp sau sắp xếp bộ máy"
            )
        rows.append(row)
    writer.insert(Objective, rows, reason="Objective set")
    _number_rows(writer, Measurement, values)
    writer.insert(Measurement, values, reason="Value recorded")
    live = sum(1 for row in rows if row["measure"] != "manual")
    return f"{len(rows):,} ({live} measured by the portal, {len(values):,} values entered)"


# --- Running it -------------------------------------------------------------------------

Part = tuple[str, Callable[[Context], str]]

# Each stage is one transaction, so that rows may point at rows written later in the same
# stage (foreign keys are checked at commit). The cases commit every chunk instead: their
# millions of rows would otherwise queue millions of foreign-key checks in the server's
# memory until the very end. A run that fails part-way leaves its committed stages
# behind: drop the database and start again.
STAGES: tuple[tuple[bool, tuple[Part, ...]], ...] = (
    (
        True,
        (
            ("calendar", make_calendar),
            ("departments", make_departments),
            ("users", make_users),
            ("external documents", make_external_documents),
            ("documents", make_documents),
            ("records", make_records),
            ("procedures", make_procedures),
        ),
    ),
    (False, (("service cases", make_cases),)),
    (
        True,
        (
            ("audits", make_audits),
            ("nonconformities", make_nonconformities),
            ("risks", make_risks),
            ("objectives", make_objectives),
        ),
    ),
)

Report = Callable[[str, str, float], None]


def check_empty(using: str = DEFAULT_DB_ALIAS) -> None:
    from qms.models import Department

    count = Department.objects.using(using).count()
    if count:
        raise DatabaseNotEmpty(
            f"The database already has {count} departments: generate_data fills an empty "
            "database only (create a new one and run migrate first)."
        )


def _three_years_before(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year - 3)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - 3, day=28)


def generate(
    scale: Scale,
    *,
    seed: int = DEFAULT_SEED,
    report: Report | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> float:
    """Fill the (empty) database; ``report(part, what was written, seconds)`` after each
    part. The same seed on the same day gives the same data. Returns the seconds taken."""
    from audits.models import Finding
    from documents.models import Revision
    from nonconformities.models import Nonconformity
    from qms.models import IsoClause

    report = report or (lambda part, summary, seconds: None)
    started = stopwatch.perf_counter()
    check_empty(using)
    now = timezone.now().replace(microsecond=0)
    start = _three_years_before(now)
    ctx = Context(
        scale=scale,
        rng=random.Random(seed),  # noqa: S311  (repeatable data, not secrets)
        writer=Writer(using),
        now=now,
        today=timezone.localdate(now),
        start=start,
        activity_start=start + timedelta(days=7),
    )
    ctx.clause_ids = list(
        IsoClause.objects.using(using).order_by("position").values_list("id", flat=True)
    )
    ctx.content_types = {
        model._meta.model_name: ContentType.objects.db_manager(using).get_for_model(model).id
        for model in (Revision, Nonconformity, Finding)
    }
    committing = 0.0
    with bulk_load(connections[using]):
        for one_transaction, parts in STAGES:
            with transaction.atomic(using=using) if one_transaction else nullcontext():
                for label, part in parts:
                    began = stopwatch.perf_counter()
                    summary = part(ctx)
                    report(label, summary, stopwatch.perf_counter() - began)
                began = stopwatch.perf_counter()
            committing += stopwatch.perf_counter() - began  # PostgreSQL checks the foreign keys
        began = stopwatch.perf_counter()
        with transaction.atomic(using=using):
            ctx.writer.finish()
        rows = sum(ctx.writer.counts.values())
        committing += stopwatch.perf_counter() - began
        report("commits", f"{rows:,} rows in all, their foreign keys checked", committing)
        began = stopwatch.perf_counter()
    report(
        "search indexes",
        "rows waiting in their pending lists merged",
        stopwatch.perf_counter() - began,
    )
    if ctx.writer.copy:
        # Fresh statistics, so that the first benchmark does not meet a planner guessing,
        # and the tables' visibility maps, as autovacuum leaves them soon after a load: without
        # them PostgreSQL reads the table behind every index entry, and the two-column
        # indexes built to answer "who sees a case" index-only do not (a clerk's case list:
        # 14,647 steps of their department read from the table, 12.7 ms). VACUUM cannot run
        # in a transaction (the tests generate data inside one): ANALYZE alone there.
        connection = connections[using]
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        began = stopwatch.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(command)
        report("statistics", command, stopwatch.perf_counter() - began)
    return stopwatch.perf_counter() - started
