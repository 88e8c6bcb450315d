"""The one upload path: validation by content, safe storage, checked downloads.

A module makes a model attachable with ``register_attachable(Model, can_upload=...)``;
downloads are allowed to whoever can see the parent through ``visible_to``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms.history import save_with_history
from qms.models import Attachment
from qms.prepared import one_plan_fits


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
PNG = FileType("image/png", ".png", "PNG")
JPEG = FileType("image/jpeg", ".jpg", "JPEG")
GIF = FileType("image/gif", ".gif", "GIF")
WEBP = FileType("image/webp", ".webp", "WebP")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel"
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "PowerPoint",
)
ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument")
ODP = FileType("application/vnd.oasis.opendocument.presentation", ".odp", "OpenDocument")
DOC = FileType("application/msword", ".doc", "Word 97-2003")
XLS = FileType("application/vnd.ms-excel", ".xls", "Excel 97-2003")
PPT = FileType("application/vnd.ms-powerpoint", ".ppt", "PowerPoint 97-2003")
TEXT = FileType("text/plain", ".txt", "Text")
CSV = FileType("text/csv", ".csv", "CSV")

ALLOWED_TYPES = (
    PDF,
    PNG,
    JPEG,
    GIF,
    WEBP,
    DOCX,
    XLSX,
    PPTX,
    ODT,
    ODS,
    ODP,
    DOC,
    XLS,
    PPT,
    TEXT,
    CSV,
)
_LEGACY_OFFICE = {".doc": DOC, ".xls": XLS, ".ppt": PPT}
_OPENDOCUMENT = {t.mime: t for t in (ODT, ODS, ODP)}
_MARKUP_START = re.compile(rb"^\s*<(\?xml|!doctype|html|svg|script|body|head|iframe)", re.I)
_SNIFF_BYTES = 64 * 1024
_TEXT_EXTENSIONS = ("", ".txt", ".csv", ".log", ".md", ".tsv")


def _sniff_zip(upload: UploadedFile) -> FileType | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return _OPENDOCUMENT.get(declared)
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
                if any(n.startswith("ppt/") for n in names):
                    return PPTX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _sniff_text(head: bytes, name: str) -> FileType | None:
    if b"\x00" in head:
        return None
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(sample) - 4:
            return None
    if _MARKUP_START.match(sample):
        return None
    # Text is only text when its name says so: "report.pdf" that is really text is refused.
    extension = _extension(name)
    if extension not in _TEXT_EXTENSIONS:
        return None
    return CSV if extension == ".csv" else TEXT


def detect_type(upload: UploadedFile) -> FileType | None:
    """The file's type judged by its content (its name only picks among look-alikes)."""
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    name = upload.name or ""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Old Office files share their container with installers: only the three
        # document extensions are accepted, and the download keeps that extension.
        return _LEGACY_OFFICE.get(_extension(name))
    return _sniff_text(head, name)


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def safe_file_name(name: str) -> str:
    """A display name without paths or control characters; Vietnamese and Chinese stay."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name).strip(" .")
    return name[:200] or "file"


def download_name(attachment: Attachment) -> str:
    """The original name with the extension of the type actually detected."""
    stem = attachment.original_name
    known = next((t for t in ALLOWED_TYPES if t.mime == attachment.mime_type), None)
    if known is None:
        return stem
    if _extension(stem) == known.extension or (
        known is JPEG and _extension(stem) in (".jpeg", ".jpg")
    ):
        return stem
    dot = stem.rfind(".")
    return (stem[:dot] if dot > 0 else stem) + known.extension


def max_upload_bytes() -> int:
    return settings.QMS_MAX_UPLOAD_MB * 1024 * 1024


def allowed_types_text() -> str:
    return "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, TXT, CSV"


def validate_upload(upload: UploadedFile) -> FileType:
    """Raise a ValidationError the uploader understands, or return the detected type."""
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": settings.QMS_MAX_UPLOAD_MB,
            },
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    file_type = detect_type(upload)
    if file_type is None:
        raise ValidationError(
            _(
                "This kind of file is not accepted (its content was checked, not its name). "
                "Accepted: %(types)s."
            ),
            code="type",
            params={"types": allowed_types_text()},
        )
    return file_type


@dataclass(frozen=True)
class _Attachable:
    can_upload: Callable[[object, models.Model], bool]


_ATTACHABLE: dict[type[models.Model], _Attachable] = {}


def register_attachable(
    model: type[models.Model], *, can_upload: Callable[[object, models.Model], bool]
) -> None:
    _ATTACHABLE[model] = _Attachable(can_upload=can_upload)


def is_attachable(model: type[models.Model]) -> bool:
    return model in _ATTACHABLE


def attachable_models() -> list[type[models.Model]]:
    return list(_ATTACHABLE)


def can_upload(user, parent: models.Model) -> bool:
    entry = _ATTACHABLE.get(type(parent))
    return bool(entry and user.is_authenticated and entry.can_upload(user, parent))


def attachments_of(parent: models.Model):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(parent),
        object_id=parent.pk,
        removed_at__isnull=True,
    ).select_related("uploaded_by")


def attachments_by_parent(model: type[models.Model], ids) -> dict[int, list[Attachment]]:
    """The current files of many objects of one model in one query, oldest first."""
    return {pk: files for (_model, pk), files in attachments_grouped({model: ids}).items()}


def attachments_grouped(
    parents: dict[type[models.Model], Iterable[int]],
) -> dict[tuple[type[models.Model], int], list[Attachment]]:
    """The current files of objects of several models in one query, oldest first, keyed
    by (model, id): a page showing an object and its parts reads all their files at once."""
    types = {ContentType.objects.get_for_model(model).pk: model for model in parents}
    wanted = Q(pk__in=[])
    for content_type, model in types.items():
        ids = list(parents[model])
        if ids:
            wanted |= Q(content_type_id=content_type, object_id__any_of=ids)
    grouped: dict[tuple[type[models.Model], int], list[Attachment]] = {}
    if wanted == Q(pk__in=[]):
        return grouped
    # who uploaded each file is not shown where files are grouped (a page's parts, an
    # evidence pack): no join for it
    with one_plan_fits():
        files = list(
            Attachment.objects.filter(wanted, removed_at__isnull=True).order_by("uploaded_at", "pk")
        )
    for attachment in files:
        key = (types[attachment.content_type_id], attachment.object_id)
        grouped.setdefault(key, []).append(attachment)
    return grouped


def attachment_create(
    *, parent: models.Model, upload: UploadedFile, actor, description: str = ""
) -> Attachment:
    """Validate and store an upload under a generated name, hashing it on the way."""
    if not can_upload(actor, parent):
        raise PermissionError("not allowed to attach files here")
    return attachment_store(parent=parent, upload=upload, actor=actor, description=description)


def attachment_store(
    *, parent: models.Model, upload: UploadedFile, actor, description: str = ""
) -> Attachment:
    """The same, for a module's service that has already decided the actor may attach
    (records accept files only when registered or corrected, never through the generic
    upload page)."""
    file_type = validate_upload(upload)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    now = timezone.now()
    stored_name = f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{file_type.extension}"
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(parent),
        object_id=parent.pk,
        original_name=safe_file_name(upload.name or ""),
        description=description[:300],
        size=size,
        sha256=digest.hexdigest(),
        mime_type=file_type.mime,
        uploaded_by=actor,
    )
    attachment.file.save(stored_name, upload, save=False)
    try:
        with transaction.atomic():
            save_with_history(attachment, actor=actor, reason=gettext_noop("File attached"))
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_destroy(*, attachment: Attachment, actor, reason: str) -> Attachment:
    """Delete the stored file itself (a record's approved disposal by destruction); the
    metadata — name, size, SHA-256, who uploaded it — stays as evidence."""
    attachment.file.delete(save=False)
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor
    return save_with_history(attachment, actor=actor, reason=reason)


def attachment_remove(*, attachment: Attachment, actor, reason: str) -> Attachment:
    """Hide an attachment; the file and its metadata stay for history and audits."""
    parent = attachment.parent
    if not can_upload(actor, parent):
        raise PermissionError("not allowed to remove files here")
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor
    return save_with_history(attachment, actor=actor, reason=reason or gettext_noop("File removed"))


def parent_is_visible(attachment: Attachment, user) -> bool:
    model = attachment.content_type.model_class()
    if model is None or not is_attachable(model):
        return False
    return model.objects.visible_to(user).filter(pk=attachment.object_id).exists()
