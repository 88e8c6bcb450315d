"""A real Celery worker executes a reminder sweep sent through Redis.

Needs PostgreSQL (the worker is a separate process and must see the test database) and
Redis. CI always has both and sets CI=true, so there this test fails instead of skipping.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from qms.celery import app as celery_app
from qms.models import Notification, Reminder

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _require_services():
    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (set REDIS_URL)")
    if missing:
        message = "real Celery worker test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("NOT RUN: " + message)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"timed out after {seconds}s waiting for {what}")


def test_worker_runs_the_reminder_sweep_and_sends_the_email(role_users, tmp_path):
    _require_services()
    queue = f"qms-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.base",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops one slash
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qms",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "-n",
            f"{queue}@localhost",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_eager = celery_app.conf.task_always_eager
    try:
        celery_app.conf.task_always_eager = False
        _wait(
            lambda: celery_app.control.ping(destination=[f"{queue}@localhost"], timeout=0.5),
            40,
            "the worker to answer a ping",
        )
        celery_app.send_task("qms.tasks.run_reminder_sweeps", queue=queue)
        reminder = _wait(
            lambda: Reminder.objects.filter(sweep="qms.calendar_missing").first(),
            40,
            "the worker to record the reminder",
        )
        admin = role_users["administrator"]
        assert reminder.notification.recipient == admin
        # The notification's e-mail went back through Redis and the worker sent it.
        _wait(lambda: list(mail_dir.iterdir()), 40, "the e-mail file")
        assert _wait(
            lambda: Notification.objects.filter(recipient=admin, emailed_at__isnull=False).exists(),
            20,
            "emailed_at to be set",
        )
        mail_text = "".join(p.read_text() for p in mail_dir.iterdir())
        assert admin.email in mail_text
    finally:
        celery_app.conf.task_always_eager = previous_eager
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output[-3000:])
