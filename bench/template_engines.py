"""What another template engine would save: the nonconformity list's 25 rows rendered by
Django's engine and by Jinja2, from the same objects, to the same HTML (not a test; the
figure behind docs/decisions.md, "issue 9: the template engine").

Jinja2 is not a dependency of the portal; this measurement needs it installed:

    .venv/bin/pip install jinja2
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench_agency \\
        .venv/bin/python bench/template_engines.py [--language vi]

Prints both engines' time per 25 rows (median of 7 rounds of 100), checks that both wrote
the same HTML, and names the functions Jinja2's rendering still spends its time in: the
portal's and Django's own work per row (links, dates, choice labels, translations), which
no engine removes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402

# The nonconformity list's rows are read from its template (``django_rows``); these are the
# same rows in Jinja2's syntax.
JINJA_ROWS = """{% for nc in page_obj %}
<tr>
  <td class="text-nowrap"><a href="{{ nc.get_absolute_url() }}">{{ nc.number }}</a></td>
  <td><a href="{{ nc.get_absolute_url() }}">{{ nc.title }}</a><div class="small text-body-secondary">{{ nc.get_source_display() }} · {{ nc.reported_at|date("SHORT_DATE_FORMAT") }}{% if nc.owner %} · {{ nc.owner }}{% endif %}</div></td>
  <td>{% if nc.severity %}<span class="badge text-bg-{{ severity_colours[nc.severity] }}">{{ nc.get_severity_display() }}</span>{% else %}—{% endif %}</td>
  <td><span class="badge text-bg-{{ colours[nc.status] }}">{{ nc.get_status_display() }}</span>{% if nc.reopened_count %} <span class="badge text-bg-light border" title="{{ _('Times reopened') }}"><i class="bi bi-arrow-repeat" aria-hidden="true"></i> {{ nc.reopened_count }}</span>{% endif %}</td>
  <td>{{ nc.department }}</td>
  <td class="text-nowrap{% if nc.due_date and nc.due_date < today and nc.status != 'closed' and nc.status != 'merged' %} text-danger fw-semibold{% endif %}">{{ nc.due_date|date("SHORT_DATE_FORMAT") if nc.due_date else "—" }}</td>
</tr>
{% else %}
<tr><td colspan="6"><div class="empty-state"><i class="bi bi-check2-circle" aria-hidden="true"></i>{{ _("No nonconformities match these filters.") }}</div></td></tr>
{% endfor %}"""


def django_rows() -> str:
    """The rows of nonconformities/templates/nonconformities/nonconformity_list.html."""
    path = ROOT / "nonconformities" / "templates" / "nonconformities" / "nonconformity_list.html"
    text = path.read_text()
    start = text.index("{% for nc in page_obj %}")
    return "{% load i18n portal %}" + text[start : text.index("{% endfor %}", start) + 12]


def timed(render) -> float:
    """Milliseconds per rendering: the median of 7 rounds of 100."""
    rounds = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(100):
            render()
        rounds.append((time.perf_counter() - started) / 100 * 1000)
    return statistics.median(rounds)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", default="vi")
    args = parser.parse_args()
    try:
        import jinja2
    except ImportError:
        raise SystemExit(
            "Install Jinja2 for this measurement: .venv/bin/pip install jinja2"
        ) from None
    os.environ.update(load.environment(tempfile.mkdtemp(prefix="qms-engines-static-")))
    import django

    django.setup()
    from django.template import engines
    from django.utils import timezone, translation
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from nonconformities import selectors
    from nonconformities.views import SEVERITY_COLOURS, STATUS_COLOURS
    from qms.models import User

    translation.activate(args.language)
    reader = User.objects.filter(groups__name="qms_manager", is_active=True).first()
    if reader is None:
        raise SystemExit("No QMS manager: fill the database with generate_data first.")
    rows = list(selectors.nonconformities_for_list(reader).order_by("-reported_at", "-pk")[:25])
    context = {
        "page_obj": rows,
        "today": timezone.localdate(),
        "colours": STATUS_COLOURS,
        "severity_colours": SEVERITY_COLOURS,
    }
    django_template = engines["django"].from_string(django_rows())
    environment = jinja2.Environment(autoescape=True)
    environment.filters["date"] = lambda value, fmt: date_format(value, fmt) if value else ""
    environment.globals["_"] = gettext
    jinja_rows = environment.from_string(JINJA_ROWS)

    def squeezed(html) -> str:
        return " ".join(str(html).split())

    same = squeezed(django_template.render(context)) == squeezed(jinja_rows.render(**context))
    django_ms = timed(lambda: django_template.render(context))
    jinja_ms = timed(lambda: jinja_rows.render(**context))
    print(f"{len(rows)} rows, {args.language}; the same HTML from both: {same}")
    print(f"Django templates: {django_ms:.2f} ms   Jinja2: {jinja_ms:.2f} ms")
    print(
        f"per row: {django_ms / len(rows) * 1000:.0f} µs and {jinja_ms / len(rows) * 1000:.0f} µs"
    )
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(100):
        jinja_rows.render(**context)
    profile.disable()
    print("\nWhere Jinja2's rendering spends its time (100 renderings):")
    pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
