"""Every platform page costs the same number of queries with 10 or 1,000 rows behind it."""

import pytest
from django.test import Client

from qms.models import CalendarDay, Department, Notification, User
from tests.factories import DepartmentFactory, UserFactory
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db


def _grow(org, users: int, departments: int) -> None:
    """Add departments under A and B, users in them, with roles, holidays and notifications."""
    from django.contrib.auth.models import Group

    staff = Group.objects.get(name="staff")
    made = []
    for i in range(departments):
        parent = org["a"] if i % 2 else org["b"]
        made.append(DepartmentFactory(code=f"G{Department.objects.count()}", parent=parent))
    for i in range(users):
        user = UserFactory(department=made[i % len(made)] if made else org["a"])
        user.groups.add(staff)
    for i in range(min(users, 50)):
        CalendarDay.objects.get_or_create(
            date=f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}", defaults={"name": "x"}
        )


PAGES = [
    "/",
    "/notifications/",
    "/departments/",
    "/departments/?sort=-name",
    "/admin/users/",
    "/admin/users/?role=staff&sort=department",
    "/admin/calendar/",
    "/activity/",
    "/admin/security-log/",
    "/accounts/profile/",
]


def test_page_query_counts_do_not_grow_with_data(role_users, org):
    admin = role_users["administrator"]
    for _ in range(3):
        Notification.objects.create(recipient=admin, message="Hello")

    def measure():
        client = Client()
        client.force_login(admin)
        pages = PAGES + [f"/departments/{org['a'].pk}/", f"/admin/users/{admin.pk}/"]
        return {url: page_queries(client, url) for url in pages}

    _grow(org, users=10, departments=4)
    small = measure()
    _grow(org, users=1000, departments=60)
    large = measure()
    assert User.objects.count() > 1000 and Department.objects.count() > 60
    grown = {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    assert not grown, f"query counts grew with data (small, large): {grown}"
    assert max(large.values()) <= 20, large


def test_staff_pages_stay_flat_too(role_users, org):
    staff = role_users["staff"]

    def measure():
        client = Client()
        client.force_login(staff)
        return {url: page_queries(client, url) for url in ["/", "/departments/", "/notifications/"]}

    _grow(org, users=10, departments=4)
    small = measure()
    _grow(org, users=500, departments=40)
    assert measure() == small


def test_user_export_is_constant_in_queries(client, role_users, org):
    client.force_login(role_users["administrator"])
    _grow(org, users=20, departments=2)
    small = page_queries(client, "/admin/users/?export=csv")
    _grow(org, users=300, departments=2)
    assert page_queries(client, "/admin/users/?export=csv") == small
