"""The pages shown when a request fails: 503 while the database cannot be reached, 500
for anything else. Both show the crisis line, and neither needs the database: they are
rendered with the site's settings alone (no request context, so no context processor
asks who is signed in), and if even that fails, a few lines of plain HTML say the same.

Django calls `server_error` (the site's `handler500`) for every exception a view or a
middleware did not handle, from inside the `except` block, so the exception is at hand.
An `OperationalError` or `InterfaceError` of django.db means the database refused, hung
past `connect_timeout`, dropped the connection or cancelled a statement that ran past
the web's `statement_timeout`: nothing the person did, and over soon, hence 503 and
`Retry-After`. Django logs the exception with its traceback either way.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape
from django_htmx.http import reswap, retarget

from .context_processors import site_settings

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def database_unreachable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unreachable(sys.exc_info()[1]):
        response = error_page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = error_page("500.html", 500)
    if request.headers.get("HX-Request") == "true":
        # The page replaces the whole page, as the 429 page does (static/js/site.js lets
        # htmx swap these): in the part that asked it would be cramped or not shown at all.
        retarget(response, "body")
        reswap(response, "innerHTML")
    return response


def error_page(template_name: str, status: int) -> HttpResponse:
    context = site_settings()
    try:
        content = loader.get_template(template_name).render(context)
    except Exception:
        logger.exception("The %s page could not be rendered; sent a plain one.", status)
        content = _plain_page(context)
    response = HttpResponse(content, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _plain_page(context: dict[str, object]) -> str:
    text = escape(context["CRISIS_LINE_TEXT"])
    url = escape(context["CRISIS_LINE_URL"])
    emergency = escape(context["CRISIS_EMERGENCY_TEXT"])
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        "<title>Something went wrong</title>"
        "<h1>Something went wrong on our side</h1>"
        "<p>Please try again in a few minutes.</p>"
        f'<p><strong>{text}</strong> <a href="{url}">{url}</a></p>'
        f"<p><strong>{emergency}</strong></p></html>"
    )
