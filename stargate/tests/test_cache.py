from __future__ import annotations

import os

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.skipif(
    not os.environ.get("STARGATE_REDIS_URL"), reason="the Redis cache is the production one"
)


def test_it_keeps_one_redis_client_per_pool():
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("stargate-test-key", {"n": 1}, 5)
    assert cache.get("stargate-test-key") == {"n": 1}
    assert cache._cache.get_client() is client
    cache.delete("stargate-test-key")
