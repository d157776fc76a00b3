"""What the web server does when Postgres stops answering without closing anything: a
client-side bound on every query, a breaker that stops asking a database that did not
answer, and a deadline per request.

**Why a watchdog and not a libpq option.** A server frozen mid-query (stopped by SIGSTOP,
a stuck disk, a hung host that still answers TCP) leaves the client waiting for a reply
that never comes. Postgres's own `statement_timeout` is enforced by the server, so a
frozen one cannot enforce it. libpq and psycopg have no client-side query timeout;
`connect_timeout` bounds only the handshake. TCP keepalives and `tcp_user_timeout` are
answered or acknowledged by the server's kernel, which keeps running while the Postgres
process is stopped, so they never fire in that case (they only catch a dead host or
network). A cancel request goes through the postmaster, which a frozen server does not
serve, and a stopped backend does not act on it. What wakes a thread blocked in libpq
whatever the server does is its socket being shut down: so a watchdog thread, one per
process, shuts down the socket of any query still waiting past its bound. libpq then
reports the connection lost, psycopg raises `OperationalError`, and the request answers
the 503 page (peersupport.errors); Django drops the broken connection.

**The bound.** Each query, commit and rollback of the web server's connections may wait
`WEB_STATEMENT_TIMEOUT_MS` plus half a second (`DEADLINE_GRACE`): a server that is only
slow stops the statement itself at its `statement_timeout` first, cleanly, and keeps the
connection; the watchdog only cuts a server that did not answer at all. The request's
deadline (`WEB_REQUEST_SECONDS`, set by `with_request_deadline` in wsgi.py; granian has
no request timeout of its own) caps it further: a query that would start past it fails
at once.

**The breaker.** Once a query was cut (or a connection took longer than a second to
fail: a server that hangs, not one that refuses), this process does not ask the database
for `BREAKER_SECONDS`: every request that needs it answers the 503 page at once, and
`/healthz` says so at once. Requests queued behind the stuck ones therefore drain in
milliseconds instead of each waiting its own bound, which is what keeps `/healthz`
answering within 3 s however many requests were stuck: granian's WSGI threads are one
pool, so a health check cannot jump the queue, but nothing in the queue waits long.
Afterwards one query (a trial) asks again while the others still fail fast; its answer
closes the breaker, its silence opens it again.

Only the web server's connections get these (peersupport.startup.limit_web_statements);
the worker and migrations keep theirs unbounded, under Celery's time limits.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import OperationalError

log = logging.getLogger(__name__)

# Settings key of a database (set by peersupport.startup) holding the client-side bound
# of its queries, in seconds.
BOUND_KEY = "CLIENT_QUERY_SECONDS"
DEADLINE_GRACE = 0.5
BREAKER_SECONDS = 5.0
# A connection attempt that failed after this long met a server that hangs.
HUNG_CONNECT_SECONDS = 1.0

request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "request_deadline", default=None
)


class Breaker:
    """Whether this process may ask the database now (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed_at = 0.0  # monotonic time until which nobody asks; 0: closed
        self._trial: tuple[int, float] | None = None  # (thread id, started)

    def admit(self) -> None:
        """Raise OperationalError while the breaker is open; after it, let one thread try."""
        if not self._closed_at:
            return
        now = time.monotonic()
        with self._lock:
            if not self._closed_at:
                return
            if now >= self._closed_at:
                me = threading.get_ident()
                trial = self._trial
                if trial is None or trial[0] == me or now - trial[1] > BREAKER_SECONDS:
                    self._trial = (me, now)
                    return
            left = max(self._closed_at - now, 0)
        raise OperationalError(
            f"the database did not answer a moment ago; not asked again for {left:.1f} s"
        )

    def answered(self) -> None:
        if not self._closed_at:
            return
        with self._lock:
            if self._closed_at:
                log.warning("database: answering again")
            self._closed_at, self._trial = 0.0, None

    def trip(self, why: str) -> None:
        with self._lock:
            was_open = bool(self._closed_at)
            self._closed_at = time.monotonic() + BREAKER_SECONDS
            self._trial = None
        if not was_open:
            log.warning("database: %s; not asked again for %.0f s", why, BREAKER_SECONDS)


breaker = Breaker()


class Watchdog:
    """One thread per process that shuts down the socket of a query still waiting past
    its deadline. Registering costs a lock and a dict entry. While queries are watched the
    thread looks every `TICK` seconds; while none are, it sleeps on an event. (It never
    waits with a timeout on a lock or a condition: those wait until an absolute time of
    the kernel's clock, which a shifted clock, as under `faketime` in CI, puts days away.)"""

    TICK = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = threading.Event()
        self._watched: dict[int, tuple[float, Callable[[], int]]] = {}
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._tokens = itertools.count()

    def watch(self, deadline: float, fileno: Callable[[], int]) -> int:
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                # Started lazily, and again in a forked child (threads do not survive fork).
                self._pid = os.getpid()
                self._watched.clear()
                self._thread = threading.Thread(
                    target=self._run, name="query-watchdog", daemon=True
                )
                self._thread.start()
            token = next(self._tokens)
            self._watched[token] = (deadline, fileno)
            self._busy.set()
        return token

    def release(self, token: int) -> bool:
        """Stop watching; True when the watchdog had cut that query's connection."""
        with self._lock:
            return self._watched.pop(token, None) is None

    def _run(self) -> None:
        while True:
            self._busy.wait()
            time.sleep(self.TICK)
            with self._lock:
                now = time.monotonic()
                for token, (deadline, fileno) in list(self._watched.items()):
                    if deadline <= now:
                        del self._watched[token]
                        _shut_down(fileno)
                if not self._watched:
                    self._busy.clear()


def _shut_down(fileno: Callable[[], int]) -> None:
    """Shut the connection's socket down both ways (its file descriptor stays the
    connection's own, closed by psycopg as usual), waking the thread blocked on it."""
    try:
        with socket.socket(fileno=os.dup(fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, ValueError):
        log.info("database: the stuck connection was already gone", exc_info=True)


watchdog = Watchdog()


@contextlib.contextmanager
def bounded(seconds: float, fileno: Callable[[], int]) -> Iterator[None]:
    """Run one round trip to the database (a query, a commit) within `seconds` and the
    request's deadline, or have its socket shut down."""
    now = time.monotonic()
    deadline = now + seconds
    ends = request_deadline.get()
    if ends is not None:
        if now >= ends:
            raise OperationalError("the request ran past its deadline")
        deadline = min(deadline, ends)
    breaker.admit()
    token = watchdog.watch(deadline, fileno)
    try:
        yield
    finally:
        if watchdog.release(token):
            breaker.trip(f"no answer within {deadline - now:.1f} s, connection cut")
        else:
            breaker.answered()


def with_request_deadline(application: Callable[..., Iterable[bytes]], seconds: float) -> Any:
    """The WSGI application with a deadline of `seconds` on each request's database work."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        token = request_deadline.set(time.monotonic() + seconds)
        try:
            return application(environ, start_response)
        finally:
            request_deadline.reset(token)

    return serve
