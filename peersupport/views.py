from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import outbox

from .celery import app as celery_app


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether the database and the broker are reachable: `ok` when both are. 503 only
    when the database is not, since without it no page can be served; with the broker
    (Redis) down the site still serves every page (peersupport.cache), so a load balancer
    that checks this keeps sending people here rather than taking every web server out.

    `outbox_oldest_pending_seconds`: how long the oldest email still waiting to be sent
    has waited (null when none waits, or the database did not answer), for an alert
    that fires before people miss a meetup: with the sweep every minute it stays under a
    couple of minutes unless the mail server is refusing, throttling or down."""
    database, waited = _database_answers()
    checks: dict[str, bool] = {"database": database}
    try:
        # No retries: a load balancer asks again soon, and a slow answer is itself a failure.
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        checks["broker"] = True
    except Exception:
        checks["broker"] = False
    ok = all(checks.values())
    return JsonResponse(
        {"ok": ok, **checks, "outbox_oldest_pending_seconds": waited},
        status=200 if checks["database"] else 503,
    )


def _database_answers() -> tuple[bool, int | None]:
    """Whether the database gives a new connection, and the age in seconds of the oldest
    email waiting in the outbox, read over it.

    Not the request's own connection: one kept from before a hang looks idle and healthy
    (peersupport.postgres checks it without a round trip), while a hung server cannot
    finish a new connection's handshake, which fails after `connect_timeout` (2 s); in the
    web server the query is bounded too, and a database that just failed to answer is not
    asked again for a few seconds (peersupport.postgres.stall). One short-lived
    connection per check (a load balancer asks every few seconds) costs Postgres little."""
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        probe.ensure_connection()
        # The ORM's query, run over the probe rather than the request's connection.
        compiler = outbox.oldest_pending().query.get_compiler(connection=probe)
        row = next(iter(compiler.results_iter()), None)
    except Exception:
        return False, None
    finally:
        probe.close()
    if row is None:
        return True, None
    return True, max(int((timezone.now() - row[0]).total_seconds()), 0)


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "crisis.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {
            "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Keep crawlers off personal pages; circles and meetups may be indexed."""
    lines = ["User-agent: *", "Disallow: /me/", "Disallow: /accounts/", "Disallow: /admin/"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
