"""Links to pages whose URL arguments are ids, without Django's full reversal each time.

``reverse()`` costs 30–60 µs; a list links each of its rows once or twice and a dashboard
panel hundreds of times. A URL whose arguments are all ids is reversed once per name,
argument count, URL configuration and script prefix with stand-in numbers, then written
by putting the ids in their places (tests/qms/test_links.py compares with ``reverse``).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_INS = (987654321, 987654322, 987654323)
# (name, argument count, urlconf, script prefix) -> the URL's text around the ids, or None
# where a stand-in could not be found exactly once (then ``reverse`` every time)
_SHAPES: dict[tuple, tuple[str, ...] | None] = {}


def url_for(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for ids (non-negative integers)."""
    if len(ids) > len(_STAND_INS) or not all(type(i) is int and i >= 0 for i in ids):
        return reverse(name, args=ids)
    key = (name, len(ids), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if key not in _SHAPES:
        _SHAPES[key] = _shape(reverse(name, args=_STAND_INS[: len(ids)]), len(ids))
    shape = _SHAPES[key]
    if shape is None:
        return reverse(name, args=ids)
    return shape[0] + "".join(f"{i}{after}" for i, after in zip(ids, shape[1:], strict=True))


def _shape(url: str, count: int) -> tuple[str, ...] | None:
    parts = []
    for stand_in in _STAND_INS[:count]:
        pieces = url.split(str(stand_in))
        if len(pieces) != 2:
            return None
        parts.append(pieces[0])
        url = pieces[1]
    return (*parts, url)
