"""Every write of document control: register, revise, review, approve, publish, read.

Rules enforced here (and tested): only the owner's department, the document controller
and the QMS manager start revisions; only the assigned person, in turn, decides a step;
nobody reviews or approves a revision they drafted; a signed file is never replaced;
nothing is deleted — drafts are discarded, documents withdrawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from documents.choices import (
    DEFAULT_PREFIX,
    DocumentStatus,
    LegalStatus,
    ReviewFlag,
    ReviewOutcome,
    RevisionStatus,
    StepDecision,
    StepRole,
)
from documents.models import (
    Acknowledgement,
    ApprovalStep,
    DistributionEntry,
    Document,
    DocumentReview,
    DocumentTypeSetting,
    ExternalDocument,
    Revision,
)
from documents.signals import external_status_changed
from documents.workflows import REVISION_FLOW
from qms import attachments, signatures
from qms.history import save_with_history
from qms.models import Department, Signature, User
from qms.notifications import notify
from qms.search import fold
from qms.workflow import check_version

# What a controlled document's file may be: PDF or an office format.
DOCUMENT_MIME_TYPES = {
    attachments.PDF.mime,
    attachments.DOCX.mime,
    attachments.XLSX.mime,
    attachments.PPTX.mime,
    attachments.ODT.mime,
    attachments.ODS.mime,
    attachments.DOC.mime,
    attachments.XLS.mime,
}


def _require(actor, perm: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Codes and the register ---------------------------------------------------------


def type_setting(document_type: str) -> DocumentTypeSetting:
    setting = DocumentTypeSetting.objects.filter(document_type=document_type).first()
    if setting is None:
        setting = DocumentTypeSetting(
            document_type=document_type, prefix=DEFAULT_PREFIX.get(document_type, "TL")
        )
    return setting


def next_code(document_type: str, parent: Document | None = None) -> str:
    """The next free code: QT-08 after QT-07; BM-07-03 for the third form of QT-07."""
    setting = type_setting(document_type)
    prefix = setting.prefix
    if setting.numbered_under_parent and parent is not None:
        parent_number = parent.code.rsplit("-", 1)[-1]
        stem = f"{prefix}-{parent_number}-"
    else:
        stem = f"{prefix}-"
    pattern = re.compile(rf"^{re.escape(stem)}(\d+)$")
    used = [
        int(m.group(1))
        for code in Document.objects.filter(code__startswith=stem).values_list("code", flat=True)
        if (m := pattern.match(code))
    ]
    return f"{stem}{(max(used) + 1) if used else 1:02d}"


def _refresh_search_text(document: Document) -> None:
    text = ""
    if document.effective_revision_id:
        text = (
            Revision.objects.filter(pk=document.effective_revision_id)
            .values_list("text", flat=True)
            .first()
            or ""
        )
    document.search_text = fold(f"{document.code} {document.title}")
    document.file_text = fold(text)


def can_manage_register(user) -> bool:
    return bool(user.is_active and user.has_perm("documents.manage_register"))


@transaction.atomic
def document_register(
    *, actor, document: Document, clauses=(), related=(), legal_basis=()
) -> Document:
    """Register a new document (metadata only; its content comes with revision 1)."""
    _require(actor, "documents.manage_register")
    document.code = (document.code or next_code(document.document_type, document.parent)).strip()
    if Document.objects.filter(code__iexact=document.code).exists():
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by another document.")
                % {"code": document.code}
            }
        )
    document.status = DocumentStatus.DRAFT
    _refresh_search_text(document)
    try:
        with transaction.atomic():
            save_with_history(document, actor=actor, reason=gettext_noop("Document registered"))
    except IntegrityError as exc:
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by another document.")
                % {"code": document.code}
            }
        ) from exc
    document.clauses.set(clauses)
    document.related_documents.set(related)
    document.legal_basis.set(legal_basis)
    return document


@transaction.atomic
def document_update(
    *, actor, document: Document, version: int | None, clauses=(), related=(), legal_basis=()
) -> Document:
    """Change the register entry (the document controller, or the owner)."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if not (can_manage_register(actor) or current.owner_id == actor.pk):
        raise PermissionDenied
    check_version(current, version)
    if Document.objects.filter(code__iexact=document.code).exclude(pk=document.pk).exists():
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by another document.")
                % {"code": document.code}
            }
        )
    document.version = current.version + 1
    _refresh_search_text(document)
    save_with_history(document, actor=actor, reason=gettext_noop("Register entry changed"))
    document.clauses.set(clauses)
    document.related_documents.set(related)
    document.legal_basis.set(legal_basis)
    return document


@transaction.atomic
def document_withdraw(*, actor, document: Document, reason: str, version: int | None) -> Document:
    """Withdraw a document: its effective revision becomes obsolete, open drafts discarded."""
    _require(actor, "documents.manage_register")
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    locked = Document.objects.select_for_update().get(pk=document.pk)
    check_version(locked, version)
    if locked.status == DocumentStatus.WITHDRAWN:
        raise ValidationError(_("This document is already withdrawn."))
    today = timezone.localdate()
    for revision in locked.revisions.filter(
        status__in=[
            RevisionStatus.EFFECTIVE,
            RevisionStatus.DRAFT,
            RevisionStatus.IN_REVIEW,
            RevisionStatus.APPROVED,
        ]
    ):
        target = "obsolete" if revision.status == RevisionStatus.EFFECTIVE else "discard"
        REVISION_FLOW.apply(
            revision,
            target,
            actor=actor,
            reason=reason,
            check_permission=False,
            effect=(lambda r: setattr(r, "superseded_date", today))
            if target == "obsolete"
            else None,
        )
        if target == "discard":
            _cancel_pending_steps(revision)
    locked.status = DocumentStatus.WITHDRAWN
    locked.withdrawn_reason = reason
    locked.withdrawn_at = timezone.now()
    locked.effective_revision = None
    locked.next_review_date = None
    locked.version += 1
    _refresh_search_text(locked)
    save_with_history(locked, actor=actor, reason=reason)
    _notify_distribution_later(locked)
    return locked


def _notify_distribution_later(document: Document) -> None:
    if document.owner_id:
        notify(
            recipient=document.owner,
            message=gettext_noop("%(code)s was withdrawn: it is obsolete from today."),
            params={"code": document.code},
            url=document.get_absolute_url(),
        )


# --- Revisions ----------------------------------------------------------------------


def can_start_revision(user, document: Document) -> bool:
    if not user.is_active or document.status == DocumentStatus.WITHDRAWN:
        return False
    if can_manage_register(user):
        return True
    department = user.department
    return bool(department and document.department.path.startswith(department.path)) or (
        document.owner_id == user.pk
    )


def can_edit_draft(user, revision: Revision) -> bool:
    return revision.status == RevisionStatus.DRAFT and (
        revision.created_by_id == user.pk
        or revision.document.owner_id == user.pk
        or can_manage_register(user)
    )


@dataclass(frozen=True)
class StepPlan:
    reviewers: list[User]
    approvers: list[User]


def _validate_plan(plan: StepPlan, drafter: User) -> None:
    if not plan.approvers:
        raise ValidationError({"approvers": _("Choose at least one approver.")})
    people = plan.reviewers + plan.approvers
    if any(person.pk == drafter.pk for person in people):
        raise ValidationError(
            {"approvers": _("Nobody may review or approve a revision they drafted.")}
        )
    if len({p.pk for p in people}) != len(people):
        raise ValidationError(
            {"approvers": _("Each person can appear only once among reviewers and approvers.")}
        )
    if any(not p.is_active for p in people):
        raise ValidationError({"approvers": _("A chosen person's account is inactive.")})


def _create_steps(revision: Revision, plan: StepPlan, round_number: int) -> None:
    position = 1
    for role, people in ((StepRole.REVIEWER, plan.reviewers), (StepRole.APPROVER, plan.approvers)):
        for person in people:
            step = ApprovalStep(
                revision=revision, role=role, round=round_number, position=position, user=person
            )
            save_with_history(step, reason=gettext_noop("Step planned"))
            position += 1


def _attach_file(revision: Revision, upload: UploadedFile, actor) -> None:
    file_type = attachments.validate_upload(upload)
    if file_type.mime not in DOCUMENT_MIME_TYPES:
        raise ValidationError(
            {"file": _("A controlled document must be a PDF or an office document (Word, Excel).")}
        )
    attachment = attachments.attachment_create(parent=revision, upload=upload, actor=actor)
    upload.seek(0)
    from qms.textextract import extract_text

    revision.file = attachment
    revision.text = extract_text(upload.read(), attachment.mime_type)


@transaction.atomic
def revision_start(
    *,
    actor,
    document: Document,
    upload: UploadedFile,
    change_summary: str,
    plan: StepPlan,
    planned_effective_date: date | None = None,
) -> Revision:
    """Start the next revision of a document: the file, the summary, who reviews and approves."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if not can_start_revision(actor, locked):
        raise PermissionDenied
    if locked.revisions.filter(
        status__in=[RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW, RevisionStatus.APPROVED]
    ).exists():
        raise ValidationError(
            _("This document already has a revision in progress; finish or discard it first.")
        )
    if not change_summary.strip():
        raise ValidationError({"change_summary": _("Describe what changed in this revision.")})
    _validate_plan(plan, actor)
    number = (locked.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    revision = Revision(
        document=locked,
        number=number,
        change_summary=change_summary,
        planned_effective_date=planned_effective_date,
        created_by=actor,
    )
    save_with_history(revision, actor=actor, reason=gettext_noop("Revision started"))
    _attach_file(revision, upload, actor)
    save_with_history(revision, actor=actor, reason=gettext_noop("File attached"))
    _create_steps(revision, plan, round_number=1)
    return revision


def _current_round(revision: Revision) -> int:
    return revision.steps.aggregate(last=Max("round"))["last"] or 1


def _is_signed(revision: Revision) -> bool:
    return revision.steps.filter(signature__isnull=False).exists()


@transaction.atomic
def revision_update_draft(
    *,
    actor,
    revision: Revision,
    version: int | None,
    change_summary: str,
    plan: StepPlan,
    planned_effective_date: date | None,
    upload: UploadedFile | None = None,
) -> Revision:
    locked = (
        Revision.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=revision.pk)
    )
    if not can_edit_draft(actor, locked):
        raise PermissionDenied
    check_version(locked, version)
    _validate_plan(plan, locked.created_by)
    if upload is not None:
        if _is_signed(locked):
            raise ValidationError(
                {
                    "file": _(
                        "Someone already signed this revision's file, so it cannot be "
                        "replaced. Discard this draft and start a new revision."
                    )
                }
            )
        if locked.file_id:
            attachments.attachment_remove(
                attachment=locked.file, actor=actor, reason=gettext_noop("Replaced by a new file")
            )
        _attach_file(locked, upload, actor)
    locked.change_summary = change_summary
    locked.planned_effective_date = planned_effective_date
    locked.version += 1
    save_with_history(locked, actor=actor, reason=gettext_noop("Draft changed"))
    # The plan is replaced by a fresh round; steps already decided stay as they were.
    _cancel_pending_steps(locked)
    _create_steps(locked, plan, _current_round(locked) + 1)
    return locked


def plan_of(revision: Revision) -> StepPlan:
    """The reviewers and approvers of the latest round, in order."""
    steps = list(
        revision.steps.filter(round=_current_round(revision))
        .select_related("user")
        .order_by("position")
    )
    return StepPlan(
        reviewers=[s.user for s in steps if s.role == StepRole.REVIEWER],
        approvers=[s.user for s in steps if s.role == StepRole.APPROVER],
    )


@transaction.atomic
def revision_submit(*, actor, revision: Revision, version: int | None) -> Revision:
    def guard(locked: Revision) -> None:
        if not locked.file_id:
            raise ValidationError(_("Attach the document's file before submitting."))
        round_number = _current_round(locked)
        steps = locked.steps.filter(round=round_number)
        if (
            steps.exclude(decision=StepDecision.PENDING).exists()
            or not steps.filter(role=StepRole.APPROVER).exists()
        ):
            # Returned before: plan the same people again for a fresh round.
            _create_steps(locked, plan_of(locked), round_number + 1)

    submitted = REVISION_FLOW.apply(
        revision,
        "submit",
        actor=actor,
        version=version,
        guard=guard,
        effect=lambda r: setattr(r, "submitted_at", timezone.now()),
    )
    _notify_current_step(submitted)
    return submitted


def _notify_current_step(revision: Revision) -> None:
    from documents.selectors import current_step

    step = current_step(revision)
    if step is None:
        return
    message = (
        gettext_noop("Please review %(code)s revision %(number)s.")
        if step.role == StepRole.REVIEWER
        else gettext_noop("Please approve %(code)s revision %(number)s.")
    )
    notify(
        recipient=step.user,
        message=message,
        params={"code": revision.document.code, "number": revision.label},
        url=revision.get_absolute_url(),
    )


def _cancel_pending_steps(revision: Revision) -> None:
    for step in revision.steps.filter(decision=StepDecision.PENDING):
        step.decision = StepDecision.CANCELLED
        save_with_history(step, reason=gettext_noop("Not needed any more"))


def step_decide(
    *,
    actor,
    step: ApprovalStep,
    decision: str,
    comment: str = "",
    password: str = "",
    version: int | None = None,
    request=None,
) -> ApprovalStep:
    """A reviewer or approver decides their step (approvals are e-signed)."""
    if decision == StepDecision.APPROVED:
        signatures.verify_password(
            signer=actor,
            password=password,
            obj=step.revision,
            meaning="reviewed" if step.role == StepRole.REVIEWER else "approved",
            request=request,
        )
    with transaction.atomic():
        return _step_decide(
            actor=actor,
            step=step,
            decision=decision,
            comment=comment,
            password=password,
            version=version,
            request=request,
        )


def _step_decide(*, actor, step, decision, comment, password, version, request) -> ApprovalStep:
    from documents.selectors import current_step

    revision = (
        Revision.objects.select_for_update(of=("self",))
        .select_related("document", "file")
        .get(pk=step.revision_id)
    )
    check_version(revision, version)
    if revision.status != RevisionStatus.IN_REVIEW:
        raise ValidationError(_("This revision is not waiting for review or approval."))
    step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
    if step.user_id != actor.pk:
        raise PermissionDenied
    if revision.created_by_id == actor.pk:
        raise ValidationError(_("Nobody may review or approve a revision they drafted."))
    turn = current_step(revision)
    if turn is None or turn.pk != step.pk:
        raise ValidationError(_("It is not your turn yet: an earlier step is still waiting."))
    if decision not in (
        StepDecision.APPROVED,
        StepDecision.CHANGES_REQUESTED,
        StepDecision.REJECTED,
    ):
        raise ValidationError(_("Choose approve, request changes or reject."))
    if decision != StepDecision.APPROVED and not comment.strip():
        raise ValidationError({"comment": _("Say what must change, so the drafter can act on it.")})

    if decision == StepDecision.APPROVED:
        meaning = (
            Signature.Meaning.REVIEWED
            if step.role == StepRole.REVIEWER
            else Signature.Meaning.APPROVED
        )
        step.signature = signatures.sign(
            obj=revision,
            signer=actor,
            password=password,
            meaning=meaning,
            content_sha256=revision.file.sha256,
            content_label=f"{revision} · {revision.file.original_name}",
            comment=comment,
            request=request,
        )
    step.decision = decision
    step.comment = comment
    step.decided_at = timezone.now()
    save_with_history(step, actor=actor, reason=gettext_noop("Step decided"))

    if decision != StepDecision.APPROVED:
        _cancel_pending_steps(revision)
        returned = REVISION_FLOW.apply(
            revision, "return", actor=actor, reason=comment, check_permission=False
        )
        notify(
            recipient=revision.created_by,
            message=gettext_noop("%(code)s revision %(number)s was returned to you: %(comment)s"),
            params={
                "code": revision.document.code,
                "number": revision.label,
                "comment": comment[:150],
            },
            url=returned.get_absolute_url(),
        )
        return step

    if current_step(revision) is not None:
        revision.version += 1
        save_with_history(revision, actor=actor, reason=gettext_noop("Step decided"))
        _notify_current_step(revision)
        return step

    approved = REVISION_FLOW.apply(
        revision,
        "approve",
        actor=actor,
        check_permission=False,
        effect=lambda r: setattr(r, "approved_at", timezone.now()),
    )
    today = timezone.localdate()
    if approved.planned_effective_date is None or approved.planned_effective_date <= today:
        revision_make_effective(revision=approved, actor=actor)
    else:
        notify(
            recipient=approved.created_by,
            message=gettext_noop(
                "%(code)s revision %(number)s is approved and takes effect on %(date)s."
            ),
            params={
                "code": approved.document.code,
                "number": approved.label,
                "date": approved.planned_effective_date.isoformat(),
            },
            url=approved.get_absolute_url(),
        )
    return step


@transaction.atomic
def revision_make_effective(*, revision: Revision, actor=None) -> Revision:
    """Publish an approved revision: the previous one is superseded, readers are asked."""
    document = Document.objects.select_for_update().get(pk=revision.document_id)
    today = timezone.localdate()
    previous = document.revisions.filter(status=RevisionStatus.EFFECTIVE).first()
    if previous is not None:
        REVISION_FLOW.apply(
            previous,
            "supersede",
            actor=actor,
            check_permission=False,
            effect=lambda r: setattr(r, "superseded_date", today),
        )
    effective = REVISION_FLOW.apply(
        revision,
        "publish",
        actor=actor,
        check_permission=False,
        effect=lambda r: setattr(r, "effective_date", today),
    )
    document.status = DocumentStatus.EFFECTIVE
    document.effective_revision = effective
    document.next_review_date = add_months(today, document.review_interval_months)
    document.review_flag = ""
    document.review_flag_detail = ""
    document.version += 1
    _refresh_search_text(document)
    save_with_history(document, actor=actor, reason=gettext_noop("New revision effective"))
    request_acknowledgements(effective)
    notify(
        recipient=document.owner,
        message=gettext_noop("%(code)s revision %(number)s is now effective."),
        params={"code": document.code, "number": effective.label},
        url=effective.get_absolute_url(),
    )
    return effective


def publish_due_revisions(today: date | None = None) -> int:
    """Approved revisions whose planned date has come (run daily by Celery beat)."""
    today = today or timezone.localdate()
    count = 0
    due = Revision.objects.filter(
        status=RevisionStatus.APPROVED, planned_effective_date__lte=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            revision = Revision.objects.select_for_update().get(pk=pk)
            if revision.status == RevisionStatus.APPROVED:
                revision_make_effective(revision=revision)
                count += 1
    return count


@transaction.atomic
def revision_discard(*, actor, revision: Revision, version: int | None, reason: str) -> Revision:
    if not can_edit_draft(actor, revision):
        raise PermissionDenied
    discarded = REVISION_FLOW.apply(
        revision, "discard", actor=actor, version=version, reason=reason, check_permission=False
    )
    _cancel_pending_steps(discarded)
    return discarded


# --- Distribution and acknowledgement -----------------------------------------------


def distribution_recipients(document: Document):
    """Active users the document is distributed to (departments include their units)."""
    entries = list(
        document.distribution.filter(removed_at__isnull=True).select_related("department")
    )
    q = Q(pk__in=[])
    for entry in entries:
        if entry.department_id:
            q |= Q(department__path__startswith=entry.department.path)
        elif entry.user_id:
            q |= Q(pk=entry.user_id)
        elif entry.role:
            q |= Q(groups__name=entry.role)
    return User.objects.filter(q, is_active=True).distinct()


def request_acknowledgements(revision: Revision) -> int:
    """Ask every recipient to read and acknowledge the revision; each gets a task."""
    recipients = set(distribution_recipients(revision.document).values_list("pk", flat=True))
    rows = Acknowledgement.objects.filter(revision=revision)
    existing = set(rows.values_list("user_id", flat=True))
    new = [Acknowledgement(revision=revision, user_id=pk) for pk in recipients - existing]
    # Acknowledgements are records of their own (no simple-history): bulk is fine here.
    Acknowledgement.objects.bulk_create(new, batch_size=1000)  # history-free
    # a reader put back on the list is asked again from today (their old request was
    # withdrawn unread, so it says nothing they did)
    asked_again = list(
        rows.filter(withdrawn_at__isnull=False, user_id__in=recipients).values_list(
            "user_id", flat=True
        )
    )
    again = rows.filter(user_id__in=asked_again)
    again.update(withdrawn_at=None, requested_at=timezone.now())  # history-free
    for recipient in User.objects.filter(pk__in=[a.user_id for a in new] + asked_again):
        notify(
            recipient=recipient,
            message=gettext_noop("Please read and acknowledge %(code)s revision %(number)s."),
            params={"code": revision.document.code, "number": revision.label},
            # the document's page (as the reminders): the revision will be superseded
            url=revision.document.get_absolute_url(),
            email=False,
        )
    return len(new) + len(asked_again)


def withdraw_acknowledgements(document: Document) -> int:
    """Withdraw the unread requests of whoever the distribution list no longer names: their
    task and reminders stop, and a restricted document is no longer theirs to read."""
    if not document.effective_revision_id:
        return 0
    recipients = distribution_recipients(document).values("pk")
    return (
        Acknowledgement.objects.outstanding()
        .filter(revision_id=document.effective_revision_id)
        .exclude(user_id__in=recipients)
        .update(withdrawn_at=timezone.now())  # history-free (acknowledgements are records)
    )


@transaction.atomic
def acknowledge(*, actor, revision: Revision) -> Acknowledgement:
    ack = (
        Acknowledgement.objects.asked()
        .select_for_update()
        .filter(revision=revision, user=actor)
        .first()
    )
    if ack is None:
        raise ValidationError(_("This revision was not distributed to you."))
    if revision.status != RevisionStatus.EFFECTIVE:
        raise ValidationError(_("Only the effective revision can be acknowledged."))
    if ack.acknowledged_at is None:
        ack.acknowledged_at = timezone.now()
        ack.save(update_fields=["acknowledged_at"])
    return ack


@transaction.atomic
def distribution_add(
    *,
    actor,
    document: Document,
    department: Department | None = None,
    role: str = "",
    user: User | None = None,
) -> DistributionEntry:
    if not (can_manage_register(actor) or document.owner_id == actor.pk):
        raise PermissionDenied
    targets = [bool(department), bool(role), bool(user)]
    if sum(targets) != 1:
        raise ValidationError(_("Choose one department, one role or one person."))
    from qms.roles import ROLE_BY_SLUG

    if role and role not in ROLE_BY_SLUG:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    duplicate = document.distribution.filter(
        removed_at__isnull=True, department=department, role=role, user=user
    ).exists()
    if duplicate:
        raise ValidationError(_("This is already on the distribution list."))
    entry = DistributionEntry(document=document, department=department, role=role, user=user)
    save_with_history(entry, actor=actor, reason=gettext_noop("Added to the distribution list"))
    if document.effective_revision_id:
        request_acknowledgements(document.effective_revision)
    return entry


@transaction.atomic
def distribution_remove(*, actor, entry: DistributionEntry) -> DistributionEntry:
    if not (can_manage_register(actor) or entry.document.owner_id == actor.pk):
        raise PermissionDenied
    entry.removed_at = timezone.now()
    save_with_history(entry, actor=actor, reason=gettext_noop("Removed from the distribution list"))
    withdraw_acknowledgements(entry.document)
    return entry


# --- Periodic review ----------------------------------------------------------------


@transaction.atomic
def document_review_record(
    *,
    actor,
    document: Document,
    outcome: str,
    comment: str,
    next_review_date: date | None,
    version: int | None,
) -> DocumentReview:
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if not (locked.owner_id == actor.pk or can_manage_register(actor)):
        raise PermissionDenied
    check_version(locked, version)
    if locked.status != DocumentStatus.EFFECTIVE:
        raise ValidationError(_("Only an effective document is reviewed periodically."))
    today = timezone.localdate()
    if outcome == ReviewOutcome.WITHDRAW and not can_manage_register(actor):
        raise ValidationError(
            {
                "outcome": _(
                    "Only the document controller or the QMS manager can withdraw a document; "
                    "choose “Needs revision” and say why."
                )
            }
        )
    if outcome != ReviewOutcome.WITHDRAW:
        next_review_date = next_review_date or add_months(today, locked.review_interval_months)
        if next_review_date <= today:
            raise ValidationError({"next_review_date": _("The next review must be in the future.")})
    review = DocumentReview(
        document=locked,
        reviewed_by=actor,
        reviewed_on=today,
        outcome=outcome,
        comment=comment,
        next_review_date=next_review_date if outcome != ReviewOutcome.WITHDRAW else None,
    )
    save_with_history(review, actor=actor, reason=gettext_noop("Periodic review recorded"))
    if outcome == ReviewOutcome.WITHDRAW:
        document_withdraw(
            actor=actor,
            document=locked,
            reason=comment or gettext_noop("Withdrawn at periodic review"),
            version=locked.version,
        )
        return review
    locked.next_review_date = next_review_date
    locked.review_flag = (
        ReviewFlag.NEEDS_REVISION if outcome == ReviewOutcome.NEEDS_REVISION else ""
    )
    locked.version += 1
    save_with_history(locked, actor=actor, reason=gettext_noop("Periodic review recorded"))
    return review


# --- External documents -------------------------------------------------------------


@transaction.atomic
def external_save(
    *, actor, external: ExternalDocument, version: int | None = None
) -> ExternalDocument:
    _require(actor, "documents.manage_external")
    previous_status = None
    if external.pk:
        current = ExternalDocument.objects.select_for_update().get(pk=external.pk)
        check_version(current, version)
        previous_status = current.legal_status
        external.version = current.version + 1
    external.search_text = fold(f"{external.number} {external.title} {external.issuing_body}")
    save_with_history(external, actor=actor, reason=gettext_noop("External document saved"))
    if previous_status and previous_status != external.legal_status:
        _prompt_dependent_owners(external, actor)
        # procedures based on it are flagged by their own module
        external_status_changed.send(sender=ExternalDocument, external=external, actor=actor)
    return external


def _prompt_dependent_owners(external: ExternalDocument, actor) -> None:
    """A law amended or repealed: every document based on it needs its owner's review."""
    if external.legal_status == LegalStatus.IN_FORCE:
        return
    flag = (
        ReviewFlag.LEGAL_AMENDED
        if external.legal_status == LegalStatus.AMENDED
        else ReviewFlag.LEGAL_REPEALED
    )
    for document in external.dependent_documents.exclude(
        status=DocumentStatus.WITHDRAWN
    ).select_related("owner"):
        document.review_flag = flag
        document.review_flag_detail = external.number[:100]
        document.version += 1
        save_with_history(document, actor=actor, reason=gettext_noop("Legal basis changed status"))
        notify(
            recipient=document.owner,
            message=gettext_noop(
                "%(number)s, the legal basis of %(code)s, changed status: please review the document."
            ),
            params={"number": external.number, "code": document.code},
            url=document.get_absolute_url(),
        )


@transaction.atomic
def type_setting_save(
    *, actor, setting: DocumentTypeSetting, reviewers, approvers
) -> DocumentTypeSetting:
    _require(actor, "documents.manage_register")
    save_with_history(setting, actor=actor, reason=gettext_noop("Document type settings changed"))
    setting.default_reviewers.set(reviewers)
    setting.default_approvers.set(approvers)
    return setting


def revision_url(revision: Revision) -> str:
    return reverse("documents:revision_detail", args=[revision.pk])
