"""The dashboards: every tile equals a direct count over the same data, for the agency and
for one unit; units roll up along the tree; heads see their unit only; constant queries."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from documents import services as document_services
from documents.choices import DocumentType
from documents.models import Acknowledgement, Document, Revision
from nonconformities import services as nc_services
from nonconformities.choices import OPEN_ACTION_STATUSES, OPEN_STATUSES
from nonconformities.models import Action, Nonconformity
from planning.models import Objective, Risk
from procedures.models import ServiceCase
from qms import dashboard
from qms.models import Department
from tests.documents.conftest import run_through, start
from tests.factories import DepartmentFactory
from tests.nonconformities.conftest import add_action, crew, report, triaged  # noqa: F401
from tests.planning.conftest import make_objective, make_risk
from tests.procedures.conftest import at, desk, manager  # noqa: F401
from tests.procedures.test_performance import _run

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def agency(org, role_users, crew, desk):
    """A little of everything, in A (and its unit A1) and in B."""
    people = {
        "owner": crew["head"],
        "reviewer": crew["b_head"],
        "approver": role_users["top_management"],
        "controller": role_users["document_controller"],
    }
    documents = []
    for number, department in enumerate([org["a"], org["a1"], org["b"]]):
        document = document_services.document_register(
            actor=people["controller"],
            document=Document(
                title=f"Quy trình {number}",
                document_type=DocumentType.PROCEDURE,
                department=department,
                owner=crew["head"],
            ),
        )
        document_services.distribution_add(
            actor=people["controller"], document=document, department=department
        )
        run_through(people, start(people, document))
        documents.append(Document.objects.get(pk=document.pk))
    documents[0].next_review_date = TODAY - timedelta(days=3)  # overdue in A
    documents[0].save()
    documents[2].next_review_date = TODAY + timedelta(days=10)  # due soon in B
    documents[2].save()
    start(people, documents[1], summary="Sửa đổi lần 2")  # a draft in A1
    revision = Revision.objects.filter(document=documents[1], status="draft").get()
    document_services.revision_submit(actor=people["owner"], revision=revision, version=None)
    # nonconformities: two open in A (one critical), one open in B, one reported only
    critical = triaged(crew, org, severity="critical")
    triaged(crew, org, severity="major", department=org["b"])
    report(crew, org, department=org["a1"])
    minor = triaged(crew, org, severity="minor")
    minor = nc_services.start_analysis(actor=crew["owner"], nc=minor, version=minor.version)
    late = add_action(crew, minor, due_days=5)
    Action.objects.filter(pk=late.pk).update(due_date=TODAY - timedelta(days=2))  # test data only
    # service cases in A this month
    for day_offset in (0, 1):
        _run(desk, at(TODAY.replace(day=1), 9) + timedelta(days=day_offset))
    # planning
    manager_user = role_users["qms_manager"]
    make_objective(manager_user, crew["head"], org["a"])
    make_objective(manager_user, crew["head"])
    make_risk(crew["head"], org["a1"])
    make_risk(manager_user, org["b"], owner=crew["b_head"], likelihood=1, impact=2)
    make_risk(
        crew["head"], org["a"], kind="opportunity", treatment="pursue", likelihood=3, impact=3
    )
    make_risk(
        crew["head"], org["a"], likelihood=5, impact=4, residual_likelihood=1, residual_impact=2
    )
    Nonconformity.objects.filter(pk=critical.pk).update(  # test data: reported long ago
        reported_at=timezone.now() - timedelta(days=120)
    )
    return {"critical": critical, "documents": documents, "manager": manager_user}


def tiles_of(panels) -> dict:
    return {tile.testid: tile.value for panel in panels for tile in panel.tiles}


def expected(path: str, period) -> dict:
    in_scope = {"department__path__startswith": path}
    effective = Document.objects.filter(status="effective", **in_scope)
    open_actions = Action.objects.filter(status__in=OPEN_ACTION_STATUSES, **in_scope)
    ncs = Nonconformity.objects.filter(status__in=OPEN_STATUSES, **in_scope)
    return {
        "tile-docs-effective": effective.count(),
        "tile-docs-pending": Revision.objects.filter(
            status="in_review", document__department__path__startswith=path
        ).count(),
        "tile-docs-review-overdue": effective.filter(next_review_date__lt=TODAY).count(),
        "tile-docs-review-soon": effective.filter(
            next_review_date__gte=TODAY, next_review_date__lte=TODAY + timedelta(days=30)
        ).count(),
        "tile-docs-acks": Acknowledgement.objects.filter(
            acknowledged_at__isnull=True,
            revision__status="effective",
            user__department__path__startswith=path,
        ).count(),
        "tile-nc-open": ncs.count(),
        "tile-nc-critical": ncs.filter(severity="critical").count(),
        "tile-nc-major": ncs.filter(severity="major").count(),
        "tile-actions-open": open_actions.count(),
        "tile-actions-overdue": open_actions.filter(due_date__lt=TODAY).count(),
        "tile-cases-overdue": ServiceCase.objects.filter(
            status="in_progress", due_at__lt=timezone.now(), **in_scope
        ).count(),
        "tile-risks-open": Risk.objects.filter(status="open", kind="risk", **in_scope).count(),
        "tile-objectives": Objective.objects.filter(
            year=TODAY.year, department__path__startswith=path
        ).count()
        if path
        else Objective.objects.filter(year=TODAY.year).count(),
        **_more(path, period),
    }


def _more(path: str, period) -> dict:
    """The tiles that need the period, a rate or a level."""
    from audits.models import Audit, Finding
    from planning import matrix
    from procedures.models import Feedback, Rating

    in_scope = {"department__path__startswith": path}
    begin, finish = period.moment(period.start), period.moment(period.end)
    ncs = Nonconformity.objects.exclude(status="merged").filter(**in_scope)
    completed = ServiceCase.objects.filter(
        status="completed", finished_at__gte=begin, finished_at__lt=finish, **in_scope
    )
    ratings = Rating.objects.filter(
        submitted_at__gte=begin, submitted_at__lt=finish, case__department__path__startswith=path
    )
    audits = Audit.objects.filter(programme__year=period.last_day.year)
    high = [s for s in range(1, 26) if matrix.level(s) in ("high", "critical")]
    risks = Risk.objects.filter(status="open", **in_scope)
    objectives = Objective.objects.filter(year=TODAY.year).exclude(status="withdrawn")
    if path:
        objectives = objectives.filter(**in_scope)
    return {
        "tile-nc-old": ncs.filter(
            status__in=OPEN_STATUSES, reported_at__lt=timezone.now() - timedelta(days=90)
        ).count(),
        "tile-nc-reported": ncs.filter(reported_at__gte=begin, reported_at__lt=finish).count(),
        "tile-nc-closed": ncs.filter(closed_at__gte=begin, closed_at__lt=finish).count(),
        "tile-on-time": dashboard.rate(completed.filter(on_time=True).count(), completed.count()),
        "tile-cases-completed": completed.count(),
        "tile-satisfaction": dashboard.rate(ratings.filter(score__gte=4).count(), ratings.count()),
        "tile-feedback-overdue": Feedback.objects.filter(
            status="open", deadline__lt=TODAY, **in_scope
        ).count(),
        "tile-audit-progress": dashboard.rate(
            audits.filter(status__in=["reported", "closed"]).count(), audits.count()
        ),
        "tile-findings-open": Finding.objects.filter(
            department__path__startswith=path, withdrawn_at__isnull=True
        )
        .filter(
            Q(kind__in=["minor_nc", "major_nc"], nonconformity__status__in=OPEN_STATUSES)
            | Q(kind__in=["observation", "ofi"], action__status__in=OPEN_ACTION_STATUSES)
        )
        .count(),
        "tile-objectives-on_track": objectives.filter(status="on_track").count(),
        "tile-objectives-off_track": objectives.filter(status="off_track").count(),
        "tile-objectives-not_measured": objectives.filter(status="not_measured").count(),
        "tile-risks-high": risks.filter(kind="risk")
        .filter(Q(residual_score__in=high) | Q(residual_score__isnull=True, score__in=high))
        .count(),
        "tile-opportunities": risks.filter(kind="opportunity").count(),
    }


def test_every_tile_equals_a_direct_count(agency, org):
    departments = list(Department.objects.all())
    period = dashboard.period_for("month")
    _view, panels = dashboard.build(agency["manager"], None, period, departments)
    shown = tiles_of(panels)
    wanted = expected("", period)
    assert {key: shown[key] for key in wanted} == wanted
    # the data is not trivial: each figure counts something
    assert wanted["tile-docs-effective"] == 3 and wanted["tile-nc-open"] == 4
    assert wanted["tile-actions-overdue"] == 1 and wanted["tile-docs-pending"] == 1
    assert (wanted["tile-nc-old"], wanted["tile-opportunities"], wanted["tile-risks-high"]) == (
        1,
        1,
        1,
    )
    assert wanted["tile-on-time"] == 100.0 and wanted["tile-objectives-not_measured"] == 2
    # recurring: two nonconformities of A in the same category within 12 months
    (nc_panel,) = [p for p in panels if p.key == "nonconformities"]
    assert [(i["label"].split(" · ")[0], i["value"]) for i in nc_panel.items] == [
        (org["a"].name, 2)
    ]
    cases = ServiceCase.objects.filter(
        finished_at__gte=period.moment(period.start), status="completed"
    )
    assert shown["tile-cases-completed"] == cases.count() == 2
    # one unit: A with A1 below it
    _view, panels = dashboard.build(agency["manager"], org["a"], period, departments)
    shown = tiles_of(panels)
    wanted = expected(org["a"].path, period)
    assert {key: shown[key] for key in wanted} == wanted
    assert wanted["tile-docs-effective"] == 2 and wanted["tile-objectives"] == 1


def test_units_roll_up_and_sit_side_by_side(agency, org):
    departments = list(Department.objects.all())
    view, _panels = dashboard.build(
        agency["manager"], None, dashboard.period_for("month"), departments
    )
    assert [u.code for u in view.units] == ["A", "B"]
    a = view.unit(org["a"])
    assert a["nc_open"] == 3 and a["docs_effective"] == 2  # A1's count in A
    assert a["nc_open"] + view.unit(org["b"])["nc_open"] == view.figures["nc_open"]
    view, _panels = dashboard.build(
        agency["manager"], org["a"], dashboard.period_for("month"), departments
    )
    assert [u.code for u in view.units] == ["A1"]


def test_periods():
    period = dashboard.period_for("quarter", date(2026, 8, 15), today=date(2026, 11, 20))
    assert (period.start, period.end, period.previous_start) == (
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2026, 4, 1),
    )
    assert not period.is_current
    year = dashboard.period_for("year", today=date(2026, 11, 20))
    assert (year.start, year.end) == (date(2026, 1, 1), date(2027, 1, 1)) and year.is_current


def _value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}-value">\s*([^<]*)', html)
    return match.group(1).strip() if match else ""


def test_the_page_for_the_manager_the_head_and_others(agency, org, crew, role_users):
    client = Client()
    client.force_login(agency["manager"])
    html = client.get("/dashboard/").content.decode()
    assert _value(html, "tile-nc-open") == "4" and _value(html, "tile-actions-overdue") == "1"
    assert 'href="/nonconformities/actions/?overdue=yes"' in html
    html = client.get(f"/dashboard/?department={org['b'].pk}&period=year").content.decode()
    assert _value(html, "tile-nc-open") == "1"
    assert f"/nonconformities/actions/?overdue=yes&amp;department={org['b'].pk}" in html
    # the head of A sees A, cannot pick B, and gets 403 without heading anything
    client.force_login(crew["head"])
    html = client.get(f"/dashboard/?department={org['b'].pk}").content.decode()
    assert org["a"].name in html and _value(html, "tile-nc-open") == "3"
    client.force_login(crew["other"])
    assert client.get("/dashboard/").status_code == 403
    client.force_login(role_users["top_management"])
    assert client.get("/dashboard/summary/").status_code == 200
    response = client.get("/dashboard/summary/?export=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_cached_figures_are_time_boxed(agency, org, crew):
    from django.core.cache import cache

    client = Client()
    client.force_login(agency["manager"])
    assert _value(client.get("/dashboard/").content.decode(), "tile-nc-open") == "4"
    report(crew, org)
    assert _value(client.get("/dashboard/").content.decode(), "tile-nc-open") == "4"  # cached
    cache.clear()  # what the minute's expiry does
    assert _value(client.get("/dashboard/").content.decode(), "tile-nc-open") == "5"


def test_dashboard_queries_are_constant(agency, org, crew):
    client = Client()
    client.force_login(agency["manager"])

    def cold() -> int:
        from django.core.cache import cache

        client.get("/dashboard/")
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert client.get("/dashboard/").status_code == 200
        return len(context.captured_queries)

    def warm() -> int:
        client.get("/dashboard/")
        with CaptureQueriesContext(connection) as context:
            client.get("/dashboard/")
        return len(context.captured_queries)

    small_cold, small_warm = cold(), warm()
    for i in range(12):
        DepartmentFactory(code=f"X{i}", parent=org["a"] if i % 2 else org["b"])
    for _ in range(5):
        triaged(crew, org, department=org["b"])
    assert (cold(), warm()) == (small_cold, small_warm)
    # cold: every count recomputed (the cache emptied); warm: within the minute
    assert small_cold <= 20 and small_warm <= 8, (small_cold, small_warm)


class _Kept:
    """The cache as ``qms.cache.kept_html`` sees it, noting what is kept and for how long."""

    def __init__(self, real):
        self.real, self.pages = real, []

    def get(self, key, *args, **kwargs):
        return self.real.get(key, *args, **kwargs)

    def set(self, key, value, timeout=None, **kwargs):
        self.pages.append((key, timeout))
        return self.real.set(key, value, timeout, **kwargs)


@pytest.fixture
def kept(monkeypatch):
    from django.core.cache import cache

    import qms.cache

    spy = _Kept(cache)
    monkeypatch.setattr(qms.cache, "cache", spy)
    return spy


def _figures_computed_ago(monkeypatch, seconds: float) -> None:
    """The month's figures as if counted ``seconds`` ago (and still in the cache)."""
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(seconds=seconds))
    dashboard.computed_metrics(dashboard.period_for("month"))
    monkeypatch.setattr(timezone, "now", real_now)


def test_the_page_is_kept_no_longer_than_its_oldest_figure(
    agency, org, crew, kept, monkeypatch, settings
):
    from django.core.cache import cache

    settings.QMS_DASHBOARD_CACHE_SECONDS = 60
    client = Client()
    client.force_login(agency["manager"])
    cache.clear()
    assert _value(client.get("/dashboard/").content.decode(), "tile-nc-open") == "4"
    [(_key, timeout)] = kept.pages
    assert 55 <= timeout <= 60  # figures just counted: kept (almost) the whole minute
    report(crew, org)
    with CaptureQueriesContext(connection) as kept_page:
        html = client.get("/dashboard/").content.decode()
    assert _value(html, "tile-nc-open") == "4"  # the kept page, within the minute
    assert not any("department" in q["sql"] for q in kept_page.captured_queries)

    # figures counted 50 s ago: the page built from them is kept for what is left of them
    cache.clear()
    kept.pages.clear()
    _figures_computed_ago(monkeypatch, 50)
    client.get("/dashboard/")
    [(_key, timeout)] = kept.pages
    assert 1 <= timeout <= 10
    # figures as old as the cache allows: the page is shown but not kept
    cache.clear()
    kept.pages.clear()
    _figures_computed_ago(monkeypatch, 60)
    html = client.get("/dashboard/").content.decode()
    assert _value(html, "tile-nc-open") == "5" and kept.pages == []


def test_the_kept_page_is_the_readers_own(agency, org, crew, role_users):
    """Scope, language and the address's choices each have their own page."""
    from django.core.cache import cache

    cache.clear()
    client = Client()
    client.force_login(agency["manager"])
    address = f"/dashboard/?department={org['b'].pk}"
    assert _value(client.get(address).content.decode(), "tile-nc-open") == "1"
    # the head of A asks for B's address: they get their own unit, not the kept page of B
    client.force_login(crew["head"])
    html = client.get(address).content.decode()
    assert org["a"].name in html and _value(html, "tile-nc-open") == "3"
    # the same manager in Vietnamese, then the one-page summary of the same address
    manager = agency["manager"]
    manager.language = "vi"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    html = client.get(address).content.decode()
    assert "Bảng điều khiển" in html and _value(html, "tile-nc-open") == "1"
    client.force_login(role_users["top_management"])
    html = client.get(address.replace("/dashboard/", "/dashboard/summary/")).content.decode()
    # the summary links back to the full dashboard, which links to the summary
    assert f'href="/dashboard/?department={org["b"].pk}"' in html
    assert 'href="/dashboard/summary/?' not in html
