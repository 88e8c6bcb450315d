"""Shared fixtures: the organisation every test starts from, and users per role."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from qms.roles import ROLES
from tests.factories import DepartmentFactory, UserFactory

ROLE_SLUGS = [role.slug for role in ROLES]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """A page served in Chinese leaves its language active in the thread (the locale
    middleware does not undo it): every test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db):
    """An agency with two departments side by side, one of them with a unit below it.

    agency/  ├── dept_a/ ── unit_a1/
             └── dept_b/
    """
    agency = DepartmentFactory(code="AG", name="Sở Thử nghiệm")
    dept_a = DepartmentFactory(code="A", name="Phòng A", parent=agency)
    unit_a1 = DepartmentFactory(code="A1", name="Tổ A1", parent=dept_a)
    dept_b = DepartmentFactory(code="B", name="Phòng B", parent=agency)
    return {"agency": agency, "a": dept_a, "a1": unit_a1, "b": dept_b}


@pytest.fixture
def role_users(org):
    """One user per role, all in department A, plus a user with no role at all."""
    users = {
        slug: UserFactory(username=slug, department=org["a"], roles=[slug]) for slug in ROLE_SLUGS
    }
    users["no_role"] = UserFactory(username="no_role", department=org["a"])
    return users


@pytest.fixture
def admin_user(role_users):
    return role_users["administrator"]
