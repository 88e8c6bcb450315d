"""Document control in a real browser: a revision from upload to acknowledgement.

One flow, as the people involved see it: the owner uploads revision 02 and submits it, a
reviewer and an approver sign it (the approver mistypes the password first), a member of
the distribution department acknowledges it, and revision 01 shows as superseded. Users,
the register entry and revision 01 are set up in Python; they are not the point here.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from documents import services
from documents.choices import DocumentType, RevisionStatus
from documents.models import Acknowledgement, Document, Revision
from tests.browser.conftest import success_message
from tests.documents.conftest import pdf_bytes, run_through, start
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser

HOME_URL = re.compile(r"/$")
REVISION_URL = re.compile(r"/documents/revisions/\d+/$")


# --- helpers ------------------------------------------------------------------------


def error_message(page: Page):
    return page.locator(".messages .alert-danger")


def open_task(page: Page, title: str) -> None:
    """On the home page, follow the task link with exactly this title."""
    page.goto("/")
    tasks = page.locator("section[aria-labelledby=tasks-title]")
    link = tasks.get_by_role("link", name=title, exact=True)
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(REVISION_URL)


def decide(page: Page, password: str, agree: str = "Approve") -> None:
    form = page.get_by_test_id("decision-form")
    expect(form).to_be_visible()
    form.get_by_label(agree, exact=True).check()
    form.locator("#id_password").fill(password)
    form.get_by_test_id("decide").click()


# --- data set up in Python ----------------------------------------------------------


@pytest.fixture
def cast(roles):
    """The agency, its people and procedure QT-xx with revision 01 effective."""
    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    office = DepartmentFactory(code="VP", name="Văn phòng Sở", parent=agency)
    licensing = DepartmentFactory(code="CP", name="Phòng Cấp phép", parent=agency)

    def person(username, first, last, department, role):
        return UserFactory(
            username=username,
            first_name=first,
            last_name=last,
            department=department,
            roles=[role],
            language="en",
        )

    people = {
        "controller": person("thu", "Thư", "Lê Anh", office, "document_controller"),
        "owner": person("minh", "Minh", "Phạm Văn", office, "process_owner"),
        "reviewer": person("hanh", "Hạnh", "Đỗ Thị", office, "process_owner"),
        "approver": person("giamdoc", "Tuấn", "Nguyễn Quốc", agency, "top_management"),
        "reader": person("lan", "Lan", "Trần Thị", licensing, "staff"),
    }
    document = services.document_register(
        actor=people["controller"],
        document=Document(
            title="Quy trình kiểm soát tài liệu",
            document_type=DocumentType.PROCEDURE,
            department=office,
            owner=people["owner"],
        ),
    )
    services.distribution_add(actor=people["controller"], document=document, department=licensing)
    first = run_through(people, start(people, document, "Quy trình kiểm soát tài liệu, lần 1"))
    assert first.status == RevisionStatus.EFFECTIVE
    # The reader acknowledged revision 01 long ago: their only task will be revision 02.
    services.acknowledge(actor=people["reader"], revision=first)
    document.refresh_from_db()
    return {**people, "document": document, "first": first}


# --- the flow -----------------------------------------------------------------------


def test_revision_from_upload_to_acknowledgement(open_as, cast, tmp_path):
    document = cast["document"]
    code = document.code
    pdf_file = tmp_path / "quy-trinh-lan-2.pdf"
    pdf_file.write_bytes(pdf_bytes("Quy trình kiểm soát tài liệu, lần 2: thêm bước lưu trữ"))
    summary = "Thêm bước lưu trữ hồ sơ điện tử (bước 6)."

    # 1. The owner uploads revision 02 and submits it.
    owner = open_as("minh")
    owner.goto(f"/documents/{document.pk}/")
    expect(owner.get_by_test_id("revision-status-01")).to_have_text("Effective")
    owner.get_by_role("link", name="Start a new revision").click()
    expect(owner).to_have_url(re.compile(rf"/documents/{document.pk}/revise/$"))
    owner.locator("#id_file").set_input_files(str(pdf_file))
    owner.locator("#id_change_summary").fill(summary)
    owner.locator("#id_reviewer_1").select_option(value=str(cast["reviewer"].pk))
    owner.locator("#id_approver_1").select_option(value=str(cast["approver"].pk))
    owner.get_by_role("button", name="Save the draft").click()

    expect(owner).to_have_url(REVISION_URL)
    expect(success_message(owner)).to_contain_text("Draft revision 02 saved.")
    expect(owner.get_by_test_id("revision-status")).to_have_text("Draft")
    expect(owner.locator("section[aria-labelledby=compare-title]")).to_contain_text(summary)
    owner.get_by_test_id("submit").click()
    expect(success_message(owner)).to_contain_text("Submitted")
    expect(owner.get_by_test_id("revision-status")).to_have_text("In review")
    expect(owner.get_by_test_id("submit")).to_have_count(0)
    second = Revision.objects.get(document=document, number=2)
    assert second.status == RevisionStatus.IN_REVIEW
    assert second.file.original_name == "quy-trinh-lan-2.pdf"

    # 2. The reviewer finds the task in My tasks and approves with their password.
    reviewer = open_as("hanh")
    open_task(reviewer, f"Review {code} revision 02")
    expect(reviewer.locator("h1")).to_contain_text("Revision 02")
    decide(reviewer, PASSWORD, agree="Agree: reviewed")
    expect(success_message(reviewer)).to_contain_text("your review is signed and recorded")
    expect(reviewer.get_by_test_id("decision-form")).to_have_count(0)
    expect(reviewer.get_by_test_id("revision-status")).to_have_text("In review")  # approver next

    # 3. The approver mistypes the password: nothing is signed; then signs for real.
    approver = open_as("giamdoc")
    open_task(approver, f"Approve {code} revision 02")
    decide(approver, "not-my-password")
    # The error stands next to the password field; the chosen decision is kept.
    expect(approver.locator("#id_password_errors")).to_contain_text(
        "The password is not correct. Nothing was signed."
    )
    expect(approver.get_by_label("Approve", exact=True)).to_be_checked()
    expect(approver.get_by_test_id("revision-status")).to_have_text("In review")
    second.refresh_from_db()
    assert second.status == RevisionStatus.IN_REVIEW

    decide(approver, PASSWORD)
    expect(success_message(approver)).to_contain_text(
        "Thank you: your approval is signed and recorded."
    )
    expect(approver.get_by_test_id("revision-status")).to_have_text("Effective")
    expect(approver.get_by_test_id("signature-valid")).to_have_count(2)
    second.refresh_from_db()
    assert second.status == RevisionStatus.EFFECTIVE

    # 4. A reader in the distribution department acknowledges it from My tasks.
    reader = open_as("lan")
    open_task(reader, f"Read and acknowledge {code} revision 02")
    reader.get_by_test_id("acknowledge").click()
    expect(success_message(reader)).to_contain_text("Thank you: your acknowledgement is recorded.")
    expect(reader.get_by_text("You have acknowledged this revision.")).to_be_visible()
    expect(reader.get_by_test_id("acknowledge")).to_have_count(0)
    assert (
        Acknowledgement.objects.get(revision=second, user=cast["reader"]).acknowledged_at
        is not None
    )
    reader.goto("/")
    expect(reader.get_by_test_id("tasks-empty")).to_be_visible()

    # 5. The document controller's page: 02 effective, 01 superseded.
    controller = open_as("thu")
    controller.goto(f"/documents/{document.pk}/")
    expect(controller.get_by_test_id("document-status")).to_have_text("Effective")
    expect(controller.get_by_test_id("revision-status-02")).to_have_text("Effective")
    expect(controller.get_by_test_id("revision-status-01")).to_have_text("Superseded")
    expect(controller.locator("#distribution")).to_contain_text("1 of 1 acknowledged")
    cast["first"].refresh_from_db()
    assert cast["first"].status == RevisionStatus.SUPERSEDED

    # 6. The effective PDF the reader downloads is stamped as a controlled copy.
    reader.goto(second.get_absolute_url())
    with reader.expect_download() as download_info:
        reader.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    stamped = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = " ".join(page.extract_text() or "" for page in stamped.pages)
    text = re.sub(r"\s+", " ", text)
    assert "Controlled copy" in text, text[:500]
    assert code in text, text[:500]
    assert "lần 2" in text, "the stamp should be on the uploaded revision 02, not another file"
