"""Every write of management reviews.

The QMS manager schedules a review, compiles its inputs (a frozen snapshot of live data
as of the meeting date, recompiled until the minutes are recorded), records the minutes
and the decisions; each decision becomes an action in the tracker. The chair — the
agency head — signs the minutes with their password: the PDF generated then is kept as
the permanent record and its SHA-256 signed; nothing of the review changes afterwards.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import attachments, signatures
from qms.history import save_with_history
from qms.models import Signature
from qms.notifications import notify
from qms.numbering import save_numbered
from qms.workflow import check_version
from reviews.choices import DecisionKind, ReviewStatus
from reviews.inputs import compile_inputs
from reviews.models import Decision, ManagementReview
from reviews.workflows import REVIEW_FLOW

EDITABLE = (ReviewStatus.PLANNED, ReviewStatus.INPUTS_COMPILED)


def can_manage(user) -> bool:
    return bool(user.is_active and user.has_perm("reviews.manage_reviews"))


def _require_manager(user) -> None:
    if not can_manage(user):
        raise PermissionDenied


def default_period_start(meeting_date: date) -> date:
    previous = (
        ManagementReview.objects.filter(status=ReviewStatus.SIGNED, meeting_date__lt=meeting_date)
        .order_by("-meeting_date")
        .values_list("meeting_date", flat=True)
        .first()
    )
    return previous or meeting_date - timedelta(days=365)


def _clean(review: ManagementReview) -> None:
    errors = {}
    if not review.chair.is_active:
        errors["chair"] = _("The chair's account is inactive.")
    elif not review.chair.groups.filter(name="top_management").exists():
        errors["chair"] = _("The agency head chairs the review: choose a member of top management.")
    if review.period_start and review.period_start >= review.meeting_date:
        errors["period_start"] = _("The period reviewed starts before the meeting.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_schedule(*, actor, review: ManagementReview, participants) -> ManagementReview:
    _require_manager(actor)
    if review.meeting_date < timezone.localdate():
        raise ValidationError({"meeting_date": _("A review is scheduled for today or later.")})
    review.period_start = review.period_start or default_period_start(review.meeting_date)
    _clean(review)
    review.created_by = actor
    review = save_numbered(review, "XX", actor=actor, reason=gettext_noop("Review scheduled"))
    review.participants.set(participants)
    for person in {review.chair, *participants} - {actor}:
        notify(
            recipient=person,
            message=gettext_noop("Management review %(number)s on %(date)s: %(title)s"),
            params={
                "number": review.number,
                "date": review.meeting_date.isoformat(),
                "title": review.title[:120],
            },
            url=review.get_absolute_url(),
        )
    return review


@transaction.atomic
def review_update(
    *, actor, review: ManagementReview, participants, version: int | None
) -> ManagementReview:
    _require_manager(actor)
    locked = ManagementReview.objects.select_for_update().get(pk=review.pk)
    check_version(locked, version)
    if locked.status not in EDITABLE:
        raise ValidationError(_("The review is held: its details no longer change."))
    _clean(review)
    review.status = locked.status
    review.inputs, review.inputs_as_of, review.inputs_compiled_at = (
        locked.inputs,
        locked.inputs_as_of,
        locked.inputs_compiled_at,
    )
    review.version = locked.version + 1
    save_with_history(review, actor=actor, reason=gettext_noop("Review details changed"))
    review.participants.set(participants)
    return review


def inputs_as_of(review: ManagementReview, today: date | None = None) -> date:
    return min(review.meeting_date, today or timezone.localdate())


def review_compile(*, actor, review: ManagementReview, version: int | None) -> ManagementReview:
    """Take the snapshot of the inputs as of the meeting date (or today, before it)."""
    as_of = inputs_as_of(review)
    snapshot = compile_inputs(review, as_of)

    def effect(locked):
        locked.inputs = snapshot
        locked.inputs_as_of = as_of
        locked.inputs_compiled_at = timezone.now()

    return REVIEW_FLOW.apply(review, "compile", actor=actor, version=version, effect=effect)


def review_hold(
    *,
    actor,
    review: ManagementReview,
    minutes: str,
    conclusion: str,
    participants,
    other_participants: str,
    version: int | None,
) -> ManagementReview:
    errors = {}
    if not minutes.strip():
        errors["minutes"] = _("Write the minutes of the meeting.")
    if not conclusion.strip():
        errors["conclusion"] = _("Write the conclusion on the QMS.")
    if errors:
        raise ValidationError(errors)

    def guard(locked):
        if locked.meeting_date > timezone.localdate():
            raise ValidationError(_("The minutes are recorded once the meeting has taken place."))

    def effect(locked):
        locked.minutes, locked.conclusion = minutes, conclusion
        locked.other_participants = other_participants

    with transaction.atomic():
        review = REVIEW_FLOW.apply(
            review, "hold", actor=actor, version=version, guard=guard, effect=effect
        )
        review.participants.set(participants)
    return review


def decision_add(
    *,
    actor,
    review: ManagementReview,
    kind: str,
    text: str,
    title: str,
    owner,
    due_date: date,
    description: str = "",
) -> Decision:
    """A decision of the review, and the action that carries it out."""
    from nonconformities.choices import ActionKind
    from nonconformities.models import Action
    from nonconformities.services import action_add

    _require_manager(actor)
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": _("Choose the kind of decision.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    with transaction.atomic():
        locked = ManagementReview.objects.select_for_update().get(pk=review.pk)
        if locked.status != ReviewStatus.HELD:
            raise ValidationError(
                _("Decisions are recorded with the minutes, before they are signed.")
            )
        decision = save_with_history(
            Decision(review=locked, kind=kind, text=text, created_by=actor),
            actor=actor,
            reason=gettext_noop("Decision recorded"),
        )
        decision.action = action_add(
            actor=actor,
            action=Action(
                title=title,
                description=description or text,
                kind=ActionKind.IMPROVEMENT,
                owner=owner,
                department=owner.department,
                due_date=due_date,
                source_label=f"{locked.number}: {text[:200]}",
            ),
            source=decision,
        )
        save_with_history(decision, actor=actor, reason=gettext_noop("Action planned"))
        locked.version += 1
        save_with_history(locked, actor=actor, reason=gettext_noop("Decision recorded"))
    return decision


def minutes_pdf(review: ManagementReview, signer=None) -> bytes:
    from qms.context_processors import agency_name
    from qms.pdf import render_pdf

    return render_pdf(
        "reviews/minutes_pdf.html",
        {
            "review": review,
            "participants": list(review.participants.order_by("last_name", "first_name")),
            "decisions": list(review.decisions.select_related("action__owner")),
            "sections": review.inputs.get("sections", []),
            "agency_name": agency_name(),
            "signer": signer,
            "today": timezone.localdate(),
        },
    )


def review_sign(
    *, actor, review: ManagementReview, password: str, version: int | None, request=None
) -> ManagementReview:
    if review.chair_id != actor.pk:
        raise ValidationError(_("Only the chair of the review signs its minutes."))
    signatures.verify_password(
        signer=actor,
        password=password,
        obj=review,
        meaning=Signature.Meaning.MINUTES_SIGNED,
        request=request,
    )
    with transaction.atomic():
        locked = ManagementReview.objects.select_for_update().get(pk=review.pk)
        check_version(locked, version)
        if locked.status != ReviewStatus.HELD:
            raise ValidationError(_("The minutes are signed once they are recorded."))
        pdf = minutes_pdf(locked, signer=actor)
        stored = attachments.attachment_store(
            parent=locked,
            upload=SimpleUploadedFile(
                f"{locked.number}-minutes.pdf", pdf, content_type="application/pdf"
            ),
            actor=actor,
            description=_("Minutes of the management review, signed"),
        )
        signature = signatures.sign(
            obj=locked,
            signer=actor,
            password=password,
            meaning=Signature.Meaning.MINUTES_SIGNED,
            content_sha256=stored.sha256,
            content_label=stored.original_name,
            request=request,
        )
        return REVIEW_FLOW.apply(
            locked, "sign", actor=actor, effect=lambda obj: setattr(obj, "signature", signature)
        )


def review_cancel(
    *, actor, review: ManagementReview, reason: str, version: int | None
) -> ManagementReview:
    return REVIEW_FLOW.apply(
        review,
        "cancel",
        actor=actor,
        reason=reason,
        version=version,
        effect=lambda obj: setattr(obj, "cancel_reason", reason.strip()[:300]),
    )
