"""What a process that serves people checks before it starts: the web server (wsgi/asgi)
and Celery's worker and beat; and the limit the web server puts on its SQL statements.
Management commands that serve no one (makemigrations, migrate, collectstatic) load the
settings without these, so they run without secrets and without the web's limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from peersupport.postgres import stall


def refuse_to_serve_misconfigured() -> None:
    """With DEBUG off, refuse to start without a secret key, or without the shared cache
    while rate limits are on: with per-process memory caches each process would count
    failed logins on its own."""
    if settings.DEBUG:
        return
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key as it is read
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.") from exc
    if settings.ACCOUNT_RATE_LIMITS and not settings.REDIS_URL:
        raise ImproperlyConfigured(
            "REDIS_URL must be set when DEBUG is off: allauth's rate limits on logins, "
            "signups and password resets need a cache that every web process shares. Set "
            "REDIS_URL (e.g. redis://redis:6379/0), or DEBUG=1 for development."
        )


def limit_web_statements() -> None:
    """Give the web server's Postgres connections `settings.WEB_STATEMENT_TIMEOUT_MS`, and
    the client-side bound on every round trip that outlasts it by `DEADLINE_GRACE`
    (peersupport.postgres.stall). Called by wsgi.py and asgi.py before the first request
    (connections open later, from these settings); the worker, beat and management
    commands never call it, so a long migration or a long job is not cut short."""
    milliseconds = settings.WEB_STATEMENT_TIMEOUT_MS
    for database in settings.DATABASES.values():
        with_statement_timeout(database, milliseconds)
        if database["ENGINE"] == "peersupport.postgres":
            database[stall.BOUND_KEY] = (
                milliseconds / 1000 + stall.DEADLINE_GRACE
                if milliseconds > 0
                else settings.WEB_REQUEST_SECONDS
            )


def with_statement_timeout(database: dict[str, Any], milliseconds: int) -> None:
    """Add `statement_timeout` to one Postgres database's connection options (libpq's
    `options`, so the server applies it from the first statement; no query is sent)."""
    if database["ENGINE"] != "peersupport.postgres" or milliseconds <= 0:
        return
    options = database.setdefault("OPTIONS", {})
    existing = options.get("options", "")
    if "statement_timeout" not in existing:
        options["options"] = f"{existing} -c statement_timeout={int(milliseconds)}".strip()
