"""Where a benchmark's results go: ``bench/results/<date>[-<name>].json`` and ``.md`` (a
title, a few lines of context and one table), the same shape for every benchmark."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write(
    suffix: str,
    data: dict,
    *,
    title: str,
    columns: list[tuple[str, str]],
    rows: list[list],
    intro: str = "",
) -> Path:
    """Write ``data`` as JSON and the table as Markdown; ``columns`` are (heading, "l" or
    "r" for the alignment). Returns the Markdown file's path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}{suffix}"
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    lines = [f"# {title}", ""]
    if intro:
        lines += [intro, ""]
    lines.append("| " + " | ".join(heading for heading, _ in columns) + " |")
    lines.append("|" + "|".join("---:" if align == "r" else "---" for _, align in columns) + "|")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    markdown = stem.with_suffix(".md")
    markdown.write_text("\n".join(lines) + "\n")
    return markdown
