"""The shared cache: Django's Redis backend, keeping its Redis client.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache call, and each
one copies redis-py's table of ~170 reply handlers. A signed-in page makes four cache calls
(session, kept access, agency name, the list's count), and building the clients took about
a tenth of the layout's own time. A ``redis.Redis`` is safe to share: it takes a connection
from its pool for each command, so one per pool is kept for the life of the process.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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
