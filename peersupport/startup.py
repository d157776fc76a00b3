"""What a process that serves people checks before it starts: the web server (wsgi/asgi)
and Celery's worker and beat. Management commands that serve no one (makemigrations,
migrate, collectstatic) load the settings without these, so they run without secrets."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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
