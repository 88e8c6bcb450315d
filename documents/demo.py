"""Demo document register: 44 documents of a provincial department, with real histories.

Everything goes through the services (so histories, signatures and acknowledgements are
genuine); dates are then moved into the past so that reviews fall due and some are
overdue. Loaded once: if the register already has documents, nothing is added.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext_noop

from documents import services
from documents.choices import Confidentiality, DocumentType, LegalStatus
from documents.models import (
    ApprovalStep,
    Document,
    DocumentTypeSetting,
    ExternalDocument,
    Revision,
)
from qms.history import save_with_history
from qms.models import Department, IsoClause, User

P, F, WI, M, POL, PL, OTHER = (
    DocumentType.PROCEDURE,
    DocumentType.FORM,
    DocumentType.WORK_INSTRUCTION,
    DocumentType.MANUAL,
    DocumentType.POLICY,
    DocumentType.PLAN,
    DocumentType.OTHER,
)

# code, title, type, department, parent code, clauses, story
REGISTER = [
    ("STCL-01", "Sổ tay chất lượng", M, "VP-ISO", None, "4.1 4.3 4.4 5.1", "effective2"),
    ("CS-01", "Chính sách chất lượng", POL, "SKHDT", None, "5.2", "effective"),
    ("CS-02", "Quy chế bảo vệ bí mật nhà nước", POL, "VP", None, "7.5", "restricted"),
    ("QT-01", "Quy trình kiểm soát tài liệu", P, "VP-ISO", None, "7.5", "effective3"),
    ("QT-02", "Quy trình kiểm soát hồ sơ", P, "VP-ISO", None, "7.5", "pending_approver"),
    ("QT-03", "Quy trình đánh giá nội bộ", P, "VP-ISO", None, "9.2", "effective"),
    (
        "QT-04",
        "Quy trình kiểm soát sự không phù hợp và hành động khắc phục",
        P,
        "VP-ISO",
        None,
        "8.7 10.2",
        "overdue",
    ),
    ("QT-05", "Quy trình xem xét của lãnh đạo", P, "VP", None, "9.3", "effective"),
    (
        "QT-06",
        "Quy trình tiếp nhận và trả kết quả hồ sơ tại Bộ phận Một cửa",
        P,
        "VP-MC",
        None,
        "8.2 8.5",
        "effective2",
    ),
    (
        "QT-07",
        "Quy trình đăng ký thành lập doanh nghiệp",
        P,
        "DKKD",
        None,
        "8.5",
        "pending_reviewer",
    ),
    (
        "QT-08",
        "Quy trình đăng ký thay đổi nội dung đăng ký doanh nghiệp",
        P,
        "DKKD",
        None,
        "8.5",
        "effective",
    ),
    ("QT-09", "Quy trình đăng ký hộ kinh doanh", P, "DKKD-HKD", None, "8.5", "overdue"),
    (
        "QT-10",
        "Quy trình thẩm định dự án đầu tư sử dụng vốn ngân sách",
        P,
        "DTTD",
        None,
        "8.5",
        "effective",
    ),
    ("QT-11", "Quy trình giải quyết khiếu nại, tố cáo", P, "TTRA", None, "8.2 9.1", "returned"),
    ("QT-12", "Quy trình quản lý rủi ro và cơ hội", P, "VP-ISO", None, "6.1", "effective"),
    (
        "QT-13",
        "Quy trình đo lường sự hài lòng của tổ chức, công dân",
        P,
        "VP-MC",
        None,
        "9.1",
        "review_soon",
    ),
    ("QT-14", "Quy trình tuyển dụng và đào tạo công chức", P, "VP", None, "7.1 7.2", "effective"),
    ("QT-15", "Quy trình quản lý văn bản đi, văn bản đến", P, "VP", None, "7.4 7.5", "discarded"),
    ("QT-16", "Quy trình cấp giấy chứng nhận đăng ký đầu tư", P, "DTTD", None, "8.5", "draft"),
    ("QT-17", "Quy trình cấp phép (thay thế bởi QT-10)", P, "DTTD", None, "8.5", "withdrawn"),
    ("HD-01", "Hướng dẫn sử dụng phần mềm một cửa điện tử", WI, "VP-MC", None, "7.1", "effective"),
    (
        "HD-02",
        "Hướng dẫn kiểm tra hồ sơ đăng ký doanh nghiệp",
        WI,
        "DKKD-DN",
        None,
        "8.5",
        "effective",
    ),
    ("HD-03", "Hướng dẫn lưu trữ hồ sơ điện tử", WI, "VP", None, "7.5", "overdue"),
    (
        "HD-04",
        "Hướng dẫn xử lý phản ánh, kiến nghị của công dân",
        WI,
        "TTRA",
        None,
        "8.2",
        "effective",
    ),
    (
        "BM-06-01",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        F,
        "VP-MC",
        "QT-06",
        "8.5",
        "effective",
    ),
    (
        "BM-06-02",
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        F,
        "VP-MC",
        "QT-06",
        "8.5",
        "effective",
    ),
    (
        "BM-06-03",
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        F,
        "VP-MC",
        "QT-06",
        "8.5",
        "effective",
    ),
    (
        "BM-06-04",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        F,
        "VP-MC",
        "QT-06",
        "8.7",
        "effective",
    ),
    ("BM-06-05", "Sổ theo dõi hồ sơ", F, "VP-MC", "QT-06", "7.5", "effective"),
    ("BM-07-01", "Giấy đề nghị đăng ký doanh nghiệp", F, "DKKD", "QT-07", "8.5", "effective"),
    (
        "BM-07-02",
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        F,
        "DKKD",
        "QT-07",
        "8.5",
        "planned",
    ),
    ("BM-03-01", "Chương trình đánh giá nội bộ", F, "VP-ISO", "QT-03", "9.2", "effective"),
    ("BM-03-02", "Báo cáo đánh giá nội bộ", F, "VP-ISO", "QT-03", "9.2", "effective"),
    ("BM-03-03", "Phiếu ghi chép đánh giá", F, "VP-ISO", "QT-03", "9.2", "effective"),
    ("BM-04-01", "Phiếu yêu cầu hành động khắc phục", F, "VP-ISO", "QT-04", "10.2", "effective"),
    ("BM-05-01", "Biên bản họp xem xét của lãnh đạo", F, "VP", "QT-05", "9.3", "effective"),
    (
        "BM-13-01",
        "Phiếu khảo sát ý kiến tổ chức, công dân",
        F,
        "VP-MC",
        "QT-13",
        "9.1",
        "effective",
    ),
    (
        "KH-01",
        "Kế hoạch thực hiện mục tiêu chất lượng năm 2026",
        PL,
        "VP-ISO",
        None,
        "6.2",
        "effective",
    ),
    ("KH-02", "Kế hoạch đánh giá nội bộ năm 2026", PL, "VP-ISO", None, "9.2", "effective"),
    ("KH-03", "Kế hoạch cải cách hành chính năm 2026", PL, "VP", None, "6.2", "effective"),
    (
        "TL-01",
        "Danh mục thủ tục hành chính thuộc phạm vi áp dụng hệ thống quản lý chất lượng",
        OTHER,
        "VP-ISO",
        None,
        "4.3",
        "effective2",
    ),
    ("TL-02", "Sơ đồ tổ chức, chức năng nhiệm vụ các phòng", OTHER, "VP", None, "5.3", "effective"),
    ("TL-03", "Danh sách văn bản quy phạm pháp luật áp dụng", OTHER, "VP", None, "4.2", "overdue"),
    ("TL-04", "Mô tả vị trí việc làm", OTHER, "VP", None, "5.3 7.2", "effective"),
]

EXTERNAL = [
    (
        "law",
        "59/2020/QH14",
        "Luật Doanh nghiệp",
        "Quốc hội",
        date(2020, 6, 17),
        date(2021, 1, 1),
        LegalStatus.IN_FORCE,
        "",
    ),
    (
        "decree",
        "01/2021/NĐ-CP",
        "Nghị định về đăng ký doanh nghiệp",
        "Chính phủ",
        date(2021, 1, 4),
        date(2021, 1, 4),
        LegalStatus.IN_FORCE,
        "",
    ),
    (
        "decree",
        "61/2018/NĐ-CP",
        "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        "Chính phủ",
        date(2018, 4, 23),
        date(2018, 6, 21),
        LegalStatus.AMENDED,
        "Sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
    ),
    (
        "decree",
        "107/2021/NĐ-CP",
        "Nghị định sửa đổi, bổ sung một số điều của Nghị định 61/2018/NĐ-CP",
        "Chính phủ",
        date(2021, 12, 6),
        date(2022, 2, 21),
        LegalStatus.IN_FORCE,
        "",
    ),
    (
        "decision",
        "19/2014/QĐ-TTg",
        "Quyết định về áp dụng Hệ thống quản lý chất lượng theo TCVN ISO 9001:2008 vào hoạt động của các cơ quan hành chính nhà nước",
        "Thủ tướng Chính phủ",
        date(2014, 3, 5),
        date(2014, 4, 20),
        LegalStatus.REPEALED,
        "Đã được thay thế",
    ),
    (
        "standard",
        "TCVN ISO 9001:2015",
        "Hệ thống quản lý chất lượng — Các yêu cầu",
        "Bộ Khoa học và Công nghệ",
        date(2016, 12, 30),
        date(2016, 12, 30),
        LegalStatus.IN_FORCE,
        "",
    ),
]

LEGAL_BASIS = {
    "QT-06": ["61/2018/NĐ-CP", "107/2021/NĐ-CP"],
    "QT-07": ["59/2020/QH14", "01/2021/NĐ-CP"],
    "QT-08": ["59/2020/QH14", "01/2021/NĐ-CP"],
    "QT-09": ["01/2021/NĐ-CP"],
    "STCL-01": ["TCVN ISO 9001:2015", "19/2014/QĐ-TTg"],
    "QT-01": ["TCVN ISO 9001:2015"],
}


# What the agency commits to: the policy everyone reads on their home page.
_POLICY = (
    "<p>Sở Kế hoạch và Đầu tư cam kết:</p>"
    "<p>1. Giải quyết thủ tục hành chính đúng pháp luật, đúng hẹn, công khai, minh bạch.</p>"
    "<p>2. Lấy sự hài lòng của người dân và doanh nghiệp làm thước đo chất lượng phục vụ.</p>"
    "<p>3. Duy trì và cải tiến thường xuyên hệ thống quản lý chất lượng theo TCVN ISO "
    "9001:2015.</p>"
    "<p>4. Mỗi công chức hiểu, thực hiện chính sách này và được đào tạo để làm tốt công "
    "việc của mình.</p>"
)


def _pdf(code: str, title: str, revision: int) -> SimpleUploadedFile:
    from qms.pdf import html_to_pdf

    if code == "CS-01":
        body = f"<h1 style='font-family: sans-serif'>{code} — {title}</h1>{_POLICY}"
        return SimpleUploadedFile(f"{code}.pdf", html_to_pdf(body), content_type="application/pdf")
    body = (
        f"<h1 style='font-family: sans-serif'>{code} — {title}</h1>"
        f"<p>Lần ban hành: {revision:02d}</p>"
        "<h2>1. Mục đích</h2><p>Quy định cách thức thực hiện thống nhất, đúng thời hạn, "
        "công khai và minh bạch.</p><h2>2. Phạm vi</h2><p>Áp dụng cho các phòng, đơn vị "
        "thuộc Sở.</p><h2>3. Nội dung</h2><p>Các bước thực hiện, trách nhiệm và thời gian "
        f"theo quy định. Sửa đổi lần {revision}.</p>"
    )
    return SimpleUploadedFile(f"{code}.pdf", html_to_pdf(body), content_type="application/pdf")


def load(stdout) -> None:
    if Document.objects.exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "admin",
                "giamdoc",
                "qmsmanager",
                "doccontroller",
                "processowner",
                "auditor",
                "staff",
                "staff2",
            ]
        )
    }
    if len(users) < 8:
        return
    departments = {d.code: d for d in Department.objects.all()}
    clauses = {c.number: c for c in IsoClause.objects.all()}
    password = settings.QMS_DEMO_PASSWORD
    controller, manager, head = users["doccontroller"], users["qmsmanager"], users["giamdoc"]
    _type_settings(manager, head, controller)
    externals = _externals(controller)

    created: dict[str, Document] = {}
    for code, title, doc_type, dept, parent, clause_numbers, story in REGISTER:
        owner = users["processowner"] if dept.startswith("DKKD") or dept == "DTTD" else controller
        document = services.document_register(
            actor=controller,
            document=Document(
                code=code,
                title=title,
                document_type=doc_type,
                department=departments[dept],
                owner=owner,
                parent=created.get(parent) if parent else None,
                confidentiality=Confidentiality.RESTRICTED
                if story == "restricted"
                else Confidentiality.INTERNAL,
            ),
            clauses=[clauses[n] for n in clause_numbers.split()],
            legal_basis=[externals[n] for n in LEGAL_BASIS.get(code, [])],
        )
        created[code] = document
        _play(story, document, owner, users, password)
    stdout.write(
        f"  documents: {Document.objects.count()} documents, {Revision.objects.count()} revisions"
    )


def _type_settings(manager, head, controller) -> None:
    for doc_type, prefix, reviewers, approvers, under_parent, months in [
        (P, "QT", [manager], [head], False, 24),
        (F, "BM", [manager], [head], True, 24),
        (WI, "HD", [manager], [head], False, 24),
        (M, "STCL", [manager], [head], False, 12),
        (POL, "CS", [manager], [head], False, 12),
        (PL, "KH", [manager], [head], False, 12),
        (OTHER, "TL", [], [manager], False, 12),
    ]:
        setting = DocumentTypeSetting(
            document_type=doc_type,
            prefix=prefix,
            numbered_under_parent=under_parent,
            review_interval_months=months,
        )
        services.type_setting_save(
            actor=controller, setting=setting, reviewers=reviewers, approvers=approvers
        )


def _externals(controller) -> dict[str, ExternalDocument]:
    found = {}
    for kind, number, title, body, issued, effective, status, note in EXTERNAL:
        found[number] = services.external_save(
            actor=controller,
            external=ExternalDocument(
                kind=kind,
                number=number,
                title=title,
                issuing_body=body,
                issued_on=issued,
                effective_on=effective,
                legal_status=status,
                status_note=note,
            ),
        )
    return found


def _plan(document, users, drafter):
    setting = services.type_setting(document.document_type)
    reviewers = (
        [u for u in setting.default_reviewers.all() if u.pk != drafter.pk] if setting.pk else []
    )
    approvers = (
        [u for u in setting.default_approvers.all() if u.pk != drafter.pk] if setting.pk else []
    )
    if not approvers:
        approvers = [users["giamdoc"]]
    return services.StepPlan(reviewers=reviewers, approvers=approvers)


def _revision(document, users, drafter, number, summary, **kwargs):
    return services.revision_start(
        actor=drafter,
        document=document,
        upload=_pdf(document.code, document.title, number),
        change_summary=summary,
        plan=_plan(document, users, drafter),
        **kwargs,
    )


def _approve_all(revision, password) -> Revision:
    revision = services.revision_submit(actor=revision.created_by, revision=revision, version=None)
    for step in ApprovalStep.objects.filter(revision=revision, decision="pending").order_by(
        "round", "position"
    ):
        services.step_decide(actor=step.user, step=step, decision="approved", password=password)
    revision.refresh_from_db()
    return revision


def _backdate(document: Document, effective_on: date, review_on: date | None) -> None:
    """Move the demo's dates into the past so that the register looks lived-in."""
    document.refresh_from_db()
    if document.effective_revision_id:
        revision = document.effective_revision
        revision.effective_date = effective_on
        save_with_history(revision, reason=gettext_noop("Demo agency"))
        # Earlier revisions: each in force for about a year before the next one.
        later = effective_on
        for older in document.revisions.filter(status="superseded").order_by("-number"):
            older.superseded_date = later
            older.effective_date = later - timedelta(days=365)
            save_with_history(older, reason=gettext_noop("Demo agency"))
            later = older.effective_date
    document.next_review_date = review_on
    save_with_history(document, reason=gettext_noop("Demo agency"))


def _distribute(document, users) -> None:
    department = document.department
    root = Department.objects.filter(parent__isnull=True).first()
    target = root if document.document_type in (M, POL, OTHER) else department
    services.distribution_add(actor=document.owner, document=document, department=target)


def _play(story: str, document: Document, owner, users, password) -> None:
    today = timezone.localdate()
    _distribute(document, users)
    first = (
        _approve_all(_revision(document, users, owner, 1, "Ban hành lần đầu"), password)
        if story not in ("draft",)
        else None
    )
    if story == "draft":
        _revision(document, users, owner, 1, "Dự thảo lần đầu, đang lấy ý kiến các phòng")
        return
    if story in ("effective2", "effective3"):
        _approve_all(
            _revision(
                document, users, owner, 2, "Cập nhật theo quy định mới và kết quả đánh giá nội bộ"
            ),
            password,
        )
    if story == "effective3":
        _approve_all(
            _revision(document, users, owner, 3, "Bổ sung lưu đồ và biểu mẫu kèm theo"), password
        )
    if story == "pending_approver":
        revision = services.revision_submit(
            actor=owner,
            revision=_revision(
                document, users, owner, 2, "Điều chỉnh thời hạn lưu trữ theo quy định"
            ),
            version=None,
        )
        step = (
            ApprovalStep.objects.filter(revision=revision, decision="pending")
            .order_by("position")
            .first()
        )
        if step and step.role == "reviewer":
            services.step_decide(actor=step.user, step=step, decision="approved", password=password)
    if story == "pending_reviewer":
        services.revision_submit(
            actor=owner,
            revision=_revision(document, users, owner, 2, "Cập nhật theo Luật Doanh nghiệp 2020"),
            version=None,
        )
    if story == "returned":
        revision = services.revision_submit(
            actor=owner,
            revision=_revision(document, users, owner, 2, "Rút ngắn thời hạn giải quyết"),
            version=None,
        )
        step = (
            ApprovalStep.objects.filter(revision=revision, decision="pending")
            .order_by("position")
            .first()
        )
        services.step_decide(
            actor=step.user,
            step=step,
            decision="changes",
            comment="Bổ sung căn cứ pháp lý và lưu đồ",
        )
    if story == "discarded":
        draft = _revision(document, users, owner, 2, "Thử nghiệm quy trình văn bản điện tử")
        services.revision_discard(
            actor=owner, revision=draft, version=None, reason="Chờ hướng dẫn mới của tỉnh"
        )
    if story == "planned":
        _approve_all(
            _revision(
                document,
                users,
                owner,
                2,
                "Thêm ô ký xác nhận",
                planned_effective_date=today + timedelta(days=10),
            ),
            password,
        )
    if story == "withdrawn":
        services.document_withdraw(
            actor=users["doccontroller"],
            document=document,
            reason="Thay thế bởi QT-10",
            version=None,
        )
        return
    if story == "restricted":
        from guardian.shortcuts import assign_perm

        assign_perm("documents.view_document", users["giamdoc"], document)
    review_on = {
        "overdue": today - timedelta(days=20),
        "review_soon": today + timedelta(days=12),
    }.get(story, today + timedelta(days=200 + (document.pk * 37) % 300))
    _backdate(document, today - timedelta(days=300 + (document.pk * 11) % 200), review_on)
    if first is not None and story in ("effective", "overdue") and document.pk % 3 == 0:
        # Some readers have acknowledged already.
        for ack in first.acknowledgements.all()[:3]:
            services.acknowledge(actor=ack.user, revision=first)
