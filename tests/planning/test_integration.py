"""Planning in My tasks and the reminder sweeps; the quality policy on the home page."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.test import Client

from planning import integration, services
from qms import mytasks, reminders
from qms.models import Notification
from tests.planning.conftest import TODAY, make_objective, make_risk

pytestmark = pytest.mark.django_db


def test_my_tasks_show_risk_reviews_and_missing_values(org, role_users, heads):
    manager = role_users["qms_manager"]
    day = date(2026, 11, 21)  # the day My tasks is read, whatever today is
    risk = make_risk(
        heads["a"], org["a"], owner=heads["staff_a1"], review_date=day + timedelta(days=3)
    )
    make_risk(heads["a"], org["a"], owner=heads["staff_a1"], review_date=day + timedelta(days=60))
    objective = make_objective(
        manager, heads["staff_a1"], org["a"], year=2026, frequency="quarterly"
    )
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        titles = [t.title for t in mytasks.tasks_for(heads["staff_a1"], day)]
    assert any(risk.number in t for t in titles)
    assert (
        f"Record the value of objective {objective.number} for the period ending 30/09/2026"
        in titles
    )
    assert len([t for t in titles if "RR-" in t]) == 1  # the other review is two months away
    # the date as the reader's language writes dates, like the rest of their page
    from django.utils import translation

    with (
        mock.patch("django.utils.timezone.localdate", return_value=day),
        translation.override("zh-hans"),
    ):
        chinese = [t.title for t in mytasks.tasks_for(heads["staff_a1"], day)]
    assert any(objective.number in t and "2026年9月30日" in t for t in chinese), chinese
    services.measurement_record(
        actor=heads["staff_a1"], objective=objective, period_end=date(2026, 9, 30), value=1
    )
    titles = [t.title for t in mytasks.tasks_for(heads["staff_a1"], date(2026, 11, 21))]
    assert not any(objective.number in t for t in titles)


def test_reminders_are_sent_once(org, role_users, heads):
    risk = make_risk(
        heads["a"], org["a"], owner=heads["staff_a1"], review_date=TODAY + timedelta(days=5)
    )
    assert reminders.run_sweep("planning.risk_reviews") == 1
    assert reminders.run_sweep("planning.risk_reviews") == 0
    note = Notification.objects.get(recipient=heads["staff_a1"])
    assert risk.number in note.text


def test_the_policy_is_on_everyones_home_page(org, role_users):
    from documents import services as document_services
    from documents.models import Document
    from tests.documents.conftest import run_through, start

    people = {
        "owner": role_users["process_owner"],
        "reviewer": role_users["qms_manager"],
        "approver": role_users["top_management"],
    }
    policy = document_services.document_register(
        actor=role_users["document_controller"],
        document=Document(
            title="Chính sách chất lượng",
            document_type="policy",
            department=org["agency"],
            owner=role_users["process_owner"],
        ),
    )
    client = Client()
    client.force_login(role_users["staff"])
    assert 'data-testid="quality-policy"' not in client.get("/").content.decode()
    run_through(people, start(people, policy, text="Phục vụ người dân tận tụy, chuyên nghiệp"))
    html = client.get("/").content.decode()
    assert 'data-testid="quality-policy"' in html and "Phục vụ người dân tận tụy" in html
    assert integration.quality_policy()["code"] == policy.code
    # a policy is a few commitments, one a line: the block keeps its lines
    from django.core.cache import cache

    from documents.models import Revision

    policy.refresh_from_db()
    Revision.objects.filter(pk=policy.effective_revision_id).update(
        text="Sở cam kết:\n\n1.  Đúng hẹn, minh bạch\n2. Người dân hài lòng  \n"
    )
    cache.delete(integration.POLICY_CACHE)
    html = client.get("/").content.decode()
    assert "Sở cam kết:<br>1. Đúng hẹn, minh bạch<br>2. Người dân hài lòng" in html
