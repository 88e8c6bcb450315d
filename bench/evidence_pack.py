"""Benchmark: an evidence pack of 2,000 files / 1 GB (run by ``make bench``, not a test).

Prints the build's wall time and peak memory (RSS of the process that builds, measured by
the kernel) next to ``zip -0`` over the same files on the same machine, and fails when the
build needs more than 200 MB or more than twice zip's time. Uses a throwaway SQLite
database and media folder under a temporary directory.

    .venv/bin/python bench/evidence_pack.py [--files 2000] [--megabytes 1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "qms.settings.base"  # files on disk, like production
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(workdir: Path, files: int, megabytes: int) -> int:
    """An audit with ``files`` evidence files of random bytes; returns the pack's id."""
    _django(workdir)
    import hashlib
    from datetime import date

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from audits.models import Audit
    from qms.models import Attachment, Department, EvidencePack, User
    from qms.roles import sync_roles

    call_command("migrate", verbosity=0)
    sync_roles()
    department = Department.objects.create(code="BENCH", name="Bench")
    lead = User.objects.create(username="lead", department=None)
    lead.groups.set([])
    audit = Audit.objects.create(
        reference="BENCH-01",
        title="Benchmark",
        start_date=date(2026, 1, 5),
        end_date=date(2026, 1, 6),
        lead_auditor=lead,
    )
    audit.scope_departments.set([department])
    size = megabytes * 1024 * 1024 // files
    media = workdir / "media" / "bench"
    media.mkdir(parents=True)
    audit_type = ContentType.objects.get_for_model(Audit)
    rows = []
    for number in range(files):
        content = os.urandom(size)
        path = media / f"evidence-{number:05d}.bin"
        path.write_bytes(content)
        rows.append(
            Attachment(
                content_type=audit_type,
                object_id=audit.pk,
                file=f"bench/{path.name}",
                original_name=f"Bằng chứng {number:05d}.bin",
                size=size,
                sha256=hashlib.sha256(content).hexdigest(),
                mime_type="application/octet-stream",
                uploaded_by=lead,
            )
        )
    Attachment.objects.bulk_create(rows, batch_size=500)  # bench fixture, not a service
    lead.is_superuser = True  # sees the audit without a role set-up
    lead.save()
    return EvidencePack.objects.create(
        source="audit", object_id=audit.pk, title="Benchmark", requested_by=lead
    ).pk


def build(workdir: Path, pack_id: int) -> None:
    _django(workdir)
    from qms.evidence import pack_build

    pack = pack_build(pack_id)
    if pack.status != "ready":
        sys.exit(f"pack failed: {pack.error}")
    print(f"{pack.files_total} files, {pack.size / 1024 / 1024:.0f} MB")


def _timed_child(args: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(args, check=False, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak_kb, before) / 1024, result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--step", choices=["prepare", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--pack", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step == "prepare":
        print(prepare(Path(options.workdir), options.files, options.megabytes))
        return 0
    if options.step == "build":
        build(Path(options.workdir), options.pack)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="qms-bench-"))
    me = [sys.executable, __file__, "--workdir", str(workdir)]
    try:
        started = time.perf_counter()
        prepared = subprocess.run(
            [
                *me,
                "--step",
                "prepare",
                "--files",
                str(options.files),
                "--megabytes",
                str(options.megabytes),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        pack_id = int(prepared.stdout.strip().splitlines()[-1])
        print(
            f"prepared {options.files} files / {options.megabytes} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        subprocess.run(["sync"], check=False)
        zip_time = _zip_baseline(workdir)
        build_time, peak_mb, summary = _timed_child(
            [*me, "--step", "build", "--pack", str(pack_id)]
        )
        ratio = build_time / zip_time
        print(f"zip -0 baseline : {zip_time:6.1f} s")
        print(f"evidence pack   : {build_time:6.1f} s  ({summary})")
        print(f"time ratio      : {ratio:6.2f} x   (limit 2.00)")
        print(f"peak memory     : {peak_mb:6.0f} MB  (limit 200, whole Django process)")
        ok = ratio <= 2.0 and peak_mb <= 200
        _write_results(options, zip_time, build_time, ratio, peak_mb, summary, ok)
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _write_results(options, zip_time, build_time, ratio, peak_mb, summary, ok) -> None:
    """bench/results/<date>-evidence-pack.json and .md, beside the load benchmark's."""
    from datetime import UTC, datetime

    import report

    row = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": options.files,
        "megabytes": options.megabytes,
        "zip_seconds": round(zip_time, 2),
        "pack_seconds": round(build_time, 2),
        "ratio": round(ratio, 2),
        "peak_mb": round(peak_mb),
        "summary": summary,
        "meets_targets": ok,
    }
    report.write(
        "-evidence-pack",
        row,
        title=f"Evidence pack {row['date']}",
        columns=[
            ("files", "r"),
            ("MB", "r"),
            ("zip -0 s", "r"),
            ("pack s", "r"),
            ("ratio (≤ 2)", "r"),
            ("peak MB (< 200)", "r"),
            ("targets", "l"),
        ],
        rows=[
            [
                options.files,
                options.megabytes,
                row["zip_seconds"],
                row["pack_seconds"],
                f"{row['ratio']}×",
                row["peak_mb"],
                "✔" if ok else "✘",
            ]
        ],
    )


def _zip_baseline(workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["zip", "-0", "-q", "-r", str(workdir / "baseline.zip"), "bench"],
        cwd=workdir / "media",
        check=True,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
