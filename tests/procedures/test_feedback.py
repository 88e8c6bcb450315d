"""Ratings, complaints and their handling; the public lookup and forms, protected."""

import re
import time
from datetime import date

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from nonconformities.models import Nonconformity
from procedures import services
from procedures.models import Feedback, Rating
from qms.attachments import attachment_create
from qms.calendar import add_working_days
from tests.factories import UserFactory
from tests.procedures.conftest import APPLICANT, make_procedure

pytestmark = pytest.mark.django_db


def _completed(desk):
    case = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    case = services.case_move(
        actor=desk["clerk"], case=case, version=case.version, handler=desk["officer"]
    )
    case = services.case_move(actor=desk["officer"], case=case, version=case.version)
    return services.case_move(actor=desk["clerk"], case=case, version=case.version)


def _stamp(seconds_ago=10):
    return signing.dumps(int(time.time() - seconds_ago), salt="qms.public-form")


def test_a_dissatisfied_rating_opens_feedback_with_an_owner_and_a_deadline(desk, org, manager):
    desk["procedure"].owner = manager
    desk["procedure"].save()
    open_case = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    with pytest.raises(ValidationError, match="completed"):
        services.rate(case=open_case, score=5)
    case = _completed(desk)
    services.rate(case=case, score=2, comment="Phải đi lại ba lần")
    with pytest.raises(ValidationError, match="already been rated"):
        services.rate(case=case, score=5)
    item = Feedback.objects.get()
    assert (item.kind, item.owner, item.case) == ("rating", manager, case)
    assert item.deadline == add_working_days(timezone.localdate(), 15)
    assert item.number.startswith(f"PA-{timezone.localdate().year}-")
    other = _completed(desk)
    services.rate(case=other, score=4)
    assert Feedback.objects.count() == 1  # a good rating opens nothing
    # the owner's notification names the kind in the language they read it in
    from qms.models import Notification

    sent = Notification.objects.get(recipient=manager, url=item.get_absolute_url())
    assert "dissatisfied rating about" in sent.text_in("en")
    assert "đánh giá không hài lòng về" in sent.text_in("vi")
    assert "不满意评价" in sent.text_in("zh-hans") and "Phản ánh" not in sent.text_in("zh-hans")


def test_feedback_is_closed_after_the_call_back_and_unfounded_needs_evidence(desk, manager):
    case = _completed(desk)
    services.rate(case=case, score=1)
    item = Feedback.objects.get()
    owner = item.owner or manager
    with pytest.raises(PermissionDenied):
        services.feedback_callback(
            actor=desk["outsider"],
            item=item,
            version=item.version,
            callback_on=date.today(),
            outcome="x",
        )
    with pytest.raises(ValidationError, match="Call the citizen back"):
        services.feedback_close(
            actor=manager,
            item=item,
            version=item.version,
            status="unfounded",
            resolution="Đúng quy trình",
        )
    item = services.feedback_callback(
        actor=manager,
        item=item,
        version=item.version,
        callback_on=date.today(),
        outcome="Đã giải thích",
    )
    with pytest.raises(ValidationError, match="evidence"):
        services.feedback_close(
            actor=manager,
            item=item,
            version=item.version,
            status="unfounded",
            resolution="Đúng quy trình",
        )
    attachment_create(
        parent=item,
        actor=manager,
        upload=SimpleUploadedFile(
            "nhat-ky.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            content_type="application/pdf",
        ),
    )
    item = services.feedback_close(
        actor=manager,
        item=item,
        version=item.version,
        status="unfounded",
        resolution="Đúng quy trình",
    )
    assert item.status == "unfounded" and item.closed_by == manager
    assert owner  # someone owned it from the start


def test_a_complaint_can_become_a_nonconformity(desk, manager):
    case = _completed(desk)
    item = services.complaint_submit(
        text="Cán bộ hướng dẫn không rõ ràng, phải bổ sung nhiều lần",
        name="Lê Văn Cường",
        contact="0909 000 111",
        receipt_code=case.receipt_code.lower(),
    )
    assert item.case == case and item.kind == "complaint"
    with pytest.raises(PermissionDenied):
        services.feedback_raise_nonconformity(actor=desk["clerk"], item=item, version=item.version)
    nc = services.feedback_raise_nonconformity(actor=manager, item=item, version=item.version)
    assert nc.source == "complaint" and nc.case_reference == case.receipt_code
    assert Nonconformity.objects.get().origin == item
    with pytest.raises(ValidationError, match="already"):
        services.feedback_raise_nonconformity(
            actor=manager, item=Feedback.objects.get(), version=Feedback.objects.get().version
        )


def test_the_lookup_page_shows_status_and_dates_only(desk):
    case = _completed(desk)
    client = Client()
    page = client.post(
        "/public/cases/", {"receipt_code": case.receipt_code, "phone_digits": "5678"}
    )
    html = page.content.decode()
    assert 'data-testid="lookup-result"' in html and case.get_status_display() in html
    assert APPLICANT.name not in html and "0912" not in html  # nothing about the applicant
    assert 'data-testid="rating-form"' in html
    wrong_code = client.post(
        "/public/cases/", {"receipt_code": "HS-000000-0000", "phone_digits": "5678"}
    )
    wrong_phone = client.post(
        "/public/cases/", {"receipt_code": case.receipt_code, "phone_digits": "0000"}
    )
    for response in (wrong_code, wrong_phone):
        assert 'data-testid="lookup-not-found"' in response.content.decode()


def test_the_lookup_is_rate_limited(desk):
    client = Client()
    statuses = [
        client.post(
            "/public/cases/", {"receipt_code": f"HS-X-{n}", "phone_digits": "1234"}
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]


def test_rating_from_the_public_page(desk):
    case = _completed(desk)
    client = Client()
    data = {
        "receipt_code": case.receipt_code,
        "phone_digits": "5678",
        "score": "5",
        "comment": "Nhanh",
        "website": "",
        "stamp": _stamp(),
    }
    too_fast = client.post("/public/cases/rate/", {**data, "stamp": _stamp(0)})
    assert "too fast" in too_fast.content.decode() and not Rating.objects.exists()
    robot = client.post("/public/cases/rate/", {**data, "website": "http://spam"})
    assert "could not be accepted" in robot.content.decode() and not Rating.objects.exists()
    forged = client.post("/public/cases/rate/", {**data, "stamp": "forged"})
    assert not Rating.objects.exists() and forged.status_code == 200
    thanks = client.post("/public/cases/rate/", data)
    assert 'data-testid="thanks"' in thanks.content.decode() and Rating.objects.get().score == 5
    tampered = client.post("/public/cases/rate/", {**data, "phone_digits": "0000"})
    assert tampered.status_code == 404


def test_the_public_complaint_form(desk, org):
    client = Client()
    page = client.get("/public/complaints/")
    assert 'class="hp-field" aria-hidden="true"' in page.content.decode()
    short = client.post("/public/complaints/", {"text": "Tệ", "website": "", "stamp": _stamp()})
    assert short.status_code == 200 and not Feedback.objects.exists()
    done = client.post(
        "/public/complaints/",
        {
            "text": "Phải chờ quá lâu tại quầy một cửa",
            "name": "Bình",
            "contact": "0909",
            "procedure": desk["procedure"].pk,
            "website": "",
            "stamp": _stamp(),
        },
    )
    item = Feedback.objects.get()
    assert item.number in done.content.decode() and item.procedure == desk["procedure"]


def test_feedback_pages_and_who_sees_them(client, desk, manager, role_users):
    case = _completed(desk)
    services.rate(case=case, score=1)
    item = Feedback.objects.get()
    client.force_login(manager)
    assert item.number in client.get("/procedures/feedback/").content.decode()
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="raise-nc"' in page and 'data-testid="callback-form"' in page
    client.post(
        f"/procedures/feedback/{item.pk}/step/",
        {
            "step": "callback",
            "version": item.version,
            "callback_on": date.today().isoformat(),
            "outcome": "Đã xin lỗi",
        },
    )
    assert Feedback.objects.get().callback_outcome == "Đã xin lỗi"
    client.force_login(desk["outsider"])
    assert client.get(item.get_absolute_url()).status_code == 404
    client.force_login(role_users["external_auditor"])
    assert client.get(item.get_absolute_url()).status_code == 404


def test_the_transparency_page_needs_no_login(desk, manager):
    case = _completed(desk)
    services.rate(case=case, score=5)
    page = Client().get("/public/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="transparency-table"' in html
    assert desk["procedure"].name in html


def test_the_transparency_page_pages_searches_and_filters_by_field(desk, manager, org, settings):
    """1,500 procedures are not one table: a page at a time, by field or by name."""
    settings.QMS_LIST_PAGE_SIZE = 1
    other = make_procedure(manager, org, code="HT-02", name="Đăng ký hộ tịch", field="Hộ tịch")
    page = Client().get("/public/")
    html = page.content.decode()
    assert "2 administrative procedures" in html and "Page 1 of 2" in html
    assert html.count('<td><a href="/public/procedures/') == 1
    by_field = Client().get("/public/", {"field": "Hộ tịch"}).content.decode()
    assert other.name in by_field and desk["procedure"].name not in by_field
    # the page's own links to its fields filter too (they read "??field=…" and did not)
    link = re.search(r'<li><a href="([^"]*field=[^"]*H%E1%BB%99[^"]*)">', html).group(1)
    assert link.startswith("?field=")
    followed = Client().get("/public/" + link.replace("&amp;", "&")).content.decode()
    assert other.name in followed and desk["procedure"].name not in followed
    by_name = Client().get("/public/", {"q": "ho tich"}).content.decode()
    assert other.name in by_name and desk["procedure"].name not in by_name
    none = Client().get("/public/", {"q": "không có"}).content.decode()
    assert "No procedure matches your search." in none


def test_the_transparency_page_is_kept_a_minute_per_language_and_address(
    desk, manager, org, settings
):
    """The same for every visitor: kept whole for QMS_PUBLIC_PAGE_SECONDS, so a procedure
    published meanwhile shows once that time is over; each language and each search its
    own page."""
    from django.core.cache import cache

    settings.QMS_PUBLIC_PAGE_SECONDS = 60
    cache.clear()
    first = Client().get("/public/").content.decode()
    assert "1 administrative procedure," in first
    make_procedure(manager, org, code="HT-02", name="Đăng ký hộ tịch", field="Hộ tịch")
    assert "1 administrative procedure," in Client().get("/public/").content.decode()
    # another address, another language: built anew, with the new procedure
    assert "Đăng ký hộ tịch" in Client().get("/public/", {"q": "ho tich"}).content.decode()
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/public/").content.decode()
    assert "Đăng ký hộ tịch" in vietnamese and "Chất lượng" in vietnamese
    cache.clear()  # what the minute's end does
    assert "2 administrative procedures," in Client().get("/public/").content.decode()
    # not kept at all when the setting says so
    settings.QMS_PUBLIC_PAGE_SECONDS = 0
    cache.clear()
    assert "2 administrative procedures," in Client().get("/public/").content.decode()
    make_procedure(manager, org, code="HT-03", name="Cấp bản sao", field="Hộ tịch")
    assert "3 administrative procedures," in Client().get("/public/").content.decode()


def test_the_transparency_page_shows_last_months_figures(desk, manager):
    """A case of last month completed on time and rated 5: 100 % on time and satisfied, on
    the procedure's row and in the totals (kept a day per procedure, read back per page)."""
    from datetime import datetime, timedelta
    from unittest import mock

    first = timezone.localdate().replace(day=1)
    monday = (first - timedelta(days=1)).replace(day=1)
    while monday.weekday():
        monday += timedelta(days=1)

    def at(day, hour):
        return timezone.make_aware(datetime(day.year, day.month, day.day, hour))

    with mock.patch("django.utils.timezone.now", return_value=at(monday, 9)):
        case = services.case_receive(
            actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
        )
    for hour, (actor, handler) in zip(
        (10, 11, 12),
        ((desk["clerk"], desk["officer"]), (desk["officer"], None), (desk["clerk"], None)),
        strict=True,
    ):
        with mock.patch("django.utils.timezone.now", return_value=at(monday, hour)):
            extra = {"handler": handler} if handler else {}
            case = services.case_move(actor=actor, case=case, version=case.version, **extra)
    assert case.status == "completed" and case.on_time
    with mock.patch("django.utils.timezone.now", return_value=at(monday, 13)):
        services.rate(case=case, score=5)
    html = Client().get("/public/").content.decode()
    assert 'data-testid="public-on-time">100.0 %' in html
    assert "of 1 cases completed on time" in html
    row = html.split(desk["procedure"].name, 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<")[0] for cell in row.split('">')[2:]] == ["1", "100.0 %", "100.0 %"]


def test_my_tasks_show_open_feedback_to_its_owner_and_the_head_of_its_department(
    desk, org, manager, role_users
):
    from qms import mytasks
    from qms.models import User
    from qms.services import department_save

    desk["procedure"].owner = manager
    desk["procedure"].save()
    services.rate(case=_completed(desk), score=1, comment="Chờ quá lâu")
    item = Feedback.objects.get()
    head = UserFactory(username="head", department=item.department, roles=["staff"])

    def answers(user) -> list[str]:
        user = User.objects.get(pk=user.pk)  # as their next request loads them
        return [
            t.title for t in mytasks.tasks_for(user, timezone.localdate()) if item.number in t.title
        ]

    assert answers(head) == [] and answers(desk["outsider"]) == []
    item.department.head = head
    department_save(actor=role_users["administrator"], department=item.department)
    assert len(answers(head)) == 1 and answers(desk["outsider"]) == []
    assert len(answers(manager)) == 1  # the owner (and manager of processes)
