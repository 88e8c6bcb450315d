"""Evidence packs: a ZIP an auditor takes away, with a manifest that proves it whole.

An app registers a *source* once (``register_pack_source("audit", Audit, files, title)``):
``files(obj, user)`` lists the pack's files as that user sees them, without opening any.
A list page registers a *list source* (``register_list_pack_source``): the pack holds the
objects the page's filter selected when the user asked, as that user sees them.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import exports, security_log
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


@dataclass(frozen=True)
class ListPackSource:
    """A filtered list page (an ``ObjectListView``) whose selection can be packed."""

    view: str
    files: Callable[[models.QuerySet, object], Iterable[PackFile]]
    title: Callable[[], str]
    url_name: str

    @property
    def view_class(self):
        return import_string(self.view)

    @property
    def model(self) -> type[models.Model]:
        return self.view_class.model


SOURCES: dict[str, PackSource] = {}
LIST_SOURCES: dict[str, ListPackSource] = {}


def register_pack_source(
    name: str,
    model: type[models.Model],
    files: Callable[[models.Model, object], Iterable[PackFile]],
    title: Callable[[models.Model], str] = str,
) -> None:
    SOURCES[name] = PackSource(model=model, files=files, title=title)


def register_list_pack_source(
    name: str,
    view: str,
    files: Callable[[models.QuerySet, object], Iterable[PackFile]],
    title: Callable[[], str],
    url_name: str,
) -> None:
    """``view``: dotted path of the list view whose filters and visibility select the set;
    ``url_name``: that page, to reopen it with the pack's filter."""
    LIST_SOURCES[name] = ListPackSource(view=view, files=files, title=title, url_name=url_name)


def list_url(pack: EvidencePack) -> str:
    """The list page a list pack came from, with the filter it was made with."""
    if pack.object_id is not None or pack.source not in LIST_SOURCES:
        return ""
    url = reverse(LIST_SOURCES[pack.source].url_name)
    return f"{url}?{pack.query}" if pack.query else url


def table_files(folder: str, name: str, source: str, rows, columns) -> list[PackFile]:
    """The same table as XLSX and CSV (``rows`` is called when the pack is built)."""
    return [
        from_bytes(f"{folder}/{name}.xlsx", source, lambda: exports.xlsx_bytes(rows(), columns)),
        from_bytes(f"{folder}/{name}.csv", source, lambda: exports.csv_bytes(rows(), columns)),
    ]


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
    """Queue an object's pack; the export is written to the security log when asked for."""
    obj = _visible_source(source, object_id, actor)
    return _queue(
        EvidencePack(
            source=source,
            object_id=obj.pk,
            title=str(SOURCES[source].title(obj))[:300],
            requested_by=actor,
        ),
        actor=actor,
        request=request,
    )


def _list_view(source: str, user, query: str):
    """The list page as this user would open it with this filter (no HTTP involved)."""
    if source not in LIST_SOURCES:
        raise ValidationError(_("Unknown evidence source."))
    page_request = HttpRequest()
    page_request.user = user
    page_request.GET = QueryDict(query)
    view = LIST_SOURCES[source].view_class()
    view.setup(page_request)
    if not view.has_permission():
        raise PermissionDenied
    return view


def list_selection(source: str, user, query: str) -> models.QuerySet:
    """What the list page shows this user for this filter: its visibility, filters, order."""
    return _list_view(source, user, query).get_queryset()


def list_pack_request(*, actor, source: str, query: str = "", request=None) -> EvidencePack:
    """Queue a pack of a filtered list: the objects selected now, as ``actor`` sees them."""
    query = QueryDict(query).copy()
    for ignored in ("page", "export", "sort"):
        query.pop(ignored, None)
    query = query.urlencode()
    if len(query) > 1000:
        raise ValidationError(_("This filter is too long to keep with a pack; narrow it down."))
    ids = list(
        list_selection(source, actor, query).values_list("pk", flat=True)[
            : settings.QMS_EXPORT_MAX_ROWS + 1
        ]
    )
    if not ids:
        raise ValidationError(_("The filtered list is empty: there is nothing to pack."))
    if len(ids) > settings.QMS_EXPORT_MAX_ROWS:
        raise ValidationError(
            _("More than %(limit)s objects are selected; narrow the filter down.")
            % {"limit": settings.QMS_EXPORT_MAX_ROWS}
        )
    label = str(LIST_SOURCES[source].title())
    title = _("%(list)s: %(count)s selected on %(date)s") % {
        "list": label,
        "count": len(ids),
        "date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }
    return _queue(
        EvidencePack(
            source=source, query=query, object_ids=ids, title=title[:300], requested_by=actor
        ),
        actor=actor,
        request=request,
    )


def _queue(pack: EvidencePack, *, actor, request) -> EvidencePack:
    from qms.tasks import build_evidence_pack

    with transaction.atomic():
        pack = save_with_history(pack, actor=actor, reason=gettext_noop("Evidence pack requested"))
        where = (
            f"{pack.source}:{pack.object_id}" if pack.object_id else f"{pack.source}?{pack.query}"
        )
        security_log.record(
            SecurityEvent.Kind.EXPORT,
            actor=actor,
            request=request,
            target=f"{where} {pack.title}"[:300],
            details=(
                {"evidence_pack": pack.pk, "objects": len(pack.object_ids)}
                if pack.object_id is None
                else {"evidence_pack": pack.pk}
            ),
        )
        transaction.on_commit(lambda: build_evidence_pack.delay(pack.pk))
    return pack


def _still_visible(pack: EvidencePack, user) -> models.QuerySet:
    """A list pack's objects the user still sees (``visible_to`` of the list's model)."""
    model = LIST_SOURCES[pack.source].model
    return model.objects.visible_to(user).filter(pk__in=pack.object_ids)


def _pack_files(pack: EvidencePack, user) -> Iterator[PackFile]:
    if pack.object_id is not None:
        yield from SOURCES[pack.source].files(
            _visible_source(pack.source, pack.object_id, user), user
        )
        return
    # the list page's own rows and columns, limited to what was selected and is still seen
    view = _list_view(pack.source, user, "")
    selection = view.get_queryset().filter(pk__in=pack.object_ids)
    if view.export_columns:
        yield from table_files(
            "00-list",
            view.export_name,
            f"{pack.source}?{pack.query}",
            lambda: selection,
            view.export_columns,
        )
    yield from LIST_SOURCES[pack.source].files(selection, user)


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
    if pack.object_id is None:
        # what is packed is what the user still sees now; the download checks these again
        pack.object_ids = list(_still_visible(pack, user).values_list("pk", flat=True))
    seen: set[str] = set(OWN_FILES)
    files = []
    for item in _pack_files(pack, user):
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
                "source": (
                    f"{pack.source}:{pack.object_id}"
                    if pack.object_id is not None
                    else f"{pack.source}?{pack.query}"
                ),
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
    pack.refresh_from_db(fields=["files_done"])
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
    if pack.object_id is not None:
        _visible_source(pack.source, pack.object_id, user)
    elif pack.source not in LIST_SOURCES or _still_visible(pack, user).count() != len(
        pack.object_ids
    ):
        raise PermissionDenied
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
