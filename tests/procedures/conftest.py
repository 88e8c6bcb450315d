from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procedures import services
from procedures.choices import AllowanceUnit
from procedures.models import Procedure, Process
from tests.factories import UserFactory


@pytest.fixture
def manager(role_users):
    return role_users["qms_manager"]


def steps(org, *allowances):
    """Steps allowed these many working days (a string ending in "h" means hours)."""
    made = []
    for number, allowance in enumerate(allowances, start=1):
        unit = AllowanceUnit.DAYS
        if str(allowance).endswith("h"):
            unit, allowance = AllowanceUnit.HOURS, str(allowance)[:-1]
        made.append(
            services.StepData(
                name=f"Bước {number}",
                allowance=Decimal(str(allowance)),
                unit=unit,
                department=org["a"],
            )
        )
    return made


def make_procedure(manager, org, code="DN-01", days=3, allowances=("4h", 1.5, 0.5, "4h"), **extra):
    values = {
        "code": code,
        "name": "Đăng ký thành lập doanh nghiệp tư nhân",
        "field": "Thành lập và hoạt động của doanh nghiệp",
        "department": org["a"],
        "statutory_days": days,
    }
    values.update(extra)
    return services.procedure_save(
        actor=manager,
        procedure=Procedure(**values),
        steps=steps(org, *allowances),
        dossier=[services.DossierData(name="Giấy đề nghị đăng ký doanh nghiệp", copies="01 bản")],
    )


def make_process(manager, org, code="CT-01", kind="core", **extra):
    return services.process_save(
        actor=manager,
        process=Process(
            code=code,
            name=extra.pop("name", "Tiếp nhận và trả kết quả"),
            process_type=kind,
            department=org["a"],
            **extra,
        ),
    )


APPLICANT = services.Applicant(name="Nguyễn Văn An", phone="0912 345 678")


def at(day: date, hour: int, minute: int = 0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def desk(org, manager):
    """A procedure of 3 working days: desk 4 h, unit A1 2 days, desk 4 h; and its people."""
    procedure = make_procedure(manager, org, allowances=("4h", 2, "4h"))
    steps = list(procedure.steps.all())
    steps[1].department = org["a1"]
    steps[1].save()
    return {
        "procedure": procedure,
        "clerk": UserFactory(username="clerk", department=org["a"], roles=["staff"]),
        "officer": UserFactory(username="officer", department=org["a1"], roles=["staff"]),
        "outsider": UserFactory(username="outsider", department=org["b"], roles=["staff"]),
    }
