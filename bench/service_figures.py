"""Benchmark: the on-time figures over 100,000 service cases (``make bench``, not a test).

Fills a throwaway database (SQLite under a temporary directory, or the PostgreSQL named by
``BENCH_DATABASE_URL``) with 100,000 finished and open cases of 30 procedures over a year,
then times the figures of a year per procedure, per department and per process, and the
figures page itself as the QMS manager sees it (median of 5 runs each). Fails when the page
needs a second or more on PostgreSQL (the production database).

    .venv/bin/python bench/service_figures.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "qms.settings.base"
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fill(count: int) -> None:
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from procedures.models import Procedure, ServiceCase
    from qms.models import Department, User
    from qms.roles import sync_roles

    call_command("migrate", verbosity=0)
    sync_roles()
    rng = random.Random(9)  # noqa: S311  (repeatable benchmark data)
    root = Department.objects.create(code="SO", name="Sở", path="SO/", depth=0)
    units = [
        Department.objects.create(
            code=f"P{n}", name=f"Phòng {n}", parent=root, path=f"SO/P{n}/", depth=1
        )
        for n in range(6)
    ]
    clerk = User.objects.create_user("clerk", department=root)
    manager = User.objects.create_user("manager", department=root)
    manager.groups.add(
        *__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(
            name="qms_manager"
        )
    )
    procedures = Procedure.objects.bulk_create(
        Procedure(
            code=f"P-{n:02d}",
            name=f"Thủ tục {n}",
            field=f"Lĩnh vực {n % 4}",
            department=units[n % 6],
            statutory_days=rng.choice([3, 5, 10, 15]),
        )
        for n in range(30)
    )
    now = timezone.now()
    batch = []
    for n in range(count):
        procedure = procedures[n % 30]
        received = now - timedelta(days=rng.uniform(0, 365))
        due = received + timedelta(days=procedure.statutory_days * 1.4)
        finished = received + timedelta(days=rng.uniform(0.5, procedure.statutory_days * 1.6))
        open_case = finished > now
        batch.append(
            ServiceCase(
                receipt_code=f"HS-{n:07d}",
                procedure=procedure,
                department=procedure.department,
                applicant_name="Bench",
                applicant_phone="0900000000",
                received_at=received,
                received_by=clerk,
                statutory_days=procedure.statutory_days,
                due_at=due,
                status="in_progress" if open_case else "completed",
                finished_at=None if open_case else finished,
                on_time=None if open_case else finished <= due,
                working_days_used=None
                if open_case
                else Decimal(str(round((finished - received).days * 0.7, 2))),
            )
        )
        if len(batch) == 5000:
            ServiceCase.objects.bulk_create(batch)
            batch = []
    ServiceCase.objects.bulk_create(batch)


def timed(function, runs: int = 5) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        _django(Path(workdir))
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        started = time.perf_counter()
        fill(args.cases)
        print(f"filled {args.cases:,} cases in {time.perf_counter() - started:.1f} s")
        from django.test import Client
        from django.utils import timezone

        from procedures.models import ServiceCase
        from procedures.performance import performance
        from qms.models import User

        today = timezone.localdate()
        start, end = date(today.year - 1, today.month, 1), today.replace(day=1) + timedelta(days=31)
        cases = ServiceCase.objects.all()
        for by in ("procedure", "department", "process"):
            seconds = timed(lambda by=by: performance(cases, start, end, by))
            print(f"figures of a year per {by:<10} {seconds * 1000:7.1f} ms (median of 5)")
        client = Client()
        client.force_login(User.objects.get(username="manager"))
        url = f"/procedures/performance/?from={start:%Y-%m}&to={today:%Y-%m}"
        page = timed(lambda: client.get(url))
        print(f"figures page, a year, as the QMS manager: {page * 1000:7.1f} ms (median of 5)")
        from django.db import connection

        if connection.vendor != "postgresql":
            print("(SQLite: the embedded default for trying the portal; the one-second bar is")
            print(" checked on PostgreSQL: BENCH_DATABASE_URL=postgres://… make bench)")
        elif page >= 1.0:
            print("FAIL: the figures page needs a second or more")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
