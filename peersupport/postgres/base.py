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
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


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
