"""What an audit's evidence pack holds, as the exporting user sees it.

01-report: the signed report PDF(s); 02-findings and 03-checklist: XLSX and CSV;
04-documents: each referenced document's revision effective on the audit's first day
(or its current one when none was yet); 05-nonconformities: every raised nonconformity
with its analysis, actions, history and evidence files; 06-history: the audit's history.
Anything the user cannot see is left out, and never named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, ChecklistItem
from qms import exports
from qms.attachments import attachments_by_parent, attachments_of
from qms.evidence import PackFile, from_attachment, from_bytes, register_pack_source

FINDING_COLUMNS = [
    exports.Column(_("Number"), lambda f: f"F{f.number:02d}"),
    exports.Column(_("Kind"), lambda f: f.get_kind_display()),
    exports.Column(_("Clause"), lambda f: f.clause.number if f.clause_id else ""),
    exports.Column(_("Department"), lambda f: f.department),
    exports.Column(_("Requirement"), lambda f: f.requirement),
    exports.Column(_("Evidence"), lambda f: f.evidence),
    exports.Column(_("Finding"), lambda f: f.statement),
    exports.Column(_("Nonconformity"), lambda f: f.nonconformity.number if f.nonconformity else ""),
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


def _table(folder: str, name: str, source: str, rows, columns) -> list[PackFile]:
    return [
        from_bytes(f"{folder}/{name}.xlsx", source, lambda: exports.xlsx_bytes(rows(), columns)),
        from_bytes(f"{folder}/{name}.csv", source, lambda: exports.csv_bytes(rows(), columns)),
    ]


def _effective_revisions(audit: Audit, user):
    from documents.models import Document, Revision

    referenced = set(audit.scope_procedures.values_list("pk", flat=True)) | set(
        audit.criteria_documents.values_list("pk", flat=True)
    )
    documents = Document.objects.visible_to(user).filter(pk__in=referenced)
    on_the_day = {
        revision.document_id: revision
        for revision in Revision.objects.filter(
            document__in=documents, effective_date__lte=audit.start_date
        )
        .filter(Q(superseded_date__isnull=True) | Q(superseded_date__gt=audit.start_date))
        .select_related("document", "file")
    }
    for document in documents.select_related("effective_revision__file").order_by("code"):
        revision = on_the_day.get(document.pk) or document.effective_revision
        if revision is not None and revision.file_id:
            revision.document = document
            yield revision


def _nonconformity_json(nc) -> bytes:
    actions = [
        {
            "number": action.number,
            "title": action.title,
            "owner": str(action.owner) if action.owner_id else "",
            "due_date": action.due_date.isoformat() if action.due_date else None,
            "status": action.get_status_display(),
            "completed_at": action.completed_at.isoformat() if action.completed_at else None,
        }
        for action in nc.actions.select_related("owner").order_by("number")
    ]
    history = [
        {
            "when": row.history_date.isoformat(),
            "who": str(row.history_user or ""),
            "reason": row.history_change_reason or "",
            "status": row.get_status_display(),
        }
        for row in nc.history.select_related("history_user").order_by("history_date")
    ]
    data = {
        "number": nc.number,
        "title": nc.title,
        "description": nc.description,
        "department": str(nc.department),
        "status": nc.get_status_display(),
        "severity": nc.get_severity_display() if nc.severity else "",
        "correction": nc.correction,
        "five_whys": nc.five_whys,
        "fishbone": nc.fishbone,
        "root_cause": nc.root_cause,
        "actions": actions,
        "history": history,
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


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

    yield from _table("02-findings", "findings", source, findings, FINDING_COLUMNS)
    yield from _table("03-checklist", "checklist", source, checklist, CHECKLIST_COLUMNS)
    positions = dict(audit.checklist.values_list("pk", "position"))
    for item_id, files in sorted(attachments_by_parent(ChecklistItem, positions).items()):
        for attachment in files:
            yield from_attachment(
                f"03-checklist/files/{positions[item_id]:03d}", attachment, source
            )
    for revision in _effective_revisions(audit, user):
        document = revision.document
        yield from_attachment(
            f"04-documents/{document.code} rev {revision.number:02d}",
            revision.file,
            f"documents.revision:{revision.pk} {document.code} rev {revision.number:02d}",
        )
    raised = Nonconformity.objects.visible_to(user).filter(
        pk__in=audit.findings.filter(nonconformity__isnull=False).values("nonconformity")
    )
    for nc in raised.select_related("department").order_by("number"):
        nc_source = f"nonconformities.nonconformity:{nc.pk} {nc.number}"
        folder = f"05-nonconformities/{nc.number}"
        yield from_bytes(
            f"{folder}/{nc.number}.json", nc_source, lambda nc=nc: _nonconformity_json(nc)
        )
        for attachment in attachments_of(nc):
            yield from_attachment(f"{folder}/files", attachment, nc_source)
        for action in nc.actions.all():
            for attachment in attachments_of(action):
                yield from_attachment(
                    f"{folder}/actions/{action.number}", attachment, f"{nc_source} {action.number}"
                )
    yield from _table(
        "06-history",
        "audit-history",
        source,
        lambda: audit.history.select_related("history_user").order_by("history_date"),
        HISTORY_COLUMNS,
    )


register_pack_source(
    "audit", Audit, audit_pack_files, title=lambda audit: f"{audit.reference} {audit.title}"
)
