"""Django's PostgreSQL backend with a health check that costs no round trip.

With persistent connections and CONN_HEALTH_CHECKS, Django checks the connection before
the first query of every request by running `SELECT 1`: a whole round trip to Postgres,
about a tenth of an RSVP's cost. This check asks the operating system instead. An idle
connection to Postgres has nothing to read; when the server closes it (a restart, a
terminated backend, an idle timeout) the server's goodbye or the end of the stream
arrives on the socket, and the socket turns readable. So: a connection psycopg knows to
be closed or broken, or whose socket has something to read, is not reused, and Django
opens a fresh one before the request's first query, as with `SELECT 1`. (We use no
LISTEN/NOTIFY, the one thing that would put data on an idle connection; a rare harmless
message only costs a reconnect.)

A connection kept from before the server froze passes that check and then waits on its
first query: for the web server's connections, every round trip is bounded on the client
side and a database that stopped answering is left alone for a few seconds
(peersupport.postgres.stall).
"""

from __future__ import annotations

import contextlib
import select
import time
from collections.abc import Callable
from typing import Any

from django.db.backends.postgresql import base

from peersupport.postgres import stall


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    # The web server's connections (peersupport.startup.limit_web_statements): every round
    # trip bounded on the client side, the breaker consulted first (peersupport.postgres.stall).

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_bound: float | None = self.settings_dict.get(stall.BOUND_KEY)
        if self.client_bound:
            self.execute_wrappers.append(self._bounded_execute)

    def _bounded(self) -> contextlib.AbstractContextManager[None]:
        if not self.client_bound or self.connection is None:
            return contextlib.nullcontext()
        return stall.bounded(self.client_bound, self.connection.fileno)

    def _bounded_execute(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        with self._bounded():
            return execute(sql, params, many, context)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        if not self.client_bound:
            return super().get_new_connection(conn_params)
        stall.breaker.admit()
        started = time.monotonic()
        try:
            connection = super().get_new_connection(conn_params)
        except Exception:
            if time.monotonic() - started >= stall.HUNG_CONNECT_SECONDS:
                stall.breaker.trip("a new connection got no answer")
            raise
        stall.breaker.answered()
        return connection

    def init_connection_state(self) -> None:
        with self._bounded():
            super().init_connection_state()

    # Django's public commit and rollback (what transaction.atomic calls), bounded too.

    def commit(self) -> None:
        with self._bounded():
            super().commit()

    def rollback(self) -> None:
        with self._bounded():
            super().rollback()
