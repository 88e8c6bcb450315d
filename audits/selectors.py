"""Who sees which audits.

* The QMS manager, internal auditors and top management (``audits.view_all_audits``): all.
* The lead auditor and the team: their audits.
* Auditees: audits whose scope includes their department scope, or a department above
  theirs (an audit of a department covers its units).
* External auditors: only audits they were assigned (object grants), read-only.
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router
from django.db.models import Exists, Model, OuterRef, Q

from qms.visibility import (
    department_scope_q,
    has_global_view,
    is_active_user,
    object_grant_q,
    role_slugs,
)


def audit_visibility_q(user) -> Q | None:
    from audits.models import Audit

    if not is_active_user(user):
        return Q(pk__in=[])
    if has_global_view(user, "audits.view_all_audits"):
        return None
    granted = object_grant_q(user, "audits.view_audit", Audit)
    if role_slugs(user) == {"external_auditor"}:
        return granted
    above_mine = Q(pk__in=[])
    if user.department_id:
        path = user.department.path
        # every prefix of "SO/VP/MC/" ending at a "/" is a department above or equal
        prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
        above_mine = Q(department__path__in=prefixes)
    in_scope = Exists(
        Audit.scope_departments.through.objects.filter(audit_id=OuterRef("pk")).filter(
            department_scope_q(user, field="department") | above_mine
        )
    )
    on_team = Exists(Audit.team.through.objects.filter(audit_id=OuterRef("pk"), user_id=user.pk))
    return Q(lead_auditor=user) | Q(on_team) | Q(in_scope) | granted


def external_auditors(audit) -> list:
    """Every external auditor, each marked ``has_access`` when given read-only access to
    this audit (an object grant): the audit's page lists those and offers the others, from
    one query."""
    from audits.models import AuditUserObjectPermission
    from qms.models import User

    granted = AuditUserObjectPermission.objects.filter(
        content_object=audit, permission__codename="view_audit", user=OuterRef("pk")
    )
    return list(
        User.objects.filter(groups__name="external_auditor")
        .only("username", "first_name", "last_name", "job_title", "is_active")
        .annotate(has_access=Exists(granted))
        .order_by("last_name", "first_name")
    )


# The audit's team and criteria as its page shows them: relation, fields shown.
_PLAN_LISTS: dict[str, tuple[str, ...]] = {
    "team": ("first_name", "last_name", "username"),
    "scope_departments": ("name",),
    "scope_procedures": ("code", "title"),
    "criteria_clauses": ("number",),  # the title comes from code (qms.iso)
    "criteria_documents": ("code", "title"),
    "legal_criteria": ("number", "title"),
}


@cache
def _plan_query(vendor: str) -> tuple[str, tuple[tuple[str, type[Model], tuple[str, ...]], ...]]:
    """One UNION ALL over the six relations, each in its model's order, built once from
    the models' metadata; and for each part the relation, its model and the fields read."""
    from audits.models import Audit

    quote = connections[router.db_for_read(Audit)].ops.quote_name
    width = max(len(shown) for shown in _PLAN_LISTS.values())
    parts, shapes = [], []
    for kind, (name, shown) in enumerate(_PLAN_LISTS.items()):
        field = Audit._meta.get_field(name)
        model = field.related_model
        pk = quote(model._meta.pk.column)
        fields = [f for f in model._meta.concrete_fields if f.name in shown]
        columns = [f"t.{quote(f.column)}" for f in fields] + ["NULL"] * (width - len(fields))
        order = ", ".join(
            f"t.{quote(model._meta.get_field(o.lstrip('-')).column)}"
            + (" DESC" if o.startswith("-") else "")
            for o in model._meta.ordering or ["pk"]
        )
        # names from the models' metadata, quoted; the audit's id is a parameter
        parts.append(
            f"SELECT {kind}, t.{pk}, {', '.join(columns)}, "  # noqa: S608
            f"ROW_NUMBER() OVER (ORDER BY {order}) "
            f"FROM {quote(model._meta.db_table)} t "
            f"JOIN {quote(field.remote_field.through._meta.db_table)} m "
            f"ON m.{quote(field.m2m_reverse_name())} = t.{pk} "
            f"WHERE m.{quote(field.m2m_column_name())} = %s"
        )
        shapes.append((name, model, (model._meta.pk.attname, *(f.attname for f in fields))))
    return " UNION ALL ".join(parts) + f" ORDER BY 1, {width + 3}", tuple(shapes)


def plan_lists(audit) -> dict[str, list]:
    """The audit's team, departments, procedures, clauses, documents and legal criteria,
    from one query where the related managers take six (on the audit's page the six cost a
    fifth of the request, mostly compiling SQL). Each object holds only the fields shown;
    the lists are in the models' own order."""
    from audits.models import Audit

    alias = router.db_for_read(Audit)
    sql, shapes = _plan_query(connections[alias].vendor)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [audit.pk] * len(shapes))
        rows = cursor.fetchall()
    lists: dict[str, list] = {name: [] for name, _model, _fields in shapes}
    for kind, *values in rows:
        name, model, fields = shapes[kind]
        lists[name].append(model.from_db(alias, fields, values[: len(fields)]))
    return lists
