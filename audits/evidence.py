"""What an audit's evidence pack holds, as the exporting user sees it.

01-report: the signed report PDF(s); 02-findings and 03-checklist: XLSX and CSV;
04-documents: each referenced document's revision effective on the audit's first day
(or its current one when none was yet); 05-nonconformities: every raised nonconformity
with its analysis, actions, history and evidence files; 06-history: the audit's history.
Anything the user cannot see is left out, and never named.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, ChecklistItem
from documents.evidence import revision_folder, revision_source, revisions_in_force
from nonconformities.evidence import nonconformity_files
from qms import exports
from qms.attachments import attachments_by_parent, attachments_of
from qms.evidence import PackFile, from_attachment, register_pack_source, table_files

FINDING_COLUMNS = [
    exports.Column(_("Number"), lambda f: f"F{f.number:02d}"),
    exports.Column(_("Kind"), lambda f: f.get_kind_display()),
    exports.Column(_("Clause"), lambda f: f.clause.number if f.clause_id else ""),
    exports.Column(_("Department"), lambda f: f.department),
    exports.Column(_("Requirement"), lambda f: f.requirement),
    exports.Column(_("Evidence"), lambda f: f.evidence),
    exports.Column(_("Finding"), lambda f: f.statement),
    exports.Column(_("Nonconformity"), lambda f: f.nonconformity.number if f.nonconformity else ""),
    exports.Column(
        _("Withdrawn"),
        lambda f: (
            f"{timezone.localdate(f.withdrawn_at):%Y-%m-%d} {f.withdrawal_reason}"
            if f.withdrawn_at
            else ""
        ),
    ),
]
CHECKLIST_COLUMNS = [
    exports.Column(_("Number"), lambda i: i.position),
    exports.Column(_("Clause"), lambda i: i.clause.number if i.clause_id else ""),
    exports.Column(_("Department"), lambda i: i.department),
    exports.Column(_("Question"), lambda i: i.display_question),
    exports.Column(_("Result"), lambda i: i.get_result_display() if i.result else ""),
    exports.Column(_("Notes"), lambda i: i.notes),
    exports.Column(_("Evidence seen"), lambda i: i.evidence),
]
HISTORY_COLUMNS = [
    exports.Column(_("When"), lambda e: e.history_date),
    exports.Column(_("Who"), lambda e: e.history_user or ""),
    exports.Column(_("Reason"), lambda e: e.history_change_reason or ""),
    exports.Column(_("Status"), lambda e: e.get_status_display()),
]


def _referenced_documents(audit: Audit, user):
    from documents.models import Document

    referenced = set(audit.scope_procedures.values_list("pk", flat=True)) | set(
        audit.criteria_documents.values_list("pk", flat=True)
    )
    return Document.objects.visible_to(user).filter(pk__in=referenced)


def audit_pack_files(audit: Audit, user) -> Iterator[PackFile]:
    from nonconformities.models import Nonconformity

    source = f"audits.audit:{audit.pk} {audit.reference}"
    for attachment in attachments_of(audit):
        yield from_attachment("01-report", attachment, source)

    def findings():
        return audit.findings.select_related("clause", "department", "nonconformity").order_by(
            "number"
        )

    def checklist():
        return audit.checklist.select_related("clause", "department").order_by("position")

    yield from table_files("02-findings", "findings", source, findings, FINDING_COLUMNS)
    yield from table_files("03-checklist", "checklist", source, checklist, CHECKLIST_COLUMNS)
    positions = dict(audit.checklist.values_list("pk", "position"))
    for item_id, files in sorted(attachments_by_parent(ChecklistItem, positions).items()):
        for attachment in files:
            yield from_attachment(
                f"03-checklist/files/{positions[item_id]:03d}", attachment, source
            )
    for revision in revisions_in_force(_referenced_documents(audit, user), audit.start_date):
        yield from_attachment(
            f"04-documents/{revision_folder(revision)}", revision.file, revision_source(revision)
        )
    raised = Nonconformity.objects.visible_to(user).filter(
        pk__in=audit.findings.filter(nonconformity__isnull=False).values("nonconformity")
    )
    yield from nonconformity_files(raised.order_by("number"), "05-nonconformities")
    yield from table_files(
        "06-history",
        "audit-history",
        source,
        lambda: audit.history.select_related("history_user").order_by("history_date"),
        HISTORY_COLUMNS,
    )


register_pack_source(
    "audit", Audit, audit_pack_files, title=lambda audit: f"{audit.reference} {audit.title}"
)
