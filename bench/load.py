"""Load benchmark: the portal served the way production serves it, each key page driven
by concurrent clients for a bounded time (``make bench``; not a test).

Needs a PostgreSQL database filled by ``manage.py generate_data --scale agency`` (or any
scale), named by ``BENCH_DATABASE_URL``; uses Redis (``BENCH_REDIS_URL``, default database
15 on 127.0.0.1) for the cache and sessions as production does. Starts gunicorn
(``--workers``) on loopback with the production settings, signs in realistic users of
each role, then for every page runs ``--clients`` clients for ``--seconds`` after a short
warm-up and records each request's time. The same run measures the machine's ceiling: the
``/healthz/`` template view through the same gunicorn. Writes
``bench/results/<date>.json`` and ``.md`` (not with ``--only``): per page p50, p95, p99, requests per second,
the ratio to the ceiling, queries per request (counted in-process), and the web workers'
peak memory.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_agency \\
        .venv/bin/python bench/load.py [--seconds 10] [--clients 8] [--workers 4]

The clients are Python threads in this process: on a 2-core machine they share the CPU
with gunicorn, the same for every page and for the ceiling, so the ratios stay fair.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import report as report_file  # bench/report.py: where results go

ROOT = Path(__file__).resolve().parents[1]
PORT = 8097
TARGET_P95_MS = 150
TARGET_SHARE = 0.10
TARGET_QUERIES = 20


def environment(static_root: str) -> dict[str, str]:
    database = os.environ.get("BENCH_DATABASE_URL")
    if not database or not database.startswith("postgres"):
        raise SystemExit("Set BENCH_DATABASE_URL to a PostgreSQL database filled by generate_data.")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="qms.settings.production",
        DATABASE_URL=database,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=static_root,
        QMS_PUBLIC_LOOKUP_LIMIT="1000000000",
        CONN_MAX_AGE="60",
        # where generate_data wrote the revisions' files (make bench-load passes the same)
        MEDIA_ROOT=os.environ.get("BENCH_MEDIA_ROOT", str(ROOT / "bench" / "tmp" / "media")),
    )
    return env


def pages(ids: dict) -> list[tuple[str, str, str, str, dict | None]]:
    """(label, user, method, path, form data) — the key pages of issue 9."""
    search = "/search/?"
    return [
        ("ceiling: /healthz/", "anonymous", "GET", "/healthz/", None),
        ("home / My tasks (staff)", "staff", "GET", "/", None),
        (
            "document register, filtered",
            "manager",
            "GET",
            f"/documents/?status=effective&department={ids['department']}",
            None,
        ),
        ("document page", "manager", "GET", f"/documents/{ids['document']}/", None),
        (
            "revision download",
            "manager",
            "GET",
            f"/documents/revisions/{ids['revision']}/file/",
            None,
        ),
        ("records register", "manager", "GET", "/records/", None),
        ("procedure page", "staff", "GET", f"/procedures/{ids['procedure']}/", None),
        (
            "case list, department + overdue",
            "head",
            "GET",
            f"/procedures/cases/?in_charge={ids['department']}&timing=overdue",
            None,
        ),
        ("case page", "manager", "GET", f"/procedures/cases/{ids['case']}/", None),
        (
            "public case lookup",
            "anonymous",
            "POST",
            "/public/cases/",
            {"receipt_code": ids["receipt_code"], "phone_digits": ids["phone_digits"]},
        ),
        ("public transparency page", "anonymous", "GET", "/public/", None),
        ("nonconformity list", "manager", "GET", "/nonconformities/", None),
        ("nonconformity board", "manager", "GET", "/nonconformities/board/", None),
        ("action list, open", "manager", "GET", "/nonconformities/actions/?status=open", None),
        ("audit page", "auditor", "GET", f"/audits/{ids['audit']}/", None),
        ("dashboard", "manager", "GET", "/dashboard/", None),
        ("search: quy trình", "manager", "GET", search + urlencode({"q": "quy trình"}), None),
        ("search: quy trinh", "manager", "GET", search + urlencode({"q": "quy trinh"}), None),
        ("search: 流程", "manager", "GET", search + urlencode({"q": "流程"}), None),
        ("activity page", "manager", "GET", "/activity/", None),
        # The lists as a clerk sees them, limited to what they may see: 1,907 of the 2,000
        # people are staff, and their visibility rule is the one with work to do.
        ("document register (staff)", "staff", "GET", "/documents/", None),
        ("nonconformity list (staff)", "staff", "GET", "/nonconformities/", None),
        ("action list (staff)", "staff", "GET", "/nonconformities/actions/", None),
    ]


def pick() -> tuple[dict, dict]:
    """The users of each role and the objects the key pages show (also used by
    tests/qms/test_key_pages.py, which checks these pages' query budgets)."""
    from django.db.models import Case, When

    from audits.models import Audit
    from documents.models import Document, Revision
    from procedures.models import Procedure, ServiceCase
    from qms.models import Department, User

    def one(**lookup):
        user = (
            User.objects.filter(is_active=True, department__isnull=False, **lookup)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise SystemExit(f"No user for {lookup}: fill the database with generate_data first.")
        return user

    head_department = Department.objects.filter(head__isnull=False, depth=1).order_by("pk").first()
    users = {
        "staff": one(groups__name="staff"),
        "manager": one(groups__name="qms_manager"),
        "auditor": one(groups__name="internal_auditor"),
        "head": head_department.head,
    }
    case = ServiceCase.objects.filter(status="completed").order_by("-pk").first()
    revision = (
        Revision.objects.filter(status="effective", file__isnull=False).order_by("-pk").first()
    )
    ids = {
        "department": head_department.pk,
        "document": Document.objects.filter(status="effective")
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        "revision": revision.pk if revision else 0,
        "procedure": Procedure.objects.order_by("pk").values_list("pk", flat=True).first(),
        "case": case.pk,
        "receipt_code": case.receipt_code,
        "phone_digits": "".join(ch for ch in case.applicant_phone if ch.isdigit())[-4:],
        # a closed audit, the page with everything on it (checklist, findings, the report)
        "audit": Audit.objects.order_by(Case(When(status="closed", then=0), default=1), "-pk")
        .values_list("pk", flat=True)
        .first(),
    }
    return users, ids


def prepare() -> tuple[dict, dict]:
    """Sign in one user per role (their session cookies) and pick the objects the pages show."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    # The bench's Redis database serves every generated database: nothing kept from
    # another (users' access, counts, figures) may be read as this one's.
    cache.clear()
    call_command("collectstatic", interactive=False, verbosity=0)
    users, ids = pick()
    cookies = {"anonymous": ""}
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[label] = f"sessionid={client.cookies['sessionid'].value}"
    return cookies, ids


def count_queries(rows, cookies) -> dict[str, int]:
    """Queries per request, counted in this process with the same settings and data."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    counts = {}
    for label, user, method, path, data in rows:
        if user not in clients:
            client = Client()
            if cookies[user]:
                client.cookies["sessionid"] = cookies[user].split("=", 1)[1]
            clients[user] = client
        client = clients[user]
        call = getattr(client, method.lower())
        call(path, data or {})
        with CaptureQueriesContext(connection) as captured:
            call(path, data or {})
        counts[label] = len(captured.captured_queries)
    return counts


class Runner:
    def __init__(self, method: str, path: str, cookie: str, data: dict | None):
        self.method, self.path, self.cookie = method, path, cookie
        self.body = urlencode(data or {}) if method == "POST" else None
        self.times: list[float] = []
        self.errors: dict[int, int] = {}
        self.lock = threading.Lock()
        self.csrf = ""

    def _headers(self) -> dict:
        headers = {"Host": "127.0.0.1", "Cookie": self.cookie}
        if self.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Cookie"] = f"{self.cookie}; csrftoken={self.csrf}".lstrip("; ")
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = f"http://127.0.0.1:{PORT}{self.path}"
        return headers

    def fetch_csrf(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        connection.request("GET", self.path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
        connection.close()

    def client(self, until: float, record_from: float) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = self._headers()
        while True:
            started = time.perf_counter()
            if started >= until:
                break
            try:
                connection.request(self.method, self.path, body=self.body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                status = 0
            elapsed = time.perf_counter() - started
            if started < record_from:
                continue
            with self.lock:
                if status == 200:
                    self.times.append(elapsed)
                else:
                    self.errors[status] = self.errors.get(status, 0) + 1

    def run(self, clients: int, seconds: float, warmup: float = 1.0) -> dict:
        if self.method == "POST":
            self.fetch_csrf()
        start = time.perf_counter()
        record_from, until = start + warmup, start + warmup + seconds
        threads = [
            threading.Thread(target=self.client, args=(until, record_from)) for _ in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        times = sorted(self.times)
        if not times:
            return {"requests": 0, "errors": self.errors}

        def pct(share: float) -> float:
            return round(times[min(len(times) - 1, int(share * len(times)))] * 1000, 1)

        return {
            "requests": len(times),
            "errors": self.errors,
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "rps": round(len(times) / seconds, 1),
        }


def worker_memory_mb(master: int) -> float:
    """The largest peak resident memory (VmHWM) among the master's worker processes."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--name", default="", help="results as <date>-<name>.md (e.g. province)")
    parser.add_argument(
        "--only", default="", help="run only pages whose label contains this (printed only)"
    )
    args = parser.parse_args()
    static_root = tempfile.mkdtemp(prefix="qms-bench-static-")
    env = environment(static_root)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    cookies, ids = prepare()
    rows = pages(ids)
    if args.only:
        rows = [rows[0]] + [row for row in rows[1:] if args.only in row[0]]
    queries = count_queries(rows, cookies)
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "qms.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                connection.request("GET", "/healthz/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        results = []
        for label, user, method, path, data in rows:
            outcome = Runner(method, path, cookies[user], data).run(args.clients, args.seconds)
            outcome.update(label=label, path=path, user=user, queries=queries[label])
            results.append(outcome)
            print(
                f"{label:<34} {outcome.get('p95_ms', '—'):>8} ms p95 {outcome.get('rps', 0):>8} req/s  {outcome['queries']:>3} queries  errors {outcome['errors'] or 0}"
            )
        memory = worker_memory_mb(gunicorn.pid)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    ceiling = results[0].get("rps") or 1
    for row in results:
        row["share_of_ceiling"] = round(row.get("rps", 0) / ceiling, 3)
        row["meets_targets"] = (
            row.get("requests", 0) > 0
            and not row["errors"]
            and row.get("p95_ms", 1e9) < TARGET_P95_MS
            and row["share_of_ceiling"] >= TARGET_SHARE
            and row["queries"] <= TARGET_QUERIES
        )
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "settings": {"clients": args.clients, "seconds": args.seconds, "workers": args.workers},
        "database": {"vendor": "postgresql"},
        "worker_peak_memory_mb": memory,
        "pages": results,
    }
    if args.only:
        return 0  # a partial run is printed, not written over the day's table
    markdown = report_file.write(
        f"-{args.name}" if args.name else "",
        report,
        title=f"Load benchmark {report['date']}{' — ' + args.name if args.name else ''}",
        intro=(
            f"{args.clients} clients, {args.seconds:g} s per page after 1 s of warm-up, gunicorn "
            f"with {args.workers} workers, {os.cpu_count()} CPUs; web workers' peak memory "
            f"{memory} MB."
        ),
        columns=[
            ("page", "l"),
            ("p50 ms", "r"),
            ("p95 ms", "r"),
            ("p99 ms", "r"),
            ("req/s", "r"),
            ("share of ceiling", "r"),
            ("queries", "r"),
            ("targets", "l"),
        ],
        rows=[
            [
                row["label"],
                row.get("p50_ms", "—"),
                row.get("p95_ms", "—"),
                row.get("p99_ms", "—"),
                row.get("rps", 0),
                f"{row['share_of_ceiling'] * 100:.0f} %",
                row["queries"],
                ("✔" if row["meets_targets"] else "✘")
                + (f" errors {row['errors']}" if row["errors"] else ""),
            ]
            for row in results
        ],
    )
    print(f"wrote {markdown} and its .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
