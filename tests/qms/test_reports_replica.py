"""Reports may read from a replica (qms/db.py): inside ``reports()`` only, and only reads."""

import pytest
from django.db import router

from documents.models import Document
from qms import db
from qms.dashboard import computed_metrics, metrics_by_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(settings):
    # the router only asks whether the alias is configured; no connection is opened here
    settings.DATABASES = {**settings.DATABASES, "reports": settings.DATABASES["default"]}


def test_without_a_replica_everything_reads_from_the_primary():
    with db.reports():
        assert router.db_for_read(Document) == "default"


def test_reports_read_from_the_replica_and_write_to_the_primary(replica):
    assert router.db_for_read(Document) == "default"
    with db.reports():
        assert router.db_for_read(Document) == "reports"
        assert router.db_for_write(Document) == "default"
        assert Document.objects.all().db == "reports"
    assert Document.objects.all().db == "default"
    assert not router.allow_migrate("reports", "documents")


def test_the_report_builders_read_within_reports():
    """The dashboards, service figures, annual report and review inputs are marked, and the
    dashboard's queries do run in reports mode."""
    from django.core.cache import cache
    from django.db import connection

    from planning.annual_report import compile_report
    from procedures.performance import monthly_on_time, performance
    from qms.dashboard import period_for
    from reviews.inputs import compile_inputs

    marked = db.reads_reports(lambda: None).__code__
    for builder in (computed_metrics, compile_report, compile_inputs, performance, monthly_on_time):
        assert builder.__code__ is marked, builder.__name__
    modes = []

    def record(execute, sql, params, many, context):
        modes.append(db._READING_REPORTS.get())
        return execute(sql, params, many, context)

    cache.clear()
    with connection.execute_wrapper(record):
        metrics_by_path(period_for("year"))
    assert modes and all(modes)
