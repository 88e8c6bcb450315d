"""Every write of nonconformities and actions.

Rules: each status move is one call through the workflow table; the cause is required
before actions are planned for major and critical nonconformities; nothing is closed
while an action is open; the verifier is never the owner, and closing a major or
critical nonconformity needs the QMS manager; due-date changes need a reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nonconformities.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    Category,
    Severity,
    Status,
    VerificationResult,
)
from nonconformities.models import Action, ActionNote, Nonconformity, Verification
from nonconformities.workflows import ACTION_FLOW, NC_FLOW
from qms import attachments, signatures
from qms.history import save_with_history
from qms.models import Signature, User
from qms.notifications import notify
from qms.numbering import save_numbered
from qms.search import fold
from qms.visibility import headed_paths
from qms.workflow import check_version

CLOSED_OR_MERGED = (Status.CLOSED, Status.MERGED)


def is_manager(user) -> bool:
    return bool(user.is_active and user.has_perm("nonconformities.manage_nonconformities"))


def can_triage(user, nc: Nonconformity) -> bool:
    """The QMS manager, or the head of the department concerned (or one above it)."""
    if is_manager(user):
        return True
    if nc.restricted:
        return False  # about a named official: the QMS manager handles it
    return any(nc.department.path.startswith(path) for path in headed_paths(user))


def can_work_on(user, nc: Nonconformity) -> bool:
    return nc.owner_id == user.pk or can_triage(user, nc)


def _search_text(nc: Nonconformity) -> str:
    return fold(f"{nc.number} {nc.title} {nc.description} {nc.case_reference}")


def _managers():
    return User.objects.filter(groups__name="qms_manager", is_active=True)


# --- Reporting ----------------------------------------------------------------------


@transaction.atomic
def nonconformity_report(
    *,
    actor,
    nonconformity: Nonconformity,
    uploads: list[UploadedFile] = (),
    origin: models.Model | None = None,
) -> Nonconformity:
    """Report a nonconformity — by a civil servant, or raised by another module (audit
    finding, complaint, late case) with ``origin`` linking back to it."""
    nc = nonconformity
    if nc.occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("It cannot have happened in the future.")})
    if origin is not None:
        nc.origin_content_type = ContentType.objects.get_for_model(origin)
        nc.origin_object_id = origin.pk
    nc.reported_by = actor
    nc.status = Status.REPORTED
    nc.search_text = _search_text(nc)
    save_numbered(nc, "NC", actor=actor, reason=gettext_noop("Nonconformity reported"))
    for upload in uploads:
        attachments.attachment_store(parent=nc, upload=upload, actor=actor)
    recipients = {u.pk: u for u in _managers()}
    head = nc.department.head
    if head is not None and head.is_active and not nc.restricted:
        recipients[head.pk] = head
    recipients.pop(actor.pk, None)
    for recipient in recipients.values():
        notify(
            recipient=recipient,
            message=gettext_noop("New nonconformity %(number)s: %(title)s"),
            params={"number": nc.number, "title": nc.title[:120]},
            url=nc.get_absolute_url(),
        )
    return nc


nonconformity_raise = nonconformity_report  # the name other modules use


def triage(
    *,
    actor,
    nc: Nonconformity,
    severity: str,
    category: str,
    needs_corrective_action: bool,
    owner: User,
    due_date: date | None,
    version: int | None,
) -> Nonconformity:
    if severity not in Severity.values or category not in Category.values:
        raise ValidationError(_("Choose a severity and a category."))
    if not owner.is_active:
        raise ValidationError({"owner": _("The owner's account is inactive.")})
    if due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})

    def effect(locked: Nonconformity) -> None:
        locked.severity = severity
        locked.category = category
        locked.needs_corrective_action = needs_corrective_action
        locked.owner = owner
        locked.due_date = due_date
        locked.triaged_by = actor

    with transaction.atomic():
        triaged = NC_FLOW.apply(nc, "triage", actor=actor, version=version, effect=effect)
        if owner.pk != actor.pk:
            notify(
                recipient=owner,
                message=gettext_noop("You own nonconformity %(number)s: %(title)s"),
                params={"number": triaged.number, "title": triaged.title[:120]},
                url=triaged.get_absolute_url(),
            )
    return triaged


@transaction.atomic
def merge(*, actor, nc: Nonconformity, into: Nonconformity, reason: str, version: int | None):
    if into.pk == nc.pk or into.status in CLOSED_OR_MERGED:
        raise ValidationError({"into": _("Choose another nonconformity that is still open.")})
    return NC_FLOW.apply(
        nc,
        "merge",
        actor=actor,
        version=version,
        reason=reason,
        effect=lambda locked: setattr(locked, "duplicate_of", into),
    )


@transaction.atomic
def record_correction(*, actor, nc: Nonconformity, text: str, done_on: date, version: int | None):
    """The immediate correction or containment: what was done at once, by whom, when."""
    locked = Nonconformity.objects.select_for_update().get(pk=nc.pk)
    if not can_work_on(actor, locked):
        raise PermissionDenied
    check_version(locked, version)
    if locked.status in CLOSED_OR_MERGED:
        raise ValidationError(_("This nonconformity is closed."))
    if not text.strip():
        raise ValidationError({"correction": _("Describe the correction.")})
    if done_on > timezone.localdate():
        raise ValidationError({"correction_on": _("It cannot be done in the future.")})
    locked.correction = text
    locked.correction_by = actor
    locked.correction_on = done_on
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Correction recorded"))


def start_analysis(*, actor, nc: Nonconformity, version: int | None) -> Nonconformity:
    with transaction.atomic():
        return NC_FLOW.apply(nc, "start_analysis", actor=actor, version=version)


def close_correction_only(*, actor, nc: Nonconformity, version: int | None) -> Nonconformity:
    def guard(locked: Nonconformity) -> None:
        if locked.needs_corrective_action:
            raise ValidationError(
                _("It was triaged as needing corrective action: analyse the cause.")
            )
        if not locked.correction:
            raise ValidationError(_("Record the correction before closing."))
        if locked.actions.filter(status__in=OPEN_ACTION_STATUSES).exists():
            raise ValidationError(_("Actions are still open."))
        if locked.severity in (Severity.MAJOR, Severity.CRITICAL) and not is_manager(actor):
            raise ValidationError(
                _("Only the QMS manager closes a major or critical nonconformity.")
            )

    with transaction.atomic():
        return NC_FLOW.apply(
            nc,
            "close_correction_only",
            actor=actor,
            version=version,
            guard=guard,
            effect=lambda locked: setattr(locked, "closed_at", timezone.now()),
        )


@transaction.atomic
def save_analysis(
    *,
    actor,
    nc: Nonconformity,
    five_whys: list[str],
    fishbone: dict[str, list[str]],
    root_cause: str,
    version: int | None,
) -> Nonconformity:
    locked = Nonconformity.objects.select_for_update().get(pk=nc.pk)
    if not can_work_on(actor, locked):
        raise PermissionDenied
    check_version(locked, version)
    if locked.status not in (Status.CAUSE_ANALYSIS, Status.ACTIONS_PLANNED, Status.IMPLEMENTING):
        raise ValidationError(
            _("The cause is analysed after triage and before the effectiveness check.")
        )
    locked.five_whys = [why.strip() for why in five_whys if why.strip()][:5]
    locked.fishbone = {
        category: [cause.strip() for cause in causes if cause.strip()]
        for category, causes in fishbone.items()
        if category in Category.values and any(cause.strip() for cause in causes)
    }
    locked.root_cause = root_cause.strip()
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Cause analysis saved"))


# --- Actions ------------------------------------------------------------------------


def can_update_action(user, action: Action) -> bool:
    if action.owner_id == user.pk or user.has_perm("nonconformities.manage_actions"):
        return True
    return action.nonconformity_id is not None and can_work_on(user, action.nonconformity)


@transaction.atomic
def action_add(
    *,
    actor,
    action: Action,
    nonconformity: Nonconformity | None = None,
    source: models.Model | None = None,
) -> Action:
    """Add an action to the tracker, from a nonconformity or any other source."""
    if action.due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    if not action.owner.is_active:
        raise ValidationError({"owner": _("The owner's account is inactive.")})
    if nonconformity is not None:
        nc = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
        if not can_work_on(actor, nc):
            raise PermissionDenied
        if nc.status not in (Status.CAUSE_ANALYSIS, Status.ACTIONS_PLANNED, Status.IMPLEMENTING):
            raise ValidationError(_("Actions are planned once the cause analysis has started."))
        if nc.severity in (Severity.MAJOR, Severity.CRITICAL) and not nc.root_cause:
            raise ValidationError(
                _(
                    "For a major or critical nonconformity, record the root cause before planning actions."
                )
            )
        action.nonconformity = nc
        action.source_label = str(nc)
        source = nc
    if source is not None:
        action.source_content_type = ContentType.objects.get_for_model(source)
        action.source_object_id = source.pk
        action.source_label = action.source_label or str(source)[:300]
    action.created_by = actor
    action.department = action.department if action.department_id else action.owner.department
    if action.department is None:
        raise ValidationError({"owner": _("The owner has no department: choose the department.")})
    action.search_text = fold(f"{action.title} {action.description} {action.source_label}")
    save_numbered(action, "HD", actor=actor, reason=gettext_noop("Action planned"))
    if nonconformity is not None and action.nonconformity.status == Status.CAUSE_ANALYSIS:
        NC_FLOW.apply(action.nonconformity, "plan", actor=actor, check_permission=False)
    if action.owner_id != actor.pk:
        notify(
            recipient=action.owner,
            message=gettext_noop("New action for you, due %(date)s: %(title)s"),
            params={"date": f"{action.due_date:%d/%m/%Y}", "title": action.title[:120]},
            url=action.get_absolute_url(),
        )
    return action


def _advance(nc_id: int | None, actor) -> None:
    """Move the nonconformity along as its actions progress."""
    if nc_id is None:
        return
    nc = Nonconformity.objects.select_for_update().get(pk=nc_id)
    statuses = set(nc.actions.values_list("status", flat=True))
    if nc.status == Status.ACTIONS_PLANNED and statuses & {
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
    }:
        nc = NC_FLOW.apply(nc, "implement", actor=actor, check_permission=False)
    open_left = statuses & set(OPEN_ACTION_STATUSES)
    if nc.status == Status.EFFECTIVENESS_CHECK and open_left:
        nc = NC_FLOW.apply(
            nc,
            "back_to_implementing",
            actor=actor,
            check_permission=False,
            effect=lambda locked: setattr(locked, "effectiveness_due", None),
        )
    if (
        nc.status in (Status.ACTIONS_PLANNED, Status.IMPLEMENTING)
        and not open_left
        and ActionStatus.DONE in statuses
    ):
        days = settings.QMS_EFFECTIVENESS_DAYS.get(nc.severity, 60)
        due = timezone.localdate() + timedelta(days=days)
        nc = NC_FLOW.apply(
            nc,
            "to_check",
            actor=actor,
            check_permission=False,
            effect=lambda locked: setattr(locked, "effectiveness_due", due),
        )
        if nc.owner_id:
            notify(
                recipient=nc.owner,
                message=gettext_noop(
                    "All actions of %(number)s are done; its effectiveness is checked on %(date)s."
                ),
                params={"number": nc.number, "date": f"{due:%d/%m/%Y}"},
                url=nc.get_absolute_url(),
            )


def action_move(
    *, actor, action: Action, move: str, reason: str = "", version: int | None = None
) -> Action:
    """Start, complete, cancel (with a reason) or reopen an action."""
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if not can_update_action(actor, locked):
            raise PermissionDenied

        def effect(obj: Action) -> None:
            if move == "complete":
                obj.completed_at = timezone.now()
            if move == "cancel":
                obj.cancel_reason = reason[:300]
            if move == "resume":
                obj.completed_at = None

        moved = ACTION_FLOW.apply(
            locked,
            move,
            actor=actor,
            version=version,
            reason=reason,
            effect=effect,
            check_permission=False,
        )
        _advance(moved.nonconformity_id, actor)
        return moved


@transaction.atomic
def action_change_due(
    *, actor, action: Action, due_date: date, reason: str, version: int | None
) -> Action:
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if not can_update_action(actor, locked):
        raise PermissionDenied
    check_version(locked, version)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the due date changes.")})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    if locked.status not in OPEN_ACTION_STATUSES:
        raise ValidationError(_("Only an open action gets a new due date."))
    locked.due_date = due_date
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=reason)


@transaction.atomic
def action_note(
    *, actor, action: Action, text: str, uploads: list[UploadedFile] = ()
) -> ActionNote:
    if not can_update_action(actor, action):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write what was done.")})
    note = save_with_history(ActionNote(action=action, author=actor, text=text), actor=actor)
    for upload in uploads:
        attachments.attachment_store(parent=action, upload=upload, actor=actor)
    return note


# --- Effectiveness ------------------------------------------------------------------


def can_verify(user, nc: Nonconformity) -> bool:
    if nc.owner_id == user.pk or nc.status != Status.EFFECTIVENESS_CHECK:
        return False
    if nc.effectiveness_due and nc.effectiveness_due > timezone.localdate():
        return False
    if nc.severity in (Severity.MAJOR, Severity.CRITICAL):
        return is_manager(user)
    return can_triage(user, nc) or is_manager(user)


def verify(
    *,
    actor,
    nc: Nonconformity,
    result: str,
    evidence: str,
    password: str,
    version: int | None,
    request=None,
) -> Nonconformity:
    """Sign "effective" (closes it) or "not effective" (reopens it for a new analysis)."""
    if result not in VerificationResult.values:
        raise ValidationError({"result": _("Choose effective or not effective.")})
    if not evidence.strip():
        raise ValidationError({"evidence": _("Describe the evidence you checked.")})
    if nc.status != Status.EFFECTIVENESS_CHECK:
        raise ValidationError(
            _("It is not waiting for an effectiveness check: its actions must be done first.")
        )
    if nc.actions.filter(status__in=OPEN_ACTION_STATUSES).exists():
        raise ValidationError(_("An action is open again: it must be done before the check."))
    if nc.effectiveness_due and nc.effectiveness_due > timezone.localdate():
        raise ValidationError(
            _(
                "The effectiveness is checked on %(date)s, not before: the cause must stay away first."
            )
            % {"date": date_format(nc.effectiveness_due, "SHORT_DATE_FORMAT")}
        )
    if nc.owner_id == actor.pk:
        raise ValidationError(_("The owner cannot verify their own nonconformity."))
    if not can_verify(actor, nc):
        if nc.severity in (Severity.MAJOR, Severity.CRITICAL):
            raise ValidationError(
                _("Only the QMS manager verifies a major or critical nonconformity.")
            )
        raise PermissionDenied
    meaning = (
        Signature.Meaning.VERIFIED_EFFECTIVE
        if result == VerificationResult.EFFECTIVE
        else Signature.Meaning.VERIFIED_NOT_EFFECTIVE
    )
    signatures.verify_password(
        signer=actor, password=password, obj=nc, meaning=meaning, request=request
    )
    with transaction.atomic():
        locked = Nonconformity.objects.select_for_update().get(pk=nc.pk)
        check_version(locked, version)
        content = {
            "nonconformity": locked.number,
            "root_cause": locked.root_cause,
            "actions": list(locked.actions.order_by("pk").values_list("number", "status")),
            "evidence": evidence,
            "result": result,
        }
        signature = signatures.sign(
            obj=locked,
            signer=actor,
            password=password,
            meaning=meaning,
            content_sha256=signatures.content_hash(content),
            content_label=str(locked),
            comment=evidence,
            request=request,
        )
        save_with_history(
            Verification(
                nonconformity=locked,
                verifier=actor,
                result=result,
                evidence=evidence,
                signature=signature,
            ),
            actor=actor,
        )
        if result == VerificationResult.EFFECTIVE:
            return NC_FLOW.apply(
                locked,
                "verified_effective",
                actor=actor,
                check_permission=False,
                effect=lambda obj: setattr(obj, "closed_at", timezone.now()),
            )

        def reopen(obj: Nonconformity) -> None:
            obj.reopened_count += 1
            obj.effectiveness_due = None

        reopened = NC_FLOW.apply(
            locked, "verified_not_effective", actor=actor, check_permission=False, effect=reopen
        )
        if reopened.owner_id:
            notify(
                recipient=reopened.owner,
                message=gettext_noop(
                    "%(number)s was not effective: analyse the cause again and plan new actions."
                ),
                params={"number": reopened.number},
                url=reopened.get_absolute_url(),
            )
        return reopened


@transaction.atomic
def reopen(*, actor, nc: Nonconformity, reason: str, version: int | None) -> Nonconformity:
    def effect(obj: Nonconformity) -> None:
        obj.reopened_count += 1
        obj.closed_at = None

    return NC_FLOW.apply(nc, "reopen", actor=actor, version=version, reason=reason, effect=effect)
