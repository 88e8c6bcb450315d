"""Who sees which records.

* The QMS manager (``records.manage_records``) sees every record type and record.
* Internal auditors and top management (``records.view_all_records``) see every record
  whose type is not restricted.
* Everyone else sees records of types open to the whole agency, records of types kept by
  department that belong to their department scope, and records they registered.
* Restricted types: their named readers (object grants on the type) and the QMS manager.
* External auditors: only what they were granted.
"""

from __future__ import annotations

from django.db.models import Q

from qms.visibility import (
    department_scope_q,
    has_global_view,
    is_active_user,
    object_grant_q,
    role_slugs,
)
from records.choices import Access


def _granted_types_q(user, prefix: str = "") -> Q:
    from records.models import RecordType

    grant = object_grant_q(user, "records.view_recordtype", RecordType)
    if not prefix:
        return grant
    granted = RecordType.objects.filter(grant).values("pk")
    return Q(**{f"{prefix}__in": granted})


def record_type_visibility_q(user) -> Q | None:
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "records.manage_records"):
        return None
    granted = _granted_types_q(user)
    if role_slugs(user) == {"external_auditor"}:
        return granted
    return ~Q(access=Access.RESTRICTED) | granted


def record_visibility_q(user) -> Q | None:
    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "records.manage_records"):
        return None
    granted = _granted_types_q(user, "record_type")
    if role_slugs(user) == {"external_auditor"}:
        return granted
    if has_global_view(user, "records.view_all_records"):
        return ~Q(record_type__access=Access.RESTRICTED) | granted
    return (
        Q(record_type__access=Access.AGENCY)
        | (Q(record_type__access=Access.DEPARTMENT) & department_scope_q(user))
        | granted
        | Q(registered_by=user)
    )


def records_for_register(user):
    from records.models import Record

    return Record.objects.visible_to(user).select_related("record_type", "department")
