"""The shared template filters as a reader sees their output."""

import unicodedata

from django.template import Context, Template

TITLE = "Quy trình tiếp nhận hồ sơ đất đai"


def _render(value, length):
    return Template("{% load portal %}{{ value|shorten:" + str(length) + " }}").render(
        Context({"value": value})
    )


def test_a_short_text_is_shown_whole_and_a_long_one_ends_with_an_ellipsis():
    assert _render(TITLE, 40) == TITLE
    assert _render(TITLE, 14) == "Quy trình tiế…"
    assert len(_render(TITLE, 14)) == 14
    assert _render(None, 10) == ""


def test_a_vietnamese_letter_keeps_its_marks_when_the_text_is_cut():
    # the same title typed with combining marks (as some keyboards and imports send it)
    decomposed = unicodedata.normalize("NFD", TITLE)
    assert len(decomposed) > len(TITLE)
    shown = _render(decomposed, 14)
    assert shown == "Quy trình tiế…"
    assert not unicodedata.combining(shown[-2])


def test_the_text_is_still_escaped():
    assert _render("<b>Ban & phòng</b> " * 5, 12) == "&lt;b&gt;Ban &amp; ph…"
