"""Queries prepared on the PostgreSQL server (``qms/prepared.py``): the rows a page reaches
by their ids come from statements PostgreSQL planned once per connection, with the same
values, of the same types, as before; everything else runs as it did."""

import decimal

import pytest
from django.db import connection, transaction
from django.db.models import DecimalField, Value
from django.test.utils import CaptureQueriesContext

from qms import prepared
from qms.models import Department
from qms.visibility import get_visible_or_404
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _statements(settings):
    if connection.vendor != "postgresql":
        pytest.skip("!!! NOT RUN: PREPARE is PostgreSQL's (CI runs this on PostgreSQL)")
    settings.QMS_PREPARE_AFTER = 2
    settings.QMS_PREPARED_MAX = 200
    prepared._refused.clear()
    connection.ensure_connection()
    assert prepared.enabled_for(connection), "tests run with persistent connections"
    _deallocate_all()
    yield
    _deallocate_all()


def _deallocate_all():
    with connection.connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.qms_statements = prepared.Statements()


def _on_server() -> list[tuple[str, str]]:
    with connection.connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text, statement FROM pg_prepared_statements"
            " WHERE name LIKE 'qms_%%'"
        )
        return cursor.fetchall()


def _run_where_one_plan_fits(read, times: int = 3) -> None:
    """Run ``read()`` ``times`` times inside ``one_plan_fits()``: past QMS_PREPARE_AFTER."""
    for _ in range(times):
        with prepared.one_plan_fits():
            read()


def test_a_query_where_one_plan_fits_is_prepared_after_two_runs_and_answers_the_same():
    department = DepartmentFactory(code="KH", name="Phòng Kế hoạch")
    answers = []
    for _ in range(4):
        with prepared.one_plan_fits():
            row = (
                Department.objects.filter(pk=department.pk, code="KH")
                .annotate(budget=Value(decimal.Decimal("12.50"), output_field=DecimalField()))
                .values("pk", "name", "budget", "depth")
                .get()
            )
        answers.append(row)
    assert answers[0] == answers[3]
    assert answers[3]["name"] == "Phòng Kế hoạch"
    assert answers[3]["budget"] == decimal.Decimal("12.50")
    assert answers[3]["depth"] == 0
    statements = _on_server()
    assert len(statements) == 1
    types, text = statements[0]
    assert set(types.strip("{}").split(",")) == {"numeric", "bigint", "text"}
    assert '"qms_department"."id" = $' in text


def test_nothing_else_is_prepared():
    department = DepartmentFactory(code="KH")
    for _ in range(5):
        list(Department.objects.filter(pk=department.pk))
        list(Department.objects.filter(is_active=True).order_by("name")[:25])
    assert _on_server() == []


def test_an_object_page_reads_its_object_through_a_prepared_statement(client):
    department = DepartmentFactory(code="KH")
    user = UserFactory(department=department, roles=["qms_manager"])
    for _ in range(3):
        assert get_visible_or_404(Department.objects, user, pk=department.pk) == department
    assert any('"qms_department"."id" = $' in text for _types, text in _on_server())


def test_a_statement_postgresql_refuses_runs_as_before_and_the_transaction_goes_on():
    department = DepartmentFactory(code="KH", name="Phòng Kế hoạch")
    with transaction.atomic():
        for _ in range(3):
            with prepared.one_plan_fits():
                # a text value where PostgreSQL wants a number: refused, run as before
                rows = list(
                    Department.objects.extra(where=["id = %s + 0"], params=[str(department.pk)])
                )
            assert rows == [department]
        assert Department.objects.filter(pk=department.pk).exists()  # not aborted
    assert _on_server() == []
    assert len(prepared._refused) == 1


def test_a_connection_keeps_at_most_the_configured_number_of_statements(settings):
    settings.QMS_PREPARED_MAX = 2
    departments = [DepartmentFactory(code=f"D{n}") for n in range(3)]
    lookups = [{"pk": departments[0].pk}, {"code": "D1"}, {"code": "D2", "is_active": True}]
    for lookup in lookups:
        for _ in range(3):
            with prepared.one_plan_fits():
                assert Department.objects.filter(**lookup).count() == 1
    texts = [text for _types, text in _on_server()]
    assert len(texts) == 2
    assert not any('"qms_department"."id" = $1' in text for text in texts)  # the oldest


def test_server_side_cursors_and_values_of_other_kinds_run_as_before():
    department = DepartmentFactory(code="KH")
    for _ in range(3):
        with prepared.one_plan_fits():
            found = Department.objects.filter(pk=department.pk).iterator(chunk_size=10)
            assert [d.pk for d in found] == [department.pk]
            no_parent = Department.objects.extra(
                where=["parent_id IS NOT DISTINCT FROM %s"], params=[None]
            )
            assert list(no_parent) == [department]
    assert _on_server() == []


def test_after_a_migration_a_connection_prepares_anew():
    department = DepartmentFactory(code="KH")
    _run_where_one_plan_fits(lambda: list(Department.objects.filter(pk=department.pk)))
    assert len(_on_server()) == 1
    prepared._pause_while_migrating(sender=None, using="default")
    with prepared.one_plan_fits():
        list(Department.objects.filter(code="KH"))
        list(Department.objects.filter(code="KH"))
        list(Department.objects.filter(code="KH"))
    assert len(_on_server()) == 1  # nothing new while migrating
    prepared._forget_after_migrating(sender=None, using="default")
    assert _on_server() == []


def test_django_logs_a_prepared_query_as_written():
    department = DepartmentFactory(code="KH")
    _run_where_one_plan_fits(lambda: list(Department.objects.filter(pk=department.pk)), times=2)
    with CaptureQueriesContext(connection) as captured, prepared.one_plan_fits():
        assert list(Department.objects.filter(pk=department.pk)) == [department]
    assert len(_on_server()) == 1
    logged = captured.captured_queries[0]["sql"]
    assert logged.startswith('SELECT "qms_department"."id"')
    assert f'"qms_department"."id" = {department.pk}' in logged


def test_the_activity_pages_union_is_prepared_unless_a_reader_filters_it(org):
    from qms.history import activity

    department = DepartmentFactory(code="KH", name="Phòng Kế hoạch")
    for _ in range(3):
        newest = activity()[0:50]
        assert newest[0]["entry_label"] == "KH" and newest[0]["id"] == department.pk
    assert [text for _types, text in _on_server() if "UNION ALL" in text]
    _deallocate_all()
    for _ in range(3):
        assert activity(object_id=department.pk, app_label="qms")[0:50]
    assert _on_server() == []


def test_ids_as_one_array_are_declared_and_prepared(org):
    departments = [DepartmentFactory(code=f"D{n}") for n in range(3)]
    for wanted in ([d.pk for d in departments], [departments[0].pk], []):
        for _ in range(3):
            with prepared.one_plan_fits():
                found = list(Department.objects.filter(pk__any_of=wanted).order_by("code"))
            assert [d.pk for d in found] == wanted
    statements = _on_server()
    assert len(statements) == 1  # one statement, whatever the number of ids
    assert statements[0][0] == "{bigint[]}"


@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_column_changed_type_runs_as_written():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE qms_prepared_probe (id int PRIMARY KEY, code int)")
        cursor.execute("INSERT INTO qms_prepared_probe VALUES (1, 42)")
    try:
        for _ in range(3):
            with prepared.one_plan_fits(), connection.cursor() as cursor:
                cursor.execute("SELECT id, code FROM qms_prepared_probe WHERE id = %s", [1])
                assert cursor.fetchall() == [(1, 42)]
        assert len(_on_server()) == 1
        with connection.cursor() as cursor:  # a migration while the process runs
            cursor.execute("ALTER TABLE qms_prepared_probe ALTER COLUMN code TYPE text")
        with prepared.one_plan_fits(), connection.cursor() as cursor:
            cursor.execute("SELECT id, code FROM qms_prepared_probe WHERE id = %s", [1])
            assert cursor.fetchall() == [(1, "42")]
        assert _on_server() == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE qms_prepared_probe")


def test_my_tasks_are_planned_for_each_person(client, org):
    """A person's open items by status, sorted by date and cut: the best plan depends on
    whose they are (a generic one read a unit's steps at province scale in 7.6 ms instead
    of 0.3), so My tasks prepares nothing, even through kept_rows."""
    department = DepartmentFactory(code="KH")
    client.force_login(UserFactory(department=org["a"], roles=["staff"]))
    for _ in range(3):
        assert client.get("/").status_code == 200
        with prepared.planned_each_time(), prepared.one_plan_fits():
            list(Department.objects.filter(pk=department.pk))
    texts = [text for _types, text in _on_server()]
    assert not [t for t in texts if "procedures_casestep" in t or "nonconformities_action" in t]
    assert not [t for t in texts if '"qms_department"."id" = $' in t]
