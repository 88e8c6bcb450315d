"""Planning, management review and dashboard pages in Vietnamese and Chinese: no English
interface text."""

from datetime import timedelta

import pytest
from django.test import Client

from planning.models import Objective, Risk, ScorecardCriterion
from reviews.models import ManagementReview
from tests.planning.conftest import TODAY, make_objective, make_risk
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts

pytestmark = pytest.mark.django_db


def _data() -> set[str]:
    values = _data_values()
    for objective in Objective.objects.all():
        values |= {
            objective.number,
            objective.statement,
            objective.indicator,
            objective.unit,
            str(objective),
        }
    for risk in Risk.objects.all():
        values |= {
            risk.number,
            risk.title,
            risk.cause,
            risk.consequence,
            risk.treatment_plan,
            str(risk),
        }
    for review in ManagementReview.objects.all():
        values |= {review.number, review.title, review.minutes, review.conclusion, str(review)}
    values |= set(ScorecardCriterion.objects.values_list("name", flat=True))
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_quality_management_pages(org, role_users, heads, language):
    from planning import services as planning_services
    from reviews import services as review_services

    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"])
    risk = make_risk(heads["a"], org["a"], residual_likelihood=2, residual_impact=2)
    planning_services.scope_change(
        actor=manager,
        statement="Giải quyết TTHC",
        exclusions="",
        departments=[org["a"]],
        procedures=[],
        effective_from=TODAY,
        reason="",
    )
    ScorecardCriterion.objects.create(name="Đúng hạn", metric="on_time", weight=30, target=95)
    review = review_services.review_schedule(
        actor=manager,
        review=ManagementReview(
            title="Xem xét của lãnh đạo", meeting_date=TODAY, chair=role_users["top_management"]
        ),
        participants=[heads["a"]],
    )
    review = review_services.review_compile(actor=manager, review=review, version=review.version)
    review = review_services.review_hold(
        actor=manager,
        review=review,
        minutes="Biên bản",
        conclusion="Phù hợp",
        participants=[],
        other_participants="",
        version=review.version,
    )
    review_services.decision_add(
        actor=manager,
        review=review,
        kind="improvement",
        text="Cải tiến",
        title="Cải tiến quy trình",
        owner=heads["a"],
        due_date=TODAY + timedelta(days=10),
    )
    urls = [
        "/planning/objectives/",
        "/planning/objectives/new/",
        objective.get_absolute_url(),
        "/planning/risks/",
        "/planning/risks/new/",
        risk.get_absolute_url(),
        "/planning/scope/",
        "/planning/scorecard/",
        "/planning/annual-report/",
        "/reviews/",
        "/reviews/new/",
        review.get_absolute_url(),
        "/dashboard/",
        "/dashboard/?period=quarter",
        "/dashboard/summary/",
        "/",
    ]
    leaks = {}
    for url in urls:
        pages = {}
        for code in ("en", language):
            manager.language = code
            manager.save()
            client = Client()
            client.force_login(manager)
            response = client.get(url)
            assert response.status_code == 200, url
            pages[code] = _texts(response.content.decode())
        data = _data()
        leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
