"""The Redis cache keeps one redis-py client per server and still behaves as Django's."""

from __future__ import annotations

import threading
import uuid

from peersupport.cache import ForgivingRedisCache


def test_one_client_serves_every_call_and_every_thread(redis_url: str) -> None:
    cache = ForgivingRedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    key = "greeting"

    cache.set(key, {"text": "hello"}, timeout=30)
    first = cache.client.get_client(write=False)
    assert cache.get(key) == {"text": "hello"}
    assert cache.client.get_client(write=True) is first

    seen = []

    def reader() -> None:
        seen.append((cache.get(key), cache.client.get_client(write=False)))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(value == {"text": "hello"} and client is first for value, client in seen)

    assert cache.add("counter", 1)
    assert cache.incr("counter") == 2
    cache.delete_many([key, "counter"])
    assert cache.get(key) is None
