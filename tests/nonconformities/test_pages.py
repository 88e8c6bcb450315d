"""Nonconformity pages: the loop through the pages, permissions, flat query counts."""

from datetime import timedelta

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm

from nonconformities import services
from nonconformities.models import Action, Nonconformity
from tests.factories import PASSWORD
from tests.nonconformities.conftest import TODAY, add_action, report, triaged
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db
SEE_ALL = {"qms_manager": 200, "internal_auditor": 200, "top_management": 200}


def _step(client, nc, **data):
    return client.post(f"/nonconformities/{nc.pk}/step/", data)


def test_the_whole_loop_through_the_pages(client, crew, org):
    client.force_login(crew["reporter"])
    response = client.post(
        "/nonconformities/report/",
        {
            "title": "Thu sai lệ phí",
            "description": "Thu 100.000đ thay vì 50.000đ",
            "department": org["a"].pk,
            "occurred_on": TODAY.isoformat(),
            "source": "complaint",
        },
    )
    nc = Nonconformity.objects.get()
    assert response["Location"] == nc.get_absolute_url()
    client.force_login(crew["head"])
    _step(
        client,
        nc,
        step="triage",
        severity="minor",
        category="people",
        needs_corrective_action="on",
        owner=crew["owner"].pk,
        due_date=(TODAY + timedelta(days=20)).isoformat(),
        version=nc.version,
    )
    nc.refresh_from_db()
    client.force_login(crew["owner"])
    _step(client, nc, step="move", move="start_analysis", version=nc.version)
    nc.refresh_from_db()
    _step(
        client,
        nc,
        step="analysis",
        why_1="Nhầm biểu phí",
        why_2="Biểu phí cũ chưa thay",
        root_cause="Chưa cập nhật biểu phí",
        fish_procedure="Không có bước đối chiếu",
        version=nc.version,
    )
    for title in ("Cập nhật biểu phí tại quầy", "Hoàn tiền cho công dân"):
        _step(
            client,
            nc,
            step="action",
            title=title,
            kind="corrective",
            owner=crew["owner"].pk,
            due_date=(TODAY + timedelta(days=10)).isoformat(),
        )
    assert nc.actions.count() == 2
    for action in nc.actions.all():
        client.post(
            f"/nonconformities/actions/{action.pk}/step/", {"step": "note", "text": "Đã thực hiện"}
        )
        client.post(
            f"/nonconformities/actions/{action.pk}/step/",
            {"step": "move", "move": "complete", "version": action.version},
        )
    nc.refresh_from_db()
    assert nc.status == "effectiveness_check"
    client.force_login(crew["head"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert 'data-testid="verify-form"' not in page  # not before the check date
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=TODAY)
    response = _step(
        client,
        nc,
        step="verify",
        result="effective",
        evidence="Không còn thu sai",
        password="wrong",
        version=nc.version,
    )
    assert (
        response.status_code == 200 and "The password is not correct" in response.content.decode()
    )
    _step(
        client,
        nc,
        step="verify",
        result="effective",
        evidence="Không còn thu sai",
        password=PASSWORD,
        version=nc.version,
    )
    nc.refresh_from_db()
    assert nc.status == "closed"


def test_errors_show_next_to_the_field(client, crew, org):
    nc = triaged(crew, org, severity="major")
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    client.force_login(crew["owner"])
    response = _step(
        client,
        nc,
        step="action",
        title="X",
        kind="corrective",
        owner=crew["owner"].pk,
        due_date=(TODAY + timedelta(days=5)).isoformat(),
    )
    assert response.status_code == 200
    assert "record the root cause before planning actions" in response.content.decode()
    assert not Action.objects.exists()


@pytest.fixture
def cases(crew, org):
    mine_a = report(crew, org)
    in_b = report(crew, org, department=org["b"], title="Phòng B")
    secret = report(crew, org, title="Cán bộ A có hành vi nhũng nhiễu", restricted=True)
    nc = triaged(crew, org)
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    action = add_action(crew, nc)
    return {"a": mine_a, "b": in_b, "secret": secret, "worked": nc, "action": action}


def test_nonconformity_permission_matrix(role_users, cases):
    a, b, secret, action = cases["a"], cases["b"], cases["secret"], cases["action"]
    external = {"external_auditor": 404}
    check_matrix(
        role_users,
        [
            Case("/nonconformities/", 200),
            Case("/nonconformities/board/", 200),
            Case("/nonconformities/report/", 200),
            Case(f"/nonconformities/{a.pk}/", 200, external),
            Case(f"/nonconformities/{b.pk}/", 404, SEE_ALL),
            Case(f"/nonconformities/{secret.pk}/", 404, {"qms_manager": 200}),
            Case("/nonconformities/999999/", 404),
            Case("/nonconformities/actions/", 200),
            Case(f"/nonconformities/actions/{action.pk}/", 200, external),
            Case("/nonconformities/actions/new/", 200),
        ],
    )


def test_named_people_see_a_restricted_one(client, crew, cases):
    client.force_login(crew["other"])
    assert client.get(f"/nonconformities/{cases['secret'].pk}/").status_code == 404
    assign_perm("nonconformities.view_nonconformity", crew["other"], cases["secret"])
    assert client.get(f"/nonconformities/{cases['secret'].pk}/").status_code == 200


def test_lists_and_pages_agree(role_users, crew, cases):
    users = {**role_users, **{k: crew[k] for k in ("reporter", "owner", "head", "other", "b_head")}}
    check_list_detail_agree(
        users,
        "/nonconformities/",
        lambda n: f"/nonconformities/{n.pk}/",
        list(Nonconformity.objects.all()),
    )
    check_list_detail_agree(
        users,
        "/nonconformities/actions/",
        lambda a: f"/nonconformities/actions/{a.pk}/",
        list(Action.objects.all()),
    )


def test_denied_writes_change_nothing(client, crew, cases):
    client.force_login(crew["other"])
    nc = cases["worked"]
    assert (
        _step(
            client, nc, step="correction", correction="x", correction_on=TODAY.isoformat()
        ).status_code
        == 404
    )
    client.force_login(crew["reporter"])  # can see it (reported it) but not work on it
    response = client.post(
        f"/nonconformities/{cases['a'].pk}/step/",
        {"step": "triage", "severity": "minor", "category": "people", "owner": crew["owner"].pk},
    )
    assert response.status_code == 403
    assert Nonconformity.objects.get(pk=cases["a"].pk).status == "reported"


def _grow(crew, org, n):
    start = Nonconformity.objects.count()
    ncs = Nonconformity.objects.bulk_create(
        Nonconformity(
            number=f"NC-T-{start + i:06d}",
            title=f"Sự không phù hợp {i}",
            description="x",
            department=org["a"] if i % 2 else org["b"],
            occurred_on=TODAY,
            source="staff_report",
            reported_by=crew["reporter"],
            status=["reported", "triaged", "cause_analysis", "implementing", "closed"][i % 5],
            severity=["minor", "major", "critical"][i % 3],
            category="procedure",
            owner=crew["owner"],
        )
        for i in range(n // 5 or 1)
    )
    Action.objects.bulk_create(
        Action(
            number=f"HD-T-{start:04d}-{i:06d}",
            title=f"Hành động {i}",
            owner=crew["owner"],
            department=org["a"],
            due_date=TODAY + timedelta(days=(i % 60) - 30),
            nonconformity=ncs[i % len(ncs)],
            status=["planned", "in_progress", "done"][i % 3],
            created_by=crew["owner"],
        )
        for i in range(n)
    )


def test_pages_stay_flat_up_to_10000_actions(crew, org, cases):
    pages = {
        "manager": [
            "/nonconformities/",
            "/nonconformities/?status=open&sort=severity",
            "/nonconformities/board/",
            "/nonconformities/actions/",
            "/nonconformities/actions/?overdue=yes&sort=owner",
            f"/nonconformities/{cases['worked'].pk}/",
            f"/nonconformities/actions/{cases['action'].pk}/",
            "/",
        ],
        "owner": ["/nonconformities/actions/?mine=yes", "/nonconformities/board/", "/"],
    }

    def measure():
        counts = {}
        for who, urls in pages.items():
            client = Client()
            client.force_login(crew[who])
            for url in urls:
                counts[(who, url)] = page_queries(client, url)
        return counts

    _grow(crew, org, 50)
    small = measure()
    _grow(crew, org, 10_000)
    assert Action.objects.count() > 10_000
    large = measure()
    assert {k: (small[k], large[k]) for k in small if small[k] != large[k]} == {}
    assert max(large.values()) <= 20, large


def test_the_board_shows_each_columns_newest_cards_and_its_count(crew, org):
    """Twelve cards a column, newest first, with the column's count and a link to the rest."""
    from datetime import datetime

    from django.utils import timezone

    made = Nonconformity.objects.bulk_create(
        Nonconformity(
            number=f"NC-B-{i:03d}",
            title=f"Thẻ {i}",
            description="x",
            department=org["a"],
            occurred_on=TODAY,
            source="staff_report",
            reported_by=crew["reporter"],
            status="triaged" if i >= 14 else "reported",
        )
        for i in range(16)
    )
    for i, nc in enumerate(made):  # reported one hour after the other
        Nonconformity.objects.filter(pk=nc.pk).update(
            reported_at=timezone.make_aware(datetime(2026, 11, 2, 0)) + timedelta(hours=i)
        )
    client = Client()
    client.force_login(crew["manager"])
    page = client.get("/nonconformities/board/").content.decode()
    reported = page.split('id="col-reported"')[1].split("</section>")[0]
    numbers = [chunk.split("</strong>")[0] for chunk in reported.split("<strong>")[1:]]
    assert numbers == [f"NC-B-{i:03d}" for i in range(13, 1, -1)]
    assert 'data-testid="count-reported">14<' in reported and "All 14 in the list" in reported
    triaged_column = page.split('id="col-triaged"')[1].split("</section>")[0]
    assert triaged_column.count("<strong>") == 2 and "All 2" not in triaged_column


def test_a_clerks_kept_rule_shows_new_rows_grants_and_moves_at_once(client, crew, org, role_users):
    """A clerk's rule is compiled once per access and kept (``kept_rule``): its SQL names
    their department and the grant tables, so new rows, new grants and a move all show at
    the next page, and the rule is not built again meanwhile."""
    from qms.services import user_save

    clerk = crew["other"]  # staff of B
    client.force_login(clerk)

    def listed() -> set[str]:
        return {nc.title for nc in client.get("/nonconformities/").context["page_obj"]}

    assert listed() == set()
    report(crew, org, title="Phòng B trả hồ sơ trễ", department=org["b"])
    in_a = report(crew, org, title="Phòng A trả hồ sơ trễ")
    assert listed() == {"Phòng B trả hồ sơ trễ"}  # a new row of their department
    assign_perm("nonconformities.view_nonconformity", clerk, in_a)
    assert listed() == {"Phòng B trả hồ sơ trễ", "Phòng A trả hồ sơ trễ"}  # a new grant
    from unittest import mock

    from nonconformities import selectors

    with mock.patch.object(
        selectors, "_visible_nonconformity_ids", wraps=selectors._visible_nonconformity_ids
    ) as built:
        listed()
        listed()
    assert built.call_count == 0  # kept since the first page
    # moved to A1 (below A): their department's rows are A1's now, the grant stays
    clerk.department = org["a1"]
    user_save(actor=role_users["administrator"], user=clerk, roles=["staff"])
    assert listed() == {"Phòng A trả hồ sơ trễ"}
    report(crew, org, title="Tổ A1 trả hồ sơ trễ", department=org["a1"])
    assert listed() == {"Phòng A trả hồ sơ trễ", "Tổ A1 trả hồ sơ trễ"}
    assert client.get("/nonconformities/actions/").status_code == 200
