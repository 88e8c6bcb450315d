"""Procedure and process pages, the public catalogue, who may do what, flat query counts."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from procedures.models import Procedure, Process
from tests.permission_matrix import Case, check_matrix
from tests.procedures.conftest import make_procedure, make_process
from tests.procedures.test_importing import HEADER, _row, _xlsx
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db


def _steps_post(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def _procedure_post(org, days=3, allowances=("4", "2"), **extra):
    data = {
        "code": "DN-01",
        "name": "Đăng ký thành lập doanh nghiệp tư nhân",
        "field": "Thành lập và hoạt động của doanh nghiệp",
        "level": "provincial",
        "department": org["a"].pk,
        "statutory_days": days,
        "is_public": "on",
    }
    data.update(extra)
    data.update(
        _steps_post(
            "steps",
            [
                {"name": "Tiếp nhận", "department": org["a"].pk, "allowance": "4", "unit": "hours"},
                *[
                    {"name": f"Bước {n}", "department": "", "allowance": a, "unit": "days"}
                    for n, a in enumerate(allowances[1:], start=2)
                ],
                {"name": "", "department": "", "allowance": "", "unit": "days"},
            ],
        )
    )
    data.update(
        _steps_post("dossier", [{"name": "Giấy đề nghị", "copies": "01", "required": "on"}])
    )
    return data


def test_a_procedure_through_the_pages(client, manager, org):
    client.force_login(manager)
    assert client.get("/procedures/new/").status_code == 200
    too_long = client.post("/procedures/new/", _procedure_post(org, days=2, allowances=("4", "2")))
    assert too_long.status_code == 200 and not Procedure.objects.exists()
    assert "0.5 + 2 = 2.5" in too_long.content.decode()
    response = client.post("/procedures/new/", _procedure_post(org))
    procedure = Procedure.objects.get()
    assert response["Location"] == procedure.get_absolute_url()
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert "Đăng ký thành lập doanh nghiệp tư nhân" in page and "2.5 of 3 working days" in page
    edit = client.get(f"/procedures/{procedure.pk}/edit/").content.decode()
    assert 'value="Tiếp nhận"' in edit
    client.post(
        f"/procedures/{procedure.pk}/status/", {"status": "suspended", "version": procedure.version}
    )
    assert Procedure.objects.get().status == "suspended"
    listing = client.get("/procedures/?status=suspended").content.decode()
    assert "DN-01" in listing


def test_the_import_page_previews_then_imports(client, manager, org):
    client.force_login(manager)
    upload = io.BytesIO(_xlsx([HEADER, _row("DN-01"), _row("DN-02", days="1")]))
    upload.name = "danh-muc.xlsx"
    page = client.post("/procedures/import/", {"file": upload}).content.decode()
    assert 'data-testid="plan-refused"' in page and not Procedure.objects.exists()
    upload = io.BytesIO(_xlsx([HEADER, _row("DN-01"), _row("DN-02")]))
    upload.name = "danh-muc.xlsx"
    response = client.post("/procedures/import/", {"file": upload})
    token = response.context["token"]
    assert token and not Procedure.objects.exists()
    client.post("/procedures/import/", {"token": token})
    assert Procedure.objects.count() == 2


def test_the_process_map_draws_every_process_and_hand_over(client, manager, org):
    desk = make_process(manager, org, code="CT-01")
    business = make_process(manager, org, code="CT-02", name="Đăng ký doanh nghiệp")
    planning = make_process(manager, org, code="QL-01", kind="management", name="Hoạch định")
    from procedures import services

    services.process_save(
        actor=manager, process=desk, version=desk.version, hands_over_to=[business]
    )
    services.process_save(
        actor=manager, process=planning, version=planning.version, hands_over_to=[desk]
    )
    client.force_login(manager)
    page = client.get("/procedures/processes/map/").content.decode()
    for code in ("CT-01", "CT-02", "QL-01"):
        assert f'data-testid="map-box-{code}"' in page
    assert page.count('marker-end="url(#arrow)"') == 2
    assert "CT-01 → CT-02" in page and "QL-01 → CT-01" in page


def test_the_public_catalogue_needs_no_login(org, manager):
    shown = make_procedure(manager, org)
    hidden = make_procedure(manager, org, code="DN-02", is_public=False)
    anonymous = Client()
    page = anonymous.get("/public/procedures/").content.decode()
    assert shown.name in page and "DN-02" not in page
    detail = anonymous.get(shown.get_public_url())
    assert (
        detail.status_code == 200 and "Giấy đề nghị đăng ký doanh nghiệp" in detail.content.decode()
    )
    assert anonymous.get(f"/public/procedures/{hidden.pk}/").status_code == 404
    assert anonymous.get("/public/procedures/?q=dang+ky+thanh+lap").context["procedures"]


def test_procedure_permission_matrix(role_users, org):
    manager = role_users["qms_manager"]
    procedure = make_procedure(manager, org)
    process = make_process(manager, org)
    check_matrix(
        role_users,
        [
            Case("/procedures/", 200),
            Case(f"/procedures/{procedure.pk}/", 200),
            Case("/procedures/999999/", 404),
            Case("/procedures/new/", 403, {"qms_manager": 200}),
            Case(f"/procedures/{procedure.pk}/edit/", 403, {"qms_manager": 200}),
            Case("/procedures/import/", 403, {"qms_manager": 200}),
            Case("/procedures/processes/", 200),
            Case("/procedures/processes/map/", 200),
            Case(f"/procedures/processes/{process.pk}/", 200),
            Case("/procedures/processes/new/", 403, {"qms_manager": 200}),
            Case("/public/procedures/", 200, {"anonymous": 200}),
            Case(f"/public/procedures/{procedure.pk}/", 200, {"anonymous": 200}),
        ],
    )


def test_pages_stay_flat_as_the_catalogue_grows(client, manager, org):
    client.force_login(manager)
    first = make_procedure(manager, org, code="P-00")
    for code in ("CT-01", "CT-02"):
        make_process(manager, org, code=code)
    urls = [
        "/procedures/",
        f"/procedures/{first.pk}/",
        f"/procedures/{first.pk}/edit/",
        "/procedures/processes/",
        "/procedures/processes/map/",
        "/public/procedures/",
        f"/public/procedures/{first.pk}/",
    ]
    client.get("/procedures/")  # caches filled once per process (content types…) are not page cost
    before = {url: page_queries(client, url) for url in urls}
    for number in range(1, 15):
        make_procedure(manager, org, code=f"P-{number:02d}", process=Process.objects.first())
    for number in range(3, 12):
        make_process(manager, org, code=f"CT-{number:02d}")
    after = {url: page_queries(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 20, after


def test_a_document_page_names_the_procedures_it_describes(client, manager, org, role_users):
    from documents.models import Document
    from documents.services import document_register

    document = document_register(
        actor=role_users["document_controller"],
        document=Document(
            title="Quy trình tiếp nhận hồ sơ",
            document_type="procedure",
            department=org["a"],
            owner=manager,
        ),
    )
    procedure = make_procedure(manager, org)
    procedure.documents.set([document])
    client.force_login(manager)
    page = client.get(document.get_absolute_url()).content.decode()
    assert 'data-testid="describes"' in page and procedure.code in page
    assert 'data-testid="describes-more"' not in page
    # a form many procedures use: five named, the rest behind "and N more"
    for number in range(2, 8):
        make_procedure(manager, org, code=f"DN-{number:02d}").documents.set([document])
    page = client.get(document.get_absolute_url()).content.decode()
    shown, more = page.split('data-testid="describes-more"')
    assert shown.count("<code>DN-0") == 5 and "and 2 more" in more
    assert more.split("</details>")[0].count("<code>DN-0") == 2


def test_the_procedure_page_shows_its_lists_in_few_queries(client, manager, org):
    """Steps with their departments (one query), the legal basis (newest law first, a
    repealed one marked) and the controlled documents (by code) together in one: as many
    queries with three of each as with none."""
    from datetime import date

    from tests.documents.factories import DocumentFactory, ExternalDocumentFactory

    client.force_login(manager)
    procedure = make_procedure(manager, org)
    url = procedure.get_absolute_url()
    client.get(url)
    bare = page_queries(client, url)
    laws = [
        ExternalDocumentFactory(number="15/2020/NĐ-CP", issued_on=date(2020, 2, 3)),
        ExternalDocumentFactory(
            number="01/2021/TT-BKH", issued_on=date(2021, 3, 16), legal_status="repealed"
        ),
        ExternalDocumentFactory(number="59/2020/QH14", issued_on=date(2020, 6, 17)),
    ]
    documents = [
        DocumentFactory(code=code, department=org["a"], owner=manager)
        for code in ("QT-09", "QT-02", "BM-01")
    ]
    procedure.legal_basis.set(laws)
    procedure.documents.set(documents)
    assert page_queries(client, url) == bare
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    sql = [q["sql"] for q in captured.captured_queries]
    # both lists in one query; the steps with their departments in another
    lists = [q for q in sql if "procedures_procedure_legal_basis" in q]
    assert len(lists) == 1 and "procedures_procedure_documents" in lists[0]
    assert sum("procedures_procedure_documents" in q for q in sql) == 1
    steps = [q for q in sql if 'FROM "procedures_procedurestep"' in q]
    assert len(steps) == 1 and '"qms_department"' in steps[0]
    shown = [page.index(n) for n in ("01/2021/TT-BKH", "59/2020/QH14", "15/2020/NĐ-CP")]
    assert shown == sorted(shown)
    assert page.count("text-bg-warning") >= 1 and "Repealed" in page
    codes = [page.index(f">{code}</a>") for code in ("BM-01", "QT-02", "QT-09")]
    assert codes == sorted(codes)
    assert org["a"].name in page  # the first step's department, from the steps' query
