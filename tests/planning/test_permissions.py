"""Every role against every planning, review and dashboard page: the permission matrix,
and lists that agree with detail pages."""

import pytest

from reviews import services as review_services
from reviews.models import ManagementReview
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix
from tests.planning.conftest import TODAY, make_objective, make_risk

pytestmark = pytest.mark.django_db


def test_permission_matrix(org, role_users, heads):
    manager = role_users["qms_manager"]
    objective = make_objective(manager, heads["a"], org["a"])
    risk_a = make_risk(heads["a"], org["a1"])
    risk_b = make_risk(heads["b"], org["b"])
    review = review_services.review_schedule(
        actor=manager,
        review=ManagementReview(
            title="Xem xét", meeting_date=TODAY, chair=role_users["top_management"]
        ),
        participants=[heads["a"]],
    )
    users = {**role_users, "head_a": heads["a"], "staff_a1": heads["staff_a1"]}
    everyone = {"external_auditor": 404}
    global_view = ("qms_manager", "top_management", "internal_auditor")
    check_matrix(
        users,
        [
            Case("/planning/objectives/", default=200),
            Case(objective.get_absolute_url(), default=200, expect=everyone),
            Case("/planning/objectives/new/", default=403, expect={"qms_manager": 200}),
            Case(
                f"/planning/objectives/{objective.pk}/edit/",
                default=403,
                expect={"qms_manager": 200, "external_auditor": 404},
            ),
            Case("/planning/risks/", default=200),
            # a risk of A1: everyone of A (every role user is in A; A1 is below it)
            Case(risk_a.get_absolute_url(), default=200, expect={"external_auditor": 404}),
            Case(risk_b.get_absolute_url(), default=404, expect=dict.fromkeys(global_view, 200)),
            Case("/planning/scope/", default=200, expect={"external_auditor": 403}),
            Case(
                "/planning/scorecard/",
                default=403,
                expect=dict.fromkeys(global_view, 200) | {"head_a": 200},
            ),
            Case("/planning/annual-report/", default=403, expect=dict.fromkeys(global_view, 200)),
            Case("/reviews/", default=200),
            Case(
                review.get_absolute_url(),
                default=404,
                expect=dict.fromkeys(global_view, 200) | {"head_a": 200},
            ),
            Case("/reviews/new/", default=403, expect={"qms_manager": 200}),
            Case(
                "/dashboard/", default=403, expect=dict.fromkeys(global_view, 200) | {"head_a": 200}
            ),
            Case(
                "/dashboard/summary/",
                default=403,
                expect=dict.fromkeys(global_view, 200) | {"head_a": 200},
            ),
        ],
    )
    check_list_detail_agree(
        users, "/planning/risks/", lambda r: r.get_absolute_url(), [risk_a, risk_b]
    )
    check_list_detail_agree(users, "/reviews/", lambda r: r.get_absolute_url(), [review])
