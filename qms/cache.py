"""The shared cache: Django's Redis backend, keeping its Redis client; pages' HTML kept
while their cached figures may be shown (``kept_html``).

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and each
one copies redis-py's table of ~170 reply handlers. A signed-in page makes four cache calls
(session, kept access, agency name, the list's count), and building the clients took about
a tenth of the layout's own time. A ``redis.Redis`` is safe to share: it takes a connection
from its pool for each command, so one per pool is kept for the life of the process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.urls import get_script_prefix
from django.utils import translation


class KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = KeptClient


def kept_html(name: str, parts: tuple, render: Callable[[], tuple[str, float]]) -> str:
    """A page's HTML below the layout, kept while everything it shows may be shown.

    For pages of figures that are themselves cached (the dashboards, the public
    transparency page): a reader gets the HTML the reader before them got, without the
    page being built and rendered again. ``parts`` is everything the HTML depends on
    besides those figures — a reader's scope, the address's query; the language and the
    address the portal is served under are added here. ``render`` returns the HTML and how
    many seconds it may be kept: what is left of the life of the oldest figure in it (less
    than a second: not kept).
    """
    key = (
        "qms:kept:"
        + hashlib.sha256(
            repr((name, translation.get_language() or "", get_script_prefix(), *parts)).encode()
        ).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        html, seconds = render()
        if seconds >= 1:
            cache.set(key, html, int(seconds))
    return html
