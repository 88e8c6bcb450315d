"""Document control's contributions to the platform: My tasks, reminders, search, files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from documents.choices import DocumentStatus, RevisionStatus, StepDecision, StepRole
from documents.models import Acknowledgement, ApprovalStep, Document, ExternalDocument, Revision
from qms import attachments, mytasks, reminders, search
from qms.db import kept_rows
from qms.models import User

# --- Files --------------------------------------------------------------------------


def _may_upload_revision_file(user, revision) -> bool:
    from documents.services import can_edit_draft

    return can_edit_draft(user, revision)


attachments.register_attachable(Revision, can_upload=_may_upload_revision_file)
attachments.register_attachable(
    ExternalDocument, can_upload=lambda user, external: user.has_perm("documents.manage_external")
)


# --- My tasks -----------------------------------------------------------------------


def _waiting_steps(user_id: int):
    """Steps waiting for this user now: theirs is the first pending step of the round."""
    earlier_pending = ApprovalStep.objects.filter(
        revision=OuterRef("revision"),
        round=OuterRef("round"),
        decision=StepDecision.PENDING,
        position__lt=OuterRef("position"),
    )
    # each query reads only what a task shows (compiling every column of three joined
    # tables cost more than running the query)
    return (
        ApprovalStep.objects.filter(
            user_id=user_id,
            decision=StepDecision.PENDING,
            revision__status=RevisionStatus.IN_REVIEW,
        )
        .filter(~Exists(earlier_pending))
        .select_related("revision", "revision__document")
        .only("role", "revision__number", "revision__submitted_at", "revision__document__code")[:50]
    )


def _unread(user_id: int):
    return (
        Acknowledgement.objects.outstanding()
        .filter(user_id=user_id, revision__status=RevisionStatus.EFFECTIVE)
        .select_related("revision", "revision__document")
        .only("requested_at", "revision__number", "revision__document__code")
        .order_by("requested_at")[:50]
    )


def _reviews_due(user_id: int, until: date):
    return (
        Document.objects.filter(
            owner_id=user_id, status=DocumentStatus.EFFECTIVE, next_review_date__lte=until
        )
        .only("code", "title", "next_review_date")
        .order_by("next_review_date")[:50]
    )


def _drafts(user_id: int):
    return (
        Revision.objects.filter(created_by_id=user_id, status=RevisionStatus.DRAFT)
        .select_related("document")
        .only("number", "document__code")[:50]
    )


@mytasks.register
def document_tasks(user, today: date) -> list[mytasks.Task]:
    module = _("Documents")
    tasks = []
    # the four queries are the same for everyone but for the person and the day: each is
    # compiled once per process (qms.db.kept_rows)
    for step in kept_rows(("my tasks", "approval steps"), _waiting_steps, user.pk):
        revision = step.revision
        template = (
            _("Review %(code)s revision %(number)s")
            if step.role == StepRole.REVIEWER
            else _("Approve %(code)s revision %(number)s")
        )
        tasks.append(
            mytasks.Task(
                title=template % {"code": revision.document.code, "number": revision.label},
                url=revision.get_absolute_url(),
                module=module,
                due=(timezone.localdate(revision.submitted_at) + timedelta(days=5))
                if revision.submitted_at
                else None,
                today=today,
            )
        )
    for ack in kept_rows(("my tasks", "acknowledgements"), _unread, user.pk):
        tasks.append(
            mytasks.Task(
                title=_("Read and acknowledge %(code)s revision %(number)s")
                % {"code": ack.revision.document.code, "number": ack.revision.label},
                url=ack.revision.get_absolute_url(),
                module=module,
                due=timezone.localdate(ack.requested_at) + timedelta(days=7),
                today=today,
            )
        )
    reviews = kept_rows(
        ("my tasks", "periodic reviews"), _reviews_due, user.pk, today + timedelta(days=30)
    )
    for document in reviews:
        tasks.append(
            mytasks.Task(
                title=_("Periodic review of %(code)s %(title)s")
                % {"code": document.code, "title": document.title},
                url=document.get_absolute_url() + "#periodic-review",
                module=module,
                due=document.next_review_date,
                today=today,
            )
        )
    for revision in kept_rows(("my tasks", "drafts"), _drafts, user.pk):
        tasks.append(
            mytasks.Task(
                title=_("Finish and submit the draft of %(code)s revision %(number)s")
                % {"code": revision.document.code, "number": revision.label},
                url=revision.get_absolute_url(),
                module=module,
            )
        )
    return tasks


# --- Reminders ----------------------------------------------------------------------


def _qms_managers() -> list[User]:
    return list(User.objects.filter(groups__name="qms_manager", is_active=True))


@reminders.register("documents.review_due")
def review_due(today: date) -> Iterator[reminders.Due]:
    """30 days, 7 days, on the day, weekly after; QMS managers after 14 days overdue."""
    managers = None
    documents = (
        Document.objects.filter(
            status=DocumentStatus.EFFECTIVE, next_review_date__lte=today + timedelta(days=30)
        )
        .select_related("owner")
        .order_by("pk")
    )
    for document in documents.iterator(chunk_size=500):
        days = (document.next_review_date - today).days
        if days > 7:
            stage = "30d"
        elif days > 0:
            stage = "7d"
        elif days > -7:
            stage = "due"
        else:
            stage = f"week{(-days) // 7}"
        url = document.get_absolute_url() + "#periodic-review"
        params = {"code": document.code, "date": document.next_review_date.isoformat()}
        yield reminders.Due(
            key=f"documents.review:{document.pk}:{document.next_review_date}:{stage}",
            recipient=document.owner,
            message=(
                gettext_noop("The periodic review of %(code)s is due on %(date)s.")
                if days >= 0
                else gettext_noop("The periodic review of %(code)s is overdue since %(date)s.")
            ),
            params=params,
            url=url,
        )
        if days <= -14:
            managers = _qms_managers() if managers is None else managers
            for manager in managers:
                yield reminders.Due(
                    key=f"documents.review-escalation:{document.pk}:{document.next_review_date}:{manager.pk}",
                    recipient=manager,
                    message=gettext_noop(
                        "The periodic review of %(code)s is more than 14 days overdue "
                        "(owner: %(owner)s)."
                    ),
                    params={**params, "owner": str(document.owner)},
                    url=url,
                )


@reminders.register("documents.approval_waiting")
def approval_waiting(today: date) -> Iterator[reminders.Due]:
    """A review or approval waiting two days or more; again every three days."""
    earlier_pending = ApprovalStep.objects.filter(
        revision=OuterRef("revision"),
        round=OuterRef("round"),
        decision=StepDecision.PENDING,
        position__lt=OuterRef("position"),
    )
    steps = (
        ApprovalStep.objects.filter(
            decision=StepDecision.PENDING, revision__status=RevisionStatus.IN_REVIEW
        )
        .filter(~Exists(earlier_pending))
        .select_related("user", "revision", "revision__document")
        .order_by("pk")
    )
    for step in steps.iterator(chunk_size=500):
        submitted = step.revision.submitted_at
        if submitted is None:
            continue
        waiting = (today - timezone.localdate(submitted)).days
        if waiting < 2:
            continue
        bucket = (waiting - 2) // 3
        yield reminders.Due(
            key=f"documents.approval:{step.pk}:{bucket}",
            recipient=step.user,
            message=gettext_noop(
                "%(code)s revision %(number)s has been waiting for you for %(days)s days."
            ),
            params={
                "code": step.revision.document.code,
                "number": step.revision.label,
                "days": waiting,
            },
            url=step.revision.get_absolute_url(),
        )


@reminders.register("documents.acknowledgement_outstanding")
def acknowledgement_outstanding(today: date) -> Iterator[reminders.Due]:
    """Not yet acknowledged after three days; again every week."""
    acks = (
        Acknowledgement.objects.outstanding()
        .filter(
            revision__status=RevisionStatus.EFFECTIVE,
            requested_at__date__lte=today - timedelta(days=3),
        )
        .select_related("user", "revision", "revision__document")
        .order_by("pk")
    )
    for ack in acks.iterator(chunk_size=1000):
        waiting = (today - timezone.localdate(ack.requested_at)).days
        yield reminders.Due(
            key=f"documents.ack:{ack.pk}:{(waiting - 3) // 7}",
            recipient=ack.user,
            message=gettext_noop("Please read and acknowledge %(code)s revision %(number)s."),
            params={"code": ack.revision.document.code, "number": ack.revision.label},
            # the document's page, which shows its effective revision: a notification
            # outlives its revision, and a superseded one is not every reader's to open
            url=ack.revision.document.get_absolute_url(),
        )


# --- Search -------------------------------------------------------------------------


def _search_documents(user, folded: str, limit: int) -> list[search.Hit]:
    # Code and title first (``search_text``), then the documents whose file holds the words
    # (``file_text``, the effective revision's text): asked apart, a common word is found
    # in the short titles without reading every document's whole text.
    # The file text is asked only when the titles leave room on the page: one query for a
    # common word, two for a rarer one (a single query of both parts always read the files).
    # Newest registered first, as the other modules list their hits: in the primary key's
    # order a common word stops at the 20th document found (0.2 ms), where the order of
    # codes read 13,759 titles before the first "QT-" one (8 ms on the ``agency`` data).
    visible = Document.objects.visible_to(user).only("code", "title", "status").order_by("-pk")
    found = list(visible.filter(search_text__matches=folded)[:limit])
    if len(found) < limit:
        in_files = visible.filter(file_text__matches=folded).exclude(search_text__matches=folded)
        found += in_files[: limit - len(found)]
    return [
        search.Hit(
            title=f"{document.code} {document.title}",
            url=document.get_absolute_url(),
            module=_("Documents"),
            detail=document.get_status_display(),
        )
        for document in found
    ]


def _search_external(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        ExternalDocument.objects.visible_to(user)
        .filter(search_text__matches=folded)
        .only("number", "title", "legal_status")[:limit]
    )
    return [
        search.Hit(
            title=str(external),
            url=external.get_absolute_url(),
            module=_("External documents"),
            detail=external.get_legal_status_display(),
        )
        for external in matches
    ]


search.register("documents", _search_documents)
search.register("external_documents", _search_external)


def register_url() -> str:
    return reverse("documents:document_list")


from documents import dashboard as _dashboard  # noqa: E402, F401  (figures for the dashboards)
