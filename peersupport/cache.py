"""The site's cache: Redis through django-redis, carrying on without Redis while it is
down.

Why django-redis rather than Django's own Redis cache: Django's builds a new `redis.Redis`
client for every cache call, and building one costs more CPU than the round trip to
Redis (the figure is in the README's benchmark section); changing that meant overriding
private parts of Django's client. django-redis, a maintained package, keeps one client per
server for the life of the backend (over a connection pool shared by the process), takes
the socket timeouts as options, and lets us reach the raw client through its public
`client.get_client()`. Everything below uses only Django's public cache API and
django-redis's.

Why not django-redis's own `IGNORE_EXCEPTIONS`: it answers a failed call as a miss, but
asks Redis again on every call (a Redis that hangs would cost a socket timeout per call,
not per few seconds), answers `add` with None (the rate limits would refuse everyone),
and forgets nothing, so a session signed out while Redis was away would come back with it.
`ForgivingRedisCache` keeps those rules:

Carrying on without Redis: everything the site keeps in the cache can be rebuilt or done
without. Sessions are written through to the database (`cached_db`) and read from it on a
miss, browse pages and seat counts are rendered afresh, and the rate limits let requests
through (see `add`). So a Redis error is logged (once per outage, not per call) and the
call answers as a miss, and for `RETRY_AFTER_SECONDS` this backend does not ask Redis at
all: a Redis that hangs costs one socket timeout every few seconds, not one per call.

What Redis missed is forgotten when it is back: every key this backend could not write or
delete while Redis was away (a session saved or signed out, a browse version bumped) is
deleted before it next uses Redis, so an older copy Redis kept (it keeps its data across
restarts) is never served. Up to `MAX_REMEMBERED` keys are remembered; past that the whole
site's cache (every key under the cache's prefix) is dropped instead. A process that ends
during the outage takes its list with it: its keys' older copies live until they expire.
Only a request's own process knows what it missed, so another process can serve an older
copy for the moment between Redis coming back and this process's next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import RedisCache
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
                # A Redis that accepts and never answers fails the call after this long
                # rather than holding the request.
                "SOCKET_CONNECT_TIMEOUT": timeout_seconds,
                "SOCKET_TIMEOUT": timeout_seconds,
                "RETRY_AFTER_SECONDS": retry_after_seconds,
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


class ForgivingRedisCache(RedisCache):
    """The site's cache: Redis, and carrying on without it while it is down. A Redis error
    answers as a miss, and what could not be written is forgotten once Redis is back (see
    the module's docstring). The methods below are Django's cache API, each asking
    django-redis's through `_read` or `_write`."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self._retry_after = options.get("RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS)
        self._outage_lock = threading.Lock()
        self._down_since: float | None = None
        self._ask_again_at = 0.0
        self._missed: set[str] = set()
        self._missed_too_many = False

    def _usable(self) -> bool:
        """Whether to ask Redis now: it is up, or it is time to ask again, in which case
        what it missed is forgotten first (only once that worked is it up again)."""
        if self._down_since is None:
            return True
        if time.monotonic() < self._ask_again_at:
            return False
        with self._outage_lock:
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
        redis = self.client.get_client(write=True)
        if everything and self.key_prefix:
            batch: list[bytes] = []
            for key in redis.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    redis.delete(*batch)
                    batch = []
            if batch:
                redis.delete(*batch)
            return
        if everything:
            logger.error("Redis cache has no key prefix: older copies were not forgotten.")
        ordered = sorted(keys)
        for start in range(0, len(ordered), 1000):
            redis.delete(*ordered[start : start + 1000])
        if not ordered:
            redis.ping()

    def _failed(self, error: RedisError) -> None:
        with self._outage_lock:
            now = time.monotonic()
            self._ask_again_at = now + self._retry_after
            if self._down_since is None:
                self._down_since = now
                logger.warning(
                    "Redis cache unreachable, carrying on without it (sessions from the "
                    "database, pages uncached, rate limits off): %s",
                    error,
                )

    def _missed_keys(self, keys: Iterable[Any], version: int | None) -> None:
        made = {self.make_key(key, version=version) for key in keys}
        with self._outage_lock:
            if self._missed_too_many:
                return
            self._missed.update(made)
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

    def _write(
        self, keys: Iterable[Any], version: int | None, answer_when_down: T, call: Callable[[], T]
    ) -> T:
        if self._usable():
            try:
                return call()
            except RedisError as error:
                self._failed(error)
        self._missed_keys(keys, version)
        return answer_when_down

    def get(self, key: Any, default: Any = None, version: int | None = None, **kw: Any) -> Any:
        return self._read(
            default, lambda: super(ForgivingRedisCache, self).get(key, default, version, **kw)
        )

    def get_many(self, keys: Any, version: int | None = None, **kw: Any) -> dict[Any, Any]:
        return self._read(
            {}, lambda: super(ForgivingRedisCache, self).get_many(keys, version=version, **kw)
        )

    def has_key(self, key: Any, version: int | None = None, **kw: Any) -> bool:
        return self._read(
            False, lambda: super(ForgivingRedisCache, self).has_key(key, version=version, **kw)
        )

    def add(
        self,
        key: Any,
        value: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: int | None = None,
        **kw: Any,
    ) -> bool:
        """While Redis is down, `add` answers True, as if this caller were the first: the
        rate limits (allauth's, and the per-person ones built on it) take their lock with
        `add`, so they let requests through rather than refusing everyone."""
        return self._write(
            [key],
            version,
            True,
            lambda: super(ForgivingRedisCache, self).add(
                key, value, timeout, version=version, **kw
            ),
        )

    def set(
        self,
        key: Any,
        value: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: int | None = None,
        **kw: Any,
    ) -> Any:
        return self._write(
            [key],
            version,
            None,
            lambda: super(ForgivingRedisCache, self).set(
                key, value, timeout, version=version, **kw
            ),
        )

    def touch(
        self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None, **kw: Any
    ) -> bool:
        return self._write(
            [key],
            version,
            False,
            lambda: super(ForgivingRedisCache, self).touch(key, timeout, version=version, **kw),
        )

    def delete(self, key: Any, version: int | None = None, **kw: Any) -> Any:
        return self._write(
            [key],
            version,
            False,
            lambda: super(ForgivingRedisCache, self).delete(key, version=version, **kw),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None, **kw: Any) -> Any:
        return self._write(
            [key],
            version,
            delta,
            lambda: super(ForgivingRedisCache, self).incr(key, delta, version=version, **kw),
        )

    def decr(self, key: Any, delta: int = 1, version: int | None = None, **kw: Any) -> Any:
        return self._write(
            [key],
            version,
            -delta,
            lambda: super(ForgivingRedisCache, self).decr(key, delta, version=version, **kw),
        )

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: Any = DEFAULT_TIMEOUT,
        version: int | None = None,
        **kw: Any,
    ) -> Any:
        return self._write(
            list(data),
            version,
            None,
            lambda: super(ForgivingRedisCache, self).set_many(data, timeout, version=version, **kw),
        )

    def delete_many(self, keys: Any, version: int | None = None, **kw: Any) -> Any:
        keys = list(keys)
        return self._write(
            keys,
            version,
            None,
            lambda: super(ForgivingRedisCache, self).delete_many(keys, version=version, **kw),
        )
