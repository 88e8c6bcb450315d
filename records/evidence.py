"""Records in evidence packs: a filtered register with each record's files and history."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qms import exports
from qms.attachments import attachments_by_parent
from qms.evidence import PackFile, from_attachment, register_list_pack_source, table_files
from records.models import Record

HISTORY_COLUMNS = [
    exports.Column(_("When"), lambda e: e.history_date),
    exports.Column(_("Who"), lambda e: e.history_user or ""),
    exports.Column(_("Reference number"), lambda e: e.reference),
    exports.Column(_("Title"), lambda e: e.title),
    exports.Column(_("Status"), lambda e: e.get_status_display()),
    exports.Column(_("Legal hold"), lambda e: e.legal_hold),
    exports.Column(_("Reason"), lambda e: e.history_change_reason or ""),
]


def record_folder(record: Record) -> str:
    return f"01-records/{record.reference or record.pk}"


def list_pack_files(selection: QuerySet, user) -> Iterator[PackFile]:
    records = list(selection.order_by("reference", "pk"))
    files = attachments_by_parent(Record, [record.pk for record in records])
    for record in records:
        source = f"records.record:{record.pk} {record.reference}"
        for attachment in files.get(record.pk, []):
            yield from_attachment(record_folder(record), attachment, source)
    yield from table_files(
        "02-history",
        "record-history",
        "records.record",
        lambda: (
            Record.history.filter(id__in=[record.pk for record in records])
            .select_related("history_user")
            .order_by("reference", "history_date", "history_id")
        ),
        HISTORY_COLUMNS,
    )


register_list_pack_source(
    "records",
    "records.views.RecordListView",
    list_pack_files,
    title=lambda: _("Records"),
    url_name="records:record_list",
)
