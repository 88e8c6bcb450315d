"""On-time figures: hand-checked counts, a percentile from the database, flat queries."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from procedures import services
from procedures.models import ServiceCase
from procedures.performance import performance, total
from tests.procedures.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db
NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def _run(desk, received, finish_late=False, complete=True):
    """Receive at ``received``; complete two working days later (late: nine days later)."""
    with mock.patch("django.utils.timezone.now", return_value=received):
        case = services.case_receive(
            actor=desk["clerk"],
            procedure=desk["procedure"],
            applicant=APPLICANT,
            received_at=received,
        )
        case = services.case_move(
            actor=desk["clerk"], case=case, version=case.version, handler=desk["officer"]
        )
    if not complete:
        return case
    done = services.WorkingCalendar().add_working_time(
        received, (9 if finish_late else 2) * 8 * 3600
    )
    with mock.patch("django.utils.timezone.now", return_value=done):
        case = services.case_move(actor=desk["officer"], case=case, version=case.version)
        if finish_late:
            case = services.apology_issue(
                actor=desk["clerk"],
                case=case,
                version=case.version,
                late_reason="Chờ ý kiến cơ quan thuế",
            )
        case = services.case_move(actor=desk["clerk"], case=case, version=case.version)
    return case


def test_the_figures_of_a_month(desk):
    _run(desk, at(date(2026, 10, 28), 9), complete=False)  # carried over into November
    for day in (2, 3, 4):
        _run(desk, at(date(2026, 11, day), 9))
    _run(desk, at(date(2026, 11, 5), 9), finish_late=True)
    _run(desk, at(date(2026, 11, 30), 9), complete=False)  # pending at the end, on time
    with mock.patch("django.utils.timezone.now", return_value=at(date(2026, 12, 20), 9)):
        rows = performance(ServiceCase.objects.all(), NOV, DEC)
    row = rows[0]
    assert (row.carried_over, row.received, row.completed, row.on_time, row.late) == (1, 5, 4, 3, 1)
    assert row.on_time_rate == 75.0
    assert row.pending_on_time == 1 and row.pending_overdue == 1  # October's is long overdue
    assert row.average_days == pytest.approx((2 + 2 + 2 + 9) / 4, abs=0.01)
    assert row.p90_days == 9.0
    assert total(rows).received == 5


def test_satisfaction_counts_ratings_of_the_period(desk):
    first = _run(desk, at(date(2026, 11, 2), 9))
    second = _run(desk, at(date(2026, 11, 3), 9))
    services.rate(case=first, score=5)
    services.rate(case=second, score=2)
    # the ratings are given now: a period from the cases' month to after today holds them
    rows = performance(
        ServiceCase.objects.all(), date(2026, 11, 1), date(timezone.now().year + 1, 1, 1)
    )
    assert rows[0].ratings == 2 and rows[0].satisfaction == 50.0
    earlier = performance(ServiceCase.objects.all(), date(2026, 10, 1), date(2026, 11, 1))
    assert not earlier or earlier[0].ratings == 0


def test_the_page_the_export_and_the_report(client, desk, manager):
    for day in (2, 3):
        _run(desk, at(date(2026, 11, day), 9))
    client.force_login(manager)
    page = client.get("/procedures/performance/?from=2026-11&to=2026-11")
    assert 'data-testid="performance-table"' in page.content.decode()
    xlsx = client.get("/procedures/performance/?from=2026-11&to=2026-11&export=xlsx")
    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == desk["procedure"].code and values[1][3] == 2
    pdf = client.get("/procedures/performance/?from=2026-11&to=2026-11&export=pdf")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert desk["procedure"].code in text and "11/2026" in text


def test_the_figures_page_stays_flat(client, desk, manager):
    client.force_login(manager)
    _run(desk, at(date(2026, 11, 2), 9))
    url = "/procedures/performance/?from=2026-01&to=2026-12&by=department"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for day in range(3, 20):
        _run(desk, at(date(2026, 11, day), 10))
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before) <= 20


def test_repeated_late_cases_flag_the_procedure(desk, manager, settings):
    from nonconformities.models import Nonconformity
    from procedures.models import Procedure
    from qms import mytasks

    settings.QMS_FLAG_LATE_CASES = 2
    for day in (2, 3):
        _run(desk, at(date(2026, 11, day), 9), finish_late=True)
    today = date(2026, 11, 30)
    assert services.flag_repeated_problems(today) == 1
    assert services.flag_repeated_problems(today) == 0  # once per window
    procedure = Procedure.objects.get()
    assert procedure.attention and procedure.attention_late == 2
    assert any("corrective action" in t.title for t in mytasks.tasks_for(manager, today))
    nc = services.attention_resolve(
        actor=manager, procedure=procedure, version=procedure.version, raise_nc=True
    )
    assert nc.source == "late_case" and Nonconformity.objects.get().origin == procedure
    assert not Procedure.objects.get().attention


def test_a_process_indicator_is_measured_from_its_cases(client, desk, manager, org):
    from procedures.models import Procedure
    from tests.procedures.conftest import make_process

    process = make_process(manager, org)
    services.process_save(
        actor=manager,
        process=process,
        version=process.version,
        indicators=[
            services.IndicatorData(
                name="Tỷ lệ đúng hạn", target=Decimal("95"), unit="%", measure="on_time"
            ),
            services.IndicatorData(
                name="Ngày làm việc trung bình",
                target=Decimal("1.5"),
                direction="lower",
                measure="average_days",
            ),
            services.IndicatorData(name="Khảo sát năm", target=Decimal("90"), measure="manual"),
        ],
    )
    Procedure.objects.update(process=process)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=20)).replace(day=5)
    for day in range(3):
        _run(desk, at(last_month + timedelta(days=day), 9))
    client.force_login(manager)
    page = client.get(process.get_absolute_url()).content.decode()
    assert page.count('data-testid="indicator-actual"') == 2
    assert '<strong class="text-success" data-testid="indicator-actual">100.0</strong>' in page
    assert '<strong class="text-danger" data-testid="indicator-actual">2.0</strong>' in page
