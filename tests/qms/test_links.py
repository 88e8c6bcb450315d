"""url_for writes the same URLs as reverse (qms/links.py)."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from qms.links import url_for


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("documents:document_detail", (7,)),
        ("documents:document_detail", (0,)),
        ("records:record_detail", (123456789012,)),
        ("procedures:case_detail", (42,)),
        ("qms:department_detail", (987654321,)),  # the stand-in itself
    ],
)
def test_the_same_url_as_reverse(name, ids):
    assert url_for(name, *ids) == reverse(name, args=ids)


def test_under_a_script_prefix_too():
    set_script_prefix("/qms/")
    try:
        assert url_for("documents:document_detail", 5) == "/qms/documents/5/"
        assert url_for("documents:document_detail", 5) == reverse(
            "documents:document_detail", args=[5]
        )
    finally:
        set_script_prefix("/")
    assert url_for("documents:document_detail", 5) == "/documents/5/"


def test_what_is_not_an_id_is_reversed_as_before():
    assert url_for("qms:home") == reverse("qms:home")
    with pytest.raises(NoReverseMatch):
        url_for("documents:document_detail", None)
    with pytest.raises(NoReverseMatch):
        url_for("documents:document_detail", -1)


def _render(source: str, **context) -> str:
    from django.template import engines

    return engines["django"].from_string(source).render(context)


def test_the_url_tag_of_every_template_writes_what_django_s_tag_writes():
    """{% url %} is qms.templatetags.portal_builtins' (through url_for) in every template,
    with no {% load %}: the same URLs as reverse, whatever the arguments."""
    assert _render("{% url 'qms:home' %}") == reverse("qms:home")
    assert _render("{% url 'documents:document_detail' pk %}", pk=31) == reverse(
        "documents:document_detail", args=[31]
    )
    assert _render("{% url 'documents:document_detail' '31' %}") == "/documents/31/"
    assert _render("{% url 'documents:document_detail' pk=31 %}") == "/documents/31/"
    assert _render("{% url 'documents:document_detail' 31 as link %}[{{ link }}]") == (
        "[/documents/31/]"
    )
    # as Django's tag: a name that does not reverse is an error, or nothing with "as"
    assert _render("{% url 'documents:document_detail' -1 as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'documents:document_detail' -1 %}")
    set_script_prefix("/qms/")
    try:
        assert _render("{% url 'documents:document_detail' 5 %}") == "/qms/documents/5/"
    finally:
        set_script_prefix("/")
