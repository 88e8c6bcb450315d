"""Where a key page spends its time, in-process (``make bench`` finds slow pages; this says
why). Same settings, data and users as ``bench/load.py``; no gunicorn, no clients.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench_agency \\
        .venv/bin/python bench/profile_page.py "case list" [--repeat 20] [--profile] [--sql] [--calls]
        .venv/bin/python bench/profile_page.py --path /notifications/ --as staff --profile

Prints for each page whose label contains the argument: mean time per request, the part
spent waiting for the database, the query count, the slowest queries (``--sql``), the
Python function calls of one request (``--calls``: the same from run to run, where times
on a shared machine vary by a fifth) and the functions with the most cumulative time
(``--profile``), and PostgreSQL's planning and execution time of one request's queries
(``--planning``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("only", nargs="?", default="")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="Python function calls per request: steadier than times on a shared machine",
    )
    parser.add_argument(
        "--explain", action="store_true", help="the plans of the two slowest queries"
    )
    parser.add_argument(
        "--planning",
        action="store_true",
        help="PostgreSQL's planning and execution time of one request's queries (EXPLAIN)",
    )
    parser.add_argument(
        "--path",
        help="profile this address instead of the key pages (e.g. /notifications/: the layout)",
    )
    parser.add_argument("--as", dest="user", default="manager", help="with --path: whose session")
    args = parser.parse_args()
    os.environ.update(load.environment(tempfile.mkdtemp(prefix="qms-profile-static-")))
    cookies, ids = load.prepare()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    chosen = load.pages(ids)[1:]
    if args.path:
        chosen = [(args.path, args.user, "GET", args.path, None)]
    for label, user, method, path, data in chosen:
        if args.only not in label:
            continue
        client = Client()
        if cookies[user]:
            client.cookies["sessionid"] = cookies[user].split("=", 1)[1]
        call = getattr(client, method.lower())
        status = call(path, data or {}).status_code
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            for _ in range(args.repeat):
                call(path, data or {})
        elapsed = (time.perf_counter() - started) / args.repeat * 1000
        queries = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000 / args.repeat
        print(
            f"{label:<34} {status} {elapsed:7.1f} ms/request  database {sql_ms:6.1f} ms  "
            f"{len(queries) // args.repeat} queries"
        )
        if args.calls:
            profiler = cProfile.Profile()
            profiler.enable()
            call(path, data or {})
            profiler.disable()
            print(f"{'':<34}     {pstats.Stats(profiler).total_calls:,} function calls")
        if args.sql:
            per_request = queries[: len(queries) // args.repeat]
            for query in sorted(per_request, key=lambda q: -float(q["time"]))[:8]:
                print(f"   {float(query['time']) * 1000:7.1f} ms  {query['sql'][:400]}")
        if args.explain:
            per_request = queries[: len(queries) // args.repeat]
            for query in sorted(per_request, key=lambda q: -float(q["time"]))[:2]:
                print(f"\n{query['sql']}\n")
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                    print("\n".join(row[0] for row in cursor.fetchall()))
        if args.planning:
            planning = execution = 0.0
            each = []
            for query in queries[: len(queries) // args.repeat]:
                if not query["sql"].lstrip("( ").upper().startswith(("SELECT", "WITH")):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) {query['sql']}")
                    plan = cursor.fetchone()[0][0]
                planning += plan["Planning Time"]
                execution += plan["Execution Time"]
                each.append((plan["Planning Time"], plan["Execution Time"], query["sql"]))
            print(
                f"{'':<34}     PostgreSQL planning {planning:.2f} ms, execution {execution:.2f} ms"
            )
            for plan_ms, run_ms, sql in sorted(each, reverse=True)[:3]:
                print(f"   planning {plan_ms:5.2f} ms, execution {run_ms:5.2f} ms  {sql[:300]}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                call(path, data or {})
            profiler.disable()
            stats = pstats.Stats(profiler)
            if os.environ.get("PROFILE_DUMP"):
                stats.dump_stats(os.environ["PROFILE_DUMP"])
            stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", "40")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
