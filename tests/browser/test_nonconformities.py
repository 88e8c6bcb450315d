"""Nonconformities in a real browser: from a staff report to a verified, closed case.

As the people involved see it: a civil servant reports a problem, the head of the
department triages it from My tasks, the owner analyses the cause (five whys) and plans
two actions and completes them, and the head — not the owner — signs the effectiveness
check. The second flow signs "not effective" (mistyping the password first) and the
nonconformity goes back to the cause analysis. Users are set up in Python; in the second
flow so are triage, analysis and actions, which are not its point.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from nonconformities import services
from nonconformities.choices import ActionStatus, Status
from nonconformities.models import Action, Nonconformity, Verification
from tests.browser.conftest import success_message
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser

HOME_URL = re.compile(r"/$")
NC_URL = re.compile(r"/nonconformities/\d+/(#\w+)?$")
ACTION_URL = re.compile(r"/nonconformities/actions/\d+/$")
NUMBER = re.compile(r"NC-\d{4}-\d{4}")


# --- helpers ------------------------------------------------------------------------


def status(page: Page):
    return page.get_by_test_id("nc-status")


def open_task(page: Page, title: str, url: re.Pattern = NC_URL) -> None:
    """On the home page, follow the task link with exactly this title."""
    page.goto("/")
    tasks = page.locator("section[aria-labelledby=tasks-title]")
    link = tasks.get_by_role("link", name=title, exact=True)
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(url)


def plan_action(page: Page, title: str, owner_pk: int, due: str) -> None:
    """On the nonconformity's page: open "Plan an action", fill the form, add it."""
    page.get_by_test_id("add-action").click()
    form = page.locator("form", has=page.get_by_test_id("save-action"))
    expect(form).to_be_visible()
    form.locator("#id_title").fill(title)
    form.locator("#id_kind").select_option(value="corrective")
    form.locator("#id_owner").select_option(value=str(owner_pk))
    form.locator("#id_due_date").fill(due)
    form.get_by_test_id("save-action").click()
    expect(success_message(page)).to_contain_text("The action is planned and its owner notified.")
    expect(page.locator("#actions")).to_contain_text(title)


def verify(page: Page, result: str, evidence: str, password: str) -> None:
    form = page.get_by_test_id("verify-form")
    expect(form).to_be_visible()
    form.locator(f"input[name=result][value={result}]").check()
    form.locator("#id_evidence").fill(evidence)
    form.locator("#id_password").fill(password)
    form.get_by_test_id("verify").click()


# --- data set up in Python ----------------------------------------------------------

TODAY = timezone.localdate()
EFFECTIVE = "Effective: the cause is removed"
NOT_EFFECTIVE = "Not effective: it happened again or could happen again"


@pytest.fixture
def cast(roles):
    """Departments A (with its head) and B; a reporter and an owner in A; the QMS manager."""
    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    dept_a = DepartmentFactory(code="MC", name="Bộ phận Một cửa", parent=agency)
    dept_b = DepartmentFactory(code="KT", name="Phòng Kế toán", parent=agency)

    def person(username, first, last, department, role):
        return UserFactory(
            username=username,
            first_name=first,
            last_name=last,
            department=department,
            roles=[role],
            language="en",
        )

    head = person("truongmc", "Hùng", "Vũ Đức", dept_a, "process_owner")
    dept_a.head = head
    dept_a.save()
    return {
        "a": dept_a,
        "b": dept_b,
        "head": head,
        "reporter": person("lan", "Lan", "Trần Thị", dept_a, "staff"),
        "owner": person("minh", "Minh", "Phạm Văn", dept_a, "staff"),
        "manager": person("qms", "Thư", "Lê Anh", agency, "qms_manager"),
        "other": person("binh", "Bình", "Hoàng", dept_b, "staff"),
    }


@pytest.fixture
def waiting_check(cast):
    """A minor nonconformity of A, analysed, its two actions done: effectiveness check."""
    nc = services.nonconformity_report(
        actor=cast["reporter"],
        nonconformity=Nonconformity(
            title="Hồ sơ trả kết quả trễ hạn",
            description="Hồ sơ đăng ký kinh doanh trả trễ 3 ngày làm việc so với giấy hẹn.",
            department=cast["a"],
            occurred_on=TODAY - timedelta(days=2),
            source="staff_report",
        ),
    )
    nc = services.triage(
        actor=cast["head"],
        nc=nc,
        severity="minor",
        category="procedure",
        needs_corrective_action=True,
        owner=cast["owner"],
        due_date=TODAY + timedelta(days=30),
        version=nc.version,
    )
    nc = services.start_analysis(actor=cast["owner"], nc=nc, version=nc.version)
    nc = services.save_analysis(
        actor=cast["owner"],
        nc=nc,
        five_whys=["Hồ sơ chuyển phòng chuyên môn chậm", "Không có sổ theo dõi"],
        fishbone={},
        root_cause="Quy trình không quy định thời hạn chuyển hồ sơ giữa các bộ phận.",
        version=nc.version,
    )
    actions = [
        services.action_add(
            actor=cast["owner"],
            action=Action(title=title, owner=cast["owner"], due_date=TODAY + timedelta(days=10)),
            nonconformity=nc,
        )
        for title in ("Bổ sung thời hạn chuyển hồ sơ vào quy trình", "Lập sổ theo dõi")
    ]
    for action in actions:  # done once both are planned: the last one starts the check
        services.action_move(
            actor=cast["owner"], action=action, move="complete", version=action.version
        )
    nc.refresh_from_db()
    assert nc.status == Status.EFFECTIVENESS_CHECK
    assert nc.effectiveness_due > TODAY
    # Weeks pass: the check is due today, so it is on the head's My tasks.
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=TODAY)
    nc.refresh_from_db()
    return nc


# --- the flows ----------------------------------------------------------------------


def test_report_to_verified_effective(open_as, cast):
    title = "Trả kết quả trễ hạn hồ sơ đăng ký kinh doanh"
    due = (TODAY + timedelta(days=30)).isoformat()

    # 1. The reporter reports the problem from the menu: Improvement → Report a problem.
    reporter = open_as("lan")
    nav = reporter.locator("#portal-nav")
    expect(nav.get_by_role("heading", name="Improvement")).to_be_visible()
    nav.get_by_role("link", name="Report a problem").click()
    expect(reporter).to_have_url(re.compile(r"/nonconformities/report/$"))
    reporter.locator("#id_title").fill(title)
    reporter.locator("#id_description").fill("Hồ sơ trả trễ 3 ngày làm việc so với giấy hẹn.")
    reporter.locator("#id_department").select_option(value=str(cast["a"].pk))
    reporter.locator("#id_occurred_on").fill((TODAY - timedelta(days=1)).isoformat())
    reporter.locator("#id_source").select_option(value="staff_report")
    reporter.get_by_test_id("report").click()

    expect(reporter).to_have_url(NC_URL)
    nc = Nonconformity.objects.get(title=title)
    assert NUMBER.fullmatch(nc.number)
    expect(success_message(reporter)).to_contain_text(
        f"Thank you: {nc.number} is reported and the QMS manager notified."
    )
    expect(reporter.locator("h1")).to_contain_text(nc.number)
    expect(status(reporter)).to_have_text("Reported")
    expect(reporter.get_by_test_id("triage-form")).to_have_count(0)  # not theirs to triage

    # 2. The head of A finds the triage task and triages it.
    head = open_as("truongmc")
    open_task(head, f"Triage {nc.number}: {title}")
    expect(status(head)).to_have_text("Reported")
    form = head.get_by_test_id("triage-form")
    form.locator("#id_severity").select_option(value="minor")
    form.locator("#id_category").select_option(value="procedure")
    form.locator("#id_needs_corrective_action").check()
    form.locator("#id_owner").select_option(value=str(cast["owner"].pk))
    form.locator("#id_due_date").fill(due)
    form.get_by_test_id("triage").click()
    expect(success_message(head)).to_contain_text("Triaged; the owner was notified.")
    expect(status(head)).to_have_text("Triaged")
    expect(head.get_by_test_id("triage-form")).to_have_count(0)

    # 3. The owner starts the cause analysis: three whys and the root cause.
    owner = open_as("minh")
    open_task(owner, f"Find the cause and plan actions for {nc.number}")
    owner.get_by_test_id("move-start_analysis").click()
    expect(status(owner)).to_have_text("Cause analysis")
    analysis = owner.get_by_test_id("analysis-form")
    analysis.locator("#id_why_1").fill("Hồ sơ chuyển sang phòng chuyên môn chậm 2 ngày")
    analysis.locator("#id_why_2").fill("Không ai theo dõi hồ sơ đang ở đâu")
    analysis.locator("#id_why_3").fill("Quy trình không quy định thời hạn chuyển hồ sơ")
    root_cause = "Quy trình QT-07 không quy định thời hạn chuyển hồ sơ giữa các bộ phận."
    analysis.locator("#id_root_cause").fill(root_cause)
    owner.get_by_test_id("save-analysis").click()
    expect(success_message(owner)).to_contain_text("The cause analysis is saved.")
    expect(owner.get_by_test_id("analysis-form").locator("#id_root_cause")).to_have_value(
        root_cause
    )
    expect(owner.get_by_test_id("analysis-form").locator("#id_why_3")).to_have_value(
        "Quy trình không quy định thời hạn chuyển hồ sơ"
    )

    # 4. Two actions, planned from the nonconformity's page.
    action_due = (TODAY + timedelta(days=14)).isoformat()
    titles = ["Bổ sung thời hạn chuyển hồ sơ vào QT-07", "Lập sổ theo dõi hồ sơ liên phòng"]
    for action_title in titles:
        plan_action(owner, action_title, cast["owner"].pk, action_due)
    expect(status(owner)).to_have_text("Actions planned")
    assert nc.actions.count() == 2

    # 5. The owner opens each action and marks it done.
    for action_title in titles:
        owner.goto(nc.get_absolute_url())
        owner.locator("#actions").get_by_role("link", name=re.compile(r"HD-\d{4}-\d{4}")).nth(
            titles.index(action_title)
        ).click()
        expect(owner).to_have_url(ACTION_URL)
        expect(owner.locator("h1")).to_contain_text(action_title)
        owner.get_by_test_id("action-complete").click()
        expect(success_message(owner)).to_contain_text("The action is updated.")
        expect(owner.get_by_test_id("action-status")).to_have_text("Done")
    assert set(nc.actions.values_list("status", flat=True)) == {ActionStatus.DONE}

    owner.goto(nc.get_absolute_url())
    expect(status(owner)).to_have_text("Effectiveness check")
    expect(owner.get_by_test_id("verify-form")).to_have_count(0)  # never the owner

    # 6. Not before the check date; once it has come, the head of A verifies it effective
    #    and signs with the password.
    head.goto(nc.get_absolute_url())
    expect(status(head)).to_have_text("Effectiveness check")
    expect(head.get_by_test_id("verify-form")).to_have_count(0)
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=TODAY)
    head.goto(nc.get_absolute_url())
    verify(
        head,
        "effective",
        "Kiểm tra 20 hồ sơ tháng sau: tất cả chuyển đúng hạn, sổ theo dõi được cập nhật.",
        PASSWORD,
    )
    expect(success_message(head)).to_contain_text(
        "Verified effective: the nonconformity is closed."
    )
    expect(status(head)).to_have_text("Closed")
    expect(head.get_by_test_id("verify-form")).to_have_count(0)
    expect(head.locator("#effectiveness")).to_contain_text(EFFECTIVE)
    nc.refresh_from_db()
    assert nc.status == Status.CLOSED
    assert nc.closed_at is not None
    check = Verification.objects.get(nonconformity=nc)
    assert check.verifier == cast["head"]
    assert check.signature is not None


def test_not_effective_reopens(open_as, cast, waiting_check):
    nc = waiting_check
    evidence = "Tháng sau vẫn có 2 hồ sơ trả trễ vì cùng lý do."

    # 1. The head finds the verification task; mistypes the password first.
    head = open_as("truongmc")
    open_task(head, f"Verify the effectiveness of {nc.number}", re.compile(r"#effectiveness$"))
    expect(status(head)).to_have_text("Effectiveness check")
    verify(head, "not_effective", evidence, "not-my-password")
    expect(head.locator("#id_password_errors")).to_contain_text("The password is not correct.")
    expect(head.get_by_test_id("verify-form").get_by_label(NOT_EFFECTIVE)).to_be_checked()
    expect(head.locator("#id_evidence")).to_have_value(evidence)
    expect(status(head)).to_have_text("Effectiveness check")
    nc.refresh_from_db()
    assert nc.status == Status.EFFECTIVENESS_CHECK
    assert not Verification.objects.filter(nonconformity=nc).exists()

    # 2. The right password: back to the cause analysis, reopened once.
    verify(head, "not_effective", evidence, PASSWORD)
    expect(success_message(head)).to_contain_text(
        "Verified not effective: it is reopened for a new cause analysis."
    )
    expect(status(head)).to_have_text("Cause analysis")
    meta = head.locator("dl.meta")
    expect(meta.locator("dt", has_text="Times reopened")).to_be_visible()
    expect(meta.locator("dt:has-text('Times reopened') + dd")).to_have_text("1")
    expect(head.locator("#effectiveness")).to_contain_text(NOT_EFFECTIVE)
    nc.refresh_from_db()
    assert nc.status == Status.CAUSE_ANALYSIS
    assert nc.reopened_count == 1

    # 3. The owner can plan a new action again.
    owner = open_as("minh")
    owner.goto(nc.get_absolute_url())
    expect(status(owner)).to_have_text("Cause analysis")
    expect(owner.get_by_test_id("analysis-form")).to_be_visible()
    plan_action(
        owner,
        "Phần mềm một cửa cảnh báo hồ sơ sắp trễ",
        cast["owner"].pk,
        (TODAY + timedelta(days=20)).isoformat(),
    )
    expect(status(owner)).to_have_text("Actions planned")
    expect(owner.get_by_test_id("action-status-3")).to_have_text("Planned")
    assert nc.actions.count() == 3
