"""A user's access is kept between requests (qms.visibility.kept_access) and renewed at
once when roles, grants or the department tree change."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.models import Department, User
from qms.services import department_save, user_grant_department_scope, user_save
from qms.visibility import access_changed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sql(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _department_options(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    select = html.split('name="department"', 1)[1].split("</select>", 1)[0]
    return [part.split("</option>", 1)[0].split(">")[-1] for part in select.split("<option")[2:]]


def test_a_second_page_reads_neither_permissions_nor_scope(client, role_users):
    client.force_login(role_users["process_owner"])
    first = _sql(client, "/notifications/")
    assert any("auth_permission" in sql for sql in first)
    assert not any("auth_permission" in sql for sql in _sql(client, "/notifications/"))
    first = _sql(client, "/records/")
    assert any("qms_departmentuserobjectpermission" in sql for sql in first)
    again = _sql(client, "/records/")
    assert not any("qms_departmentuserobjectpermission" in sql for sql in again), again
    assert not any('FROM "qms_department"' in sql for sql in again), again


def test_a_role_taken_away_is_gone_at_the_next_request(client, role_users):
    manager = role_users["qms_manager"]
    client.force_login(manager)
    assert client.get("/dashboard/").status_code == 200
    user_save(actor=role_users["administrator"], user=manager, roles=["staff"])
    assert client.get("/dashboard/").status_code == 403
    user_save(actor=role_users["administrator"], user=manager, roles=["qms_manager"])
    assert client.get("/dashboard/").status_code == 200


def test_a_permission_taken_from_a_role_is_gone_at_the_next_request(client, role_users):
    client.force_login(role_users["qms_manager"])
    assert client.get("/dashboard/").status_code == 200
    group = Group.objects.get(name="qms_manager")
    group.permissions.remove(Permission.objects.get(codename="view_dashboard"))
    assert client.get("/dashboard/").status_code == 403


def test_a_department_granted_or_added_shows_in_the_filters_at_once(client, org, role_users):
    staff = UserFactory(username="lan", department=org["b"], roles=["staff"])
    client.force_login(staff)
    assert _department_options(client, "/records/") == ["Phòng B"]
    user_grant_department_scope(
        actor=role_users["administrator"], user=staff, department=org["a"], granted=True
    )
    assert _department_options(client, "/records/") == ["Phòng A", "Tổ A1", "Phòng B"]
    department_save(
        actor=role_users["administrator"],
        department=Department(code="B1", name="Tổ B1", parent=org["b"]),
    )
    assert _department_options(client, "/records/") == ["Phòng A", "Tổ A1", "Phòng B", "Tổ B1"]
    user_grant_department_scope(
        actor=role_users["administrator"], user=staff, department=org["a"], granted=False
    )
    assert _department_options(client, "/records/") == ["Phòng B", "Tổ B1"]


def test_moving_a_user_to_another_department_moves_their_scope(client, org, role_users):
    staff = UserFactory(username="lan", department=org["b"], roles=["staff"])
    client.force_login(staff)
    assert _department_options(client, "/records/") == ["Phòng B"]
    staff.department = org["a"]
    user_save(actor=role_users["administrator"], user=staff, roles=["staff"])
    assert _department_options(client, "/records/") == ["Phòng A", "Tổ A1"]


def test_the_access_generation_is_replaced_again_after_the_commit(
    django_capture_on_commit_callbacks,
):
    """A request that read the old rows before the commit must not keep them as current."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        access_changed()
        during = cache.get("qms:access:generation")
    assert len(callbacks) == 1
    assert cache.get("qms:access:generation") not in (None, during)


def test_access_read_in_a_transaction_rolled_back_is_not_kept(org):
    """A role granted in a transaction that is then rolled back must not stay kept."""
    from django.db import transaction

    staff = UserFactory(username="lan", department=org["a"], roles=["staff"])

    def can_see_dashboard() -> bool:
        return User.objects.get(pk=staff.pk).has_perm("qms.view_dashboard")

    assert not can_see_dashboard()
    with pytest.raises(RuntimeError), transaction.atomic():
        staff.groups.add(Group.objects.get(name="qms_manager"))
        assert can_see_dashboard()
        raise RuntimeError("the service failed after granting the role")
    assert not can_see_dashboard()
