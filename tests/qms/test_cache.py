"""The portal's Redis cache (qms.cache) keeps one client per connection pool, and still
behaves as Django's cache: values written by one call are read by the next, and one client
serves several threads at once (redis-py takes a pooled connection per command)."""

import os
import threading

import pytest
from django.conf import settings

from qms.cache import PortalRedisCache


@pytest.fixture
def redis_cache():
    if not settings.REDIS_URL:
        message = "the Redis cache test needs Redis (set REDIS_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("NOT RUN: " + message)
    cache = PortalRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "qms-test-cache"})
    yield cache
    cache.delete_many(["kept", "from-thread"])


def test_one_redis_client_serves_every_call(redis_cache):
    redis_cache.set("kept", {"roles": ["staff"]}, 60)
    first = redis_cache._cache.get_client()
    assert redis_cache.get("kept") == {"roles": ["staff"]}
    assert redis_cache.get_many(["kept", "missing"]) == {"kept": {"roles": ["staff"]}}
    assert redis_cache._cache.get_client(write=True) is first
    assert len(redis_cache._cache._clients) == 1


def test_the_kept_client_is_shared_between_threads(redis_cache):
    seen = []

    def write():
        redis_cache.set("from-thread", 42, 60)
        seen.append(redis_cache._cache.get_client())

    workers = [threading.Thread(target=write) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert redis_cache.get("from-thread") == 42
    assert len({id(client) for client in seen}) == 1
