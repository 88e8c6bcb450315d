"""Project rules that a review would otherwise have to remember."""

import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from qms.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = [p for p in ROOT.iterdir() if (p / "apps.py").exists()]
# Models that are not domain data: join tables, logs with their own integrity, caches.
UNTRACKED = {
    "qms.notification",  # a message, not a record; read state only
    "qms.reminder",  # the send log of reminders
    "qms.securityevent",  # append-only and hash-chained instead
    "qms.isoclause",  # reference data seeded by a migration
    "qms.signature",  # immutable: written once, never changed
    "documents.acknowledgement",  # the record itself: requested, then acknowledged once
}
CONFIGURATION = {"qms.calendarday", "qms.attachment", "documents.documenttypesetting"}


def test_no_bulk_writes_in_services_on_tracked_models():
    """simple-history writes no rows for update()/bulk_*(): services must save one by one."""
    offenders = []
    pattern = re.compile(r"\.(update|bulk_create|bulk_update)\(|\.raw\(|cursor\(")
    for app in APP_DIRS:
        for path in [app / "services.py", *app.glob("services/*.py")]:
            if not path.exists():
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and "history-free" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _is_grant_table(model) -> bool:
    """django-guardian's direct-FK permission tables: grants, logged as security events."""
    from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

    return issubclass(model, (UserObjectPermissionBase, GroupObjectPermissionBase))


def test_every_domain_model_keeps_history():
    missing = []
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if model.__module__.split(".")[0] not in {p.name for p in APP_DIRS}:
            continue
        if model.__name__.startswith("Historical") or label in UNTRACKED or _is_grant_table(model):
            continue
        if not hasattr(model, "history"):
            missing.append(label)
    assert not missing, f"models without simple-history: {missing}"


@pytest.mark.django_db
def test_every_role_permission_exists_and_groups_match_the_code():
    call_command("sync_roles", stdout=StringIO())
    for role in ROLES:
        group = Group.objects.get(name=role.slug)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(role.permissions), role.slug
    wanted = {p.split(".", 1)[1] for role in ROLES for p in role.permissions}
    assert Permission.objects.filter(codename__in=wanted).count() >= len(wanted)


@pytest.mark.django_db
def test_migrations_are_committed():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exc})")


def test_translation_catalogues_are_complete():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "translations.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_visible_to_is_defined_for_every_domain_manager():
    """Every domain model answers visible_to() (the one choke point), or declares the
    parent it is only ever reached through (``visible_through = "document"``)."""
    skip = (UNTRACKED | CONFIGURATION) - {"documents.acknowledgement"}
    missing = []
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if model.__module__.split(".")[0] not in {p.name for p in APP_DIRS}:
            continue
        if model.__name__.startswith("Historical") or label in skip or _is_grant_table(model):
            continue
        through = getattr(model, "visible_through", None)
        if through:
            parent = model._meta.get_field(through).related_model
            if hasattr(parent._default_manager, "visible_to"):
                continue
        if not hasattr(model._default_manager, "visible_to"):
            missing.append(label)
    assert not missing, missing


def test_every_list_pages_with_the_capped_paginator():
    """A bare Paginator counts every matching row on each request (qms/pagination.py)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APP_DIRS
        for path in app.rglob("*.py")
        if path.name != "pagination.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "django.core.paginator" in line
    ]
    assert not offenders, offenders


def test_search_filters_use_the_matches_lookup():
    """``search_text__matches`` is the substring match the search indexes serve (qms/search.py);
    a plain ``contains`` would read every row for a two-character Chinese word."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APP_DIRS
        for path in app.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"search_text__i?contains", line)
    ]
    assert not offenders, offenders
