"""Platform reads, already scoped to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from qms.models import Department, Notification, User
from qms.visibility import kept_unread_count


def users_with_permission(perm: str) -> QuerySet[User]:
    """Active users holding a model-level permission through a role, directly, or as superuser."""
    app_label, codename = perm.split(".", 1)
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None:
        return User.objects.filter(is_active=True, is_superuser=True)
    return User.objects.filter(
        Q(groups__permissions=permission) | Q(user_permissions=permission) | Q(is_superuser=True),
        is_active=True,
    ).distinct()


def departments_visible_to(user) -> QuerySet[Department]:
    return Department.objects.visible_to(user).select_related("parent", "head")


def users_visible_to(user) -> QuerySet[User]:
    return User.objects.visible_to(user).select_related("department")


def unread_notification_count(user) -> int:
    return kept_unread_count(
        user, lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    )
