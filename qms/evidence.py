"""Evidence packs: a ZIP an auditor takes away, with a manifest that proves it whole.

An app registers a *source* once (``register_pack_source("audit", Audit, files, title)``):
``files(obj, user)`` lists the pack's files as that user sees them, without opening any.
The Celery task streams every file into the ZIP while hashing it — never more than one
chunk in memory, so packs of thousands of files and gigabytes build on a small worker —
then adds ``manifest.json`` (path, SHA-256, size and source of every file) and a
human-readable ``index.html``. Files are *stored*, not compressed: evidence is mostly PDFs
and images that do not shrink, and storing keeps the build at disk speed.

``verify_pack`` checks a ZIP against its own manifest (used by the ``verify_pack``
command and the verification page).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import security_log
from qms.attachments import safe_file_name
from qms.history import save_with_history
from qms.models import Attachment, EvidencePack, SecurityEvent

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
FORMAT = "qms-evidence-pack/1"
OWN_FILES = ("manifest.json", "index.html")
PROGRESS_EVERY_SECONDS = 1.0


@dataclass(frozen=True)
class PackFile:
    path: str
    source: str
    opener: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class PackSource:
    model: type[models.Model]
    files: Callable[[models.Model, object], Iterable[PackFile]]
    title: Callable[[models.Model], str]


SOURCES: dict[str, PackSource] = {}


def register_pack_source(
    name: str,
    model: type[models.Model],
    files: Callable[[models.Model, object], Iterable[PackFile]],
    title: Callable[[models.Model], str] = str,
) -> None:
    SOURCES[name] = PackSource(model=model, files=files, title=title)


def pack_path(path: str) -> str:
    """A path inside the ZIP: no absolute paths, no ``..``, no control characters."""
    parts = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", ".", ".."):
            continue
        parts.append(safe_file_name(part))
    return "/".join(parts) or "file"


def from_bytes(path: str, source: str, content: Callable[[], bytes]) -> PackFile:
    """A file generated when the pack is built (XLSX, CSV, JSON)."""
    import io

    return PackFile(path=path, source=source, opener=lambda: io.BytesIO(content()))


def from_attachment(folder: str, attachment: Attachment, source: str) -> PackFile:
    name = f"{folder}/{attachment.pk}-{safe_file_name(attachment.original_name)}"
    return PackFile(
        path=name,
        source=source,
        opener=lambda: default_storage.open(attachment.file.name, "rb"),
    )


# --- Requesting and building ---------------------------------------------------------


def _visible_source(source: str, object_id: int, user) -> models.Model:
    if source not in SOURCES:
        raise ValidationError(_("Unknown evidence source."))
    try:
        return SOURCES[source].model.objects.visible_to(user).get(pk=object_id)
    except SOURCES[source].model.DoesNotExist as exc:
        raise PermissionDenied from exc


def pack_request(*, actor, source: str, object_id: int, request=None) -> EvidencePack:
    """Queue a pack; the export is written to the security log when it is asked for."""
    obj = _visible_source(source, object_id, actor)
    from qms.tasks import build_evidence_pack

    with transaction.atomic():
        pack = save_with_history(
            EvidencePack(
                source=source,
                object_id=obj.pk,
                title=str(SOURCES[source].title(obj))[:300],
                requested_by=actor,
            ),
            actor=actor,
            reason=gettext_noop("Evidence pack requested"),
        )
        security_log.record(
            SecurityEvent.Kind.EXPORT,
            actor=actor,
            request=request,
            target=f"{source}:{obj.pk} {pack.title}"[:300],
            details={"evidence_pack": pack.pk},
        )
        transaction.on_commit(lambda: build_evidence_pack.delay(pack.pk))
    return pack


def _unique(paths_seen: set[str], path: str) -> str:
    if path not in paths_seen:
        return path
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = path, ""
    number = 2
    while True:
        candidate = f"{stem}-{number}.{ext}" if ext else f"{stem}-{number}"
        if candidate not in paths_seen:
            return candidate
        number += 1


@dataclass
class _Progress:
    pack_id: int
    done: int = 0
    last: float = field(default_factory=time.monotonic)

    def step(self) -> None:
        self.done += 1
        if time.monotonic() - self.last >= PROGRESS_EVERY_SECONDS:
            # a counter for the progress bar, not a change of the pack: history-free
            EvidencePack.objects.filter(pk=self.pack_id).update(files_done=self.done)
            self.last = time.monotonic()


class _HashingWriter:
    """Writes the ZIP once, hashing as it goes: no second pass over gigabytes.

    It refuses ``seek``, so ``zipfile`` writes each entry's sizes after its data (a data
    descriptor) instead of going back to patch the header.
    """

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.position = 0

    def write(self, data) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def seek(self, *args) -> int:
        raise OSError("not seekable")

    def flush(self) -> None:
        self.handle.flush()


class _BuiltFile(File):
    """The finished ZIP on local disk: file storage moves it into place, not copies it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def pack_build(pack_id: int) -> EvidencePack:
    """Build the ZIP (run by the Celery task). A failure is kept on the pack, not lost."""
    pack = EvidencePack.objects.select_related("requested_by").get(pk=pack_id)
    if pack.status == EvidencePack.Status.READY:
        return pack
    user = pack.requested_by
    with translation.override(user.language or None):
        try:
            return _build(pack, user)
        except Exception as exc:  # noqa: BLE001  (kept on the pack for the requester to see)
            logger.exception("Evidence pack %s failed", pack.pk)
            pack.refresh_from_db()
            pack.status = EvidencePack.Status.FAILED
            pack.error = str(exc)[:2000] or exc.__class__.__name__
            pack.finished_at = timezone.now()
            return save_with_history(pack, reason=gettext_noop("Evidence pack failed"))


def _build(pack: EvidencePack, user) -> EvidencePack:
    obj = _visible_source(pack.source, pack.object_id, user)
    seen: set[str] = set(OWN_FILES)
    files = []
    for item in SOURCES[pack.source].files(obj, user):
        path = _unique(seen, pack_path(item.path))
        seen.add(path)
        files.append(PackFile(path=path, source=item.source, opener=item.opener))
    pack.status = EvidencePack.Status.BUILDING
    pack.files_total = len(files) + len(OWN_FILES)
    save_with_history(pack, reason=gettext_noop("Evidence pack building"))

    progress = _Progress(pack.pk)
    entries = []
    handle, temp_path = tempfile.mkstemp(suffix=".zip")
    try:
        stamp = timezone.localtime().timetuple()[:6]
        with (
            os.fdopen(handle, "wb") as raw,
            zipfile.ZipFile(
                writer := _HashingWriter(raw), "w", zipfile.ZIP_STORED, allowZip64=True
            ) as archive,
        ):
            for item in files:
                digest, size = hashlib.sha256(), 0
                info = zipfile.ZipInfo(item.path, date_time=stamp)
                with item.opener() as source, archive.open(info, "w", force_zip64=True) as out:
                    for chunk in iter(lambda source=source: source.read(CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                entries.append(
                    {
                        "path": item.path,
                        "sha256": digest.hexdigest(),
                        "size": size,
                        "source": item.source,
                    }
                )
                progress.step()
            manifest = {
                "format": FORMAT,
                "title": pack.title,
                "source": f"{pack.source}:{pack.object_id}",
                "requested_by": user.get_username(),
                "created_at": timezone.now().isoformat(),
                "files": entries,
            }
            archive.writestr(
                zipfile.ZipInfo("manifest.json", date_time=stamp),
                json.dumps(manifest, ensure_ascii=False, indent=2),
            )
            archive.writestr(
                zipfile.ZipInfo("index.html", date_time=stamp),
                render_to_string(
                    "qms/evidence_index.html",
                    {"pack": pack, "manifest": manifest, "total": sum(e["size"] for e in entries)},
                ),
            )
        size, sha256 = writer.position, writer.digest.hexdigest()
        with open(temp_path, "rb") as built:
            name = default_storage.save(f"packs/{uuid.uuid4().hex}.zip", _BuiltFile(built))
    finally:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
    pack.refresh_from_db()
    pack.status = EvidencePack.Status.READY
    pack.files_done = pack.files_total
    pack.storage_name = name
    pack.size = size
    pack.sha256 = sha256
    pack.finished_at = timezone.now()
    return save_with_history(pack, reason=gettext_noop("Evidence pack built"))


def pack_open(*, pack: EvidencePack, user) -> IO[bytes]:
    """The download checks again that the requester still sees the pack's source."""
    if pack.requested_by_id != user.pk or pack.status != EvidencePack.Status.READY:
        raise PermissionDenied
    _visible_source(pack.source, pack.object_id, user)
    return default_storage.open(pack.storage_name, "rb")


# --- Verification --------------------------------------------------------------------


@dataclass
class PackReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    title: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(stream: IO[bytes]) -> PackReport:
    """Every file listed with the right SHA-256 and size, nothing added, no unsafe path."""
    report = PackReport()
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        report.problems.append(_("This is not a ZIP file."))
        return report
    with archive:
        names = set(archive.namelist())
        try:
            manifest = json.loads(archive.read("manifest.json"))
            listed = {entry["path"]: entry for entry in manifest["files"]}
        except (KeyError, ValueError, TypeError):
            report.problems.append(_("The pack has no readable manifest.json."))
            return report
        report.title = str(manifest.get("title", ""))
        for name in sorted(names):
            if pack_path(name) != name:
                report.problems.append(_("Unsafe path in the pack: %(path)s") % {"path": name})
        for path, entry in listed.items():
            if path not in names:
                report.problems.append(_("Missing: %(path)s") % {"path": path})
                continue
            digest, size = hashlib.sha256(), 0
            with archive.open(path) as handle:
                for chunk in iter(lambda handle=handle: handle.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
            report.checked += 1
            if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
                report.problems.append(_("Changed since it was packed: %(path)s") % {"path": path})
        for extra in sorted(names - set(listed) - set(OWN_FILES)):
            report.problems.append(_("Not in the manifest: %(path)s") % {"path": extra})
    return report
