"""The QMS manager puts a procedure into the catalogue in a real browser; a citizen reads it.

Steps that add up to more than the statutory time are refused with the sum shown, the
corrected procedure is saved, and its public page (no login) lists the documents to bring
and the time limit.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procedures.models import Procedure
from tests.browser.conftest import success_message
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_procedure_from_the_form_to_the_public_catalogue(open_as, roles, page):
    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    desk = DepartmentFactory(code="MC", name="Bộ phận Một cửa", parent=agency)
    UserFactory(username="qms", department=agency, roles=["qms_manager"], language="en")
    manager = open_as("qms")
    manager.goto("/procedures/new/")
    form = manager.get_by_test_id("procedure-form")
    form.get_by_label("Procedure code").fill("DN-01")
    manager.fill("#id_name", "Đăng ký thành lập doanh nghiệp tư nhân")
    form.get_by_label("Field").fill("Thành lập và hoạt động của doanh nghiệp")
    form.get_by_label("Department in charge").select_option(str(desk.pk))
    form.get_by_label("Statutory time (working days)").fill("3")
    manager.fill("#id_steps-0-name", "Tiếp nhận hồ sơ")
    manager.select_option("#id_steps-0-department", str(desk.pk))
    manager.fill("#id_steps-0-allowance", "4")
    manager.select_option("#id_steps-0-unit", "hours")
    manager.fill("#id_steps-1-name", "Thẩm định hồ sơ")
    manager.fill("#id_steps-1-allowance", "3")
    manager.fill("#id_dossier-0-name", "Giấy đề nghị đăng ký doanh nghiệp")
    manager.fill("#id_dossier-0-copies", "01 bản chính")
    manager.get_by_test_id("save-procedure").click()
    expect(manager.get_by_test_id("procedure-form")).to_contain_text(
        "The steps take 0.5 + 3 = 3.5 working days, more than the statutory 3 working days."
    )
    assert not Procedure.objects.exists()
    manager.fill("#id_steps-1-allowance", "2.5")
    manager.get_by_test_id("save-procedure").click()
    expect(success_message(manager)).to_contain_text("The procedure was saved.")
    expect(manager.get_by_test_id("time-budget")).to_contain_text("3 of 3 working days allotted")

    page.goto(Procedure.objects.get().get_public_url())  # a citizen, not signed in
    expect(page.get_by_test_id("public-days")).to_have_text("3 working days")
    expect(page.get_by_test_id("public-dossier")).to_contain_text(
        "Giấy đề nghị đăng ký doanh nghiệp (01 bản chính)"
    )
    page.locator('button[data-language="vi"]').click()
    expect(page.get_by_test_id("public-days")).to_have_text("3 ngày làm việc")


def test_a_case_from_the_desk_to_the_citizens_rating(open_as, roles, page):
    """Receive at the desk, hand through every step, complete; the citizen looks it up,
    rates it; the on-time figures count it."""
    from procedures import services
    from procedures.models import Procedure, ServiceCase
    from tests.procedures.conftest import steps as make_steps

    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    desk = DepartmentFactory(code="MC", name="Bộ phận Một cửa", parent=agency)
    unit = DepartmentFactory(code="DKKD", name="Phòng Đăng ký kinh doanh", parent=agency)
    manager = UserFactory(username="qms", department=agency, roles=["qms_manager"], language="en")
    UserFactory(username="mai", department=desk, roles=["staff"], language="en")
    officer = UserFactory(username="toan", department=unit, roles=["staff"], language="en")
    org = {"a": desk}
    plan = make_steps(org, "4h", 1, "4h")
    plan[1] = services.StepData(
        name="Thẩm định hồ sơ", allowance=plan[1].allowance, department=unit
    )
    procedure = services.procedure_save(
        actor=manager,
        procedure=Procedure(
            code="DN-01",
            name="Đăng ký thành lập doanh nghiệp tư nhân",
            field="Doanh nghiệp",
            department=unit,
            statutory_days=3,
        ),
        steps=plan,
        dossier=[services.DossierData(name="Giấy đề nghị đăng ký doanh nghiệp")],
    )

    clerk = open_as("mai")
    clerk.goto(f"/procedures/cases/receive/?procedure={procedure.pk}")
    form = clerk.get_by_test_id("receive-form")
    form.get_by_label("name of the applicant").fill("Nguyễn Văn An")
    form.get_by_label("phone").fill("0912 345 678")
    form.get_by_label("Giấy đề nghị đăng ký doanh nghiệp").check()
    clerk.get_by_test_id("save-case").click()
    expect(success_message(clerk)).to_contain_text("received; due")
    case = ServiceCase.objects.get()
    clerk.get_by_test_id("case-actions").get_by_label("next handler").select_option(str(officer.pk))
    clerk.get_by_test_id("move-case").click()
    expect(success_message(clerk)).to_contain_text("The case moved to step 2")

    handler = open_as("toan")
    handler.goto("/")
    handler.get_by_text(f"Case {case.receipt_code}, step 2").click()
    handler.get_by_test_id("move-case").click()
    expect(success_message(handler)).to_contain_text("The case moved to step 3")

    clerk.reload()
    clerk.get_by_test_id("move-case").click()
    expect(success_message(clerk)).to_contain_text("The case is completed.")
    expect(clerk.get_by_test_id("case-status")).to_have_text("Completed")

    page.goto("/public/cases/")  # the citizen, not signed in
    page.get_by_label("receipt code").fill(case.receipt_code)
    page.get_by_label("last four digits of your phone number").fill("5678")
    page.get_by_test_id("lookup").click()
    expect(page.get_by_test_id("lookup-status")).to_have_text("Completed")
    page.get_by_label("Very satisfied").check()
    page.wait_for_timeout(3100)  # a person takes a few seconds; the form refuses robots' speed
    page.get_by_test_id("send-rating").click()
    expect(page.get_by_test_id("thanks")).to_contain_text("Your rating is recorded.")

    figures = open_as("qms")
    figures.goto("/procedures/performance/")
    expect(figures.get_by_test_id("total-on-time-rate")).to_have_text("100.0 %")
    expect(figures.get_by_test_id("performance-table")).to_contain_text("DN-01")
