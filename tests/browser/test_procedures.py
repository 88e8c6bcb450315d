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
