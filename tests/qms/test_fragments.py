"""{% keep %} (qms/fragments.py): a block kept per process, keyed by the values it shows —
found again while they are the same, rendered anew as soon as one changes, never kept when
it reads more than its key."""

from datetime import timedelta
from unittest import mock

import pytest
from django import forms
from django.db import connection
from django.template import TemplateSyntaxError, engines
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation

from qms import fragments
from qms.models import Department

pytestmark = pytest.mark.django_db

ROWS = (
    "{% load portal %}{% for d in rows %}{% keep d %}"
    "<li>{{ d.code }} · {{ d.name }}{% if d.parent %} ({{ d.parent.code }}){% endif %}</li>"
    "{% endkeep %}{% endfor %}"
)


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def departments(*related: str) -> list[Department]:
    return list(Department.objects.select_related(*related).order_by("code"))


@pytest.fixture(autouse=True)
def _nothing_kept():
    fragments.forget()
    yield
    fragments.forget()


def test_a_row_is_found_again_by_its_values_and_rendered_anew_when_one_changes(org):
    template = engines["django"].from_string(ROWS)
    first = template.render({"rows": departments("parent")})
    assert "A1 · Tổ A1 (A)" in first and fragments.statistics["kept"] == 4
    with CaptureQueriesContext(connection) as queries:
        again = template.render({"rows": departments("parent")})  # new objects, same values
    assert again == first and len(queries) == 1
    assert fragments.statistics["found"] == 4 and fragments.statistics["kept"] == 4

    org["a1"].name = "Tổ A1 mới"
    org["a1"].save()
    changed = template.render({"rows": departments("parent")})
    assert "A1 · Tổ A1 mới (A)" in changed and "Tổ A1 (A)" not in changed
    assert fragments.statistics["kept"] == 5  # only the changed row rendered again

    # a value read through a related row is in the key too
    org["a"].code = "A-2"
    org["a"].save()
    assert "A1 · Tổ A1 mới (A-2)" in template.render({"rows": departments("parent")})


def test_the_reader_language_and_the_day_are_in_the_key(org):
    source = '{% load portal i18n %}{% keep d %}{% trans "Filter" %} {{ d.code }}{% endkeep %}'
    rows = departments()
    assert render(source, d=rows[0]) == "Filter A"
    with translation.override("vi"):
        assert render(source, d=rows[0]) == "Lọc A"
    with translation.override("zh-hans"):
        assert render(source, d=rows[0]) == "筛选 A"
    assert fragments.statistics["kept"] == 3
    tomorrow = timezone.localdate() + timedelta(days=1)
    with mock.patch("qms.fragments.timezone.localdate", return_value=tomorrow):
        render(source, d=rows[0])
    assert fragments.statistics["kept"] == 4 and fragments.statistics["found"] == 0


def test_a_block_that_reads_the_database_is_shown_but_not_kept(org):
    rows = departments()  # the parents are not read with them
    with CaptureQueriesContext(connection) as first:
        html = render(ROWS, rows=rows)
    assert "A1 · Tổ A1 (A)" in html
    assert fragments.statistics["queried"] == 3 and fragments.statistics["kept"] == 1
    with CaptureQueriesContext(connection) as second:
        assert render(ROWS, rows=departments()) == html
    assert len(first) == 3 and len(second) == 1 + 3  # read again: it is not in the key


def test_a_value_the_key_cannot_hold_is_rendered_as_usual(org):
    source = "{% load portal %}{% keep form %}{{ form.name }}{% endkeep %}"

    class Form(forms.Form):
        name = forms.CharField()

    assert 'name="name"' in render(source, form=Form())
    assert fragments.statistics["unkeyable"] == 1 and fragments.statistics["kept"] == 0


@pytest.mark.parametrize(
    "block, refusal",
    [
        ("{{ d.code }} {{ user.username }}", "reads user"),
        ("{% if d.code == other %}x{% endif %}", "reads other"),
        ("{% for x in d.children %}{{ x }}{{ forloop.counter }}{% endfor %}", None),
        ("{% for x in d.children %}{{ x }}{% endfor %}{{ x }}", "reads x"),
        ("{% with y=d.code %}{{ y }}{% endwith %}{{ y }}", "reads y"),
        ('{% url "qms:home" as home %}{{ home }}', None),
        ("{% csrf_token %}", "cannot hold {% csrf_token %}"),
        ('{% include "includes/pagination.html" %}', "cannot hold {% include"),
        ('{% now "Y" %}', "cannot hold {% now"),
        ('{% sort_header "code" "Code" %}', "cannot hold {% sort_header"),
        ("{{ d.created_at|timesince }}", "timesince"),
        ("{% blocktrans %}{{ name }}{% endblocktrans %}", "reads name"),
        ("{% blocktrans with name=d.name %}{{ name }}{% endblocktrans %}", None),
    ],
)
def test_a_block_may_only_read_what_its_key_holds(block, refusal):
    source = "{% load portal i18n %}{% keep d %}" + block + "{% endkeep %}"
    if refusal is None:
        engines["django"].from_string(source)
        return
    with pytest.raises(TemplateSyntaxError, match=refusal):
        engines["django"].from_string(source)


def test_keeping_is_bounded_and_can_be_switched_off(org):
    with override_settings(QMS_KEPT_FRAGMENTS=2):
        render(ROWS, rows=departments("parent"))
        assert len(fragments._store) == 2  # the oldest left
    with override_settings(QMS_KEPT_FRAGMENTS=0):
        fragments.forget()
        assert "A1 · Tổ A1 (A)" in render(ROWS, rows=departments("parent"))
        assert not fragments._store and fragments.statistics["kept"] == 0


def test_list_pages_read_the_same_with_rows_kept(client, role_users, org):
    """The department register's rows, kept, are the HTML Django renders for them."""
    client.force_login(role_users["administrator"])
    client.get("/departments/")
    kept = client.get("/departments/").content.decode()
    assert fragments.statistics["found"] == 4 + 1  # the rows and the filter bar
    with override_settings(QMS_KEPT_FRAGMENTS=0):
        plain = client.get("/departments/").content.decode()
    assert _without_tokens(kept) == _without_tokens(plain)


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'(csrfmiddlewaretoken" value="|csrf-token" content=")[^"]+', "", html)


def test_a_filter_bar_is_kept_with_the_reader_choices_and_values(client, role_users, org):
    from qms.models import IsoClause
    from tests.factories import DepartmentFactory

    clause = IsoClause.objects.order_by("pk").last()
    query = {"status": "effective", "clause": clause.pk}
    client.force_login(role_users["qms_manager"])
    client.get("/documents/", query)
    found = fragments.statistics["found"]
    kept = client.get("/documents/", query).content.decode()
    assert fragments.statistics["found"] == found + 1  # the bar
    with override_settings(QMS_KEPT_FRAGMENTS=0):
        plain = client.get("/documents/", query).content.decode()
    assert _without_tokens(kept) == _without_tokens(plain)
    assert '<option value="effective" selected>' in kept
    assert f'<option value="{clause.pk}" selected>' in kept

    other = client.get("/documents/", {"status": "draft"}).content.decode()
    assert '<option value="draft" selected>' in other and 'effective" selected' not in other
    DepartmentFactory(code="C", name="Phòng C mới", parent=org["agency"])
    assert ">Phòng C mới</option>" in client.get("/documents/", query).content.decode()


def test_the_values_beside_the_row_are_keyed_row_by_row(org):
    """The key's part other than the row is worked out once per page while it is the same
    objects (a page's colours), and again when a row names other ones (a board's column)."""
    source = (
        "{% load portal %}{% for pair in pairs %}{% with d=pair.0 flag=pair.1 %}"
        "{% keep d flag %}{{ d.code }}{{ flag }};{% endkeep %}{% endwith %}{% endfor %}"
    )
    a = departments()[0]
    assert render(source, pairs=[(a, "x"), (a, "y"), (a, "x")]) == "Ax;Ay;Ax;"
    assert fragments.statistics["kept"] == 2 and fragments.statistics["found"] == 1
    assert render(source, pairs=[(a, "y"), (a, "z")]) == "Ay;Az;"


def test_a_task_is_keyed_by_its_fields():
    """My tasks' rows (a dataclass, not a model): a task turns overdue when its day passes."""
    from datetime import date

    from qms.mytasks import Task

    source = (
        "{% load portal %}{% keep task %}{{ task.title }}"
        "{% if task.is_overdue %} overdue{% endif %}{% endkeep %}"
    )
    template = engines["django"].from_string(source)
    due = date(2026, 12, 7)
    assert template.render({"task": Task("Duyệt QT-01", "/d/1/", "documents", due, due)}) == (
        "Duyệt QT-01"
    )
    later = Task("Duyệt QT-01", "/d/1/", "documents", due, date(2026, 12, 8))
    assert template.render({"task": later}) == "Duyệt QT-01 overdue"
    assert template.render({"task": later}) == "Duyệt QT-01 overdue"
    assert fragments.statistics["kept"] == 2 and fragments.statistics["found"] == 1
