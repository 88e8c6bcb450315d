"""Receivers for events that Django, django-guardian and django-axes raise themselves.

Security logging: sign-ins happen inside Django's auth views and lock-outs inside
django-axes. Everything else (role changes, activation, exports, signatures) is logged by
the service that does it, which knows the acting user.

Kept access: whatever changes roles, permissions, department grants or the department
tree — through a service, the admin, ``sync_roles`` or guardian — retires the access users
keep between requests (``qms.visibility.kept_access``); a user's row saved retires the copy
kept for their requests (``qms.visibility.signed_in_user``).
"""

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from qms import security_log
from qms.models import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    Notification,
    SecurityEvent,
    User,
)
from qms.visibility import access_changed, notifications_changed, user_changed


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from django.utils import timezone

    from qms.models import User

    now = timezone.now()
    # last_login is excluded from history; a queryset update writes no history row.
    User.objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now
    user_changed(user.pk)
    security_log.record(SecurityEvent.Kind.LOGIN, actor=user, request=request)
    # The user's chosen language follows them from device to device.
    if user.language:
        translation.activate(user.language)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_log.record(SecurityEvent.Kind.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    security_log.record(
        SecurityEvent.Kind.LOGIN_FAILED, request=request, username=username, actor=None
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    security_log.record(
        SecurityEvent.Kind.LOCKED_OUT,
        request=request,
        username=str(username or "")[:150],
        details={"ip_address": ip_address},
    )


def _retire_access(sender, **kwargs):
    access_changed()


def _retire_access_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        access_changed()


def _retire_kept_user(sender, instance, **kwargs):
    user_changed(instance.pk)


post_save.connect(_retire_kept_user, sender=User, dispatch_uid="kept-user-save")
post_delete.connect(_retire_kept_user, sender=User, dispatch_uid="kept-user-delete")


def _recount_unread(sender, instance, **kwargs):
    notifications_changed(instance.recipient_id)


post_save.connect(_recount_unread, sender=Notification, dispatch_uid="unread-save")
post_delete.connect(_recount_unread, sender=Notification, dispatch_uid="unread-delete")

for _model in (
    Department,
    Group,
    Permission,
    DepartmentUserObjectPermission,
    DepartmentGroupObjectPermission,
):
    post_save.connect(_retire_access, sender=_model, dispatch_uid=f"access-save-{_model.__name__}")
    post_delete.connect(_retire_access, sender=_model, dispatch_uid=f"access-del-{_model.__name__}")
for _through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(
        _retire_access_m2m, sender=_through, dispatch_uid=f"access-m2m-{_through.__name__}"
    )
