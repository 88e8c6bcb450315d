"""manage.py generate_data: the small scale, its counts, history and consistency."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from audits.models import Audit, Finding
from documents.models import Acknowledgement, Document, Revision
from nonconformities.models import Action, Nonconformity, Verification
from planning.models import Objective, Risk
from procedures.models import CaseStep, Procedure, ServiceCase
from qms.calendar import WorkingCalendar, working_seconds_per_day
from qms.datagen import SCALES
from qms.history import tracked_models
from qms.models import Department, User
from records.models import Record
from records.services import retention_until

pytestmark = pytest.mark.django_db

SMALL = SCALES["small"]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The small scale, generated once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("generate_data", "--scale", "small", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_reports_each_part_and_the_total(generated):
    assert re.search(r"^departments: 12 .* in \d+\.\d s$", generated, re.M)
    assert re.search(r"^service cases: 5,000 .* in \d+\.\d s$", generated, re.M)
    assert re.search(r"^total: (\d+ min )?\d+(\.\d)? s$", generated, re.M)


def test_the_search_indexes_are_left_without_pending_list(generated):
    """generate_data loads with the indexes' pending lists on (row by row is minutes
    slower), then merges them and turns them off again, as the migrations left them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "!!! NOT RUN: GIN indexes exist on PostgreSQL only (CI runs this on PostgreSQL)"
        )
    assert re.search(r"^search indexes: .* merged in \d+\.\d s$", generated, re.M)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
            "WHERE am.amname = 'gin' AND NOT coalesce('fastupdate=off' = ANY(c.reloptions), false)"
        )
        assert cursor.fetchall() == []
    assert ServiceCase.objects.filter(search_text__matches="hs-").count() == SMALL.cases


def test_counts_match_the_scale(generated):
    assert Department.objects.count() == SMALL.departments
    assert User.objects.count() == SMALL.users
    assert Document.objects.count() == SMALL.documents
    assert Revision.objects.count() == SMALL.revisions
    assert Acknowledgement.objects.count() == SMALL.acknowledgements
    assert Record.objects.count() == SMALL.records
    assert Procedure.objects.count() == SMALL.procedures
    assert ServiceCase.objects.count() == SMALL.cases
    assert Nonconformity.objects.count() == SMALL.nonconformities
    assert Action.objects.count() == SMALL.actions
    assert Audit.objects.count() == SMALL.audits
    assert Finding.objects.count() == SMALL.findings
    assert Risk.objects.count() == SMALL.risks
    assert Objective.objects.count() == SMALL.objectives
    assert CaseStep.objects.count() > SMALL.cases


def test_every_object_has_its_created_history_row(generated):
    filled = 0
    for model in tracked_models():
        count = model.objects.count()
        assert model.history.filter(history_type="+").count() == count, model
        filled += bool(count)
    assert filled >= 30
    assert Document.history.count() == Document.objects.count()
    # many-to-many fields kept by history: the snapshot rows of the audits' scope
    audit = Audit.objects.first()
    snapshot = audit.history.get()
    assert set(snapshot.scope_departments.values_list("department_id", flat=True)) == set(
        audit.scope_departments.values_list("pk", flat=True)
    )


def test_the_roles_are_spread_as_wanted(generated):
    heads = Department.objects.exclude(parent=None).values_list("head_id", flat=True)
    assert set(User.objects.filter(pk__in=heads).values_list("groups__name", flat=True)) == {
        "process_owner"
    }
    assert User.objects.filter(groups__name="administrator").count() == 1
    assert User.objects.filter(groups__name="staff").count() > SMALL.users / 3
    for role in ("qms_manager", "internal_auditor", "top_management", "document_controller"):
        assert User.objects.filter(groups__name=role).exists(), role


def test_documents_and_revisions_agree(generated):
    for document in Document.objects.select_related("effective_revision"):
        revisions = list(document.revisions.order_by("number"))
        assert [r.number for r in revisions] == list(range(1, len(revisions) + 1))
        if document.status == "effective":
            effective = document.effective_revision
            assert effective.document_id == document.pk and effective.status == "effective"
            assert document.next_review_date is not None
            assert all(
                r.status in ("superseded", "discarded")
                for r in revisions
                if r.number < effective.number
            )
        else:
            assert document.effective_revision_id is None
            assert not any(r.status == "effective" for r in revisions)
        if document.status == "withdrawn":
            assert document.withdrawn_at and revisions[-1].status in ("obsolete", "discarded")
    superseded = Revision.objects.filter(status="superseded")
    assert not superseded.filter(superseded_date__isnull=True).exists()
    assert not Acknowledgement.objects.exclude(revision__status="effective").exists()
    acknowledged = Acknowledgement.objects.filter(acknowledged_at__isnull=False).count()
    assert acknowledged > SMALL.acknowledgements / 2
    assert not Acknowledgement.objects.filter(acknowledged_at__lt=F("requested_at")).exists()


def test_every_revision_has_a_file_that_downloads(generated, client):
    assert not Revision.objects.filter(file__isnull=True).exists()
    revision = Revision.objects.filter(status="effective").select_related("file").first()
    assert revision.file.parent == revision and revision.file.size > 0
    manager = User.objects.filter(groups__name="qms_manager").first()
    client.force_login(manager)
    response = client.get(reverse("documents:revision_file", args=[revision.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_service_cases_agree_with_their_steps_and_the_calendar(generated):
    completed = ServiceCase.objects.filter(status="completed")
    assert completed.count() > SMALL.cases / 2
    assert not completed.filter(
        Q(finished_at__isnull=True) | Q(on_time__isnull=True) | Q(working_days_used__isnull=True)
    ).exists()
    assert not completed.filter(on_time=True, finished_at__gt=F("due_at")).exists()
    assert not completed.filter(on_time=False, finished_at__lte=F("due_at")).exists()
    assert not completed.filter(on_time=False, apology_issued_at__isnull=True).exists()
    assert not ServiceCase.objects.filter(
        status__in=["in_progress", "paused"], current_step__isnull=True
    ).exists()
    assert not ServiceCase.objects.filter(
        status__in=["in_progress", "paused"], finished_at__isnull=False
    ).exists()
    codes = ServiceCase.objects.values_list("receipt_code", flat=True)
    assert all(re.fullmatch(r"HS-\d{6}-\d{4}", code) for code in codes)
    calendar = WorkingCalendar()
    seconds = working_seconds_per_day()
    for case in completed.prefetch_related("steps", "procedure__steps", "pauses")[:200]:
        steps = list(case.steps.all())
        assert [s.position for s in steps] == [p.position for p in case.procedure.steps.all()]
        assert all(s.finished_at for s in steps)
        assert steps[0].started_at == case.received_at
        assert steps[-1].finished_at == case.finished_at
        for before, after in zip(steps, steps[1:], strict=False):
            assert before.finished_at == after.started_at
            assert (
                after.due_at
                == calendar.add_working_time(
                    after.started_at, float(after.allowance_days) * seconds
                )
                or case.pauses.exists()
            )
        if not case.pauses.exists():
            assert case.due_at == calendar.add_working_time(
                case.received_at, case.statutory_days * seconds
            )
            used = Decimal(
                str(calendar.working_time_between(case.received_at, case.finished_at))
            ) / Decimal(seconds)
            # as the services: days to three places, stored to two
            assert case.working_days_used == used.quantize(Decimal("0.001")).quantize(
                Decimal("0.01")
            )


def test_nonconformities_actions_and_findings_agree(generated):
    closed = Nonconformity.objects.filter(status="closed")
    assert closed.exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    assert (
        not Nonconformity.objects.exclude(status="closed").filter(closed_at__isnull=False).exists()
    )
    assert not Action.objects.exclude(department=F("nonconformity__department")).exists()
    assert not Action.objects.filter(status="done", completed_at__isnull=True).exists()
    for nc in Nonconformity.objects.filter(status="closed", needs_corrective_action=True):
        assert nc.verifications.get().verifier_id != nc.owner_id
        assert not nc.actions.filter(status__in=["planned", "in_progress"]).exists()
    assert Verification.objects.count() == closed.filter(needs_corrective_action=True).count()
    raised = Finding.objects.filter(nonconformity__isnull=False).select_related("nonconformity")
    assert raised.exists()
    for finding in raised:
        assert finding.kind in ("minor_nc", "major_nc")
        assert finding.nonconformity.origin_object_id == finding.pk
        assert finding.nonconformity.department_id == finding.department_id
        assert finding.audit.scope_departments.filter(pk=finding.department_id).exists()
    for audit in Audit.objects.filter(status="closed"):
        assert not audit.findings.filter(nonconformity__closed_at__gt=audit.closed_at).exists()
        assert (
            not audit.findings.exclude(nonconformity__status__in=["closed", "merged"])
            .filter(nonconformity__isnull=False)
            .exists()
        )
    numbers = {
        "NC": Nonconformity.objects.values_list("number", flat=True),
        "HD": Action.objects.values_list("number", flat=True),
        "RR": Risk.objects.values_list("number", flat=True),
        "MT": Objective.objects.values_list("number", flat=True),
    }
    for prefix, values in numbers.items():
        assert all(re.fullmatch(rf"{prefix}-20\d\d-\d{{4}}", n) for n in values), prefix


def test_records_risks_and_objectives_follow_their_rules(generated):
    for record in Record.objects.select_related("record_type")[:300]:
        assert record.retention_until == retention_until(record.record_type, record.record_date)
    assert not Risk.objects.exclude(score=F("likelihood") * F("impact")).exists()
    assert (
        not Risk.objects.filter(residual_likelihood__isnull=False)
        .exclude(residual_score=F("residual_likelihood") * F("residual_impact"))
        .exists()
    )
    for objective in Objective.objects.all():
        if objective.measure != "manual":
            assert objective.unit == "%" and 0 <= objective.target <= 100
        if objective.measure == "nc_closed_within":
            assert objective.within_days
        if objective.procedure_id:
            assert objective.measure in ("on_time", "satisfaction")
    assert not Document.objects.values("code").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_a_second_run_refuses(generated):
    with pytest.raises(CommandError, match="already has 12 departments"):
        call_command("generate_data", "--scale", "small", stdout=StringIO())
    assert Department.objects.count() == SMALL.departments


def test_numbers_keep_counting_past_9999_in_a_year(generated):
    from django.utils import timezone

    from nonconformities.models import Action
    from qms.numbering import next_number

    today = timezone.localdate()
    Action.objects.filter(pk=Action.objects.order_by("pk").values("pk")[:1]).update(
        number=f"HD-{today.year}-9999"
    )
    Action.objects.filter(pk=Action.objects.order_by("-pk").values("pk")[:1]).update(
        number=f"HD-{today.year}-10000"
    )
    assert next_number(Action, "HD", today) == f"HD-{today.year}-10001"


def test_numbers_of_a_year_continue_past_9999_as_the_portal_numbers_them():
    """A province's feedback passes 9,999 items a year (PA-2025-10000…)."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from qms.datagen import _year_numbers

    start = timezone.make_aware(datetime(2025, 3, 1, 8, 0))
    moments = [start + timedelta(minutes=n) for n in range(10_001)][::-1]
    numbers = _year_numbers("PA", moments)
    assert numbers[0] == "PA-2025-10001" and numbers[-1] == "PA-2025-0001"
    assert len(set(numbers)) == 10_001
