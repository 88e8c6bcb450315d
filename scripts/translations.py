#!/usr/bin/env python3
"""Compile and check the Vietnamese and Chinese catalogues (needs only polib, no gettext).

python scripts/translations.py compile   # .po -> .mo (the .mo files are committed)
python scripts/translations.py check     # fails on untranslated, fuzzy, bad
                                         # placeholders, or a stale .mo
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("vi", "zh_Hans")
DOMAINS = ("django",)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}|%[sd]")


def catalogues():
    for language in LANGUAGES:
        for domain in DOMAINS:
            po_path = ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            yield language, po_path, po_path.with_suffix(".mo")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def compile_all() -> int:
    for _language, po_path, mo_path in catalogues():
        if po_path.exists():
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            print(f"compiled {mo_path.relative_to(ROOT)}")
    return 0


def check_all() -> int:
    problems: list[str] = []
    for language, po_path, mo_path in catalogues():
        if not po_path.exists():
            problems.append(f"{language}: {po_path.relative_to(ROOT)} is missing")
            continue
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            where = f"{language}: {entry.msgid[:60]!r}"
            if entry.previous_msgid is None and (
                entry.previous_msgid_plural or entry.previous_msgctxt
            ):
                # gettext's msgmerge refuses a "#| msgid_plural" without its "#| msgid"
                problems.append(f"{where} has a previous plural without a previous msgid")
            if "fuzzy" in entry.flags:
                problems.append(f"{where} is fuzzy")
            if entry.msgid_plural:
                forms = [v for _k, v in sorted(entry.msgstr_plural.items())]
                if not forms or any(not v.strip() for v in forms):
                    problems.append(f"{where} has an untranslated plural form")
                    continue
                texts = forms
            else:
                if not entry.msgstr.strip():
                    problems.append(f"{where} is untranslated")
                    continue
                texts = [entry.msgstr]
            if "python-format" in entry.flags or "python-brace-format" in entry.flags:
                wanted = set(_placeholders(entry.msgid))
                for text in texts:
                    if set(_placeholders(text)) != wanted:
                        problems.append(f"{where} placeholders differ: {text[:60]!r}")
        if not mo_path.exists():
            problems.append(f"{language}: {mo_path.relative_to(ROOT)} is missing (run compile)")
            continue
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
        source = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
        if compiled != source:
            problems.append(f"{language}: {mo_path.relative_to(ROOT)} is stale (run compile)")
    for problem in problems:
        print(problem)
    total = sum(1 for _ in catalogues())
    print(f"{len(problems)} translation problems in {total} catalogues")
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    sys.exit(compile_all() if command == "compile" else check_all())
