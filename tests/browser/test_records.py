"""Quality records in a real browser: from registering a record to a disposal certificate.

One flow, as the people involved see it: a clerk registers a record with its file and
downloads it back; the QMS manager runs the disposal sweep, mistypes the password once,
then approves the batch with the signature; the certificate lists the disposed record and
not the one on legal hold, which stays kept. Users, record types, the two old records and
the hold are set up in Python; they are not the point here.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from records import services
from records.choices import Access, BatchStatus, Disposition, RecordStatus, Storage
from records.models import DisposalBatch, Record, RecordType
from tests.browser.conftest import success_message
from tests.factories import PASSWORD, DepartmentFactory, UserFactory
from tests.records.conftest import PDF

pytestmark = pytest.mark.browser

HOME_URL = re.compile(r"/$")
RECORD_URL = re.compile(r"/records/\d+/$")
BATCH_URL = re.compile(r"/records/disposal/\d+/$")


# --- helpers ------------------------------------------------------------------------


def open_from_menu(page: Page, label: str) -> None:
    """Follow an entry of the sidebar (the portal's main navigation)."""
    page.locator("#portal-nav").get_by_role("link", name=label, exact=True).click()


def download(page: Page, test_id: str) -> tuple[str, bytes]:
    with page.expect_download() as download_info:
        page.get_by_test_id(test_id).click()
    done = download_info.value
    return done.suggested_filename, done.path().read_bytes()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


# --- data set up in Python ----------------------------------------------------------


@pytest.fixture
def cast(roles):
    """The agency, a clerk in department A, the QMS manager, a 2-year type, two old records."""
    agency = DepartmentFactory(code="SO", name="Sở Thử nghiệm")
    office = DepartmentFactory(code="VP", name="Văn phòng Sở", parent=agency)
    clerk = UserFactory(
        username="thu",
        first_name="Thư",
        last_name="Lê Anh",
        department=office,
        roles=["staff"],
        language="en",
    )
    manager = UserFactory(
        username="huong",
        first_name="Hương",
        last_name="Trần Thị",
        department=agency,
        roles=["qms_manager"],
        language="en",
    )
    record_type = services.record_type_save(
        actor=manager,
        record_type=RecordType(
            code="BB-HOP",
            name="Biên bản họp giao ban",
            department=office,
            storage=Storage.PORTAL,
            retention_years=2,
            disposition=Disposition.DESTROY,
            access=Access.DEPARTMENT,
        ),
    )

    def old_record(title: str, when: date) -> Record:
        record = Record(
            record_type=record_type,
            title=title,
            reference=services.next_reference(record_type, when.year),
            record_date=when,
            department=office,
        )
        upload = SimpleUploadedFile("bien-ban-cu.pdf", PDF, content_type="application/pdf")
        return services.record_register(actor=clerk, record=record, uploads=[upload])

    expired = old_record("Biên bản họp giao ban tháng 3/2019", date(2019, 3, 4))
    held = old_record("Biên bản họp giao ban tháng 4/2019", date(2019, 4, 1))
    services.hold_set(actor=manager, target=held, held=True, reason="Thanh tra tỉnh 2026")
    return {
        "office": office,
        "clerk": clerk,
        "manager": manager,
        "type": record_type,
        "expired": expired,
        "held": held,
    }


# --- the flow -----------------------------------------------------------------------


def test_record_from_registration_to_disposal_certificate(open_as, cast, tmp_path):
    record_type, expired, held = cast["type"], cast["expired"], cast["held"]
    pdf_file = tmp_path / "bien-ban-hop-thang-6.pdf"
    pdf_file.write_bytes(PDF)
    title = "Biên bản họp giao ban tuần 23"
    record_date = timezone.localdate() - timedelta(days=3)

    # 1. The clerk registers a record with its file, and downloads the file back.
    clerk = open_as("thu")
    open_from_menu(clerk, "Records")
    expect(clerk.locator("h1")).to_have_text("Records")
    clerk.get_by_role("link", name="Register a record").click()
    expect(clerk).to_have_url(re.compile(r"/records/new/$"))
    clerk.locator("#id_record_type").select_option(label=str(record_type))
    clerk.locator("#id_title").fill(title)
    clerk.locator("#id_record_date").fill(record_date.isoformat())
    clerk.locator("#id_department").select_option(value=str(cast["office"].pk))
    clerk.locator("input[name=files]").set_input_files(str(pdf_file))
    clerk.get_by_test_id("register").click()

    expect(clerk).to_have_url(RECORD_URL)
    new = Record.objects.get(title=title)
    expected_reference = f"BB-HOP-{record_date.year}-0001"
    assert new.reference == expected_reference
    expect(success_message(clerk)).to_contain_text(f"The record {new.reference} is registered.")
    expect(clerk.locator("h1")).to_have_text(title)
    expect(clerk.get_by_test_id("record-status")).to_have_text("Kept")
    file_link = clerk.get_by_test_id("record-file")
    expect(file_link).to_have_count(1)
    expect(file_link).to_have_text("bien-ban-hop-thang-6.pdf")
    name, data = download(clerk, "record-file")
    assert name.endswith(".pdf"), name
    assert data == PDF

    # 2. The QMS manager runs the sweep: the expired record is listed, the held one is not.
    manager = open_as("huong")
    open_from_menu(manager, "Disposal")
    expect(manager).to_have_url(re.compile(r"/records/disposal/$"))
    expect(manager.locator(".page-header .subtitle")).to_contain_text(
        "1 record has reached the end of its retention"
    )
    manager.get_by_test_id("propose").click()
    expect(manager).to_have_url(BATCH_URL)
    expect(success_message(manager)).to_contain_text("lists the records whose retention has ended")
    expect(manager.get_by_test_id("batch-status")).to_have_text("Proposed")
    expect(manager.get_by_test_id(f"item-{expired.reference}")).to_contain_text(expired.title)
    expect(manager.get_by_test_id(f"item-{held.reference}")).to_have_count(0)
    expect(manager.get_by_test_id(f"item-{new.reference}")).to_have_count(0)
    batch = DisposalBatch.objects.get()
    assert list(batch.items.values_list("record__reference", flat=True)) == [expired.reference]

    # 3. A wrong password signs nothing; the right one approves and carries it out.
    approve_form = manager.get_by_test_id("approve-form")
    approve_form.locator("#id_password").fill("not-my-password")
    approve_form.get_by_test_id("approve").click()
    expect(manager.locator("#id_password_errors")).to_contain_text(
        "The password is not correct. Nothing was signed."
    )
    expect(manager.get_by_test_id("batch-status")).to_have_text("Proposed")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PROPOSED

    approve_form.locator("#id_password").fill(PASSWORD)
    approve_form.get_by_test_id("approve").click()
    expect(success_message(manager)).to_contain_text(
        "Disposal approved and carried out; the certificate is issued."
    )
    expect(manager.get_by_test_id("batch-status")).to_have_text("Approved and carried out")
    expect(manager.get_by_test_id("approve-form")).to_have_count(0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED

    # 4. The certificate names the disposed record and the signer, not the held record.
    name, data = download(manager, "certificate")
    assert name.endswith(".pdf"), name
    assert data.startswith(b"%PDF"), data[:20]
    text = pdf_text(data)
    # The narrow reference column may break "BB-HOP-2019-0001" after a hyphen: compare
    # references without the white space the text extraction puts at line breaks.
    compact = text.replace(" ", "")
    assert expired.reference in compact, text[:800]
    assert held.reference not in compact, text[:800]
    assert cast["manager"].get_full_name() in text, text[:800]

    # 5. The disposed record says so; the held record is still kept, under its hold.
    manager.goto(expired.get_absolute_url())
    expect(manager.get_by_test_id("record-status")).to_have_text("Disposed of")
    expect(manager.get_by_test_id("record-file")).to_have_count(0)  # "destroy": files gone
    manager.goto(held.get_absolute_url())
    expect(manager.get_by_test_id("record-status")).to_have_text("Kept")
    expect(manager.get_by_test_id("record-hold")).to_contain_text("Thanh tra tỉnh 2026")
    expired.refresh_from_db()
    held.refresh_from_db()
    assert expired.status == RecordStatus.DISPOSED
    assert held.status == RecordStatus.ACTIVE
