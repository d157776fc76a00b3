"""Django's Redis cache, keeping one redis-py client per server instead of one per call,
and carrying on without Redis while it is down.

One client per server: Django's RedisCacheClient builds a new `redis.Redis` for every
cache operation, and building one copies redis-py's table of some two hundred response
callbacks: about 0.25 ms of CPU, more than the round trip to Redis itself. Sessions and
the browse cache make at least one such call on every request. A `redis.Redis` is safe to
share between threads (each command takes a connection from the shared pool), and the
pool opens new connections after a fork, so one client per server serves the whole
process.

Carrying on without Redis (`ForgivingRedisCache`, the site's cache): everything the site
keeps in the cache can be rebuilt or done without. Sessions are written through to the
database (`cached_db`) and read from it on a miss, browse pages and seat counts are
rendered afresh, and the rate limits let requests through (see `add`). So a Redis error
is logged (once per outage, not per call) and the call answers as a miss, and for
`RETRY_AFTER_SECONDS` this process does not ask Redis at all: a Redis that hangs costs one
socket timeout per process every few seconds, not one per call.

What Redis missed is forgotten when it is back: every key this process could not write or
delete while Redis was away (a session saved or signed out, a browse version bumped) is
deleted before this process next uses the cache, so an older copy Redis kept (it keeps
its data across restarts) is never served. Up to `MAX_REMEMBERED` keys are remembered;
past that the whole site's cache (every key under the cache's prefix) is dropped instead.
A process that ends during the outage takes its list with it: its keys' older copies live
until they expire. Only a request's own process knows what it missed, so another process
can serve an older copy for the moment between Redis coming back and this process's next
request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long a process leaves Redis alone after an error before asking it again.
RETRY_AFTER_SECONDS = 5.0
# Keys remembered per process while Redis is away (a session key is about 80 bytes).
MAX_REMEMBERED = 10_000


def redis_caches(
    url: str,
    *,
    key_prefix: str,
    timeout_seconds: float,
    retry_after_seconds: float = RETRY_AFTER_SECONDS,
) -> dict[str, dict[str, Any]]:
    """The site's CACHES on Redis at `url` (settings build them here, and so do tests
    that point the site at a Redis of their own)."""
    return {
        "default": {
            "BACKEND": "peersupport.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {
                # redis-py's own: a Redis that accepts and never answers fails the call
                # after this long rather than holding the request.
                "socket_connect_timeout": timeout_seconds,
                "socket_timeout": timeout_seconds,
                "retry_after_seconds": retry_after_seconds,
            },
        }
    }


def redis_broker_options() -> dict[str, Any]:
    """Celery's transport options for a Redis broker (settings use them, and so do tests
    that publish to a Redis of their own). Kombu waits on a socket forever by default, so
    a Redis that hangs would hold a request publishing a task (after its change committed)
    and a worker for good; with these a publish gives up within seconds (the enqueue is
    robust: logged, the change stands) and a worker reconnects. The read timeout stays
    above the 1 s a worker's BRPOP waits for a message."""
    return {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 3,
    }


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


class ForgivingRedisClient(ReusedRedisClient):
    """A Redis error answers as a miss, and what could not be written is forgotten once
    Redis is back (see the module's docstring)."""

    def __init__(
        self,
        *args: Any,
        key_prefix: str = "",
        retry_after_seconds: float = RETRY_AFTER_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._key_prefix = key_prefix
        self._retry_after = retry_after_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._ask_again_at = 0.0
        self._missed: set[str] = set()
        self._missed_too_many = False

    # -- the outage ----------------------------------------------------------------------

    def _usable(self) -> bool:
        """Whether to ask Redis now: it is up, or it is time to ask again, in which case
        what it missed is forgotten first (only once that worked is it up again)."""
        if self._down_since is None:
            return True
        if time.monotonic() < self._ask_again_at:
            return False
        with self._lock:
            if self._down_since is None:
                return True
            self._ask_again_at = time.monotonic() + self._retry_after
            missed, too_many = self._missed, self._missed_too_many
            try:
                self._forget(missed, too_many)
            except RedisError:
                return False
            logger.warning(
                "Redis cache is back after %.0f s; forgot %s key(s) it missed.",
                time.monotonic() - self._down_since,
                "every" if too_many else len(missed),
            )
            self._down_since = None
            self._missed, self._missed_too_many = set(), False
            return True

    def _forget(self, keys: set[str], everything: bool) -> None:
        client = self.get_client(write=True)
        if everything and self._key_prefix:
            batch: list[bytes] = []
            for key in client.scan_iter(match=f"{self._key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
            return
        if everything:
            logger.error("Redis cache has no key prefix: older copies were not forgotten.")
        ordered = sorted(keys)
        for start in range(0, len(ordered), 1000):
            client.delete(*ordered[start : start + 1000])
        if not ordered:
            client.ping()

    def _failed(self, error: RedisError) -> None:
        with self._lock:
            now = time.monotonic()
            self._ask_again_at = now + self._retry_after
            if self._down_since is None:
                self._down_since = now
                logger.warning(
                    "Redis cache unreachable, carrying on without it (sessions from the "
                    "database, pages uncached, rate limits off): %s",
                    error,
                )

    def _missed_keys(self, keys: Any) -> None:
        with self._lock:
            if self._missed_too_many:
                return
            self._missed.update(keys)
            if len(self._missed) > MAX_REMEMBERED:
                self._missed_too_many = True
                self._missed = set()

    def _read(self, answer_when_down: T, call: Callable[[], T]) -> T:
        if not self._usable():
            return answer_when_down
        try:
            return call()
        except RedisError as error:
            self._failed(error)
            return answer_when_down

    def _write(self, keys: Any, answer_when_down: T, call: Callable[[], T]) -> T:
        if self._usable():
            try:
                return call()
            except RedisError as error:
                self._failed(error)
        self._missed_keys(keys)
        return answer_when_down

    # -- Django's cache client, forgiving ------------------------------------------------

    def get(self, key: Any, default: Any) -> Any:
        return self._read(default, lambda: super(ForgivingRedisClient, self).get(key, default))

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return self._read({}, lambda: super(ForgivingRedisClient, self).get_many(keys))

    def has_key(self, key: Any) -> bool:
        return self._read(False, lambda: super(ForgivingRedisClient, self).has_key(key))

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        """While Redis is down, `add` answers True, as if this caller were the first: the
        rate limits (allauth's, and the per-person ones built on it) take their lock with
        `add`, so they let requests through rather than refusing everyone."""
        return self._write(
            [key], True, lambda: super(ForgivingRedisClient, self).add(key, value, timeout)
        )

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._write([key], None, lambda: super(ForgivingRedisClient, self).set(key, value, timeout))

    def touch(self, key: Any, timeout: Any) -> bool:
        return self._write(
            [key], False, lambda: super(ForgivingRedisClient, self).touch(key, timeout)
        )

    def delete(self, key: Any) -> bool:
        return self._write([key], False, lambda: super(ForgivingRedisClient, self).delete(key))

    def incr(self, key: Any, delta: int) -> Any:
        return self._write([key], delta, lambda: super(ForgivingRedisClient, self).incr(key, delta))

    def set_many(self, data: dict[Any, Any], timeout: Any) -> None:
        self._write(
            list(data), None, lambda: super(ForgivingRedisClient, self).set_many(data, timeout)
        )

    def delete_many(self, keys: Any) -> None:
        keys = list(keys)
        self._write(keys, None, lambda: super(ForgivingRedisClient, self).delete_many(keys))


class ForgivingRedisCache(ReusedRedisCache):
    """The site's cache: Redis, and carrying on without it while it is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisClient
        self._options = {**self._options, "key_prefix": self.key_prefix}
