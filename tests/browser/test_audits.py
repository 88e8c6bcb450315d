"""An internal audit in a real browser: from the checklist to the signed report.

The lead auditor answers a checklist question, records the nonconformity found, confirms
the findings (which raises a nonconformity for the audited department), mistypes the
password once and then signs the report; the PDF downloads and names the finding. The
evidence pack is exported, downloaded and verified against its manifest on the portal's
page. The auditee sees the audit read-only. The plan (people, departments, audit started) is set up
in Python; it is not the point here.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from audits import services
from audits.models import Audit
from nonconformities.models import Nonconformity
from qms.models import IsoClause, Signature
from tests.browser.conftest import success_message
from tests.documents.conftest import pdf_bytes
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()


@pytest.fixture
def started(roles):
    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    one_stop = DepartmentFactory(code="MC", name="Bộ phận Một cửa", parent=agency)
    inspection = DepartmentFactory(code="TT", name="Thanh tra Sở", parent=agency)

    def person(username, department, role):
        return UserFactory(username=username, department=department, roles=[role], language="en")

    manager = person("qms", agency, "qms_manager")
    lead = person("lan", inspection, "internal_auditor")
    auditee = person("mai", one_stop, "staff")
    audit = services.audit_plan(
        actor=manager,
        audit=Audit(
            title="Đánh giá nội bộ Bộ phận Một cửa",
            start_date=TODAY,
            end_date=TODAY + timedelta(days=1),
            lead_auditor=lead,
        ),
        departments=[one_stop],
        team=[],
        clauses=list(IsoClause.objects.filter(number__in=["7.5", "8.2"])),
    )
    services.checklist_generate(actor=lead, audit=audit)
    audit = services.audit_move(actor=lead, audit=audit, move="prepare")
    audit = services.audit_move(actor=lead, audit=audit, move="start")
    return {"audit": audit, "lead": lead, "auditee": auditee, "one_stop": one_stop}


def test_checklist_to_signed_report(open_as, started):
    audit = started["audit"]
    lead = open_as("lan")
    lead.goto(audit.get_absolute_url())
    expect(lead.get_by_test_id("audit-status")).to_have_text("In progress")

    first = audit.checklist.order_by("position").first()
    lead.select_option(f"#result-{first.pk}", "minor_nc")
    lead.fill(f"#notes-{first.pk}", "3/12 hồ sơ thiếu phiếu kiểm soát")
    lead.fill(f"#evidence-{first.pk}", "Hồ sơ tháng 10")
    lead.get_by_test_id(f"save-{first.position}").click()
    expect(success_message(lead)).to_contain_text("Saved.")
    expect(lead.get_by_text("0 of 2 answered")).to_have_count(0)
    expect(lead.get_by_text("1 of 2 answered")).to_be_visible()
    lead.set_input_files(
        f"#file-{first.pk}",
        files=[{"name": "Sổ theo dõi.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}],
    )
    lead.get_by_test_id(f"attach-{first.position}").click()
    expect(success_message(lead)).to_contain_text("The file was attached.")
    expect(lead.locator(f"#item-{first.position}")).to_contain_text("Sổ theo dõi.pdf")

    lead.get_by_test_id("add-finding").click()
    form = lead.locator("#findings form")
    form.get_by_label("kind").select_option("minor_nc")
    form.get_by_label("department").select_option(str(started["one_stop"].pk))
    form.get_by_label("requirement").fill("Thông tin dạng văn bản phải được lưu giữ")
    form.get_by_label("evidence").fill("3/12 hồ sơ thiếu phiếu kiểm soát")
    form.get_by_label("finding").fill("Phiếu kiểm soát không được lưu đầy đủ")
    lead.get_by_test_id("save-finding").click()
    expect(success_message(lead)).to_contain_text("The finding is recorded.")
    expect(lead.locator("#finding-1")).to_contain_text("Minor nonconformity")

    # A second finding turns out to repeat the first: withdrawn with a reason, kept on record.
    lead.get_by_test_id("add-finding").click()
    form = lead.locator("#findings form").filter(has=lead.get_by_test_id("save-finding"))
    form.get_by_label("kind").select_option("observation")
    form.get_by_label("department").select_option(str(started["one_stop"].pk))
    form.get_by_label("requirement").fill("Thông tin dạng văn bản phải được lưu giữ")
    form.get_by_label("evidence").fill("Hồ sơ tháng 10")
    form.get_by_label("finding").fill("Trùng với phát hiện 1")
    lead.get_by_test_id("save-finding").click()
    expect(success_message(lead)).to_contain_text("The finding is recorded.")
    lead.get_by_test_id("withdraw-finding-2").click()
    lead.get_by_test_id("finding-2").get_by_label("reason for withdrawing").fill("Trùng với F01")
    lead.get_by_test_id("confirm-withdraw-2").click()
    expect(success_message(lead)).to_contain_text("The finding is withdrawn")
    expect(lead.get_by_test_id("finding-2")).to_contain_text("Trùng với F01")
    expect(lead.get_by_test_id("edit-finding-2")).to_have_count(0)

    lead.get_by_test_id("move-confirm").click()
    expect(lead.get_by_test_id("audit-status")).to_have_text("Findings confirmed")
    nc = Nonconformity.objects.get()  # the withdrawn finding raised nothing
    expect(lead.locator("#finding-1")).to_contain_text(nc.number)

    report = lead.get_by_test_id("report-form")
    report.get_by_label("conclusion on conformity and effectiveness").fill(
        "Phù hợp, trừ một điểm không phù hợp nhỏ"
    )
    report.get_by_label("your password (electronic signature)").fill("not my password")
    lead.get_by_test_id("sign-report").click()
    expect(lead.get_by_test_id("report-form")).to_contain_text(
        "The password is not correct. Nothing was signed."
    )
    assert not Signature.objects.exists()
    report = lead.get_by_test_id("report-form")
    report.get_by_label("your password (electronic signature)").fill(PASSWORD)
    lead.get_by_test_id("sign-report").click()
    expect(success_message(lead)).to_contain_text("The report is signed and frozen.")
    expect(lead.get_by_test_id("audit-status")).to_have_text("Reported")
    expect(lead.get_by_test_id("report-form")).to_have_count(0)

    with lead.expect_download() as download_info:
        lead.get_by_test_id("report-pdf").click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert audit.reference in text
    assert re.search(r"Phiếu\s+kiểm\s+soát", text)

    # The evidence pack: exported, downloaded, and verified against its manifest.
    lead.get_by_test_id("export-pack").click()
    expect(lead.get_by_test_id("pack-status")).to_have_attribute("data-status", "ready")
    with lead.expect_download() as download_info:
        lead.get_by_test_id("pack-download").click()
    pack_file = Path(download_info.value.path())
    with zipfile.ZipFile(pack_file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert any(entry["path"].startswith("01-report/") for entry in manifest["files"])
    assert any(entry["path"].startswith("05-nonconformities/") for entry in manifest["files"])
    assert any(entry["path"].startswith("03-checklist/files/") for entry in manifest["files"])
    lead.goto("/evidence/verify/")
    lead.set_input_files(
        "input[type=file]",
        files=[
            {"name": "pack.zip", "mimeType": "application/zip", "buffer": pack_file.read_bytes()}
        ],
    )
    lead.get_by_test_id("verify-pack").click()
    expect(lead.get_by_test_id("verify-result")).to_contain_text(
        f"all {len(manifest['files'])} files match their manifest"
    )

    auditee = open_as("mai")
    auditee.goto(audit.get_absolute_url())
    expect(auditee.get_by_test_id("audit-status")).to_have_text("Reported")
    expect(auditee.get_by_test_id("move-close")).to_have_count(0)
    expect(auditee.locator("select[name=result]")).to_have_count(0)

    # Any filtered list packs the same way: the nonconformities of the audited department.
    lead.goto(f"/nonconformities/?department={started['one_stop'].pk}")
    lead.get_by_test_id("export-list-pack").click()
    expect(lead.get_by_test_id("pack-status")).to_have_attribute("data-status", "ready")
    expect(lead.get_by_text("Open the list with this filter")).to_be_visible()
    with lead.expect_download() as download_info:
        lead.get_by_test_id("pack-download").click()
    with zipfile.ZipFile(Path(download_info.value.path())) as archive:
        names = archive.namelist()
    assert f"{nc.number}/{nc.number}.json" in names and "00-list/nonconformities.csv" in names
