"""The nonconformity loop at the service level: report to verified effectiveness."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nonconformities import services
from nonconformities.models import Action, Nonconformity
from qms.models import Notification, SecurityEvent, Signature
from qms.workflow import ConcurrentChange
from tests.factories import PASSWORD
from tests.nonconformities.conftest import TODAY, add_action, report, triaged

pytestmark = pytest.mark.django_db


def _analyse(crew, nc, root="Quy trình không quy định bước kiểm tra hạn"):
    nc.refresh_from_db()
    return services.save_analysis(
        actor=crew["owner"],
        nc=nc,
        five_whys=[
            "Trả trễ",
            "Không theo dõi hạn",
            "Sổ theo dõi không cảnh báo",
            "Quy trình thiếu bước",
            "Chưa rà soát",
        ],
        fishbone={
            "procedure": ["Thiếu bước kiểm tra"],
            "it_system": ["Phần mềm không cảnh báo"],
            "bogus": ["x"],
        },
        root_cause=root,
        version=nc.version,
    )


def _finish(crew, nc, wait=True):
    for action in nc.actions.all():
        if action.status == "planned":
            services.action_move(actor=crew["owner"], action=action, move="start")
        services.action_move(
            actor=crew["owner"], action=Action.objects.get(pk=action.pk), move="complete"
        )
    if wait:  # the check date has come
        Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=TODAY)
    nc.refresh_from_db()
    return nc


def test_report_numbers_and_notifies(crew, org):
    nc = report(crew, org)
    assert nc.number == f"NC-{TODAY.year}-0001" and nc.status == "reported"
    assert report(crew, org).number == f"NC-{TODAY.year}-0002"
    notified = set(
        Notification.objects.filter(params__number=nc.number).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"qms_manager", "head_a"} <= notified
    with pytest.raises(ValidationError, match="future"):
        report(crew, org, occurred_on=TODAY + timedelta(days=1))


def test_triage_by_the_department_head_but_not_another(crew, org):
    nc = report(crew, org)
    with pytest.raises(PermissionDenied):
        services.triage(
            actor=crew["b_head"],
            nc=nc,
            severity="minor",
            category="people",
            needs_corrective_action=False,
            owner=crew["owner"],
            due_date=None,
            version=nc.version,
        )
    services.triage(
        actor=crew["head"],
        nc=nc,
        severity="minor",
        category="people",
        needs_corrective_action=False,
        owner=crew["owner"],
        due_date=None,
        version=nc.version,
    )
    assert Nonconformity.objects.get(pk=nc.pk).status == "triaged"


def test_correction_only_path(crew, org):
    nc = triaged(crew, org, needs_ca=False)
    with pytest.raises(ValidationError, match="Record the correction"):
        services.close_correction_only(actor=crew["owner"], nc=nc, version=nc.version)
    nc = services.record_correction(
        actor=crew["owner"],
        nc=nc,
        text="Đã trả kết quả, xin lỗi công dân",
        done_on=TODAY,
        version=nc.version,
    )
    closed = services.close_correction_only(actor=crew["owner"], nc=nc, version=nc.version)
    assert closed.status == "closed" and closed.closed_at


def test_a_major_one_needs_the_cause_before_actions_and_the_manager_to_close(crew, org):
    nc = triaged(crew, org, severity="major")
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    with pytest.raises(ValidationError, match="root cause"):
        add_action(crew, nc)
    nc = _analyse(crew, nc)
    assert nc.fishbone == {
        "procedure": ["Thiếu bước kiểm tra"],
        "it_system": ["Phần mềm không cảnh báo"],
    }
    first = add_action(crew, nc)
    add_action(crew, nc, title="Đào tạo lại cán bộ một cửa")
    nc.refresh_from_db()
    assert nc.status == "actions_planned"
    services.action_move(actor=crew["owner"], action=first, move="start")
    nc.refresh_from_db()
    assert nc.status == "implementing"
    nc = _finish(crew, nc, wait=False)
    assert nc.status == "effectiveness_check"
    assert nc.effectiveness_due == TODAY + timedelta(days=60)
    with pytest.raises(ValidationError, match="not before"):
        services.verify(
            actor=crew["manager"],
            nc=nc,
            result="effective",
            evidence="x",
            password=PASSWORD,
            version=nc.version,
        )
    Nonconformity.objects.filter(pk=nc.pk).update(effectiveness_due=TODAY)
    nc.refresh_from_db()
    with pytest.raises(ValidationError, match="owner cannot verify"):
        services.verify(
            actor=crew["owner"],
            nc=nc,
            result="effective",
            evidence="x",
            password=PASSWORD,
            version=nc.version,
        )
    with pytest.raises(ValidationError, match="Only the QMS manager"):
        services.verify(
            actor=crew["head"],
            nc=nc,
            result="effective",
            evidence="x",
            password=PASSWORD,
            version=nc.version,
        )
    closed = services.verify(
        actor=crew["manager"],
        nc=nc,
        result="effective",
        evidence="3 tháng không còn hồ sơ trễ",
        password=PASSWORD,
        version=nc.version,
    )
    assert closed.status == "closed"
    assert Signature.objects.get().meaning == "verified_effective"


def test_not_effective_reopens_for_a_new_analysis(crew, org):
    nc = triaged(crew, org)
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    add_action(crew, nc)
    nc = _finish(crew, nc)
    with pytest.raises(ValidationError, match="password"):
        services.verify(
            actor=crew["head"],
            nc=nc,
            result="not_effective",
            evidence="Tái diễn",
            password="x",
            version=nc.version,
        )
    assert SecurityEvent.objects.filter(kind="signature_failed").count() == 1
    reopened = services.verify(
        actor=crew["head"],
        nc=nc,
        result="not_effective",
        evidence="Tháng 10 lại có 2 hồ sơ trễ",
        password=PASSWORD,
        version=nc.version,
    )
    assert reopened.status == "cause_analysis" and reopened.reopened_count == 1
    add_action(crew, reopened, title="Cài cảnh báo hạn trên phần mềm")
    assert Nonconformity.objects.get(pk=nc.pk).status == "actions_planned"


def test_no_skipping_to_closed_while_actions_are_open(crew, org):
    nc = triaged(crew, org)
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    action = add_action(crew, nc)
    nc.refresh_from_db()
    with pytest.raises(ValidationError):
        services.verify(
            actor=crew["manager"],
            nc=nc,
            result="effective",
            evidence="x",
            password=PASSWORD,
            version=nc.version,
        )
    services.action_move(
        actor=crew["owner"], action=action, move="cancel", reason="Trùng với HĐ khác"
    )
    nc.refresh_from_db()
    assert nc.status == "actions_planned"  # cancelled only: nothing was done yet


def test_due_date_changes_need_a_reason_and_are_kept(crew, org):
    nc = triaged(crew, org)
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    action = add_action(crew, nc)
    with pytest.raises(ValidationError, match="why"):
        services.action_change_due(
            actor=crew["owner"],
            action=action,
            due_date=TODAY + timedelta(days=40),
            reason="",
            version=action.version,
        )
    changed = services.action_change_due(
        actor=crew["owner"],
        action=action,
        due_date=TODAY + timedelta(days=40),
        reason="Chờ nhà cung cấp phần mềm",
        version=action.version,
    )
    assert changed.history.first().history_change_reason == "Chờ nhà cung cấp phần mềm"
    with pytest.raises(ConcurrentChange):
        services.action_change_due(
            actor=crew["owner"],
            action=action,
            due_date=TODAY + timedelta(days=50),
            reason="x",
            version=action.version,
        )
    with pytest.raises(PermissionDenied):
        services.action_note(actor=crew["other"], action=changed, text="Không phải việc của tôi")


def test_the_tracker_takes_actions_from_any_source(crew, org):
    from documents.models import Document

    improvement = services.action_add(
        actor=crew["manager"],
        action=Action(
            title="Số hóa sổ theo dõi",
            kind="improvement",
            owner=crew["owner"],
            due_date=TODAY + timedelta(days=60),
        ),
        source=org["a"],
    )
    assert improvement.nonconformity is None and improvement.source_label == str(org["a"])
    assert improvement.number.startswith("HD-") and improvement.department == org["a"]
    assert Document.objects.count() == 0


def test_merging_duplicates(crew, org):
    first = report(crew, org)
    second = report(crew, org)
    merged = services.merge(
        actor=crew["manager"],
        nc=second,
        into=first,
        reason="Cùng một sự việc",
        version=second.version,
    )
    assert merged.status == "merged" and merged.duplicate_of == first


def test_an_action_reopened_during_the_check_sends_it_back(crew, org):
    nc = triaged(crew, org)
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    action = add_action(crew, nc)
    nc = _finish(crew, nc)
    assert nc.status == "effectiveness_check"
    services.action_move(
        actor=crew["owner"],
        action=Action.objects.get(pk=action.pk),
        move="resume",
        reason="Chưa xong",
    )
    nc.refresh_from_db()
    assert nc.status == "implementing" and nc.effectiveness_due is None
    with pytest.raises(ValidationError):
        services.verify(
            actor=crew["manager"],
            nc=nc,
            result="effective",
            evidence="x",
            password=PASSWORD,
            version=nc.version,
        )


def test_restricted_ones_are_triaged_by_the_qms_manager_only(crew, org):
    nc = report(crew, org, restricted=True)
    assert not services.can_triage(crew["head"], nc)
    assert services.can_triage(crew["manager"], nc)
    assert not Notification.objects.filter(
        recipient=crew["head"], params__number=nc.number
    ).exists()
