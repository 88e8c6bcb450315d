from datetime import timedelta

import pytest
from django.utils import timezone

from nonconformities import services
from nonconformities.models import Action, Nonconformity
from tests.factories import UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def crew(org, role_users):
    """A reporter and an owner in A, the head of A, the QMS manager, someone in B."""
    head = UserFactory(username="head_a", department=org["a"], roles=["process_owner"])
    org["a"].head = head
    org["a"].save()
    return {
        "manager": role_users["qms_manager"],
        "auditor": role_users["internal_auditor"],
        "reporter": UserFactory(username="reporter", department=org["a1"], roles=["staff"]),
        "owner": UserFactory(username="nc_owner", department=org["a"], roles=["staff"]),
        "head": head,
        "other": UserFactory(username="other_b", department=org["b"], roles=["staff"]),
        "b_head": UserFactory(username="head_b", department=org["b"], roles=["process_owner"]),
    }


def report(crew, org, **extra):
    values = {
        "title": "Trả kết quả trễ hạn hồ sơ đăng ký kinh doanh",
        "description": "Hồ sơ trả trễ 3 ngày làm việc so với giấy hẹn.",
        "department": org["a"],
        "occurred_on": TODAY - timedelta(days=2),
        "source": "late_case",
    }
    values.update(extra)
    return services.nonconformity_report(
        actor=crew["reporter"], nonconformity=Nonconformity(**values)
    )


def triaged(crew, org, severity="minor", needs_ca=True, **extra):
    nc = report(crew, org, **extra)
    return services.triage(
        actor=crew["manager"],
        nc=nc,
        severity=severity,
        category="procedure",
        needs_corrective_action=needs_ca,
        owner=crew["owner"],
        due_date=TODAY + timedelta(days=30),
        version=nc.version,
    )


def add_action(crew, nc, title="Cập nhật quy trình", owner="owner", due_days=20):
    return services.action_add(
        actor=crew["owner"],
        action=Action(title=title, owner=crew[owner], due_date=TODAY + timedelta(days=due_days)),
        nonconformity=nc,
    )
