"""Uploads are judged by their content, stored under generated names, served as downloads."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from qms.attachments import download_name, safe_file_name
from qms.models import Attachment, Department

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _upload_url(department):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Department)
    return reverse("qms:attachment_upload", args=[ct.pk, department.pk])


def _upload(client, department, name, content, content_type="application/octet-stream"):
    return client.post(
        _upload_url(department),
        {"file": SimpleUploadedFile(name, content, content_type=content_type), "description": ""},
        follow=True,
    )


def test_a_pdf_is_stored_with_hash_and_generated_name(client, admin_user, org):
    client.force_login(admin_user)
    response = _upload(client, org["a"], "Quyết định thành lập.pdf", PDF_BYTES)
    assert "The file was attached." in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Quyết định thành lập.pdf"
    assert attachment.mime_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.size == len(PDF_BYTES)
    assert attachment.file.name.startswith("attachments/")
    assert "Quyết" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert attachment.history.count() == 1


def test_office_document_is_recognised_by_its_content(client, admin_user, org):
    client.force_login(admin_user)
    _upload(client, org["a"], "chuc-nang.docx", _docx_bytes())
    assert Attachment.objects.get().mime_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a Windows program"),
        ("notes.txt", b"<html><script>alert(1)</script></html>"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("archive.docx", b"PK\x03\x04 not really a zip"),
        ("setup.doc", b"\x00\x01\x02\x03binary"),
    ],
)
def test_disguised_files_are_refused_and_nothing_is_stored(client, admin_user, org, name, content):
    client.force_login(admin_user)
    response = _upload(client, org["a"], name, content)
    assert "This kind of file is not accepted" in response.content.decode()
    assert Attachment.objects.count() == 0


@override_settings(QMS_MAX_UPLOAD_MB=1)
def test_oversized_file_is_refused_with_the_limit_in_the_message(client, admin_user, org):
    client.force_login(admin_user)
    big = PDF_BYTES + b"0" * (1024 * 1024 + 10)
    response = _upload(client, org["a"], "big.pdf", big)
    assert "the limit is 1 MB" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_error_message_is_in_the_users_language(client, admin_user, org):
    admin_user.language = "vi"
    admin_user.save()
    client.force_login(admin_user)
    response = _upload(client, org["a"], "x.pdf", b"MZ not a pdf")
    english = "This kind of file is not accepted"
    with translation.override("vi"):
        vietnamese = gettext(
            "This kind of file is not accepted (its content was checked, not its name). Accepted: %(types)s."
        )
    assert vietnamese.split("(")[0].strip() != english
    assert vietnamese.split("(")[0].strip() in response.content.decode()
    assert english not in response.content.decode()
    assert Attachment.objects.count() == 0


def test_download_is_an_attachment_with_nosniff_and_sandbox(client, admin_user, org):
    client.force_login(admin_user)
    _upload(client, org["a"], "notes.txt", "Ghi chú họp giao ban\n".encode())
    attachment = Attachment.objects.get()
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == "Ghi chú họp giao ban\n".encode()


def test_download_outside_scope_is_404_like_a_missing_file(client, org, role_users):
    from tests.factories import UserFactory

    admin = role_users["administrator"]
    client.force_login(admin)
    _upload(client, org["b"], "b.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    outsider = UserFactory(department=org["a"], roles=["staff"])
    insider = UserFactory(department=org["b"], roles=["staff"])
    client.force_login(outsider)
    assert client.get(attachment.get_absolute_url()).status_code == 404
    missing = reverse("qms:attachment_download", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(missing).status_code == 404
    client.force_login(insider)
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_upload_by_someone_without_the_right_changes_nothing(client, org, role_users):
    client.force_login(role_users["staff"])
    response = _upload(client, org["a"], "x.pdf", PDF_BYTES)
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


def test_unsafe_names_are_cleaned():
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\x\\báo cáo.pdf") == "báo cáo.pdf"
    assert safe_file_name('a<b>:"c|?*.txt') == "a_b___c___.txt"
    assert safe_file_name("\x00\x1f") == "file"
    assert safe_file_name("文件 报告.pdf") == "文件 报告.pdf"


def test_download_name_follows_the_detected_type():
    attachment = Attachment(original_name="evil.exe", mime_type="application/pdf")
    assert download_name(attachment) == "evil.pdf"
    attachment = Attachment(original_name="ảnh.jpeg", mime_type="image/jpeg")
    assert download_name(attachment) == "ảnh.jpeg"


def test_removing_hides_the_file_but_keeps_it(client, admin_user, org, role_users):
    client.force_login(admin_user)
    _upload(client, org["a"], "a.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    client.force_login(role_users["staff"])
    assert client.post(reverse("qms:attachment_remove", args=[attachment.uuid])).status_code == 404
    client.force_login(admin_user)
    client.post(reverse("qms:attachment_remove", args=[attachment.uuid]))
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and attachment.removed_by == admin_user
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert attachment.history.count() == 2
    assert attachment.file.storage.exists(attachment.file.name)
