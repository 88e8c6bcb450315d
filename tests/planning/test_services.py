"""Objectives, their values and status; risks, their scores and reviews; scope and
announcements."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from nonconformities.models import Action
from planning import measures, selectors, services
from planning.models import Measurement, Objective, Risk, RiskReview
from qms.models import Notification
from tests.planning.conftest import TODAY, make_objective, make_risk
from tests.procedures.conftest import at
from tests.procedures.test_performance import _run

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("values", "direction", "status"),
    [
        ([D(96)], "higher", "on_track"),
        ([D(95)], "higher", "on_track"),
        ([D(90)], "higher", "at_risk"),  # 5 short of 95: within 10 % of the target
        ([D(80), D(84)], "higher", "at_risk"),  # 11 short but improving, within twice
        ([D(88), D(84)], "higher", "off_track"),  # 11 short and worse
        ([D(70)], "higher", "off_track"),
        ([D(4)], "lower", "on_track"),
        ([D(5.4)], "lower", "at_risk"),  # target 5 days, 0.4 over
        ([D(8)], "lower", "off_track"),
        ([], "higher", "not_measured"),
    ],
)
def test_status_from_target_and_trend(values, direction, status):
    target = D(95) if direction == "higher" else D(5)
    assert measures.status_of(values, target, direction) == status


def test_periods_of_a_year():
    assert measures.periods(2026, "quarterly")[1] == (date(2026, 4, 1), date(2026, 7, 1))
    assert measures.periods(2026, "monthly")[-1] == (date(2026, 12, 1), date(2027, 1, 1))
    assert measures.periods(2026, "yearly") == [(date(2026, 1, 1), date(2027, 1, 1))]


def test_manual_values_set_the_status_and_are_corrected_with_history(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"], frequency="quarterly")
    assert objective.number.startswith(f"MT-{TODAY.year}-") and objective.status == "not_measured"
    first_quarter = date(TODAY.year, 3, 31)
    services.measurement_record(
        actor=heads["a"], objective=objective, period_end=first_quarter, value=D(70)
    )
    objective.refresh_from_db()
    assert objective.status == "off_track" and objective.last_value == D(70)
    services.measurement_record(
        actor=heads["a"], objective=objective, period_end=first_quarter, value=D(96)
    )
    objective.refresh_from_db()
    assert objective.status == "on_track"
    measurement = Measurement.objects.get(objective=objective)
    assert [h.history_change_reason for h in measurement.history.order_by("history_date")] == [
        "Value recorded",
        "Value corrected",
    ]


def test_bad_values_are_refused_and_change_nothing(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"], frequency="quarterly")
    with pytest.raises(ValidationError) as error:
        services.measurement_record(
            actor=heads["a"], objective=objective, period_end=date(TODAY.year, 3, 15), value=D(1)
        )
    assert "period_end" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.measurement_record(
            actor=heads["b"], objective=objective, period_end=date(TODAY.year, 3, 31), value=D(1)
        )
    future = make_objective(manager, heads["a"], org["a"], year=TODAY.year + 1)
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=heads["a"], objective=future, period_end=date(TODAY.year + 1, 1, 31), value=D(1)
        )
    assert not Measurement.objects.exists()


def test_objective_rules(org, role_users, heads, desk):
    manager = role_users["qms_manager"]
    with pytest.raises(ValidationError) as error:
        make_objective(manager, heads["a"], measure="nc_closed_within")
    assert "within_days" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_objective(manager, heads["a"], measure="on_time", target=D(120))
    assert "target" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_objective(
            manager, heads["a"], org["b"], measure="on_time", procedure=desk["procedure"]
        )
    assert "procedure" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        make_objective(heads["a"], heads["a"])
    assert not Objective.objects.exists()


def test_live_on_time_objective_is_measured_from_the_cases(org, role_users, heads, desk):
    manager = role_users["qms_manager"]
    with mock.patch("django.utils.timezone.now", return_value=at(date(2026, 12, 20), 9)):
        for day in (2, 3, 4):
            _run(desk, at(date(2026, 11, day), 9))
        _run(desk, at(date(2026, 11, 5), 9), finish_late=True)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 20)):
        objective = make_objective(
            manager, heads["a"], org["a"], year=2026, measure="on_time", unit=""
        )
    november = Measurement.objects.get(objective=objective, period_end=date(2026, 11, 30))
    assert november.value == D("75.00") and november.recorded_by is None
    objective.refresh_from_db()
    assert objective.unit == "%"
    # an objective of unit B sees none of A's cases
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 20)):
        other = make_objective(manager, heads["b"], org["b"], year=2026, measure="on_time")
    assert not Measurement.objects.filter(objective=other).exists()
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=manager, objective=objective, period_end=date(2026, 11, 30), value=D(1)
        )


def test_objective_plan_is_an_action_in_the_tracker(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"])
    action = services.objective_action(
        actor=heads["a"],
        objective=objective,
        title="Bố trí thêm cán bộ một cửa",
        owner=heads["staff_a1"],
        due_date=TODAY + timedelta(days=30),
    )
    assert (
        action.kind == "improvement"
        and action.source == objective
        and action.department == org["a"]
    )
    assert list(selectors.actions_from(objective)) == [action]
    services.objective_withdraw(
        actor=manager, objective=objective, reason="Gộp vào MT khác", version=objective.version
    )
    with pytest.raises(ValidationError):
        services.objective_action(
            actor=manager, objective=objective, title="x", owner=heads["a"], due_date=TODAY
        )


def test_risk_score_treatment_and_scope(org, role_users, heads):
    risk = make_risk(heads["a"], org["a1"], residual_likelihood=2, residual_impact=3)
    assert (risk.score, risk.residual_score, risk.level, risk.residual_level) == (
        16,
        6,
        "critical",
        "medium",
    )
    assert risk.number.startswith(f"RR-{TODAY.year}-")
    with pytest.raises(PermissionDenied):
        make_risk(heads["a"], org["b"])  # another department's register
    for bad, field in (
        ({"treatment": "pursue"}, "treatment"),
        ({"kind": "opportunity", "treatment": "reduce"}, "treatment"),
        ({"likelihood": 6}, "likelihood"),
        ({"residual_likelihood": 2}, "residual_impact"),
    ):
        with pytest.raises(ValidationError) as error:
            make_risk(heads["a"], org["a"], **bad)
        assert field in error.value.message_dict, bad
    assert Risk.objects.count() == 1


def test_risk_review_rescore_and_close(org, role_users, heads):
    risk = make_risk(heads["a"], org["a"], owner=heads["staff_a1"])
    review = services.risk_review(
        actor=heads["staff_a1"],
        risk=risk,
        likelihood=2,
        impact=4,
        residual_likelihood=None,
        residual_impact=None,
        note="Đã có người dự phòng",
        next_review=TODAY + timedelta(days=180),
        version=risk.version,
    )
    risk.refresh_from_db()
    assert (risk.score, review.score, risk.review_date) == (8, 8, TODAY + timedelta(days=180))
    assert RiskReview.objects.filter(risk=risk).count() == 1
    with pytest.raises(ValidationError):
        services.risk_review(
            actor=heads["staff_a1"],
            risk=risk,
            likelihood=2,
            impact=4,
            residual_likelihood=None,
            residual_impact=None,
            note="",
            next_review=TODAY + timedelta(days=1),
            version=risk.version,
        )
    with pytest.raises(PermissionDenied):
        services.risk_close(actor=heads["staff_a1"], risk=risk, reason="x", version=risk.version)
    services.risk_close(
        actor=heads["a"], risk=risk, reason="Không còn áp dụng", version=risk.version
    )
    risk.refresh_from_db()
    assert risk.status == "closed"
    action_ct = ContentType.objects.get_for_model(Risk)
    assert not Action.objects.filter(source_content_type=action_ct).exists()


def test_heat_map_counts_open_risks_per_cell(org, role_users, heads):
    make_risk(heads["a"], org["a"])
    make_risk(heads["a"], org["a"], residual_likelihood=1, residual_impact=2)
    make_risk(heads["a"], org["a"], likelihood=1, impact=5)
    closed = make_risk(heads["a"], org["a"], likelihood=1, impact=5)
    services.risk_close(actor=heads["a"], risk=closed, reason="x", version=closed.version)
    assert selectors.heat_map(Risk.objects.all()) == {(4, 4): 2, (1, 5): 1}
    assert selectors.heat_map(Risk.objects.all(), residual=True) == {(1, 2): 1}


def test_a_new_scope_prompts_a_new_announcement(org, role_users, heads):
    manager = role_users["qms_manager"]
    scope = services.scope_change(
        actor=manager,
        statement="Giải quyết TTHC lĩnh vực đăng ký kinh doanh",
        exclusions="8.3",
        departments=[org["a"]],
        procedures=[],
        effective_from=TODAY - timedelta(days=30),
        reason="",
    )
    assert selectors.announcement_outdated()
    services.announcement_record(
        actor=manager,
        scope=scope,
        announced_on=TODAY,
        decision_number="123/QĐ-SKHĐT",
        signed_by="Giám đốc",
        note="",
    )
    assert not selectors.announcement_outdated()
    with pytest.raises(ValidationError) as error:
        services.announcement_record(
            actor=manager,
            scope=scope,
            announced_on=TODAY,
            decision_number="123/QĐ-SKHĐT",
            signed_by="",
            note="",
        )
    assert "decision_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.scope_change(
            actor=manager,
            statement="x",
            exclusions="",
            departments=[],
            procedures=[],
            effective_from=TODAY,
            reason="",
        )
    assert "reason" in error.value.message_dict
    services.scope_change(
        actor=manager,
        statement="Mở rộng sang lĩnh vực đầu tư",
        exclusions="",
        departments=[org["a"], org["b"]],
        procedures=[],
        effective_from=TODAY,
        reason="Thêm phòng B",
    )
    assert selectors.announcement_outdated()
    assert Notification.objects.filter(
        recipient=manager, message__contains="conformity announcement"
    ).exists()
