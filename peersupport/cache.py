"""Django's Redis cache, keeping one redis-py client per server instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and
building one copies redis-py's table of some two hundred response callbacks: about
0.25 ms of CPU, more than the round trip to Redis itself. Sessions and the browse cache
make at least one such call on every request. A `redis.Redis` is safe to share between
threads (each command takes a connection from the shared pool), and the pool opens new
connections after a fork, so one client per server serves the whole process.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedRedisClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class ReusedRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisClient
