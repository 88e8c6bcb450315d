"""The weekly digest: the reminder registry's due items, one e-mail per person per week,
the whole agency for QMS managers, their units for heads of department."""

from datetime import timedelta

import pytest
from django.core import mail

from qms.digest import send_weekly_digest
from qms.models import Reminder
from tests.planning.conftest import TODAY, heads, make_risk  # noqa: F401

pytestmark = pytest.mark.django_db


def test_digest_once_a_week_in_each_readers_scope(org, role_users, heads, settings):
    manager = role_users["qms_manager"]
    manager.email, manager.language = "iso@so.gov.vn", "vi"
    manager.save()
    for head in (heads["a"], heads["b"]):
        head.email = f"{head.username}@so.gov.vn"
        head.save()
    risk_a = make_risk(
        heads["a"], org["a1"], owner=heads["staff_a1"], review_date=TODAY - timedelta(days=1)
    )
    assert send_weekly_digest(TODAY) == 2  # the manager and the head of A; B has nothing due
    by_reader = {message.to[0]: message for message in mail.outbox}
    assert set(by_reader) == {"iso@so.gov.vn", "head_a@so.gov.vn"}
    assert risk_a.number in by_reader["head_a@so.gov.vn"].body
    manager_mail = by_reader["iso@so.gov.vn"]
    lines = [line for line in manager_mail.body.splitlines() if line.startswith("- ")]
    assert (
        manager_mail.subject == f"Tổng hợp HTQLCL hằng tuần: {len(lines)} việc đến hạn hoặc quá hạn"
    )
    assert any(risk_a.number in line for line in lines)
    assert send_weekly_digest(TODAY) == 0  # the same week: nothing twice
    assert Reminder.objects.filter(sweep="qms.weekly_digest").count() == 2
    assert send_weekly_digest(TODAY + timedelta(days=7)) == 2  # next week again
