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
