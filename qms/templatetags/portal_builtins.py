"""Tags every template has without ``{% load %}`` (settings: ``TEMPLATES["OPTIONS"]
["builtins"]``).

``|date`` is Django's filter, but a format made only of numbers (``d/m/Y H:i``,
``Y年n月j日``: every format the pages show) is written in Python, its format read once per
language: Django's splits the format with a regular expression and builds a formatter at
each call (67 function calls; fifty dates on a list page). Anything else — names of months
or days, escapes, a value that is not a date — goes to Django's filter.

``{% url %}`` is Django's tag, but a URL whose arguments are ids (or none) is written by
``qms.links.url_for``: one reversal per name, then the ids put in their places. The layout
alone reversed ten URLs per page (≈50 µs each here); anything else — keyword arguments,
text arguments, a name that does not reverse — goes to Django's own code.
"""

import datetime
import functools

from django import template
from django.template import defaultfilters, defaulttags
from django.urls import NoReverseMatch
from django.utils import formats, translation
from django.utils.html import conditional_escape

from qms.links import url_for

register = template.Library()


class URLNode(defaulttags.URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        if not all(type(arg) is int and arg >= 0 for arg in args):
            return super().render(context)
        try:
            url = url_for(self.view_name.resolve(context), *args)
        except NoReverseMatch:
            return super().render(context)  # Django's message, or "" with "as"
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)


# Django's format letters (django.utils.dateformat.re_formatchars), and the numbers among
# them as Django writes them.
_FORMAT_LETTERS = set("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ")
_NUMBERS = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "Y": lambda v: f"{v.year:04d}",
    "y": lambda v: f"{v.year % 100:02d}",
}
_TIME_NUMBERS = {
    "H": lambda v: f"{v.hour:02d}",
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}


@functools.lru_cache(maxsize=256)
def _numbers_only(pattern: str, with_time: bool):
    """The pieces of ``pattern`` (text, or a function of the value), or None when it holds
    a letter this does not write (a month's name, an escape, a time for a date)."""
    letters = {**_NUMBERS, **_TIME_NUMBERS} if with_time else _NUMBERS
    pieces = []
    for char in pattern:
        if char in letters:
            pieces.append(letters[char])
        elif char in _FORMAT_LETTERS or char == "\\":
            return None
        else:
            pieces.append(char)
    return tuple(pieces)


_patterns: dict[tuple[str | None, str | None], str] = {}


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    kind = type(value)
    if kind is datetime.datetime or kind is datetime.date:
        key = (translation.get_language(), arg)
        pattern = _patterns.get(key)
        if pattern is None:
            pattern = _patterns[key] = formats.get_format(arg or "DATE_FORMAT")
        pieces = _numbers_only(pattern, kind is datetime.datetime)
        if pieces is not None:
            return "".join(p if type(p) is str else p(value) for p in pieces)
    return defaultfilters.date(value, arg)
