"""Records pages: permissions per role, pages that agree with lists, flat query counts."""

from datetime import date

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from records import services
from records.choices import Access
from records.models import Record
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix
from tests.querycount import page_queries
from tests.records.conftest import make_type, register

pytestmark = pytest.mark.django_db

MANAGER = {"qms_manager": 200}
SEE_ALL = {"qms_manager": 200, "internal_auditor": 200, "top_management": 200}


@pytest.fixture
def archive(cast, org):
    meetings = make_type(cast, org)  # department access, department A
    complaints = make_type(cast, org, code="HS-KN", access=Access.RESTRICTED, years=10)
    notices = make_type(cast, org, code="TB", access=Access.AGENCY, department=org["b"])
    a_record = register(cast, org, meetings, date(2025, 1, 5))
    b_record = register(cast, org, meetings, date(2025, 1, 6), actor="other", department="b")
    secret = register(cast, org, complaints, date(2025, 1, 7), actor="manager")
    notice = register(cast, org, notices, date(2025, 1, 8), actor="other", department="b")
    old = register(cast, org, meetings, date(2018, 1, 5))
    batch = services.disposal_propose()
    return locals()


def test_records_permission_matrix(role_users, archive):
    a, b, secret, notice = (
        archive["a_record"],
        archive["b_record"],
        archive["secret"],
        archive["notice"],
    )
    external = {"external_auditor": 404}
    cases = [
        Case("/records/", 200),
        Case("/records/new/", 200),
        Case(f"/records/{a.pk}/", 200, external),  # department A: every role user sits in A
        Case(f"/records/{b.pk}/", 404, SEE_ALL),
        Case(f"/records/{secret.pk}/", 404, MANAGER),  # restricted type: named readers only
        Case(f"/records/{notice.pk}/", 200, external),  # open to the whole agency
        Case("/records/999999/", 404),
        Case(f"/records/{a.pk}/correct/", 403, {**MANAGER, **external}),
        Case("/records/types/", 200),
        Case(f"/records/types/{secret.record_type_id}/", 404, MANAGER),
        Case("/records/types/new/", 403, MANAGER),
        Case(f"/records/types/{a.record_type_id}/edit/", 403, {**MANAGER, **external}),
        Case("/records/disposal/", 403, SEE_ALL),
        Case(f"/records/disposal/{archive['batch'].pk}/", 404, SEE_ALL),
    ]
    check_matrix(role_users, cases)


def test_register_and_record_pages_agree(role_users, cast, archive):
    users = {
        **role_users,
        "clerk": cast["clerk"],
        "other": cast["other"],
        "unit": cast["unit_clerk"],
    }
    check_list_detail_agree(
        users, "/records/", lambda r: f"/records/{r.pk}/", list(Record.objects.all())
    )


def test_a_named_reader_sees_a_restricted_type(client, cast, archive):
    assign_perm("records.view_recordtype", cast["other"], archive["secret"].record_type)
    client.force_login(cast["other"])
    assert client.get(f"/records/{archive['secret'].pk}/").status_code == 200


def test_denied_writes_leave_no_trace(client, cast, archive):
    client.force_login(cast["clerk"])
    before = Record.objects.get(pk=archive["a_record"].pk).history.count()
    assert (
        client.post(
            f"/records/{archive['a_record'].pk}/hold/", {"held": "1", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/records/disposal/{archive['batch'].pk}/approve/", {"password": "x"}
        ).status_code
        == 403
    )
    assert Record.objects.get(pk=archive["a_record"].pk).history.count() == before


def test_registering_through_the_page_with_a_foreign_department(client, cast, org, archive):
    client.force_login(cast["clerk"])
    response = client.post(
        "/records/new/",
        {
            "record_type": archive["meetings"].pk,
            "title": "X",
            "record_date": "2025-02-01",
            "department": org["b"].pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_record_pages_stay_flat(cast, org, archive):
    meetings = archive["meetings"]
    batch = archive["batch"]

    def grow(n):
        for i in range(n):
            Record.objects.create(
                record_type=meetings,
                title=f"Biên bản {i}",
                reference=f"BB-{i:05d}",
                record_date=date(2019, 1 + i % 12, 1 + i % 28),
                department=org["a"],
                registered_by=cast["clerk"],
                retention_until=date(2021, 1, 1),
                search_text=f"bien ban {i}",
            )

    urls = {
        "manager": [
            "/records/",
            "/records/?retention=ended&sort=until",
            f"/records/{archive['a_record'].pk}/",
            "/records/types/",
            f"/records/types/{meetings.pk}/",
            "/records/disposal/",
            f"/records/disposal/{batch.pk}/",
            "/",
        ],
        "clerk": ["/records/", f"/records/{archive['a_record'].pk}/", "/"],
    }

    def measure():
        counts = {}
        for who, pages in urls.items():
            client = Client()
            client.force_login(cast[who])
            for url in pages:
                counts[(who, url)] = page_queries(client, url)
        return counts

    grow(10)
    small = measure()
    grow(600)
    large = measure()
    assert {k: (small[k], large[k]) for k in small if small[k] != large[k]} == {}
    assert max(large.values()) <= 20, large


def test_correction_page_and_printable_list(client, cast, archive):
    import io

    from pypdf import PdfReader

    record = archive["a_record"]
    client.force_login(cast["clerk"])
    response = client.post(
        f"/records/{record.pk}/correct/",
        {
            "title": "Biên bản họp tháng 1 (bổ sung chữ ký)",
            "reference": record.reference,
            "record_date": "2025-01-05",
            "department": record.department_id,
            "reason": "Thiếu chữ ký thư ký",
            "version": record.version,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version_number == 2
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert "Thiếu chữ ký thư ký" in page  # the reason is in the history box
    client.force_login(cast["manager"])
    pdf = client.get("/records/types/?export=pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace("\n", "")
    assert "BB-HOP" in text and "HS-KN" in text and "LIST OF RECORDS" in text


def test_a_batch_waiting_two_weeks_is_reminded(cast, archive):
    from datetime import timedelta

    from qms import reminders
    from qms.models import Notification

    batch = archive["batch"]
    assert (
        reminders.run_sweep("records.disposal_waiting", batch.proposed_on + timedelta(days=13)) == 0
    )
    assert (
        reminders.run_sweep("records.disposal_waiting", batch.proposed_on + timedelta(days=14)) == 1
    )
    assert (
        Notification.objects.filter(recipient=cast["manager"], params__number=batch.number).count()
        >= 1
    )
