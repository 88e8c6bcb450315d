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


# --- The signed-in user and their unread count, kept between requests -----------------


def test_a_second_page_reads_neither_the_user_nor_the_unread_count(client, role_users):
    client.force_login(role_users["staff"])
    first = _sql(client, "/notifications/badge/")
    assert any('FROM "qms_user"' in sql for sql in first), first
    assert any('FROM "qms_notification"' in sql for sql in first), first
    assert _sql(client, "/notifications/badge/") == []


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, role_users):
    staff = role_users["staff"]
    client.force_login(staff)
    assert client.get("/notifications/").status_code == 200
    staff.is_active = False
    user_save(actor=role_users["administrator"], user=staff, roles=["staff"])
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_renamed_department_and_a_new_name_show_in_the_header_at_once(client, org, role_users):
    staff = role_users["staff"]
    client.force_login(staff)
    assert "Phòng A" in client.get("/notifications/").content.decode()
    staff.first_name, staff.last_name = "Lan", "Nguyễn"
    user_save(actor=role_users["administrator"], user=staff, roles=["staff"])
    # family name first, as the portal writes Vietnamese names
    assert "Nguyễn Lan" in client.get("/notifications/").content.decode()
    org["a"].name = "Phòng Hành chính"
    department_save(actor=role_users["administrator"], department=org["a"])
    assert "Phòng Hành chính" in client.get("/notifications/").content.decode()


def test_the_bell_counts_a_notification_sent_and_forgets_those_read(client, role_users):
    from qms.notifications import mark_read, notify

    staff = role_users["staff"]
    client.force_login(staff)
    assert "unread-count" not in client.get("/notifications/badge/").content.decode()
    notify(recipient=staff, message="Hello", email=False)
    notify(recipient=staff, message="Again", email=False)
    assert 'data-testid="unread-count">2<' in client.get("/notifications/badge/").content.decode()
    mark_read(user=staff)
    assert "unread-count" not in client.get("/notifications/badge/").content.decode()


def test_a_user_row_read_while_it_changes_is_not_kept(django_capture_on_commit_callbacks, org):
    """A request that read the row before the commit must not keep it as current; nor is a
    row read in a transaction that is then rolled back."""
    from django.db import transaction

    from qms.visibility import signed_in_user

    staff = UserFactory(username="lan", department=org["a"], roles=["staff"])

    def load():
        return User.objects.select_related("department").get(pk=staff.pk)

    def name() -> str:
        return signed_in_user(staff.pk, load).first_name

    staff.first_name = "Old"
    staff.save()
    assert name() == "Old"
    stale = User.objects.get(pk=staff.pk)
    with django_capture_on_commit_callbacks(execute=True):
        staff.first_name = "New"
        staff.save()
        # another request, on its own connection, still reads the committed row: kept
        # under the version of the moment, which the commit replaces
        assert signed_in_user(staff.pk, lambda: stale).first_name == "Old"
    assert name() == "New"
    with pytest.raises(RuntimeError), transaction.atomic():
        staff.first_name = "Rolled back"
        staff.save()
        assert name() == "Rolled back"
        raise RuntimeError("the service failed after renaming")
    assert name() == "New"


def test_counts_changed_in_a_transaction_are_forgotten_when_it_commits(
    django_capture_on_commit_callbacks, role_users
):
    """A sweep notifies many people in one transaction: their kept counts stay until the
    commit (the notifications are not visible before it), then go all at once."""
    from django.db import transaction

    from qms.notifications import notify
    from qms.selectors import unread_notification_count

    people = [role_users["staff"], role_users["process_owner"]]
    keys = [f"qms:unread:{person.pk}" for person in people]
    for person in people:
        assert unread_notification_count(User.objects.get(pk=person.pk)) == 0
    assert [cache.get(key) for key in keys] == [0, 0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for person in people:
            notify(recipient=person, message="Hello", email=False)
        assert [cache.get(key) for key in keys] == [0, 0]
    assert len(callbacks) == 2
    assert [cache.get(key) for key in keys] == [None, None]
    assert [unread_notification_count(User.objects.get(pk=p.pk)) for p in people] == [1, 1]
