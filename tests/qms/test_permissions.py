"""Roles × platform pages × in-scope / out-of-scope objects."""

import pytest
from guardian.shortcuts import assign_perm

from qms.models import Department, User
from qms.visibility import scope_paths
from tests.factories import DepartmentFactory, UserFactory
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix

pytestmark = pytest.mark.django_db

VIEW_USERS = {"qms_manager": 200, "top_management": 200, "administrator": 200}
ADMIN_ONLY = {"administrator": 200}
GLOBAL_DEPARTMENTS = {
    "document_controller": 200,
    "qms_manager": 200,
    "internal_auditor": 200,
    "top_management": 200,
    "administrator": 200,
}


def test_platform_permission_matrix(role_users, org):
    a, b = org["a"], org["b"]
    other_user = UserFactory(department=b)
    cases = [
        Case("/", 200),
        Case("/notifications/", 200),
        Case("/notifications/badge/", 200),
        Case("/accounts/profile/", 200),
        Case("/accounts/password/", 200),
        Case("/departments/", 200),
        Case(f"/departments/{a.pk}/", 200),
        Case(f"/departments/{b.pk}/", 404, GLOBAL_DEPARTMENTS),
        Case("/departments/999999/", 404),
        Case("/departments/new/", 403, ADMIN_ONLY),
        Case(f"/departments/{a.pk}/edit/", 403, ADMIN_ONLY),
        Case("/admin/users/", 403, VIEW_USERS),
        Case("/admin/users/new/", 403, ADMIN_ONLY),
        Case(f"/admin/users/{other_user.pk}/", 403, VIEW_USERS),
        Case(f"/admin/users/{other_user.pk}/edit/", 403, ADMIN_ONLY),
        Case("/admin/users/999999/", 403, {**VIEW_USERS, **dict.fromkeys(VIEW_USERS, 404)}),
        Case("/admin/calendar/", 403, {"qms_manager": 200, "administrator": 200}),
        Case("/admin/calendar/new/", 403, ADMIN_ONLY),
        Case(
            "/activity/",
            403,
            {"qms_manager": 200, "internal_auditor": 200, "top_management": 200, **ADMIN_ONLY},
        ),
        Case("/admin/security-log/", 403, ADMIN_ONLY),
    ]
    check_matrix(role_users, cases)


def test_denied_writes_leave_no_trace(client, role_users, org):
    before = (Department.objects.count(), User.objects.count())
    client.force_login(role_users["qms_manager"])
    assert client.post("/departments/new/", {"code": "X", "name": "X"}).status_code == 403
    response = client.post(
        "/admin/users/new/",
        {"username": "intruder", "email": "i@x.example", "department": org["a"].pk},
    )
    assert response.status_code == 403
    assert (Department.objects.count(), User.objects.count()) == before


def test_department_list_and_detail_agree_for_every_role(role_users, org):
    check_list_detail_agree(
        role_users,
        "/departments/",
        lambda d: f"/departments/{d.pk}/",
        list(Department.objects.all()),
    )


def test_staff_see_their_department_and_the_units_below_it_only(role_users, org):
    staff = role_users["staff"]
    visible = set(Department.objects.visible_to(staff).values_list("code", flat=True))
    assert visible == {"A", "A1"}


def test_an_object_grant_extends_scope_to_another_subtree(role_users, org):
    staff = role_users["staff"]
    b_unit = DepartmentFactory(code="B1", parent=org["b"])
    assign_perm("qms.view_department", staff, org["b"])
    visible = set(Department.objects.visible_to(staff).values_list("code", flat=True))
    assert visible == {"A", "A1", "B", "B1"}
    assert b_unit.code in visible
    assert scope_paths(staff) == ["AG/A/", "AG/B/"]


def test_a_model_permission_from_a_group_does_not_leak_through_guardian(role_users, org):
    """The guardian pitfall: a role's model-level view permission must not count as a grant."""
    from qms.visibility import object_grant_q

    controller = role_users["document_controller"]  # holds qms.view_department globally
    q = object_grant_q(controller, "qms.view_department", Department)
    assert not Department.objects.filter(q).exists()


def test_foreign_department_id_in_a_form_is_refused(client, role_users, org):
    """A department id that is not among the choices is refused and nothing is created."""
    admin = UserFactory(department=org["a1"], roles=["administrator"])
    # Administrators see the whole tree; a department that does not exist is refused.
    client.force_login(admin)
    response = client.post(
        "/admin/users/new/",
        {
            "username": "newbie",
            "email": "newbie@agency.example",
            "department": 999999,
            "language": "en",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_scope_grant_through_the_user_page_is_logged(client, role_users, org):
    from qms.models import SecurityEvent

    staff = role_users["staff"]
    client.force_login(role_users["administrator"])
    response = client.post(f"/admin/users/{staff.pk}/scope/", {"department": org["b"].pk})
    assert response.status_code == 302
    assert Department.objects.visible_to(User.objects.get(pk=staff.pk)).filter(pk=org["b"].pk)
    event = SecurityEvent.objects.get(kind="permission_changed")
    assert event.details == {
        "permission": "qms.view_department",
        "department": "B",
        "granted": True,
    }
    client.post(f"/admin/users/{staff.pk}/scope/", {"department": org["b"].pk, "action": "revoke"})
    assert not Department.objects.visible_to(User.objects.get(pk=staff.pk)).filter(pk=org["b"].pk)


def test_visibility_rules_read_the_rows_own_columns(role_users, org):
    """A clerk's document register joined the department tree and the approvals to decide
    what they see: PostgreSQL joined and sorted all 20,000 documents for a page (74 ms, 2 ms
    by ids). The rules filter on the row's own columns and on sets of ids."""
    from documents.models import Document
    from nonconformities.models import Action, Nonconformity
    from qms.visibility import object_grant_q

    staff = UserFactory(department=org["a"], roles=["staff"])
    for rows in (
        Document.objects.visible_to(staff),
        Nonconformity.objects.visible_to(staff),
        Action.objects.visible_to(staff),
        Department.objects.filter(object_grant_q(staff, "qms.view_department", Department)),
    ):
        outer = str(rows.only("pk").query).split(" WHERE ", 1)[0]
        assert " JOIN " not in outer, outer
    assign_perm("qms.view_department", staff, org["b"])
    granted = object_grant_q(staff, "qms.view_department", Department)
    assert list(Department.objects.filter(granted)) == [org["b"]]
