from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services
from audits.models import Audit
from qms.models import IsoClause
from tests.factories import UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def audit_crew(org, role_users):
    return {
        "manager": role_users["qms_manager"],
        "head": role_users["top_management"],
        "lead": UserFactory(username="lead", department=org["b"], roles=["internal_auditor"]),
        "member": UserFactory(username="member", department=org["b"], roles=["internal_auditor"]),
        "auditee": UserFactory(username="auditee", department=org["a1"], roles=["staff"]),
        "external": UserFactory(username="ext", department=None, roles=["external_auditor"]),
    }


def plan(audit_crew, org, departments=("a",), team=("member",), **extra):
    values = {
        "title": "Đánh giá nội bộ Phòng A",
        "start_date": TODAY + timedelta(days=3),
        "end_date": TODAY + timedelta(days=4),
        "lead_auditor": audit_crew["lead"],
    }
    values.update(extra)
    return services.audit_plan(
        actor=audit_crew["manager"],
        audit=Audit(**values),
        departments=[org[d] for d in departments],
        team=[audit_crew[t] for t in team],
        clauses=list(IsoClause.objects.filter(number__in=["7.5", "8.5"])),
    )


def start(audit_crew, audit):
    """The planned audit with its checklist, prepared and in progress."""
    services.checklist_generate(actor=audit_crew["lead"], audit=audit)
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="prepare")
    return services.audit_move(actor=audit_crew["lead"], audit=audit, move="start")


def add_ofi(actor, audit, department, statement="Có thể số hóa sổ theo dõi"):
    """An opportunity for improvement found in ``department``."""
    from audits.models import Finding

    return services.finding_add(
        actor=actor,
        finding=Finding(
            audit=audit,
            kind="ofi",
            department=department,
            requirement="-",
            evidence="-",
            statement=statement,
        ),
    )


def add_minor_nc(actor, audit, department, item):
    """A minor nonconformity found in ``department`` against ``item``'s clause."""
    from audits.models import Finding

    return services.finding_add(
        actor=actor,
        finding=Finding(
            audit=audit,
            kind="minor_nc",
            clause=item.clause,
            department=department,
            checklist_item=item,
            requirement="Hồ sơ phải được kiểm soát",
            evidence="3/10 hồ sơ thiếu phiếu kiểm soát",
            statement="Phiếu kiểm soát không được lưu",
        ),
    )
