"""Reads for document control, already limited to what the user may see.

Who sees what:

* the document controller and the QMS manager (``documents.view_restricted``): everything;
* internal auditors and top management (``documents.view_all_documents``): every document
  that is not restricted;
* everyone else: effective documents that are not restricted; documents of their own
  department scope (drafts too) that are not restricted; documents they own; documents
  with a revision they review or approve;
* restricted documents: additionally their named readers (object grants);
* external auditors: only what they were granted (assigned audits add grants).

Revisions: the effective one to whoever sees the document; drafts and revisions in
review to the owner, the drafter, the department, the assigned reviewers and approvers
and the document controller; superseded and obsolete ones only to those holding
``documents.view_old_revisions`` (document controller, QMS manager, auditors).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from documents.choices import (
    Confidentiality,
    DocumentStatus,
    RevisionStatus,
    StepDecision,
)
from qms.db import kept_rows, many_to_many_lists, parts_of
from qms.links import url_for
from qms.prepared import one_plan_fits
from qms.visibility import (
    department_scope_q,
    has_global_view,
    is_active_user,
    kept_rule,
    object_grant_q,
    role_slugs,
    scope_department_ids,
)


def _is_external_auditor(user) -> bool:
    return "external_auditor" in role_slugs(user)


def document_visibility_q(user) -> Q | None:
    """A Q over Document, or None meaning "everything".

    Every condition is on the document's own row (department ids, not the tree's paths;
    sets of ids, not joins): PostgreSQL then walks the register's sort index and stops at
    a page, instead of joining and sorting all 20,000 documents for a clerk (74 ms).
    """
    from documents.models import Acknowledgement, ApprovalStep, Document

    if not is_active_user(user):
        return Q(pk__in=[])
    if sees_every_document(user):
        return None
    granted = object_grant_q(user, "documents.view_document", Document)
    if _is_external_auditor(user) and not has_global_view(user, "documents.view_all_documents"):
        return granted
    not_restricted = ~Q(confidentiality=Confidentiality.RESTRICTED)
    # Who is asked to read and acknowledge the effective revision may read it: the
    # distribution list of a restricted document names its readers.
    # (the sets of rows a person is asked to read or approve are kept as SQL: ``kept_rule``)
    asked = kept_rule(
        user,
        "documents:asked",
        lambda: Acknowledgement.objects.asked().filter(user=user).values("revision_id"),
        field="effective_revision_id",
    )
    if has_global_view(user, "documents.view_all_documents"):
        return not_restricted | granted | Q(owner=user) | asked
    assigned = kept_rule(
        user,
        "documents:assigned",
        lambda: ApprovalStep.objects.filter(user=user).values("revision__document_id"),
    )
    return (
        (Q(status=DocumentStatus.EFFECTIVE) & not_restricted)
        | (Q(department_id__in=scope_department_ids(user)) & not_restricted)
        | Q(owner=user)
        | granted
        | assigned
        | asked
    )


def sees_every_document(user) -> bool:
    """The register's controllers (and auditors of restricted documents) see them all."""
    return has_global_view(user, "documents.view_restricted")


def openable_documents(user, documents: list) -> set[int]:
    """The ids of ``documents`` (read with their status and confidentiality) whose pages
    ``user`` may open. An effective, unrestricted document is every civil servant's
    (``document_visibility_q``'s first rule): only the others are asked of the database,
    and most lists hold none."""
    from documents.models import Document

    if not documents:
        return set()
    if sees_every_document(user):
        return {d.pk for d in documents}
    everyone = not _is_external_auditor(user) and is_active_user(user)
    openable = {
        d.pk
        for d in documents
        if everyone
        and d.status == DocumentStatus.EFFECTIVE
        and d.confidentiality != Confidentiality.RESTRICTED
    }
    others = [d.pk for d in documents if d.pk not in openable]
    if others:
        visible = Document.objects.visible_to(user).filter(pk__in=others)
        openable.update(visible.values_list("pk", flat=True))
    return openable


def revision_visibility_q(user) -> Q | None:
    """A Q over Revision (the document's visibility included)."""
    from documents.models import ApprovalStep, Document

    if not is_active_user(user):
        return Q(pk__in=[])
    document_q = document_visibility_q(user)
    in_visible_document = Q()
    if document_q is not None:
        in_visible_document = kept_rule(
            user,
            "documents",
            lambda: Document.objects.filter(document_visibility_q(user)).values("pk"),
            field="document",
        )
    effective = Q(status=RevisionStatus.EFFECTIVE)
    if has_global_view(user, "documents.manage_register"):
        open_ones = ~Q(status__in=[RevisionStatus.SUPERSEDED, RevisionStatus.OBSOLETE])
    else:
        assigned = kept_rule(
            user,
            "revisions:assigned",
            lambda: ApprovalStep.objects.filter(user=user).values("revision_id"),
        )
        open_ones = Q(
            status__in=[
                RevisionStatus.DRAFT,
                RevisionStatus.IN_REVIEW,
                RevisionStatus.APPROVED,
                RevisionStatus.DISCARDED,
            ]
        ) & (
            Q(created_by=user)
            | Q(document__owner=user)
            | department_scope_q(user, field="document__department")
            | assigned
        )
    old = Q(pk__in=[])
    if has_global_view(user, "documents.view_old_revisions"):
        old = Q(status__in=[RevisionStatus.SUPERSEDED, RevisionStatus.OBSOLETE])
    return in_visible_document & (effective | open_ones | old)


def can_open_old_revisions(user) -> bool:
    return has_global_view(user, "documents.view_old_revisions")


def documents_for_register(user) -> QuerySet:
    from documents.models import Document

    return (
        Document.objects.visible_to(user)
        .select_related("department", "owner", "effective_revision")
        .prefetch_related("clauses")
    )


def document_for_page(user, pk: int):
    """The document with what its page shows: its three lists (clauses, legal basis,
    related documents) come in one query (``qms.db.many_to_many_lists``), not three."""
    from documents.models import Document

    with one_plan_fits():
        document = (
            Document.objects.visible_to(user)
            .select_related(
                "department", "owner", "parent", "effective_revision", "effective_revision__file"
            )
            .get(pk=pk)
        )
    many_to_many_lists(
        document,
        {
            "clauses": ("number",),  # the title comes from code (qms.iso)
            "legal_basis": ("number", "title", "legal_status"),
            "related_documents": ("code", "title"),
        },
    )
    return document


def acknowledgement_summary(revision, user=None) -> dict:
    """Counts for a revision, and whether ``user`` was asked and has acknowledged (one query)."""
    reader = getattr(user, "pk", None) or 0  # nobody's id: no request is theirs
    rows = kept_rows(
        ("documents", "acknowledgement summary"), _acknowledgement_counts, revision.pk, reader
    )
    counts = (
        rows[0] if rows else dict.fromkeys(("total", "done", "mine", "mine_done", "withdrawn"), 0)
    )
    counts["outstanding"] = counts["total"] - counts["done"]
    counts["asked_me"] = bool(counts["mine"])
    counts["i_acknowledged"] = bool(counts["mine_done"])
    return counts


def _acknowledgement_counts(revision_id: int, user_id: int):
    from documents.models import STANDING, Acknowledgement

    done = STANDING & Q(acknowledged_at__isnull=False)
    mine = STANDING & Q(user_id=user_id)
    return (
        Acknowledgement.objects.filter(revision_id=revision_id)
        .order_by()
        .values("revision_id")
        .annotate(
            total=Count("pk", filter=STANDING),
            done=Count("pk", filter=done),
            mine=Count("pk", filter=mine),
            mine_done=Count("pk", filter=mine & done),
            withdrawn=Count("pk", filter=~STANDING),
        )
        .values("total", "done", "mine", "mine_done", "withdrawn")
    )


def current_step(revision):
    """The first undecided step: reviewers in order, then approvers in order."""
    return (
        revision.steps.filter(decision=StepDecision.PENDING)
        .select_related("user")
        .order_by("position")
        .first()
    )


def review_window(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=30)


def described_by(document) -> list[dict]:
    """The processes and procedures this document describes (other modules link to
    documents; read here through the reverse relations, in one query)."""
    return [
        {**row, "url": url_for(f"procedures:{row['kind']}_detail", row["pk"])}
        for row in kept_rows(("documents", "described by"), _described_by, document.pk)
    ]


def _described_by(document_id: int):
    from django.db.models import CharField, IntegerField, Value

    from documents.models import Document

    parts = []
    for relation, kind in (("processes", "process"), ("procedures", "procedure")):
        related = Document._meta.get_field(relation)
        parts.append(
            related.related_model.objects.filter(**{related.field.name: document_id})
            .order_by()
            .values("pk", "code", "name")
            .annotate(
                kind=Value(kind, output_field=CharField()),
                order=Value(len(parts), output_field=IntegerField()),
            )
        )
    return parts[0].union(*parts[1:], all=True).order_by("order", "code")


def distribution_listed(document) -> list:
    """Who the document is distributed to now, with their departments and people."""
    return kept_rows(("documents", "distribution"), _distribution, document.pk)


def _distribution(document_id: int):
    from documents.models import DistributionEntry

    return DistributionEntry.objects.filter(
        document_id=document_id, removed_at__isnull=True
    ).select_related("department", "user")


def reviews_listed(document) -> list:
    """The document's ten latest periodic reviews, with who made them."""
    from documents.models import DocumentReview

    return parts_of(document, DocumentReview, "document", "reviewed_by", limit=10)


def approval_steps_of(revision) -> list:
    """The revision's review and approval steps by round and position, with their people
    and signatures (its page)."""
    from documents.models import ApprovalStep

    return parts_of(
        revision, ApprovalStep, "revision", "user", "signature", order_by=("round", "position")
    )
