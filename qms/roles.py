"""The agency's roles, defined in code and synced to Django groups.

A role is a named set of model-level permissions. Object-level grants (a restricted
document's readers, an external auditor's audits) come from django-guardian on top.
Each module adds its permissions here, so the whole matrix is read in one place and
`docs/roles.md` is generated from it (``manage.py sync_roles --markdown``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    description: str
    permissions: tuple[str, ...]


_PLATFORM_READ = (
    "qms.view_user",
    "qms.view_department",
    "qms.view_activity",
)
_DOCUMENT_CONTROL = (
    "documents.manage_register",
    "documents.view_restricted",
    "documents.view_old_revisions",
    "documents.manage_external",
)

ROLES: tuple[Role, ...] = (
    Role(
        "staff",
        _("Staff"),
        _("Civil servant: reads procedures, handles cases, reports problems, does tasks."),
        (),
    ),
    Role(
        "process_owner",
        _("Process owner"),
        _("Head of a department or owner of a process: drafts, revises and approves."),
        (),
    ),
    Role(
        "document_controller",
        _("Document controller"),
        _("Keeps the document register, distribution and periodic review."),
        ("qms.view_department", *_DOCUMENT_CONTROL),
    ),
    Role(
        "qms_manager",
        _("QMS manager"),
        _("Management representative: oversees the whole quality management system."),
        (
            *_PLATFORM_READ,
            "qms.view_calendarday",
            *_DOCUMENT_CONTROL,
            "records.manage_records",
            "nonconformities.manage_nonconformities",
            "nonconformities.manage_actions",
            "audits.manage_audits",
            "audits.view_all_audits",
            "procedures.manage_processes",
            "procedures.view_all_cases",
            "planning.manage_planning",
            "planning.view_all_risks",
            "reviews.manage_reviews",
            "reviews.view_all_reviews",
            "qms.view_dashboard",
        ),
    ),
    Role(
        "internal_auditor",
        _("Internal auditor"),
        _("Plans and performs internal audits and records findings."),
        (
            "qms.view_department",
            "qms.view_activity",
            "documents.view_all_documents",
            "documents.view_old_revisions",
            "records.view_all_records",
            "nonconformities.view_all_nonconformities",
            "audits.manage_audits",
            "audits.view_all_audits",
            "procedures.view_all_cases",
            "planning.view_all_risks",
            "reviews.view_all_reviews",
            "qms.view_dashboard",
        ),
    ),
    Role(
        "external_auditor",
        _("External auditor"),
        _("Certification body or inspector: read-only access to assigned audits."),
        (),
    ),
    Role(
        "top_management",
        _("Top management"),
        _("Agency head: approves the policy and manual, signs management review."),
        (
            *_PLATFORM_READ,
            "documents.view_all_documents",
            "records.view_all_records",
            "nonconformities.view_all_nonconformities",
            "audits.approve_programme",
            "audits.view_all_audits",
            "procedures.view_all_cases",
            "planning.view_all_risks",
            "reviews.view_all_reviews",
            "qms.view_dashboard",
        ),
    ),
    Role(
        "administrator",
        _("Administrator"),
        _("Manages users, departments, roles, holidays and settings."),
        (
            *_PLATFORM_READ,
            "qms.add_user",
            "qms.change_user",
            "qms.manage_user",
            "qms.add_department",
            "qms.change_department",
            "qms.manage_department",
            "qms.view_calendarday",
            "qms.manage_calendar",
            "qms.view_securityevent",
        ),
    ),
)

ROLE_BY_SLUG = {role.slug: role for role in ROLES}


def role_name(slug: str) -> str:
    role = ROLE_BY_SLUG.get(slug)
    return str(role.name) if role else slug


def sync_roles(apps=None, *, strict: bool = False) -> list[str]:
    """Create one group per role and give it exactly the role's permissions.

    Returns the permissions that do not exist (yet). With ``apps`` from a migration the
    historical models are used. Idempotent: running it twice changes nothing.
    """
    if apps is None:
        from django.contrib.auth.models import Group, Permission
    else:
        Group = apps.get_model("auth", "Group")  # noqa: N806
        Permission = apps.get_model("auth", "Permission")  # noqa: N806

    wanted = {perm for role in ROLES for perm in role.permissions}
    found = {}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={p.split(".", 1)[1] for p in wanted}
    ):
        found[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    missing = sorted(wanted - set(found))
    if missing and strict:
        raise LookupError(f"Permissions not found: {', '.join(missing)}")
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.slug)
        group.permissions.set([found[p] for p in role.permissions if p in found])
    if missing:
        logger.info("Role permissions not installed yet: %s", ", ".join(missing))
    return missing
