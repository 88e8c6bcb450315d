"""Nonconformities in evidence packs: each with its analysis, actions, history and files.

Used by the nonconformity list's pack (any filtered set) and by an audit's pack (the
nonconformities it raised). Everything is read in a handful of queries whatever the number
of nonconformities: actions, history and files are fetched for the whole set at once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from nonconformities.models import Action, Nonconformity
from qms.attachments import attachments_by_parent
from qms.evidence import PackFile, from_attachment, from_bytes, register_list_pack_source


def _as_json(nc: Nonconformity, history) -> bytes:
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
        "actions": [
            {
                "number": action.number,
                "title": action.title,
                "owner": str(action.owner) if action.owner_id else "",
                "due_date": action.due_date.isoformat() if action.due_date else None,
                "status": action.get_status_display(),
                "completed_at": action.completed_at.isoformat() if action.completed_at else None,
            }
            for action in nc.actions.all()
        ],
        "history": [
            {
                "when": row.history_date.isoformat(),
                "who": str(row.history_user or ""),
                "reason": row.history_change_reason or "",
                "status": row.get_status_display(),
            }
            for row in history
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def nonconformity_files(nonconformities: QuerySet, folder: str = "") -> Iterator[PackFile]:
    """``<folder>/<number>/<number>.json``, its files and its actions' files."""
    ncs = list(
        nonconformities.select_related("department").prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("number"))
        )
    )
    if not ncs:
        return
    ids = [nc.pk for nc in ncs]
    history = defaultdict(list)
    for row in (
        Nonconformity.history.filter(id__in=ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        history[row.id].append(row)
    nc_files = attachments_by_parent(Nonconformity, ids)
    action_files = attachments_by_parent(
        Action, [action.pk for nc in ncs for action in nc.actions.all()]
    )
    prefix = f"{folder}/" if folder else ""
    for nc in ncs:
        source = f"nonconformities.nonconformity:{nc.pk} {nc.number}"
        where = f"{prefix}{nc.number}"
        yield from_bytes(
            f"{where}/{nc.number}.json",
            source,
            lambda nc=nc, rows=history[nc.pk]: _as_json(nc, rows),
        )
        for attachment in nc_files.get(nc.pk, []):
            yield from_attachment(f"{where}/files", attachment, source)
        for action in nc.actions.all():
            for attachment in action_files.get(action.pk, []):
                yield from_attachment(
                    f"{where}/actions/{action.number}", attachment, f"{source} {action.number}"
                )


def list_pack_files(selection: QuerySet, user) -> Iterator[PackFile]:
    yield from nonconformity_files(selection.order_by("number"))


register_list_pack_source(
    "nonconformities",
    "nonconformities.views.NonconformityListView",
    list_pack_files,
    title=lambda: _("Nonconformities"),
    url_name="nonconformities:nc_list",
)
