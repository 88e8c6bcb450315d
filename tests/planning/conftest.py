from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from planning import services
from planning.models import Objective, Risk
from tests.factories import UserFactory
from tests.procedures.conftest import desk, manager  # noqa: F401  (fixtures reused here)

TODAY = timezone.localdate()


@pytest.fixture
def heads(org, role_users):
    """The head of A (a process owner) and of B; a staff member of A1."""
    head_a = UserFactory(username="head_a", department=org["a"], roles=["process_owner"])
    head_b = UserFactory(username="head_b", department=org["b"], roles=["process_owner"])
    org["a"].head, org["b"].head = head_a, head_b
    org["a"].save()
    org["b"].save()
    return {
        "a": head_a,
        "b": head_b,
        "staff_a1": UserFactory(username="staff_a1", department=org["a1"], roles=["staff"]),
    }


def make_objective(actor, owner, department=None, **extra):
    values = {
        "year": TODAY.year,
        "department": department,
        "statement": "Nâng cao tỷ lệ hồ sơ giải quyết đúng hạn",
        "indicator": "Tỷ lệ hồ sơ đúng hạn",
        "target": Decimal("95"),
        "unit": "%",
        "frequency": "monthly",
        "owner": owner,
    }
    values.update(extra)
    return services.objective_save(actor=actor, objective=Objective(**values))


def make_risk(actor, department, owner=None, **extra):
    values = {
        "kind": "risk",
        "title": "Cán bộ một cửa nghỉ đột xuất",
        "cause": "Thiếu người dự phòng",
        "consequence": "Hồ sơ tiếp nhận chậm",
        "department": department,
        "owner": owner or actor,
        "likelihood": 4,
        "impact": 4,
        "treatment": "reduce",
        "review_date": TODAY + timedelta(days=90),
    }
    values.update(extra)
    return services.risk_save(actor=actor, risk=Risk(**values))
