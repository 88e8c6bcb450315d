"""Sign-in backend: Django's, loading what every page needs in fewer queries.

Almost every page reads ``request.user.department`` (scope, My tasks, the header); loading
it with the user saves that query on every request. The user's model-level permissions —
their own and their roles' — and their role names are read in one query instead of three,
and kept between requests until roles or permissions change.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Value


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        from qms.models import User
        from qms.visibility import signed_in_user

        def load():
            return User._default_manager.select_related("department").filter(pk=user_id).first()

        user = signed_in_user(user_id, load)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            load_access(user_obj)
        return user_obj._perm_cache


def load_access(user) -> None:
    """The user's model-level permissions (their own and their roles') and their role
    names, kept on the user object for the request (``_perm_cache``, read by ``has_perm``;
    ``_qms_roles``, read by ``qms.visibility.role_slugs``) and between requests with the
    rest of their access (``qms.visibility.kept_access``). Nearly every page needs both."""
    from qms.visibility import is_active_user, kept_access

    if not is_active_user(user):
        user._perm_cache, user._qms_roles = set(), frozenset()
        return
    perms, roles = kept_access(user, "roles", lambda: _read_access(user))
    user._perm_cache = set(perms)
    user._qms_roles = roles


def _read_access(user) -> tuple[frozenset[str], frozenset[str]]:
    """Permissions and role names in one query."""

    def pairs(permissions):
        return permissions.values_list("content_type__app_label", "codename").order_by()

    if user.is_superuser:
        branches = [pairs(Permission.objects.all())]
    else:
        # One branch per join, each read from its index: one OR over both joins made
        # PostgreSQL hash the whole user-group table (2.6 ms with 20,000 users, every page).
        branches = [
            pairs(Permission.objects.filter(group__user=user)),
            pairs(Permission.objects.filter(user=user)),
        ]
    roles = (
        Group.objects.filter(user=user)
        .annotate(app_label=Value(""))  # no app label is empty: marks a role
        .values_list("app_label", "name")
        .order_by()
    )
    union = branches[0].union(*branches[1:], roles, all=True)
    perms, names = set(), set()
    for app_label, name in union:
        if app_label:
            perms.add(f"{app_label}.{name}")
        else:
            names.add(name)
    return frozenset(perms), frozenset(names)
