from decimal import Decimal

import pytest

from procedures import services
from procedures.choices import AllowanceUnit
from procedures.models import Procedure, Process


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
