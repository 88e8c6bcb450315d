"""Benchmark: the QMS dashboard at agency scale (``make bench``, not a test).

100,000 service cases (as ``service_figures.py`` makes them), 20,000 documents and 10,000
nonconformities with 10,000 actions, in a throwaway database (SQLite in a temporary
directory, or the PostgreSQL named by ``BENCH_DATABASE_URL``). Times the dashboard page as
the QMS manager sees it with nothing cached (every count recomputed) and within the cache
minute, for the whole agency and for one department, with the queries each needs (median
of 5). Fails when a cold dashboard needs a second or more on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--cases 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_figures import _django, fill, timed  # noqa: E402


def fill_more(documents: int, nonconformities: int) -> None:
    from django.utils import timezone

    from documents.models import Document
    from nonconformities.models import Action, Nonconformity
    from qms.models import Department, User

    rng = random.Random(11)  # noqa: S311  (repeatable benchmark data)
    units = list(Department.objects.filter(depth=1))
    owner = User.objects.get(username="manager")
    today = timezone.localdate()
    Document.objects.bulk_create(
        (
            Document(
                code=f"QT-{n:05d}",
                title=f"Quy trình {n}",
                document_type=rng.choice(["procedure", "form", "instruction"]),
                department=units[n % len(units)],
                owner=owner,
                status=rng.choice(["effective"] * 8 + ["draft", "withdrawn"]),
                next_review_date=today + timedelta(days=rng.randint(-60, 400)),
            )
            for n in range(documents)
        ),
        batch_size=5000,
    )
    statuses = [
        "reported",
        "triaged",
        "cause_analysis",
        "implementing",
        "closed",
        "closed",
        "closed",
    ]
    ncs = Nonconformity.objects.bulk_create(
        (
            Nonconformity(
                number=f"NC-B-{n:05d}",
                title=f"Sự không phù hợp {n}",
                description="Bench",
                department=units[n % len(units)],
                occurred_on=today - timedelta(days=rng.randint(0, 700)),
                source="staff_report",
                reported_by=owner,
                status=rng.choice(statuses),
                severity=rng.choice(["minor", "minor", "major", "critical"]),
                category=rng.choice(["people", "procedure", "it_system"]),
            )
            for n in range(nonconformities)
        ),
        batch_size=5000,
    )
    Action.objects.bulk_create(
        (
            Action(
                number=f"HD-B-{n:05d}",
                title=f"Hành động {n}",
                nonconformity=nc,
                owner=owner,
                department=nc.department,
                due_date=today + timedelta(days=rng.randint(-90, 120)),
                status=rng.choice(["planned", "in_progress", "done", "done"]),
                created_by=owner,
            )
            for n, nc in enumerate(ncs)
        ),
        batch_size=5000,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--nonconformities", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        _django(Path(workdir))
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        started = time.perf_counter()
        fill(args.cases)
        fill_more(args.documents, args.nonconformities)
        print(
            f"filled {args.cases:,} cases, {args.documents:,} documents, "
            f"{args.nonconformities:,} nonconformities and actions in "
            f"{time.perf_counter() - started:.1f} s"
        )
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from qms.models import Department, User

        client = Client()
        client.force_login(User.objects.get(username="manager"))
        unit = Department.objects.filter(depth=1).first()
        failed = False
        for label, url in (
            ("whole agency", "/dashboard/"),
            ("one department", f"/dashboard/?department={unit.pk}"),
        ):
            client.get(url)

            def cold(url=url):
                cache.clear()
                if client.get(url).status_code != 200:
                    raise SystemExit(f"{url} did not answer 200")

            cold_seconds = timed(cold)
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            cold_queries = len(queries.captured_queries)
            warm_seconds = timed(lambda url=url: client.get(url))
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            print(
                f"dashboard, {label:<14}: nothing cached {cold_seconds * 1000:7.1f} ms "
                f"({cold_queries} queries); within the minute {warm_seconds * 1000:6.1f} ms "
                f"({len(queries.captured_queries)} queries)  (median of 5)"
            )
            failed |= connection.vendor == "postgresql" and cold_seconds >= 1.0
        if connection.vendor != "postgresql":
            print(
                "(SQLite: the one-second bar is checked on PostgreSQL: BENCH_DATABASE_URL=postgres://… make bench)"
            )
        elif failed:
            print("FAIL: a dashboard needs a second or more with nothing cached")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
