"""Timed operations over the agency data, each against a baseline measured in the same run
on the same machine (``make bench``; not a test).

* the daily reminder sweep over everything (every registered sweep, as Celery beat runs it)
  — baseline: the same sweeps only finding what is due, sending nothing;
* importing 1,500 procedures from an XLSX file (plan, then save every row with history)
  — baseline: openpyxl reading the same file;
* the monthly service-delivery report PDF of the largest department
  — baseline: WeasyPrint rendering a one-page PDF;
* the management-review inputs (ISO 9.3.2) compiled over twelve months
  — baseline: the agency dashboard's figures, computed with nothing cached.

Every operation runs in its own process (its peak memory is its own) with Redis as cache
and broker (``BENCH_REDIS_URL``), inside a transaction that is rolled back: the agency
database is the same after the run. The sweep is the exception: it commits batch by batch
and queues its e-mails as production does (in one rolled-back transaction every e-mail
hand-over would wait in memory to the end), then the reminders and notifications it wrote
are deleted and the queued e-mails purged. Writes ``bench/results/<date>-operations.json``
and ``.md``.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench_agency \\
        .venv/bin/python bench/operations.py [--only sweep]

(The evidence pack of 2,000 files / 1 GB against ``zip -0`` is ``bench/evidence_pack.py``.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import report as report_file  # bench/report.py: where results go

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ("sweep", "import", "monthly_pdf", "review_inputs")
TARGETS = {"sweep": {"seconds": 60, "peak_mb": 300}}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _timed(function) -> tuple[float, int, object]:
    from django.db import connection

    counter = _Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        outcome = function()
    return time.perf_counter() - started, counter.queries, outcome


def _manager():
    from qms.models import User

    return User.objects.filter(groups__name="qms_manager", is_active=True).order_by("pk").first()


def _sweep():
    from django.utils import timezone

    from qms import reminders

    today = timezone.localdate()

    def find_only():
        return sum(
            sum(1 for _ in reminders.due_now(name, today)) for name in reminders.sweep_names()
        )

    def send():
        return reminders.run_sweeps(today)

    return ("finding what is due, sending nothing", find_only), send


def _catalogue_xlsx(count: int) -> bytes:
    """``count`` procedures in the import's own columns, each with three steps and a
    dossier, in departments of the agency data."""
    from openpyxl import Workbook

    from qms.models import Department

    codes = list(
        Department.objects.filter(is_active=True, depth__gte=1)
        .order_by("path")
        .values_list("code", flat=True)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("TTHC")
    sheet.append(
        ["code", "name", "field", "level", "department", "statutory days", "steps", "dossier"]
    )
    for n in range(count):
        desk, unit = codes[0], codes[1 + n % (len(codes) - 1)]
        sheet.append(
            [
                f"NK-{n + 1:04d}",
                f"Thủ tục nhập khẩu số {n + 1} — 导入的行政程序",
                f"Lĩnh vực {n % 40 + 1}",
                "cấp tỉnh",
                unit,
                5 + n % 15,
                f"Tiếp nhận hồ sơ | {desk} | 4h; Thẩm định | {unit} | 3; Trả kết quả | {desk} | 4h",
                "Đơn đề nghị (01 bản chính); *Bản sao giấy tờ tùy thân (01 bản)",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from procedures import importing

    content = _catalogue_xlsx(1500)
    actor = _manager()

    def read_only():
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return sum(1 for _ in workbook.active.iter_rows(values_only=True))

    def run():
        token = importing.store_upload(SimpleUploadedFile("catalogue.xlsx", content))
        plan = importing.plan_stored(token)
        if not plan.ok:
            raise SystemExit(f"the generated catalogue has errors: {plan.rows[0].errors}")
        importing.apply_stored(actor=actor, token=token)
        return len(plan.rows)

    return ("openpyxl reading the same file", read_only), run


def _monthly_pdf():
    from django.test import Client

    from qms.models import Department
    from qms.pdf import html_to_pdf

    department = Department.objects.filter(depth=1).order_by("pk").first()
    from django.utils import timezone

    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    client = Client()
    client.force_login(_manager())
    path = f"/procedures/performance/?export=pdf&department={department.pk}&from={month}"

    def one_page():
        return len(html_to_pdf("<h1>Báo cáo</h1><p>Một trang.</p>"))

    def run():
        response = client.get(path)
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise SystemExit(f"the monthly report failed: {response.status_code}")
        return len(response.content)

    return ("WeasyPrint rendering a one-page PDF", one_page), run


def _review_inputs():
    from django.utils import timezone

    from qms import dashboard
    from qms.models import User
    from reviews.inputs import compile_inputs
    from reviews.models import ManagementReview
    from reviews.services import review_schedule

    today = timezone.localdate()
    chair = User.objects.filter(groups__name="top_management").order_by("pk").first()

    def figures():
        from django.core.cache import cache

        cache.clear()
        metrics = dashboard.metrics_by_path(dashboard.period_for("year", today))
        return len(dashboard.rolled_up(metrics, ""))

    def run():
        review = review_schedule(
            actor=_manager(),
            review=ManagementReview(
                title="Bench",
                meeting_date=today,
                period_start=today - timedelta(days=365),
                chair=chair,
            ),
            participants=[],
        )
        return len(compile_inputs(review, today)["sections"])

    return ("the agency dashboard's figures, nothing cached", figures), run


def _committed(operation):
    """Run the sweep as production does, then take back what it wrote and queued."""
    from qms.celery import app
    from qms.models import Notification, Reminder

    def last(model) -> int:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    marks = {model: last(model) for model in (Reminder, Notification)}
    try:
        return _timed(operation)
    finally:
        for model, mark in marks.items():
            model.objects.filter(pk__gt=mark).delete()
        app.control.purge()


def run_one(name: str) -> dict:
    """In this process: set up Django, measure the baseline, then the operation."""
    import django
    from django.db import transaction

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.cache import cache
    from django.db import connection

    # The bench's Redis database serves every generated database: nothing kept from
    # another (users' access, counts, figures) may be read as this one's.
    cache.clear()
    connection.ensure_connection()
    start_mb = _rss_mb()
    (baseline_label, baseline), operation = {
        "sweep": _sweep,
        "import": _import,
        "monthly_pdf": _monthly_pdf,
        "review_inputs": _review_inputs,
    }[name]()
    with transaction.atomic():
        baseline_seconds, _, _ = _timed(baseline)
        transaction.set_rollback(True)
    if name == "sweep":
        seconds, queries, outcome = _committed(operation)
    else:
        with transaction.atomic():
            seconds, queries, outcome = _timed(operation)
            transaction.set_rollback(True)
    return {
        "operation": name,
        "seconds": round(seconds, 2),
        "queries": queries,
        "peak_mb": round(_rss_mb(), 1),
        "start_mb": round(start_mb, 1),
        "baseline": baseline_label,
        "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(seconds / baseline_seconds, 1) if baseline_seconds else None,
        "outcome": outcome if isinstance(outcome, (int, float, dict)) else str(outcome)[:200],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--name", default="", help="results as <date>-<name>-operations.md")
    parser.add_argument("--run", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE_URL", "")
    if not database.startswith("postgres"):
        raise SystemExit("Set BENCH_DATABASE_URL to a PostgreSQL database filled by generate_data.")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="qms.settings.base",
        DATABASE_URL=database,
        MEDIA_ROOT=os.environ.get("BENCH_MEDIA_ROOT", str(ROOT / "bench" / "tmp" / "media")),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        EMAIL_URL="consolemail://",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    if args.run:
        os.environ.update(env)
        print(json.dumps(run_one(args.run), ensure_ascii=False))
        return 0
    results = []
    for name in OPERATIONS:
        if args.only and args.only not in name:
            continue
        done = subprocess.run(
            [sys.executable, __file__, "--run", name],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name} failed")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        target = TARGETS.get(name)
        row["meets_targets"] = (
            None
            if target is None
            else row["seconds"] < target["seconds"] and row["peak_mb"] < target["peak_mb"]
        )
        results.append(row)
        print(
            f"{name:<14} {row['seconds']:>8} s  {row['queries']:>7} queries  peak {row['peak_mb']} MB"
            f"  (baseline {row['baseline_seconds']} s: {row['baseline']})"
        )
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    markdown = report_file.write(
        f"{'-' + args.name if args.name else ''}-operations",
        {"date": stamp, "operations": results},
        title=f"Operations over the {args.name or 'agency'} data {stamp}",
        columns=[
            ("operation", "l"),
            ("time s", "r"),
            ("queries", "r"),
            ("peak memory MB", "r"),
            ("baseline", "l"),
            ("baseline s", "r"),
            ("ratio", "r"),
            ("targets", "l"),
        ],
        rows=[
            [
                row["operation"],
                row["seconds"],
                row["queries"],
                row["peak_mb"],
                row["baseline"],
                row["baseline_seconds"],
                f"{row['ratio']}×",
                {None: "—", True: "✔", False: "✘"}[row["meets_targets"]],
            ]
            for row in results
        ],
    )
    print(f"wrote {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
