"""The QMS manager steers from the dashboard and holds the management review.

The manager opens the dashboard, follows the "overdue actions" tile to the action list
filtered on exactly those actions; schedules a management review for today, compiles its
inputs from the portal's data and reads them; records the minutes and a decision that
becomes an action in the tracker; the agency head signs the minutes with their password
(a wrong password first) and the review is frozen with its PDF.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nonconformities import services as nc_services
from nonconformities.models import Action, Nonconformity
from reviews.models import ManagementReview
from tests.browser.conftest import success_message
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()


@pytest.fixture
def agency(roles):
    root = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    unit = DepartmentFactory(code="MC", name="Bộ phận Một cửa", parent=root)
    people = {
        "manager": UserFactory(username="qms", department=root, roles=["qms_manager"]),
        "head": UserFactory(
            username="giamdoc",
            department=root,
            roles=["top_management"],
            first_name="Đức",
            last_name="Trần",
        ),
        "owner": UserFactory(
            username="owner",
            department=unit,
            roles=["process_owner"],
            first_name="Lan",
            last_name="Lê",
        ),
    }
    nc = nc_services.nonconformity_report(
        actor=people["owner"],
        nonconformity=Nonconformity(
            title="Trả kết quả trễ hạn",
            description="Trễ 2 ngày",
            department=unit,
            occurred_on=TODAY - timedelta(days=3),
            source="late_case",
        ),
    )
    nc = nc_services.triage(
        actor=people["manager"],
        nc=nc,
        severity="minor",
        category="procedure",
        needs_corrective_action=True,
        owner=people["owner"],
        due_date=TODAY + timedelta(days=20),
        version=nc.version,
    )
    nc = nc_services.start_analysis(actor=people["owner"], nc=nc, version=nc.version)
    late = nc_services.action_add(
        actor=people["owner"],
        nonconformity=nc,
        action=Action(
            title="Bổ sung người dự phòng",
            owner=people["owner"],
            due_date=TODAY + timedelta(days=3),
        ),
    )
    on_time = nc_services.action_add(
        actor=people["owner"],
        nonconformity=nc,
        action=Action(
            title="Cập nhật quy trình", owner=people["owner"], due_date=TODAY + timedelta(days=9)
        ),
    )
    Action.objects.filter(pk=late.pk).update(
        due_date=TODAY - timedelta(days=4)
    )  # it was due last week
    return {**people, "late": late, "on_time": on_time}


def test_dashboard_tile_to_list_and_a_signed_management_review(open_as, agency):
    manager = open_as("qms")
    manager.goto("/dashboard/")
    tile = manager.get_by_test_id("tile-actions-overdue")
    expect(manager.get_by_test_id("tile-actions-overdue-value")).to_have_text("1")
    tile.click()
    expect(manager).to_have_url(re.compile(r"/nonconformities/actions/\?overdue=yes$"))
    table = manager.locator("main table")
    expect(table).to_contain_text(agency["late"].number)
    expect(table).not_to_contain_text(agency["on_time"].number)

    # schedule the review for today
    manager.goto("/reviews/new/")
    manager.fill("#id_title", "Xem xét của lãnh đạo năm 2026")
    manager.fill("#id_meeting_date", TODAY.isoformat())
    manager.select_option("#id_chair", value=str(agency["head"].pk))
    manager.select_option("#id_participants", value=[str(agency["owner"].pk)])
    manager.fill("#id_resources", "Thiếu 01 công chức một cửa")
    manager.get_by_test_id("review-save").click()
    expect(manager).to_have_url(re.compile(r"/reviews/\d+/$"))
    expect(manager.get_by_test_id("review-status")).to_have_text("Planned")
    manager.get_by_test_id("review-compile").click()
    expect(success_message(manager)).to_be_visible()
    expect(manager.get_by_test_id("review-status")).to_have_text("Inputs compiled")
    actions_input = manager.get_by_test_id("input-nonconformities")
    expect(actions_input).to_contain_text("Actions overdue")
    expect(manager.get_by_test_id("input-resources")).to_contain_text("Thiếu 01 công chức một cửa")
    expect(manager.locator(".review-input")).to_have_count(12)

    # minutes, then a decision that becomes an action
    manager.fill("#id_minutes-minutes", "Lãnh đạo xem xét toàn bộ đầu vào.")
    manager.fill("#id_minutes-conclusion", "Hệ thống phù hợp và có hiệu lực.")
    manager.get_by_test_id("minutes-save").click()
    expect(manager.get_by_test_id("review-status")).to_have_text("Held, minutes in preparation")
    manager.locator("summary", has_text="Record a decision").click()
    manager.select_option("#id_decision-kind", value="resources")
    manager.fill("#id_decision-text", "Bổ sung 01 công chức cho Bộ phận Một cửa")
    manager.fill("#id_decision-title", "Trình phương án bổ sung biên chế")
    manager.select_option("#id_decision-owner", value=str(agency["owner"].pk))
    manager.fill("#id_decision-due_date", (TODAY + timedelta(days=30)).isoformat())
    manager.get_by_test_id("decision-save").click()
    expect(success_message(manager)).to_contain_text("HD-")
    expect(manager.get_by_test_id("decisions")).to_contain_text("Trình phương án bổ sung biên chế")
    review = ManagementReview.objects.get()
    action = Action.objects.get(title="Trình phương án bổ sung biên chế")
    assert action.source.review_id == review.pk

    # the agency head signs: the wrong password first
    head = open_as("giamdoc")
    head.goto("/")
    head.get_by_role("link", name=f"Sign the minutes of management review {review.number}").click()
    head.fill("#id_sign-password", "not-the-password")
    head.get_by_test_id("minutes-sign").click()
    expect(head.locator(".errorlist, .alert-danger").first).to_be_visible()
    review.refresh_from_db()
    assert review.status == "held"
    head.fill("#id_sign-password", PASSWORD)
    head.get_by_test_id("minutes-sign").click()
    expect(head.get_by_test_id("review-status")).to_have_text("Minutes signed")
    expect(head.get_by_test_id("minutes-signed")).to_contain_text(f"{review.number}-minutes.pdf")
    review.refresh_from_db()
    assert review.status == "signed" and review.signature.signer_id == agency["head"].pk
