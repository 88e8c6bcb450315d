"""Procedures: statutory time, the catalogue's rules, legal changes."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from documents.models import ExternalDocument
from documents.services import external_save
from procedures import services
from procedures.models import Procedure, ProcedureStep
from qms import mytasks
from qms.models import Notification
from tests.procedures.conftest import make_procedure, make_process, steps

pytestmark = pytest.mark.django_db


def test_steps_that_do_not_fit_are_refused_with_the_arithmetic(manager, org):
    with pytest.raises(ValidationError) as refused:
        make_procedure(manager, org, days=3, allowances=("4h", 2, 1, "4h"))
    message = refused.value.messages[0]
    assert "0.5 + 2 + 1 + 0.5 = 4" in message and "statutory 3 working days" in message
    assert not Procedure.objects.exists()
    assert services.check_steps_fit(steps(org, "4h", 2, "4h"), 3) == Decimal(3)


def test_steps_need_an_allowance_and_the_procedure_a_step(manager, org):
    with pytest.raises(ValidationError, match="greater than zero"):
        services.check_steps_fit(steps(org, 0, 1), 3)
    with pytest.raises(ValidationError, match="at least one step"):
        services.check_steps_fit([], 3)


def test_only_the_qms_manager_changes_the_catalogue(role_users, org):
    for role in ("staff", "process_owner", "internal_auditor", "top_management"):
        with pytest.raises(PermissionDenied):
            make_procedure(role_users[role], org, code=f"X-{role}")
    assert make_procedure(role_users["qms_manager"], org).pk


def test_changing_steps_keeps_their_history(manager, org):
    procedure = make_procedure(manager, org)
    services.procedure_save(
        actor=manager,
        procedure=procedure,
        steps=steps(org, "4h", 2, "4h"),
        dossier=[],
        version=procedure.version,
    )
    assert list(procedure.steps.values_list("allowance", flat=True)) == [
        Decimal("4.00"),
        Decimal("2.00"),
        Decimal("4.00"),
    ]
    removed = ProcedureStep.history.filter(history_type="-")
    assert (
        removed.count() == 1 and removed.get().history_change_reason == "Removed with its procedure"
    )
    assert procedure.dossier.count() == 0
    with pytest.raises(ValidationError):  # the form was opened before this change
        services.procedure_save(
            actor=manager, procedure=procedure, steps=steps(org, 1), dossier=[], version=0
        )


def test_a_process_does_not_hand_over_to_itself(manager, org):
    process = make_process(manager, org)
    with pytest.raises(ValidationError, match="itself"):
        services.process_save(
            actor=manager, process=process, version=process.version, hands_over_to=[process]
        )


def test_an_amended_law_flags_its_procedures_and_tells_the_owner(manager, org, role_users):
    owner = role_users["process_owner"]
    law = external_save(
        actor=role_users["document_controller"],
        external=ExternalDocument(
            kind="decree",
            number="01/2021/NĐ-CP",
            title="Nghị định về đăng ký doanh nghiệp",
            issuing_body="Chính phủ",
        ),
    )
    procedure = make_procedure(manager, org, owner=owner)
    procedure.legal_basis.set([law])
    untouched = make_procedure(manager, org, code="DN-02")
    law.legal_status = "amended"
    external_save(actor=role_users["document_controller"], external=law, version=law.version)
    procedure.refresh_from_db()
    untouched.refresh_from_db()
    assert procedure.review_flag == "legal_amended" and untouched.review_flag == ""
    assert Notification.objects.filter(recipient=owner, url=procedure.get_absolute_url()).exists()
    tasks = mytasks.tasks_for(owner, timezone.localdate())
    assert any("DN-01" in task.title for task in tasks)
    with pytest.raises(PermissionDenied):
        services.review_done(
            actor=role_users["staff"], procedure=procedure, version=procedure.version
        )
    services.review_done(actor=owner, procedure=procedure, version=procedure.version)
    procedure.refresh_from_db()
    assert procedure.review_flag == ""
    assert not any("DN-01" in task.title for task in mytasks.tasks_for(owner, timezone.localdate()))


def test_procedures_are_suspended_or_abolished_never_deleted(manager, org):
    procedure = make_procedure(manager, org)
    services.procedure_set_status(
        actor=manager, procedure=procedure, status="abolished", version=procedure.version
    )
    assert Procedure.objects.get().status == "abolished"
    assert not Procedure.objects.public().exists()
    with pytest.raises(ValidationError):
        services.procedure_set_status(actor=manager, procedure=procedure, status="deleted")
