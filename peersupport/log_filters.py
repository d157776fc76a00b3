"""Logging filters that keep secrets and health information out of the server's logs."""

from __future__ import annotations

import logging


class PathAsRoute(logging.Filter):
    """Django logs every 4xx and 5xx response with its path ("Not Found: /me/calendar/
    <token>.ics"). A path can hold a credential (a calendar feed token, a signed
    unsubscribe or confirmation link) or which circle someone opened, so a path that
    matched a URL pattern is logged as the pattern's route instead
    ("Not Found: /me/calendar/<str:token>.ics"). Query strings are never logged by
    Django; the access log leaves out paths and queries altogether (Dockerfile)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        match = getattr(request, "resolver_match", None)
        if match is not None and isinstance(record.args, tuple):
            path = request.path.encode("unicode_escape").decode("ascii")  # as Django logs it
            route = f"/{match.route}"
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True
