"""Platform writes: users, departments, the working-day calendar, profiles.

Every function is keyword-only, takes the acting user, checks permission and
preconditions, saves through ``save_with_history`` and writes security events.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import assign_perm, remove_perm

from qms import security_log
from qms.history import save_with_history
from qms.models import CalendarDay, Department, SecurityEvent, User
from qms.roles import ROLE_BY_SLUG
from qms.visibility import forget_scope


def _require(actor, perm: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied


# --- Departments --------------------------------------------------------------------


def _check_parent(department: Department, parent: Department | None) -> None:
    if parent is None or department.pk is None:
        return
    if parent.pk == department.pk or parent.path.startswith(department.path):
        raise ValidationError(
            {"parent": _("A department cannot be placed under itself or one of its own units.")}
        )


def _refresh_subtree(department: Department, *, actor, old_path: str) -> None:
    """Re-derive cached paths below a department whose code or parent changed."""
    if old_path == department.path:
        return
    descendants = Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk)
    for child in descendants.order_by("depth"):
        child.path = department.path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 1
        save_with_history(child, actor=actor, reason=gettext_noop("Moved with its parent unit"))


@transaction.atomic
def department_save(
    *,
    actor,
    department: Department,
    reason: str = "",
) -> Department:
    """Create or update a department from a (form-filled) instance."""
    _require(actor, "qms.manage_department")
    old_path = ""
    if department.pk:
        old_path = Department.objects.filter(pk=department.pk).values_list("path", flat=True).get()
    _check_parent(department, department.parent)
    department.path = department.compute_path()
    department.depth = department.path.count("/") - 1
    if department.pk is None:
        reason = reason or gettext_noop("Department created")
    save_with_history(department, actor=actor, reason=reason or gettext_noop("Department updated"))
    if old_path:
        _refresh_subtree(department, actor=actor, old_path=old_path)
    return department


# --- Users --------------------------------------------------------------------------


def _describe(user: User) -> str:
    return f"user:{user.pk} {user.get_username()}"


@transaction.atomic
def user_save(
    *,
    actor,
    user: User,
    roles: list[str],
    password: str = "",
    request=None,
) -> User:
    """Create or update an account with its roles; role and status changes are logged."""
    _require(actor, "qms.manage_user")
    unknown = [r for r in roles if r not in ROLE_BY_SLUG]
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": ", ".join(unknown)})
    creating = user.pk is None
    was_active = (
        True
        if creating
        else User.objects.filter(pk=user.pk).values_list("is_active", flat=True).get()
    )
    if user.pk == actor.pk and not user.is_active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if creating:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    save_with_history(
        user,
        actor=actor,
        reason=gettext_noop("Account created") if creating else gettext_noop("Account updated"),
    )
    if creating:
        security_log.record(
            SecurityEvent.Kind.USER_CREATED, actor=actor, request=request, target=_describe(user)
        )
    elif was_active != user.is_active:
        security_log.record(
            SecurityEvent.Kind.USER_ACTIVATED
            if user.is_active
            else SecurityEvent.Kind.USER_DEACTIVATED,
            actor=actor,
            request=request,
            target=_describe(user),
        )
    before = set(user.groups.values_list("name", flat=True)) if not creating else set()
    wanted = set(roles)
    if before != wanted:
        user.groups.set(Group.objects.filter(name__in=wanted))
        security_log.record(
            SecurityEvent.Kind.ROLES_CHANGED,
            actor=actor,
            request=request,
            target=_describe(user),
            details={"added": sorted(wanted - before), "removed": sorted(before - wanted)},
        )
    return user


def account_invite(*, user: User, request) -> None:
    """E-mail a new user a one-time link to choose their password, in their language."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
    }
    with translation.override(user.language):
        subject = render_to_string("registration/account_created_subject.txt", context).strip()
        body = render_to_string("registration/account_created_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_grant_department_scope(
    *, actor, user: User, department: Department, granted: bool, request=None
) -> None:
    """Extend (or withdraw) a user's scope over another department and its units."""
    _require(actor, "qms.manage_user")
    if granted:
        assign_perm("qms.view_department", user, department)
    else:
        remove_perm("qms.view_department", user, department)
    forget_scope(user)
    security_log.record(
        SecurityEvent.Kind.PERMISSION_CHANGED,
        actor=actor,
        request=request,
        target=_describe(user),
        details={
            "permission": "qms.view_department",
            "department": department.code,
            "granted": granted,
        },
    )


@transaction.atomic
def profile_update(*, user: User, fields: dict) -> User:
    """A user edits their own contact details and language; nothing else."""
    allowed = {"first_name", "last_name", "email", "phone", "job_title", "language"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(_("This field cannot be changed here."))
        setattr(user, name, value)
    return save_with_history(user, actor=user, reason=gettext_noop("Profile updated by the user"))


@transaction.atomic
def language_set(*, user: User, language: str) -> User:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not available."))
    user.language = language
    return save_with_history(user, actor=user, reason=gettext_noop("Language changed"))


def password_changed(*, user: User, request=None, by_reset: bool = False) -> None:
    security_log.record(
        SecurityEvent.Kind.PASSWORD_RESET if by_reset else SecurityEvent.Kind.PASSWORD_CHANGED,
        actor=user,
        request=request,
        target=_describe(user),
    )


# --- Calendar -----------------------------------------------------------------------


@transaction.atomic
def calendar_days_add(
    *, actor, first: date, last: date, kind: str, name: str, skip_weekends: bool = True
) -> list[CalendarDay]:
    """Declare a run of holidays (e.g. the Lunar New Year break) or a make-up day.

    Weekend days inside a holiday run are off anyway and are skipped unless asked.
    A date already in the calendar is refused so nothing is silently overwritten.
    """
    _require(actor, "qms.manage_calendar")
    if last < first:
        raise ValidationError({"last": _("The last day must not be before the first day.")})
    if (last - first).days >= 60:
        raise ValidationError({"last": _("A holiday break cannot be longer than 60 days.")})
    from django.conf import settings

    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if kind == CalendarDay.Kind.HOLIDAY and skip_weekends and len(days) > 1:
        days = [d for d in days if d.weekday() not in settings.QMS_WEEKEND_DAYS]
    taken = list(CalendarDay.objects.filter(date__in=days).values_list("date", flat=True))
    if taken:
        raise ValidationError(
            _("Already in the calendar: %(dates)s.")
            % {"dates": ", ".join(d.isoformat() for d in sorted(taken))}
        )
    created = []
    for day in days:
        entry = CalendarDay(date=day, kind=kind, name=name)
        created.append(
            save_with_history(entry, actor=actor, reason=gettext_noop("Added to the calendar"))
        )
    return created


@transaction.atomic
def calendar_day_update(*, actor, day: CalendarDay) -> CalendarDay:
    _require(actor, "qms.manage_calendar")
    return save_with_history(day, actor=actor, reason=gettext_noop("Calendar day changed"))


@transaction.atomic
def calendar_day_remove(*, actor, day: CalendarDay) -> None:
    """Holidays are configuration, not records: removal is allowed and kept in history."""
    _require(actor, "qms.manage_calendar")
    day._history_user = actor
    day._change_reason = gettext_noop("Removed from the calendar")
    day.delete()
