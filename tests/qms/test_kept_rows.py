"""kept_rows (qms/db.py): a query built and compiled once gives the rows the queryset gives,
for each call's values, and a query whose SQL depends on them is refused."""

import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qms.db import kept_rows
from qms.models import Department, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
_keys = itertools.count()


def _key(name: str) -> tuple:
    # a key per test: kept queries live as long as the process
    return ("test", name, next(_keys))


def _people(department_id: int):
    return (
        User.objects.filter(department_id=department_id, is_active=True)
        .select_related("department")
        .annotate(department_name=F("department__name"), joined=F("date_joined"))
        .order_by("username")
    )


def test_the_rows_of_the_queryset_for_each_call_values_built_once(org):
    for index, department in enumerate((org["a"], org["a"], org["b"])):
        UserFactory(username=f"kept{index}", department=department)
    UserFactory(username="kept-gone", department=org["a"], is_active=False)
    builds = []

    def build(department_id):
        builds.append(department_id)
        return _people(department_id)

    key = _key("people")
    for department in (org["a"], org["b"], org["a1"], org["a"]):
        with CaptureQueriesContext(connection) as queries:
            rows = kept_rows(key, build, department.pk)
        expected = list(_people(department.pk))
        assert [r.pk for r in rows] == [e.pk for e in expected] and len(queries) == 1
        assert [(r.department_name, r.joined) for r in rows] == [
            (e.department_name, e.joined) for e in expected
        ]
        assert all(r.joined.tzinfo is not None for r in rows)  # converted as the ORM does
        with CaptureQueriesContext(connection) as more:
            assert all(r.department.name == department.name for r in rows)  # joined
        assert len(more) == 0
    assert len(builds) == 2 and org["a"].pk not in builds  # twice, with stand-ins, at first


def test_values_lists_and_texts():
    key = _key("names")

    def build(code, name):
        return Department.objects.filter(code=code, name=name).values_list("pk", flat=True)

    department = Department.objects.create(code="KEPT", name="Phòng Kiểm soát")
    assert kept_rows(key, build, "KEPT", "Phòng Kiểm soát") == [department.pk]
    assert kept_rows(key, build, "KEPT", "Phòng khác") == []
    assert kept_rows(
        _key("dicts"),
        lambda code: Department.objects.filter(code=code).values("code", "name"),
        "KEPT",
    ) == [{"code": "KEPT", "name": "Phòng Kiểm soát"}]


def test_dates(org):
    from datetime import date, timedelta

    for days in (0, 3, 10):
        UserFactory(
            username=f"since{days}",
            department=org["b"],
            date_joined=timezone.now() - timedelta(days=days),
        )

    def build(department_id, day):
        return User.objects.filter(department_id=department_id, date_joined__date__lte=day)

    key = _key("dates")
    for back in (0, 2, 5, 20):
        day = timezone.localdate() - timedelta(days=back)
        expected = sorted(build(org["b"].pk, day).values_list("username", flat=True))
        assert sorted(u.username for u in kept_rows(key, build, org["b"].pk, day)) == expected
    assert len(expected) == 0 and isinstance(day, date)


@pytest.mark.parametrize(
    "build",
    [
        # the lookup changes the value ("%value%")
        lambda name: Department.objects.filter(name__icontains=name),
        # the value decides the SQL in Python
        lambda name: (
            Department.objects.filter(code=name) if "a" in name else Department.objects.all()
        ),
        # the value is not given to the query at all
        lambda name: Department.objects.all(),
        # a parameter that changes by itself
        lambda name: User.objects.filter(username=name, date_joined__lte=timezone.now()),
    ],
    ids=["transformed", "decided in Python", "unused", "clock"],
)
def test_a_query_whose_sql_follows_its_values_is_refused(build):
    with pytest.raises(ImproperlyConfigured, match="as a parameter"):
        kept_rows(_key("refused"), build, "KEPT")


def test_a_related_manager_and_values_of_other_kinds_are_refused(org):
    with pytest.raises(ImproperlyConfigured, match="manager"):
        kept_rows(_key("manager"), lambda pk: org["a"].members.filter(pk=pk), 1)
    for value in (None, 1.5, [1, 2], True):
        with pytest.raises(TypeError):
            kept_rows(_key("kinds"), lambda pk: User.objects.filter(pk=pk), value)


def test_parts_of_an_object_as_its_related_manager_gives_them(org):
    from qms.db import parts_of

    for index in range(4):
        UserFactory(username=f"part{index}", department=org["a"])
    UserFactory(username="elsewhere", department=org["b"])
    members = list(org["a"].members.order_by("-username"))
    with CaptureQueriesContext(connection) as queries:
        rows = parts_of(org["a"], User, "department", "department", order_by=("-username",))
        assert [r.department.name for r in rows] == [org["a"].name] * len(members)
    assert [r.pk for r in rows] == [m.pk for m in members] and len(queries) == 1
    firsts = parts_of(org["a"], User, "department", order_by=("-username",), limit=2)
    assert [r.pk for r in firsts] == [m.pk for m in members[:2]]
