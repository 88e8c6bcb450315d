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

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar
from uuid import uuid4

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.module_loading import import_string
from guardian.shortcuts import get_objects_for_user

from qms.db import PortalQuerySet, at_commit
from qms.prepared import one_plan_fits

if TYPE_CHECKING:
    from qms.models import User

T = TypeVar("T")

# --- A user's access, kept between requests ------------------------------------------
# Every signed-in page needs the user's permissions and roles, most their department scope
# (paths, ids) or the departments they head: four to five queries and guardian's query
# building, a fifth of a list page. They change only when roles, grants or the department
# tree change, so they are kept in the shared cache, stamped with an access generation that
# every such change replaces (qms/signals.py) and with the user's own department and
# superuser flag; an entry with another stamp is recomputed.
_GENERATION = "qms:access:generation"
_ENTRY_SECONDS = 3600


def access_changed() -> None:
    """Roles, permissions, department grants or the department tree changed: every user's
    kept access is recomputed on their next request. Replaced now (this transaction's own
    reads) and again after the commit, so that a request that read the old rows meanwhile
    cannot keep them under the new generation; until the transaction ends, nothing read in
    it is kept (it may yet be rolled back)."""
    connection = transaction.get_connection()
    if _in_transaction(connection):
        connection.qms_access_changing = True
    _new_generation()
    transaction.on_commit(_committed)


def _in_transaction(connection) -> bool:
    # A test case's own enclosing transaction never commits and stands for the database
    # (Django marks it, as its durable-atomic check does): only the blocks inside it count.
    return any(not block._from_testcase for block in connection.atomic_blocks)


def _committed() -> None:
    transaction.get_connection().qms_access_changing = False
    _new_generation()


def _may_keep() -> bool:
    """False inside a transaction that changed access and has not ended."""
    connection = transaction.get_connection()
    if getattr(connection, "qms_access_changing", False):
        if _in_transaction(connection):
            return False
        connection.qms_access_changing = False  # it was rolled back
    return True


def _new_generation() -> str:
    generation = uuid4().hex
    cache.set(_GENERATION, generation, None)
    return generation


def _access(user) -> dict:
    """The user's kept access parts, read from the cache once per request (with the user
    themself, by ``signed_in_user``, on a signed-in page)."""
    entry = getattr(user, "_qms_access", None)
    if entry is None and not is_active_user(user):
        return {"stamp": None}  # nothing to keep for a visitor
    if entry is None:
        key = f"qms:access:{user.pk}"
        found = cache.get_many([_GENERATION, key])
        generation = found.get(_GENERATION)
        if generation is None:
            generation = _new_generation()
        _prime_access(user, generation, found.get(key))
        entry = user._qms_access
    return entry


def _prime_access(user, generation: str, entry: dict | None) -> None:
    stamp = (generation, user.department_id, user.is_superuser)
    if not entry or entry.get("stamp") != stamp:
        entry = {"stamp": stamp}
    user._qms_access = entry


# --- The signed-in user, kept between requests -----------------------------------------
# Every signed-in page loads its user (with their department, for the header and scope)
# and counts their unread notifications: two queries before any page work. The user row is
# kept in the shared cache under a version of its own, replaced whenever the row is saved
# (qms/signals.py) — now and again after the commit, like the access generation, so that a
# request that read the old row meanwhile cannot keep it — and under the access generation,
# which a change of the department tree replaces. One round trip to the cache reads the
# user, their version, their kept access and their unread count together.
_UNREAD_SECONDS = 60
# Other cache keys every signed-in page reads, fetched in the same round trip.
AGENCY_NAME_KEY = "qms:agency_name"
READ_WITH_USER = (AGENCY_NAME_KEY,)


def _user_keys(user_id) -> tuple[str, str, str, str]:
    return (
        f"qms:user:{user_id}",
        f"qms:user-version:{user_id}",
        f"qms:access:{user_id}",
        f"qms:unread:{user_id}",
    )


def user_changed(user_id) -> None:
    """The user's row changed: the copy kept for their requests is read again (and, as for
    access, nothing read in this transaction is kept until it ends)."""
    connection = transaction.get_connection()
    if _in_transaction(connection):
        connection.qms_access_changing = True
    _new_user_version(user_id)
    transaction.on_commit(lambda: _new_user_version(user_id))


def _new_user_version(user_id) -> str:
    version = uuid4().hex
    cache.set(_user_keys(user_id)[1], version, _ENTRY_SECONDS)
    return version


def signed_in_user(user_id, load: Callable[[], User | None]) -> User | None:
    """The user of a signed-in request: the kept copy when its stamp is current, else
    ``load()`` (the database) and kept."""
    user_key, version_key, access_key, unread_key = _user_keys(user_id)
    found = cache.get_many(
        [_GENERATION, user_key, version_key, access_key, unread_key, *READ_WITH_USER]
    )
    generation = found.get(_GENERATION) or _new_generation()
    version = found.get(version_key) or _new_user_version(user_id)
    kept = found.get(user_key)
    if kept is not None and kept[0] == (generation, version):
        user = kept[1]
    else:
        user = load()
        if user is None:
            return None
        if _may_keep():
            cache.set(user_key, ((generation, version), user), _ENTRY_SECONDS)
    _prime_access(user, generation, found.get(access_key))
    user._qms_unread = found.get(unread_key)
    user._qms_read_with = {key: found[key] for key in READ_WITH_USER if key in found}
    return user


def read_with_user(user, key: str):
    """A value of ``READ_WITH_USER`` as the cache held it at the start of the request (None
    when it held none)."""
    return getattr(user, "_qms_read_with", {}).get(key)


def kept_unread_count(user, count: Callable[[], int]) -> int:
    """The user's unread notifications: kept a minute at most, and forgotten at once when
    one is sent or read (``notifications_changed``)."""
    unread = getattr(user, "_qms_unread", None)
    if unread is None:
        unread = user._qms_unread = count()
        cache.set(_user_keys(user.pk)[3], unread, _UNREAD_SECONDS)
    return unread


def notifications_changed(user_id, user=None) -> None:
    """A notification was sent to the user or read (qms/signals.py, ``mark_read``): their
    count is read again (``user``: their object in this request counts again too). Inside
    a transaction the counts are forgotten when it commits, all at once: a reminder sweep
    notifies thousands of people in batches, and a cache call per notification was a
    round trip to Redis each."""
    if user is not None:
        user.__dict__.pop("_qms_unread", None)
    if not _in_transaction(transaction.get_connection()):
        cache.delete(_user_keys(user_id)[3])
        return
    at_commit("unread", user_id, _forget_unread_counts)


def _forget_unread_counts(user_ids: list) -> None:
    cache.delete_many([_user_keys(user_id)[3] for user_id in user_ids])


def kept_access_stamp(user) -> tuple | None:
    """What the user's kept access was computed from (None for a visitor)."""
    return _access(user)["stamp"]


def kept_access(user, part: str, compute: Callable[[], T]) -> T:
    """One part of the user's access: from the cache when its stamp is current, else
    computed and kept."""
    entry = _access(user)
    if part not in entry:
        entry[part] = compute()
        if entry["stamp"] is not None and _may_keep():
            cache.set(f"qms:access:{user.pk}", entry, _ENTRY_SECONDS)
    return entry[part]


class VisibleQuerySet(PortalQuerySet):
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
    """Department paths whose subtrees the user may see (kept: ``kept_access``)."""
    if not is_active_user(user):
        return []
    return kept_access(user, "paths", lambda: _scope_paths(user))


def _scope_paths(user) -> list[str]:
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
    return sorted(p for p in paths if not any(p != o and p.startswith(o) for o in paths))


def scope_department_ids(user) -> list[int]:
    """Ids of every department in the user's scope (their subtrees), kept with their access.

    Filtering on ``department_id IN (…)`` rather than joining the tree and matching paths
    lets PostgreSQL estimate the rows and use the department indexes of large tables.
    """
    if not scope_paths(user):
        return []

    def compute() -> list[int]:
        from qms.models import Department

        scope = Department.objects.filter(_scope_paths_q(user))
        return list(scope.values_list("pk", flat=True))

    return kept_access(user, "ids", compute)


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
    """This user object reads its access again (after a grant made in this request)."""
    user.__dict__.pop("_qms_access", None)


def department_scope_q(user, field: str = "department") -> Q:
    """Q matching rows whose department lies in the user's scope.

    ``field`` is the path to the department from the model; ``""`` for Department itself.
    By the departments' ids (``scope_department_ids``), not their paths: a path needs the
    tree joined, and a rule that ORs it with the row's own columns made PostgreSQL join and
    sort whole tables for a page of them (a clerk's document register, 74 ms).
    """
    return Q(**{f"{field}__in" if field else "pk__in": scope_department_ids(user)})


def mark_openable(rows, user, *links: str) -> None:
    """Mark each of ``rows`` (model instances) ``openable``: whether ``user`` may open its
    page — a page links it, or only names it (a link would answer "Page not found"); with
    ``links`` (foreign keys), ``<link>_openable`` for the object each one names.

    Asked after the rows are read, and only of what they name: one query per kind of
    object linked, none when nothing is linked or the reader sees every object of the
    kind. (As subqueries of the rows' own query, compiling them cost the audit's page 4 ms
    for findings that mostly link nothing.)
    """
    rows = list(rows)
    for link in links or ("",):
        attribute = f"{link}_openable" if link else "openable"
        ids = {getattr(row, f"{link}_id" if link else "pk") for row in rows} - {None}
        openable: set = set()
        if ids:
            model = type(rows[0])._meta.get_field(link).related_model if link else type(rows[0])
            openable = openable_ids(model, user, ids)
        for row in rows:
            setattr(row, attribute, getattr(row, f"{link}_id" if link else "pk") in openable)


def openable_ids(model: type[models.Model], user, ids: set) -> set:
    """Those of ``ids`` (objects of ``model``) whose pages ``user`` may open: one query,
    none when they see every object of the kind (or none, for a page that asks a
    permission of its own: ``Model.page_permission``).

    A part of another object (``visible_through``: a decision of a review, a finding of an
    audit) opens on its parent's page, and a file on its object's: those ask which parents
    the user may open, after one query for the parents of ``ids``.
    """
    permission = getattr(model, "page_permission", "")
    if permission and not user.has_perm(permission):
        return set()
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        visible = manager.visible_to(user)
        if not visible.query.where:
            return set(ids)
        with one_plan_fits():
            return set(visible.filter(pk__any_of=ids).values_list("pk", flat=True))
    if _opens_every(model, user):
        return set(ids)
    through = getattr(model, "visible_through", "")
    if through:
        parent_model = model._meta.get_field(through).related_model
        parents = dict(
            model._base_manager.filter(pk__any_of=ids).values_list("pk", f"{through}_id")
        )
        allowed = openable_ids(parent_model, user, set(parents.values()) - {None})
        return {pk for pk, parent in parents.items() if parent in allowed}
    from django.contrib.contenttypes.models import ContentType

    generic = _generic_parent(model)
    if generic is not None:
        rows = model._base_manager.filter(pk__any_of=ids).values_list(
            "pk", generic.ct_field + "_id", generic.fk_field
        )
        by_parent: dict[int, dict] = {}
        for pk, content_type_id, object_id in rows:
            by_parent.setdefault(content_type_id, {})[pk] = int(object_id)
        found = set()
        for content_type_id, parent_of in by_parent.items():
            parent_model = ContentType.objects.get_for_id(content_type_id).model_class()
            if parent_model is None:
                continue
            allowed = openable_ids(parent_model, user, set(parent_of.values()))
            found |= {pk for pk, parent in parent_of.items() if parent in allowed}
        return found
    return set(ids)  # its own page decides


def _opens_every(model: type[models.Model], user) -> bool:
    """Whether ``user`` may open every object of ``model`` (asks no query): its rule is
    "everything", or it is a part of (or a file on) objects whose rules all are."""
    if getattr(model, "page_permission", "") and not user.has_perm(model.page_permission):
        return False
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return not manager.visible_to(user).query.where
    through = getattr(model, "visible_through", "")
    if through:
        return _opens_every(model._meta.get_field(through).related_model, user)
    if _generic_parent(model) is not None:
        from qms.attachments import attachable_models

        return all(_opens_every(parent, user) for parent in attachable_models())
    return True


def _generic_parent(model: type[models.Model]):
    """The generic foreign key naming the object a row belongs to (a file's), if any."""
    from django.contrib.contenttypes.fields import GenericForeignKey

    return next((f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)), None)


def any_of(model: type[models.Model], *arms: Q) -> Q:
    """Q matching rows of ``model`` that match any of ``arms``, as the union of each arm's ids.

    A visibility rule is an OR of conditions that each find a few rows by an index (a
    department's, a reporter's, a grant's). ORed in one WHERE, PostgreSQL can use none of
    those indexes, tests every row of the table and guesses half of them match (a clerk's
    nonconformities: 10,000 rows tested, 8,768 guessed, 138 found, 6 ms); as a union each
    arm reads its index (0.8 ms).
    """
    return Q(pk__in=ids_of_any(model, *arms))


def ids_of_any(model: type[models.Model], *arms: Q) -> models.QuerySet:
    """The ids ``any_of`` matches, as a subquery (for a rule that follows a foreign key to
    rows of ``model``: ``Q(<key>__in=ids_of_any(…))``)."""
    ids = [model._base_manager.filter(arm).order_by().values("pk") for arm in arms]
    if not ids:
        return model._base_manager.none().values("pk")
    return ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]


def kept_rule(user, name: str, ids: Callable[[], models.QuerySet], field: str = "pk") -> Q:
    """``Q(<field>__in=<the ids the queryset ids() selects>)``, its SQL built and compiled
    once per user and access, and kept with their access (``kept_access``).

    For rules written as unions (``ids_of_any``): building a clerk's rule for actions (ten
    subqueries) and compiling it took 2.2 and 1.4 ms, and a list compiles it twice (its
    count and its page). The SQL holds only what the access stamp covers — the user, their
    department ids, the tables of guardian's grants (not the grants themselves) — so it
    stays right until their access changes.
    """
    from django.db import router
    from django.db.models.expressions import RawSQL

    def compile_ids() -> tuple[str, tuple] | None:
        rows = ids()
        try:
            sql, params = rows.query.get_compiler(router.db_for_read(rows.model)).as_sql()
        except EmptyResultSet:  # every arm matches nothing (no department, no grant…)
            return None
        return sql, tuple(params)

    compiled = kept_access(user, f"rule:{name}", compile_ids)
    if compiled is None:
        return Q(pk__in=[])
    # SQL that Django compiled, with its parameters
    return Q(**{f"{field}__in": RawSQL(*compiled)})  # noqa: S611


def _scope_paths_q(user) -> Q:
    """Q over Department: the subtrees of the user's scope."""
    q = Q(pk__in=[])
    for path in scope_paths(user):
        q |= Q(path__startswith=path)
    return q


def object_grant_q(user, perm: str, model: type[models.Model]) -> Q:
    """Q matching objects the user (or one of their groups) holds ``perm`` on.

    The ids come straight from guardian's grant tables. ``get_objects_for_user`` returns
    the objects filtered by those ids, and a visibility rule that ORs it in made
    PostgreSQL read the whole table for it (the document register: 20,000 rows, 3.5 ms, for
    no grant at all).

    Its SQL names the person, the permission and their groups as a subquery, never the
    grants themselves, so it is compiled once and kept with their access (``kept_rule``):
    building and compiling it took 1.0 of the 1.5 ms an auditor's rule for nonconformities
    took to compile, and nearly every rule but "everything" has it.
    """
    if not is_active_user(user):
        return Q(pk__in=[])
    return kept_rule(user, f"grants:{perm}", lambda: _granted_ids(user, perm, model))


def _granted_ids(user, perm: str, model: type[models.Model]) -> models.QuerySet:
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    codename = perm.split(".", 1)[1]
    user_grants, group_grants = _grant_models(model)
    holders = (
        (user_grants, Q(user=user)),
        (group_grants, Q(group__in=Group.objects.filter(user=user))),
    )
    ids = []
    for grants, holder in holders:
        rows = grants.objects.filter(
            holder, permission__content_type=content_type, permission__codename=codename
        ).order_by()
        if grants.objects.is_generic():
            # guardian keeps a generic grant's object id as text
            ids.append(
                rows.filter(content_type=content_type).values_list(
                    Cast("object_pk", models.BigIntegerField()), flat=True
                )
            )
        else:
            ids.append(rows.values_list("content_object_id", flat=True))
    # one set of ids (the person's and their groups'): two ORed sets made PostgreSQL test
    # every row of the table against both
    return ids[0].union(ids[1])


@functools.cache
def _grant_models(model: type[models.Model]) -> tuple[type[models.Model], type[models.Model]]:
    """Guardian's user and group grant tables of ``model`` (its own, or the generic ones)."""
    from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

    return get_user_obj_perms_model(model), get_group_obj_perms_model(model)


def get_visible_or_404(queryset: VisibleQuerySet, user, **lookup) -> models.Model:
    """Fetch one object through ``visible_to``: forbidden and missing look the same."""
    try:
        with one_plan_fits():
            return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


class VisibleObjectMixin:
    """For detail and edit views: the object comes from ``visible_to`` or answers 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


def _headed(user) -> list[tuple[int, str, bool]]:
    """The departments this user heads (id, path, active), kept with their access."""

    def compute() -> list[tuple[int, str, bool]]:
        from qms.models import Department

        headed = Department.objects.filter(head=user).order_by("path")
        return list(headed.values_list("pk", "path", "is_active"))

    return kept_access(user, "headed", compute)


def headed_department_ids(user) -> list[int]:
    """Ids of every department this user heads, active or not (kept with their access)."""
    return [pk for pk, _path, _active in _headed(user)]


def headed_paths(user) -> list[str]:
    """Paths of the active departments this user heads (they triage, plan and answer for them)."""
    return [path for _pk, path, active in _headed(user) if active]


def units_and_headed(user) -> tuple[list[int], list[int]]:
    """Ids of the user's department and the units below it, and of every department they
    head (whose open case steps are theirs to see to), in one query; the headed ones are
    kept for ``headed_paths``."""
    entry = _access(user)
    if "units" not in entry:
        from qms.models import Department

        own = user.department.path if user.department_id else None
        tree = Q(head=user) | Q(path__startswith=own) if own else Q(head=user)
        rows = list(
            Department.objects.filter(tree)
            .order_by("path")
            .values_list("pk", "path", "is_active", "head_id")
        )
        entry["headed"] = [(pk, path, active) for pk, path, active, head in rows if head == user.pk]
        kept_access(
            user, "units", lambda: [pk for pk, path, _a, _h in rows if own and path.startswith(own)]
        )
    return entry["units"], [pk for pk, _path, _active in entry["headed"]]
