"""Service cases: received with a due date, handed step by step, paused, late, closed."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from procedures import services
from procedures.models import CaseStep, ServiceCase
from qms.models import CalendarDay
from tests.factories import UserFactory
from tests.procedures.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db


def _receive(desk, when):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return services.case_receive(
            actor=desk["clerk"],
            procedure=desk["procedure"],
            applicant=APPLICANT,
            dossier_received=[1],
            received_at=when,
        )


def _as_of(when, call, **kwargs):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return call(**kwargs)


def test_a_case_is_received_with_a_code_and_a_due_date(desk):
    monday = date(2026, 11, 23)
    case = _receive(desk, at(monday, 9))
    assert case.receipt_code == "HS-261123-0001"
    assert case.due_at == at(date(2026, 11, 26), 9)  # three working days later
    first = case.current_step
    assert (first.position, first.handler, first.due_at) == (1, desk["clerk"], at(monday, 14, 30))
    assert list(case.dossier.values_list("received", flat=True)) == [True]
    assert _receive(desk, at(monday, 10)).receipt_code == "HS-261123-0002"


def test_the_case_moves_step_by_step_and_completes_on_time(desk):
    monday = date(2026, 11, 23)
    case = _receive(desk, at(monday, 9))
    case = _as_of(
        at(monday, 10),
        services.case_move,
        actor=desk["clerk"],
        case=case,
        version=case.version,
        handler=desk["officer"],
    )
    handed = CaseStep.objects.get(case=case, position=1)
    assert handed.on_time and handed.working_days_used == Decimal("0.125")
    with pytest.raises(PermissionDenied):  # the desk clerk does not handle step 2
        _as_of(
            at(monday, 11), services.case_move, actor=desk["clerk"], case=case, version=case.version
        )
    case = _as_of(
        at(date(2026, 11, 25), 9),
        services.case_move,
        actor=desk["officer"],
        case=case,
        version=case.version,
    )
    case = _as_of(
        at(date(2026, 11, 25), 10),
        services.case_move,
        actor=desk["clerk"],
        case=case,
        version=case.version,
    )
    assert case.status == "completed" and case.on_time is True
    assert case.working_days_used == Decimal("2.125")
    assert case.history.first().history_change_reason == "Case completed"


def test_a_pause_stops_the_clock(desk):
    monday = date(2026, 11, 23)
    case = _receive(desk, at(monday, 9))
    case = _as_of(
        at(monday, 10),
        services.case_pause,
        actor=desk["clerk"],
        case=case,
        version=case.version,
        reason="Thiếu bản sao CCCD",
        notified_on=monday,
    )
    assert case.status == "paused"
    # the applicant brings it a week later, Monday 30th at 10:00: five working days paused
    case = _as_of(
        at(date(2026, 11, 30), 10),
        services.case_resume,
        actor=desk["clerk"],
        case=case,
        version=case.version,
    )
    assert case.status == "in_progress"
    assert case.due_at == at(date(2026, 12, 3), 9)
    pause = case.pauses.get()
    assert pause.working_days == Decimal("5.000")


def test_completing_late_needs_the_reason_and_the_apology_letter(desk):
    monday = date(2026, 11, 23)
    case = _receive(desk, at(monday, 9))
    case = _as_of(
        at(monday, 10),
        services.case_move,
        actor=desk["clerk"],
        case=case,
        version=case.version,
        handler=desk["officer"],
    )
    case = _as_of(
        at(date(2026, 11, 27), 9),
        services.case_move,
        actor=desk["officer"],
        case=case,
        version=case.version,
    )
    late = at(date(2026, 11, 27), 10)
    with pytest.raises(ValidationError, match="apology letter"):
        _as_of(late, services.case_move, actor=desk["clerk"], case=case, version=case.version)
    with pytest.raises(ValidationError):
        _as_of(
            late,
            services.apology_issue,
            actor=desk["clerk"],
            case=case,
            version=case.version,
            late_reason=" ",
        )
    case = _as_of(
        late,
        services.apology_issue,
        actor=desk["clerk"],
        case=case,
        version=case.version,
        late_reason="Phải xác minh thông tin với cơ quan thuế",
    )
    case = _as_of(late, services.case_move, actor=desk["clerk"], case=case, version=case.version)
    assert case.status == "completed" and case.on_time is False


def test_returned_or_withdrawn_cases_need_a_reason_and_stay_closed(desk):
    case = _receive(desk, at(date(2026, 11, 23), 9))
    with pytest.raises(ValidationError):
        services.case_close(
            actor=desk["clerk"], case=case, version=case.version, outcome="returned", reason=""
        )
    case = services.case_close(
        actor=desk["clerk"],
        case=case,
        version=case.version,
        outcome="returned",
        reason="Ngành nghề cấm kinh doanh",
    )
    assert case.status == "returned" and case.finished_at
    with pytest.raises(ValidationError, match="closed"):
        services.case_close(
            actor=desk["clerk"], case=case, version=case.version, outcome="withdrawn", reason="x"
        )
    note = services.case_annotate(actor=desk["clerk"], case=case, text="Đã gọi điện báo")
    assert note.case == case  # a closed case still takes a note


def test_the_department_head_moves_any_case_of_the_step(desk, org):
    head = UserFactory(username="head_a1", department=org["a1"], roles=["process_owner"])
    org["a1"].head = head
    org["a1"].save()
    case = _receive(desk, at(date(2026, 11, 23), 9))
    case = services.case_move(
        actor=desk["clerk"], case=case, version=case.version, handler=desk["officer"]
    )
    case = services.case_move(actor=head, case=case, version=case.version)
    assert case.current_step.position == 3
    other = _receive(desk, at(date(2026, 11, 23), 10))
    with pytest.raises(ValidationError):  # the next handler must belong to the step's unit
        services.case_move(
            actor=desk["clerk"], case=other, version=other.version, handler=desk["outsider"]
        )
    assert ServiceCase.objects.get(pk=other.pk).current_step.position == 1


def test_the_public_lookup_needs_the_phone_digits(desk):
    case = _receive(desk, at(date(2026, 11, 23), 9))
    assert services.lookup(case.receipt_code, "5678") == case
    assert services.lookup(case.receipt_code.lower(), " 5678 ") == case
    assert services.lookup(case.receipt_code, "1234") is None
    assert services.lookup("HS-000000-0000", "5678") is None
    assert services.lookup(case.receipt_code, "678") is None


def test_an_abolished_procedure_takes_no_case(desk, manager):
    procedure = desk["procedure"]
    services.procedure_set_status(
        actor=manager, procedure=procedure, status="suspended", version=procedure.version
    )
    procedure.refresh_from_db()
    with pytest.raises(ValidationError, match="not in force"):
        _receive(desk, at(date(2026, 11, 23), 9))
    assert not ServiceCase.objects.exists()


def test_due_dates_skip_tet(desk):
    for day in range(16, 21):
        CalendarDay.objects.create(date=date(2026, 2, day), name="Tết Nguyên đán")
    case = _receive(desk, at(date(2026, 2, 12), 15))
    assert case.due_at == at(date(2026, 2, 24), 15)
    assert case.due_at - case.received_at > timedelta(days=11)


def test_my_tasks_show_a_step_to_its_handler_its_units_and_its_head(desk, org):
    """A step with nobody named is every one's in its unit and the units above it; a named
    step is its handler's; the head of the step's unit sees it either way."""
    from qms import mytasks

    monday = date(2026, 11, 23)
    head = UserFactory(username="head", department=org["b"], roles=["staff"])
    org["a1"].head = head
    org["a1"].save()
    colleague = UserFactory(username="colleague", department=org["a1"], roles=["staff"])
    case = _receive(desk, at(monday, 9))

    def sees(user) -> bool:
        tasks = mytasks.tasks_for(user, monday)
        return any(case.receipt_code in task.title for task in tasks)

    assert sees(desk["clerk"]) and not sees(desk["officer"]) and not sees(head)
    case = _as_of(  # step 2, unit A1, nobody named
        at(monday, 10), services.case_move, actor=desk["clerk"], case=case, version=case.version
    )
    assert [sees(u) for u in (desk["officer"], colleague, desk["clerk"], head)] == [True] * 4
    assert not sees(desk["outsider"])
    step = case.current_step
    step.handler = desk["officer"]
    step.save()
    assert [sees(u) for u in (desk["officer"], colleague, desk["clerk"], head)] == [
        True,
        False,
        False,
        True,
    ]
