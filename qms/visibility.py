"""The one permission choke point: which objects a user may see.

Every domain queryset offers ``.visible_to(user)``; every list, detail page, export,
search result, API endpoint and evidence pack starts from it. Objects outside a user's
scope answer 404, so ids leak nothing.

Three sources of visibility, combined by each model's ``visible_to``:

* a *global* model permission from the user's roles (``has_global_view``);
* the user's *department scope*: their own department and everything below it, plus any
  department they were granted ``qms.view_department`` on, with its subtree;
* *object grants* through django-guardian (``object_grant_q``).

django-guardian is only ever called from here, always with explicit arguments: its
``get_objects_for_user`` would otherwise let a model-level permission from any group
expose every object (``accept_global_perms=True``), while ``has_perm(perm, obj)``
ignores model-level permissions, and list and detail pages would disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.module_loading import import_string
from guardian.shortcuts import get_objects_for_user

if TYPE_CHECKING:
    from qms.models import User

_SCOPE_CACHE = "_qms_scope_paths"


class VisibleQuerySet(models.QuerySet):
    """Base queryset for every domain model.

    A subclass names its rule in ``visibility_q``: the dotted path of a selector that
    returns a ``Q`` for the user, or ``None`` for "everything" (imported when first used,
    so selectors may import models). Rules that are not a ``Q`` override ``visible_to``.
    """

    visibility_q: str = ""

    def visible_to(self, user: User) -> VisibleQuerySet:
        if not self.visibility_q:
            raise NotImplementedError(f"{self.model.__name__} must define visible_to()")
        q = import_string(self.visibility_q)(user)
        return self if q is None else self.filter(q)


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def role_slugs(user) -> frozenset[str]:
    """The user's roles (group names), read once per request and kept on the user."""
    if not is_active_user(user):
        return frozenset()
    if getattr(user, "_qms_roles", None) is None:
        from qms.backends import load_access

        load_access(user)
    return user._qms_roles


def has_global_view(user, perm: str) -> bool:
    """A model-level permission coming from the user's roles (or superuser)."""
    return is_active_user(user) and user.has_perm(perm)


def scope_paths(user) -> list[str]:
    """Department paths whose subtrees the user may see, cached on the user object."""
    if not is_active_user(user):
        return []
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return cached
    from qms.models import Department

    paths: set[str] = set()
    if user.department_id:
        paths.add(user.department.path)
    granted = get_objects_for_user(
        user,
        "qms.view_department",
        klass=Department,
        use_groups=True,
        any_perm=False,
        with_superuser=False,
        accept_global_perms=False,
    )
    paths.update(granted.values_list("path", flat=True))
    # A path below another adds nothing: keep the filter as short as the tree allows.
    minimal = sorted(p for p in paths if not any(p != o and p.startswith(o) for o in paths))
    setattr(user, _SCOPE_CACHE, minimal)
    return minimal


def scope_department_ids(user) -> list[int]:
    """Ids of every department in the user's scope (their subtrees), cached on the user.

    Filtering on ``department_id IN (…)`` rather than joining the tree and matching paths
    lets PostgreSQL estimate the rows and use the department indexes of large tables.
    """
    cached = getattr(user, "_qms_scope_ids", None)
    if cached is None:
        from qms.models import Department

        paths = scope_paths(user)
        cached = (
            list(
                Department.objects.filter(department_scope_q(user, field="")).values_list(
                    "pk", flat=True
                )
            )
            if paths
            else []
        )
        user._qms_scope_ids = cached
    return cached


def granted_departments(user):
    """Departments granted to this user personally (not through groups), for their page."""
    from qms.models import Department

    return get_objects_for_user(
        user,
        "qms.view_department",
        klass=Department,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def forget_scope(user) -> None:
    for name in (_SCOPE_CACHE, "_qms_scope_ids"):
        if hasattr(user, name):
            delattr(user, name)


def department_scope_q(user, field: str = "department") -> Q:
    """Q matching rows whose department lies in the user's scope.

    ``field`` is the path to the department from the model; ``""`` for Department itself.
    """
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    q = Q(pk__in=[])
    for path in scope_paths(user):
        q |= Q(**{lookup: path})
    return q


def object_grant_q(user, perm: str, model: type[models.Model]) -> Q:
    """Q matching objects the user (or one of their groups) holds ``perm`` on."""
    if not is_active_user(user):
        return Q(pk__in=[])
    granted = get_objects_for_user(
        user,
        perm,
        klass=model,
        use_groups=True,
        any_perm=False,
        with_superuser=False,
        accept_global_perms=False,
    )
    return Q(pk__in=granted.values("pk"))


def get_visible_or_404(queryset: VisibleQuerySet, user, **lookup) -> models.Model:
    """Fetch one object through ``visible_to``: forbidden and missing look the same."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


class VisibleObjectMixin:
    """For detail and edit views: the object comes from ``visible_to`` or answers 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


def _headed(user) -> list[tuple[int, str, bool]]:
    """The departments this user heads (id, path, active), read once per request."""
    cached = getattr(user, "_qms_headed", None)
    if cached is None:
        from qms.models import Department

        cached = list(
            Department.objects.filter(head=user)
            .order_by("path")
            .values_list("pk", "path", "is_active")
        )
        user._qms_headed = cached
    return cached


def headed_paths(user) -> list[str]:
    """Paths of the active departments this user heads (they triage, plan and answer for them)."""
    return [path for _pk, path, active in _headed(user) if active]


def units_and_headed(user) -> tuple[list[int], list[int]]:
    """Ids of the user's department and the units below it, and of every department they
    head (whose open case steps are theirs to see to), in one query; the headed ones are
    kept for ``headed_paths``."""
    from qms.models import Department

    own = user.department.path if user.department_id else None
    tree = Q(head=user) | Q(path__startswith=own) if own else Q(head=user)
    rows = list(
        Department.objects.filter(tree)
        .order_by("path")
        .values_list("pk", "path", "is_active", "head_id")
    )
    user._qms_headed = [(pk, path, active) for pk, path, active, head in rows if head == user.pk]
    units = [pk for pk, path, _active, _head in rows if own and path.startswith(own)]
    return units, [pk for pk, _path, _active in user._qms_headed]
