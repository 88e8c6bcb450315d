"""Document reminders: periodic review stages and escalation, waiting approvals, acknowledgements."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents import services
from documents.models import Acknowledgement, Document, Revision
from qms import reminders
from qms.models import Notification
from tests.documents.conftest import run_through, start

pytestmark = pytest.mark.django_db


def _sent(recipient):
    return list(
        Notification.objects.filter(recipient=recipient)
        .order_by("pk")
        .values_list("message", flat=True)
    )


def test_periodic_review_reminders_then_escalation(people, procedure):
    run_through(people, start(people, procedure))
    today = timezone.localdate()
    Document.objects.filter(pk=procedure.pk).update(next_review_date=today + timedelta(days=25))
    owner, manager = people["owner"], people["manager"]
    before = len(_sent(owner))
    assert reminders.run_sweep("documents.review_due", today) == 1
    assert reminders.run_sweep("documents.review_due", today) == 0  # the same stage again: nothing
    assert (
        reminders.run_sweep("documents.review_due", today + timedelta(days=20)) == 1
    )  # 7-day stage
    assert (
        reminders.run_sweep("documents.review_due", today + timedelta(days=25)) == 1
    )  # on the day
    assert (
        reminders.run_sweep("documents.review_due", today + timedelta(days=33)) == 1
    )  # a week late
    assert len(_sent(owner)) - before == 4
    assert not Notification.objects.filter(recipient=manager, message__contains="14 days").exists()
    reminders.run_sweep("documents.review_due", today + timedelta(days=40))  # 15 days overdue
    assert Notification.objects.filter(recipient=manager, message__contains="14 days").count() == 1
    reminders.run_sweep("documents.review_due", today + timedelta(days=41))
    assert Notification.objects.filter(recipient=manager, message__contains="14 days").count() == 1


def test_recording_the_review_starts_the_cycle_again(people, procedure):
    run_through(people, start(people, procedure))
    today = timezone.localdate()
    Document.objects.filter(pk=procedure.pk).update(next_review_date=today)
    assert reminders.run_sweep("documents.review_due", today) == 1
    procedure.refresh_from_db()
    services.document_review_record(
        actor=people["owner"],
        document=procedure,
        outcome="valid",
        comment="",
        next_review_date=None,
        version=procedure.version,
    )
    assert reminders.run_sweep("documents.review_due", today) == 0  # next review is a year away


def test_a_waiting_approval_is_reminded_every_three_days(people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    today = timezone.localdate()
    assert reminders.run_sweep("documents.approval_waiting", today) == 0
    assert reminders.run_sweep("documents.approval_waiting", today + timedelta(days=2)) == 1
    assert reminders.run_sweep("documents.approval_waiting", today + timedelta(days=3)) == 0
    assert reminders.run_sweep("documents.approval_waiting", today + timedelta(days=5)) == 1
    assert Notification.objects.filter(recipient=people["reviewer"], params__days=5).exists()
    assert Revision.objects.get(pk=revision.pk).status == "in_review"


def test_outstanding_acknowledgements_are_e_mailed_weekly(
    people, org, procedure, mailoutbox, django_capture_on_commit_callbacks
):
    services.distribution_add(actor=people["owner"], document=procedure, user=people["reader"])
    revision = run_through(people, start(people, procedure))
    ack = Acknowledgement.objects.get(revision=revision, user=people["reader"])
    today = timezone.localdate()
    assert reminders.run_sweep("documents.acknowledgement_outstanding", today) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            reminders.run_sweep("documents.acknowledgement_outstanding", today + timedelta(days=3))
            == 1
        )
    assert (
        reminders.run_sweep("documents.acknowledgement_outstanding", today + timedelta(days=9)) == 0
    )
    assert (
        reminders.run_sweep("documents.acknowledgement_outstanding", today + timedelta(days=10))
        == 1
    )
    services.acknowledge(actor=people["reader"], revision=revision)
    assert (
        reminders.run_sweep("documents.acknowledgement_outstanding", today + timedelta(days=17))
        == 0
    )
    assert ack.user.email in [m.to[0] for m in mailoutbox]


def test_my_tasks_lists_the_step_the_acknowledgement_and_the_review(client, people, org, procedure):
    services.distribution_add(actor=people["owner"], document=procedure, user=people["reader"])
    run_through(people, start(people, procedure))
    services.revision_submit(
        actor=people["owner"], revision=start(people, procedure, text="B"), version=None
    )
    Document.objects.filter(pk=procedure.pk).update(
        next_review_date=timezone.localdate() - timedelta(days=1)
    )
    titles = {}
    for who in ("reviewer", "reader", "owner"):
        client.force_login(people[who])
        titles[who] = [(t.title, t.is_overdue) for t in client.get("/").context["tasks"]]
    assert ("Review QT-01 revision 02", False) in titles["reviewer"]
    assert ("Read and acknowledge QT-01 revision 01", False) in titles["reader"]
    assert ("Periodic review of QT-01 Quy trình kiểm soát tài liệu", True) in titles["owner"]


def test_an_acknowledgement_notification_outlives_its_revision(client, people, org, procedure):
    """It named revision 01, and once revision 02 was effective a reader who may not open
    superseded revisions found "Page not found" behind it: it opens the document."""
    services.distribution_add(actor=people["owner"], document=procedure, user=people["reader"])
    first = run_through(people, start(people, procedure))
    notification = Notification.objects.filter(recipient=people["reader"]).latest("pk")
    assert notification.url == procedure.get_absolute_url()
    second = run_through(people, start(people, procedure, text="B"))
    client.force_login(people["reader"])
    assert client.get(first.get_absolute_url())["Location"] == procedure.get_absolute_url()
    page = client.get(f"/notifications/{notification.pk}/", follow=True)
    assert page.status_code == 200 and page.context["document"].effective_revision == second
