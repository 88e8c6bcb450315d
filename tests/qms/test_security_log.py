"""The hash-chained security log: events are written, and tampering is found."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from qms import security_log
from qms.models import SecurityEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _kinds():
    return list(SecurityEvent.objects.order_by("sequence").values_list("kind", flat=True))


def _write_events(n=5):
    for i in range(n):
        security_log.record(SecurityEvent.Kind.EXPORT, username=f"user{i}", target=f"list {i}")


def _verify(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_log")
    return exit_info.value.code, capsys.readouterr().err


def test_chain_links_each_event_to_the_one_before():
    _write_events(3)
    events = list(SecurityEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].previous_hash == security_log.GENESIS_HASH
    assert events[1].previous_hash == events[0].entry_hash
    assert events[2].previous_hash == events[1].entry_hash
    assert security_log.verify_chain().intact


def test_verify_command_passes_on_an_intact_log(capsys):
    _write_events(4)
    call_command("verify_audit_log")
    assert "OK: 4 entries" in capsys.readouterr().out


def test_an_edited_event_is_detected(capsys):
    _write_events(5)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SecurityEvent._meta.db_table} SET username = %s WHERE sequence = 3",
            ["someone-else"],
        )
    code, err = _verify(capsys)
    assert code == 1
    assert "entry #3 was altered" in err


def test_a_removed_event_is_detected(capsys):
    _write_events(5)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SecurityEvent._meta.db_table} WHERE sequence = 2")
    code, err = _verify(capsys)
    assert code == 1
    assert "entry #2 is missing" in err


def test_a_rehashed_event_still_breaks_the_next_link(capsys):
    """Recomputing a tampered row's own hash is not enough: the next row points at the old one."""
    _write_events(4)
    event = SecurityEvent.objects.get(sequence=2)
    event.target = "forged"
    new_hash = event.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SecurityEvent._meta.db_table} SET target = %s, entry_hash = %s "
            "WHERE sequence = 2",
            ["forged", new_hash],
        )
    code, err = _verify(capsys)
    assert code == 1
    assert "entry #3 does not link" in err


def test_cut_off_tail_is_found_against_a_recorded_head(capsys):
    _write_events(4)
    head = SecurityEvent.objects.get(sequence=4)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SecurityEvent._meta.db_table} WHERE sequence = 4")
    with pytest.raises(SystemExit):
        call_command("verify_audit_log", expect_head=f"4:{head.entry_hash}")
    assert "not in the log any more" in capsys.readouterr().err


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    _write_events(1)
    event = SecurityEvent.objects.get()
    event.username = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_sign_in_sign_out_and_failed_sign_in_are_logged(client):
    user = UserFactory(username="mai")
    client.post(reverse("qms:login"), {"username": "mai", "password": "wrong-password"})
    client.post(reverse("qms:login"), {"username": "mai", "password": PASSWORD})
    client.post(reverse("qms:logout"))
    assert _kinds() == ["login_failed", "login", "logout"]
    failed, login, logout = SecurityEvent.objects.order_by("sequence")
    assert failed.username == "mai" and failed.actor is None
    assert login.actor == user and login.ip_address == "127.0.0.1"
    assert logout.actor == user


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client):
    UserFactory(username="lan")
    url = reverse("qms:login")
    for _ in range(4):
        response = client.post(url, {"username": "lan", "password": "nope-nope"})
        assert response.status_code == 200
    response = client.post(url, {"username": "lan", "password": "nope-nope"})
    assert response.status_code == 429
    assert b'data-testid="locked-out"' in response.content
    # Even the right password is refused while the lock stands.
    response = client.post(url, {"username": "lan", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked_out" in _kinds()


def test_ipv6_addresses_are_hashed_as_the_database_stores_them(rf):
    request = rf.get("/", REMOTE_ADDR="2001:0db8:0000:0000:0000:0000:0000:0001")
    event = security_log.record(SecurityEvent.Kind.LOGIN_FAILED, request=request, username="x")
    event.refresh_from_db()
    assert event.ip_address == "2001:db8::1"
    assert security_log.verify_chain().intact


def test_behind_a_proxy_the_client_address_is_logged(rf, settings):
    settings.QMS_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9")
    assert security_log.client_ip(request) == "198.51.100.9"
    settings.QMS_TRUSTED_PROXY_COUNT = 0
    assert security_log.client_ip(request) == "10.0.0.2"
