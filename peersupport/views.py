from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .celery import app as celery_app


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Whether the database and the broker are reachable: `ok` when both are. 503 only
    when the database is not, since without it no page can be served; with the broker
    (Redis) down the site still serves every page (peersupport.cache), so a load balancer
    that checks this keeps sending people here rather than taking every web server out."""
    checks: dict[str, bool] = {}
    try:
        # Django's own liveness check of the connection (a round trip on Postgres).
        connection.ensure_connection()
        checks["database"] = connection.is_usable()
    except Exception:
        checks["database"] = False
    try:
        # No retries: a load balancer asks again soon, and a slow answer is itself a failure.
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        checks["broker"] = True
    except Exception:
        checks["broker"] = False
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if checks["database"] else 503)


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "crisis.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request, "privacy.html", {"privacy_notice_version": settings.PRIVACY_NOTICE_VERSION}
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Keep crawlers off personal pages; circles and meetups may be indexed."""
    lines = ["User-agent: *", "Disallow: /me/", "Disallow: /accounts/", "Disallow: /admin/"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
