"""Planning pages: who sees what, forms refuse bad input and foreign ids, flat queries."""

from datetime import timedelta

import pytest
from django.test import Client

from planning.models import Objective, Risk, Scope
from tests.planning.conftest import TODAY, make_objective, make_risk
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_objectives_are_for_all_staff_and_kept_by_the_manager(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"], frequency="quarterly")
    staff = _client(heads["staff_a1"])
    assert objective.number in staff.get("/planning/objectives/").content.decode()
    assert staff.get(objective.get_absolute_url()).status_code == 200
    assert staff.get("/planning/objectives/new/").status_code == 403
    external = _client(role_users["external_auditor"])
    assert external.get(objective.get_absolute_url()).status_code == 404
    # the owner records a value on the page; a wrong period is refused in place
    owner = _client(heads["a"])
    response = owner.post(
        f"/planning/objectives/{objective.pk}/step/",
        {"step": "value", "value-period_end": "2001-01-01", "value-value": "90"},
    )
    assert response.status_code == 200 and not objective.measurements.exists()
    response = owner.post(
        f"/planning/objectives/{objective.pk}/step/",
        {"step": "value", "value-period_end": f"{TODAY.year}-03-31", "value-value": "96"},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.status == "on_track"


def test_objective_form_creates_and_refuses(org, role_users, heads):
    manager = _client(role_users["qms_manager"])
    data = {
        "year": TODAY.year,
        "department": org["b"].pk,
        "statement": "Giảm số hồ sơ trễ hạn",
        "indicator": "Số ngày xử lý trung bình",
        "measure": "manual",
        "target": "5",
        "unit": "ngày",
        "direction": "lower",
        "frequency": "monthly",
        "owner": heads["b"].pk,
    }
    response = manager.post("/planning/objectives/new/", {**data, "measure": "nc_closed_within"})
    assert response.status_code == 200 and not Objective.objects.exists()
    assert "within how many days" in response.content.decode()
    response = manager.post("/planning/objectives/new/", data)
    objective = Objective.objects.get()
    assert response.status_code == 302 and objective.direction == "lower"


def test_risk_register_scope_and_heat_map(org, role_users, heads):
    mine = make_risk(heads["a"], org["a1"])
    theirs = make_risk(heads["b"], org["b"], likelihood=1, impact=1)
    staff_a1 = _client(heads["staff_a1"])
    html = staff_a1.get("/planning/risks/").content.decode()
    assert mine.number in html and theirs.number not in html
    assert staff_a1.get(theirs.get_absolute_url()).status_code == 404
    html = (
        _client(role_users["qms_manager"])
        .get("/planning/risks/?likelihood=4&impact=4")
        .content.decode()
    )
    assert mine.number in html and theirs.number not in html
    assert 'data-testid="heat-map"' in html and "likelihood=4&amp;impact=4" in html


def test_risk_form_refuses_another_departments_register(org, role_users, heads):
    client = _client(heads["a"])
    data = {
        "kind": "risk",
        "title": "Mất dữ liệu hồ sơ điện tử",
        "department": org["b"].pk,
        "owner": heads["a"].pk,
        "likelihood": 2,
        "impact": 5,
        "treatment": "reduce",
        "review_date": (TODAY + timedelta(days=60)).isoformat(),
    }
    response = client.post("/planning/risks/new/", data)
    assert response.status_code == 200 and not Risk.objects.exists()
    response = client.post("/planning/risks/new/", {**data, "department": org["a"].pk})
    assert response.status_code == 302 and Risk.objects.get().score == 10


def test_a_changed_date_in_the_history_is_written_as_on_the_rest_of_the_page(
    org, role_users, heads
):
    from datetime import date

    from planning import services

    risk = make_risk(heads["a"], org["a"], review_date=date(2027, 3, 9))
    risk.review_date = date(2027, 4, 12)
    services.risk_save(actor=heads["a"], risk=risk, version=risk.version)
    for code, old, new in (
        ("en", "09/03/2027", "12/04/2027"),
        ("vi", "09/03/2027", "12/04/2027"),
        ("zh-hans", "2027年3月9日", "2027年4月12日"),
    ):
        heads["a"].language = code
        heads["a"].save()
        page = _client(heads["a"]).get(f"/planning/risks/{risk.pk}/").content.decode()
        assert f"<del>{old}</del> → <ins>{new}</ins>" in page, code
        # the label's colon as the language writes it
        assert (f"：<del>{old}</del>" in page) == (code == "zh-hans"), code


def test_scope_page(org, role_users):
    client = _client(role_users["qms_manager"])
    response = client.post(
        "/planning/scope/",
        {
            "step": "scope",
            "statement": "Toàn bộ hoạt động giải quyết TTHC",
            "departments": [org["a"].pk],
            "effective_from": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302 and Scope.objects.count() == 1
    response = client.post(
        "/planning/scope/",
        {
            "step": "announcement",
            "announcement-announced_on": (TODAY + timedelta(days=3)).isoformat(),
            "announcement-decision_number": "01/QĐ",
        },
    )
    assert response.status_code == 200 and "future" in response.content.decode()
    assert (
        _client(role_users["staff"]).post("/planning/scope/", {"step": "scope"}).status_code == 403
    )
    assert _client(role_users["external_auditor"]).get("/planning/scope/").status_code == 403


def test_planning_pages_cost_the_same_with_more_data(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"])
    risk = make_risk(heads["a"], org["a"])
    client = _client(manager)
    pages = [
        "/planning/objectives/",
        "/planning/objectives/?status=not_measured",
        objective.get_absolute_url(),
        "/planning/risks/",
        "/planning/risks/?residual=yes",
        risk.get_absolute_url(),
        "/planning/scope/",
    ]
    small = {url: page_queries(client, url) for url in pages}
    for i in range(15):
        make_objective(manager, heads[("a", "b")[i % 2]], org[("a", "b")[i % 2]])
        make_risk(manager, org[("a1", "b")[i % 2]], likelihood=1 + i % 5)
    large = {url: page_queries(client, url) for url in pages}
    assert small == large
    assert max(large.values()) <= 20, large
