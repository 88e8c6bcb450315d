"""Case pages: the desk receives, the handlers move the case, who sees what, flat queries."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from procedures import services
from procedures.models import ServiceCase
from qms import mytasks
from tests.permission_matrix import Case, check_matrix
from tests.procedures.conftest import APPLICANT, make_procedure
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db


def _receive_post(client, procedure, **extra):
    data = {
        "procedure": procedure.pk,
        "applicant_kind": "person",
        "applicant_name": "Trần Thị Bình",
        "applicant_phone": "0987 654 321",
        "channel": "desk",
        "dossier": [1],
    }
    data.update(extra)
    return client.post("/procedures/cases/receive/", data)


def test_a_case_through_the_pages(client, desk):
    client.force_login(desk["clerk"])
    choose = client.get(f"/procedures/cases/receive/?procedure={desk['procedure'].pk}")
    assert 'data-testid="receive-form"' in choose.content.decode()
    missing = _receive_post(client, desk["procedure"], dossier=[], applicant_phone="12")
    page = missing.content.decode()
    assert missing.status_code == 200 and not ServiceCase.objects.exists()
    assert "A required document is missing" in page and "at least 8 digits" in page
    response = _receive_post(client, desk["procedure"])
    case = ServiceCase.objects.get()
    assert response["Location"] == case.get_absolute_url()
    receipt = client.get(f"/procedures/cases/{case.pk}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(receipt.content)).pages)
    assert case.receipt_code in text and "Trần Thị Bình" in text and "GIẤY" in text.upper()
    client.post(
        f"/procedures/cases/{case.pk}/step/",
        {"step": "move", "version": case.version, "handler": desk["officer"].pk, "note": "Đủ"},
    )
    case.refresh_from_db()
    assert case.current_step.position == 2 and case.current_step.handler == desk["officer"]
    client.force_login(desk["officer"])
    assert any(
        case.receipt_code in t.title for t in mytasks.tasks_for(desk["officer"], date.today())
    )
    client.post(
        f"/procedures/cases/{case.pk}/step/",
        {"step": "pause", "version": case.version, "reason": "", "notified_on": "2026-11-23"},
    )
    assert ServiceCase.objects.get().status == "in_progress"  # no reason: nothing changed
    client.post(
        f"/procedures/cases/{case.pk}/step/",
        {
            "step": "pause",
            "version": case.version,
            "reason": "Thiếu CCCD",
            "notified_on": date.today().isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.status == "paused"
    client.post(f"/procedures/cases/{case.pk}/step/", {"step": "resume", "version": case.version})
    case.refresh_from_db()
    client.post(f"/procedures/cases/{case.pk}/step/", {"step": "move", "version": case.version})
    client.force_login(desk["clerk"])
    case.refresh_from_db()
    client.post(f"/procedures/cases/{case.pk}/step/", {"step": "move", "version": case.version})
    case.refresh_from_db()
    assert case.status == "completed" and case.on_time
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="case-actions"' not in page  # a completed case is not edited
    client.post(f"/procedures/cases/{case.pk}/step/", {"step": "note", "text": "Đã trả"})
    assert case.notes.get().text == "Đã trả"


def test_someone_else_cannot_move_the_case(client, desk):
    case = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    client.force_login(desk["outsider"])
    response = client.post(
        f"/procedures/cases/{case.pk}/step/", {"step": "move", "version": case.version}
    )
    assert response.status_code == 404  # not even visible to another department
    client.force_login(desk["officer"])  # sees it (step 2 is theirs) but step 1 is not
    response = client.post(
        f"/procedures/cases/{case.pk}/step/", {"step": "move", "version": case.version}
    )
    assert response.status_code == 403
    assert ServiceCase.objects.get().current_step.position == 1


def test_case_permission_matrix(role_users, desk):
    case = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    users = {**role_users, "outsider": desk["outsider"], "clerk": desk["clerk"]}
    item = services.complaint_submit(
        text="Phải chờ quá lâu tại quầy một cửa", procedure=desk["procedure"]
    )
    check_matrix(
        users,
        [
            Case("/procedures/performance/", 200),
            Case("/procedures/performance/?export=xlsx", 200),
            Case("/procedures/feedback/", 200),
            Case(
                f"/procedures/feedback/{item.pk}/",
                200,
                {"outsider": 404, "external_auditor": 404, "clerk": 200},
            ),
            Case("/procedures/feedback/999999/", 404),
            Case("/procedures/cases/", 200),
            Case(
                f"/procedures/cases/{case.pk}/",
                200,
                {"outsider": 404, "external_auditor": 404, "no_role": 200},
            ),
            Case(
                f"/procedures/cases/{case.pk}/receipt.pdf",
                200,
                {"outsider": 404, "external_auditor": 404},
            ),
            Case(f"/procedures/cases/{case.pk}/apology.pdf", 404),
            Case("/procedures/cases/999999/", 404),
            Case("/procedures/cases/receive/", 200),
        ],
    )


def test_case_pages_stay_flat(client, desk):
    client.force_login(desk["clerk"])
    first = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    urls = ["/procedures/cases/", f"/procedures/cases/{first.pk}/", "/"]
    for url in urls:  # warm the caches that are not data (the quality policy, the agency name)
        client.get(url)
    before = {url: page_queries(client, url) for url in urls}
    for _ in range(12):
        case = services.case_receive(
            actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
        )
        services.case_move(actor=desk["clerk"], case=case, version=case.version)
    after = {url: page_queries(client, url) for url in urls}
    assert after == before and max(after.values()) <= 25, after


def test_the_case_list_filters_by_procedure_code_or_name_typed(client, desk, manager, org):
    other = make_procedure(manager, org, code="HT-09", name="Đăng ký khai sinh")
    services.case_receive(actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT)
    services.case_receive(actor=desk["clerk"], procedure=other, applicant=APPLICANT)
    client.force_login(manager)

    def shown(query):
        page = client.get("/procedures/cases/", {"procedure": query})
        return {case.procedure.code for case in page.context["object_list"]}

    assert shown("") == {desk["procedure"].code, "HT-09"}
    assert shown("ht-09") == {"HT-09"}
    assert shown("khai sinh") == {"HT-09"}  # without the diacritics
    assert shown("không có") == set()
    html = client.get("/procedures/cases/").content.decode()
    assert 'name="procedure"' in html and "<option" not in html.split('name="procedure"')[1][:200]


def test_case_list_and_global_search_find_names_by_whole_words(client, desk, manager):
    """Names by whole words (the index of words serves millions of cases), receipt codes and
    numbers by any part; the case list and the global search find the same cases."""
    made = {}
    for name, phone in [
        ("Trịnh Văn An", "0912 345 678"),
        ("Công ty Trinhs", "0987 000 111"),
        ("Quý Trình, hộ kinh doanh", "0243 999 888"),
    ]:
        made[name] = services.case_receive(
            actor=desk["clerk"],
            procedure=desk["procedure"],
            applicant=services.Applicant(name=name, phone=phone),
        )
    client.force_login(manager)

    def listed(query):
        page = client.get("/procedures/cases/", {"q": query})
        return {case.applicant_name for case in page.context["object_list"]}

    def searched(query):
        html = client.get("/search/", {"q": query}).content.decode()
        return {name for name, case in made.items() if case.get_absolute_url() in html}

    for query, names in [
        ("trinh", {"Trịnh Văn An", "Quý Trình, hộ kinh doanh"}),  # not "Trinhs"
        ("Trình", {"Trịnh Văn An", "Quý Trình, hộ kinh doanh"}),
        ("an", {"Trịnh Văn An"}),  # not "doanh"
        ("trinh,", {"Quý Trình, hộ kinh doanh"}),
        ("trin", set()),  # part of a word: not a name
        ("van an", {"Trịnh Văn An"}),
        ("an van", set()),  # the words in the order typed
        ("quy trinh", {"Quý Trình, hộ kinh doanh"}),
        ("công ty trinhs", {"Công ty Trinhs"}),
        ("345", {"Trịnh Văn An"}),  # part of a phone number
        (made["Công ty Trinhs"].receipt_code[-6:], {"Công ty Trinhs"}),  # part of a code
    ]:
        assert listed(query) == names, query
        assert searched(query) == names, query
    html = client.get("/procedures/cases/").content.decode()
    assert 'placeholder="Whole words or a code"' in html
    assert 'title="Whole words of a name, or part of a code"' in html


def test_a_kept_case_row_turns_overdue_when_its_time_passes(client, desk, manager):
    """The case list's rows are kept rendered ({% keep %}): the time a case falls due is
    part of the row's values, so the row turns red the moment it is overdue."""
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    case = services.case_receive(
        actor=desk["clerk"], procedure=desk["procedure"], applicant=APPLICANT
    )
    client.force_login(manager)

    def row():
        html = client.get("/procedures/cases/").content.decode()
        return html.split(case.receipt_code, 1)[1].split("</tr>", 1)[0]

    assert "overdue" not in row() and "overdue" not in row()  # the second one kept
    later = case.due_at + timedelta(minutes=1)
    clock = mock.Mock(wraps=timezone)
    clock.now = lambda: later  # the list's clock only: sessions keep the real one
    with mock.patch("procedures.case_views.timezone", clock):
        assert ">overdue<" in row() and "text-danger" in row()
    assert "overdue" not in row()
    assert timezone.now() < case.due_at
