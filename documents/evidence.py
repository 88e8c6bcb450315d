"""Documents in evidence packs, as the exporting user may see them.

A pack of a filtered register holds, besides the register itself: every revision the user
may see with its file's SHA-256 (01-revisions), the e-signatures on them (02-signatures),
the files of the controlled versions — effective, superseded, obsolete; drafts stay out of
evidence — (03-files) and the documents' history (04-history). An audit's pack takes the
revision of each referenced document that was in force on the audit's first day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from documents.choices import RevisionStatus
from documents.models import Document, Revision
from qms import exports
from qms.evidence import PackFile, from_attachment, register_list_pack_source, table_files
from qms.models import Signature

CONTROLLED = [RevisionStatus.EFFECTIVE, RevisionStatus.SUPERSEDED, RevisionStatus.OBSOLETE]

REVISION_COLUMNS = [
    exports.Column(_("Code"), lambda r: r.document.code),
    exports.Column(_("Revision"), lambda r: r.number),
    exports.Column(_("Status"), lambda r: r.get_status_display()),
    exports.Column(_("Effective date"), lambda r: r.effective_date),
    exports.Column(_("Superseded on"), lambda r: r.superseded_date),
    exports.Column(_("Approved at"), lambda r: r.approved_at),
    exports.Column(_("Summary of changes"), lambda r: r.change_summary),
    exports.Column(_("File name"), lambda r: r.file.original_name if r.file_id else ""),
    exports.Column(_("SHA-256"), lambda r: r.file.sha256 if r.file_id else ""),
]
SIGNATURE_COLUMNS = [
    exports.Column(_("What was signed"), lambda s: s.content_label),
    exports.Column(_("Signed by"), lambda s: s.signer_name),
    exports.Column(_("Job title"), lambda s: s.signer_title),
    exports.Column(_("Meaning"), lambda s: s.get_meaning_display()),
    exports.Column(_("Signed at"), lambda s: s.signed_at),
    exports.Column(_("SHA-256 of the signed content"), lambda s: s.content_sha256),
    exports.Column(_("Comment"), lambda s: s.comment),
]
HISTORY_COLUMNS = [
    exports.Column(_("When"), lambda e: e.history_date),
    exports.Column(_("Who"), lambda e: e.history_user or ""),
    exports.Column(_("Code"), lambda e: e.code),
    exports.Column(_("Title"), lambda e: e.title),
    exports.Column(_("Status"), lambda e: e.get_status_display()),
    exports.Column(_("Reason"), lambda e: e.history_change_reason or ""),
]


def revision_folder(revision: Revision) -> str:
    return f"{revision.document.code} rev {revision.number:02d}"


def revision_source(revision: Revision) -> str:
    return f"documents.revision:{revision.pk} {revision_folder(revision)}"


def revisions_in_force(documents: QuerySet, day: date) -> Iterator[Revision]:
    """Per document, the revision effective on ``day`` (its current one if none was yet)."""
    on_the_day = {
        revision.document_id: revision
        for revision in Revision.objects.filter(document__in=documents, effective_date__lte=day)
        .filter(Q(superseded_date__isnull=True) | Q(superseded_date__gt=day))
        .select_related("file")
    }
    for document in documents.select_related("effective_revision__file").order_by("code"):
        revision = on_the_day.get(document.pk) or document.effective_revision
        if revision is not None and revision.file_id:
            revision.document = document
            yield revision


def list_pack_files(selection: QuerySet, user) -> Iterator[PackFile]:
    documents = Document.objects.filter(pk__in=selection.values("pk"))
    source = "documents.document"

    def revisions():
        return (
            Revision.objects.visible_to(user)
            .filter(document__in=documents)
            .select_related("document", "file")
            .order_by("document__code", "number")
        )

    def signatures():
        return Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(Revision),
            object_id__in=revisions().values("pk"),
        ).order_by("content_label", "signed_at")

    def history():
        return (
            Document.history.filter(id__in=documents.values("pk"))
            .select_related("history_user")
            .order_by("code", "history_date", "history_id")
        )

    yield from table_files("01-revisions", "revisions", source, revisions, REVISION_COLUMNS)
    yield from table_files("02-signatures", "signatures", source, signatures, SIGNATURE_COLUMNS)
    for revision in revisions().filter(status__in=CONTROLLED, file__isnull=False):
        yield from_attachment(
            f"03-files/{revision_folder(revision)}", revision.file, revision_source(revision)
        )
    yield from table_files("04-history", "document-history", source, history, HISTORY_COLUMNS)


register_list_pack_source(
    "documents",
    "documents.views.DocumentListView",
    list_pack_files,
    title=lambda: _("Document register"),
    url_name="documents:document_list",
)
