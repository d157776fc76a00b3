"""Per-person rate limits on what members do: RSVPs, joining, leaving, reports, downloading
their data; and pages opened from a signed email link, counted per address and per link
(`link_rate_limited`). One decorator per view, limits in `settings.PERSON_RATE_LIMITS`, counted by
allauth's rate limiter in the shared cache (the one that already slows down password
guessing), and one readable "too many requests" page (templates/429.html)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

# allauth's internal limiter, because the public `allauth.core.ratelimit.consume` reads
# only ACCOUNT_RATE_LIMITS and never counts GET requests; this one takes our own table
# (`config`) and counts the GET that downloads all my data. A change in allauth shows in
# tests/accounts/test_person_rate_limits.py.
from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

View = Callable[..., HttpResponse]


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The 429 page. An htmx request gets it in place of the whole page, since showing it
    inside the part of the page that asked would be lost or cramped."""
    response = render(request, "429.html", status=429)
    if getattr(request, "htmx", False):
        retarget(response, "body")
        reswap(response, "innerHTML")
    return response


def rate_limited(action: str, *, count_get: bool = False) -> Callable[[View], View]:
    """Refuse with 429 once the signed-in person has done `action` more often than
    `settings.PERSON_RATE_LIMITS[action]` allows (allauth's format, e.g. "30/m/user").
    Every attempt counts, whether or not the view then succeeds. GET and HEAD count only
    with `count_get` (for a view whose GET is the action, like downloading my data).
    Anonymous requests pass: the view sends them to log in. Put it under
    `@login_required` and above the view."""

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if user.is_authenticated and not _consume(request, action, count_get=count_get):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return limited

    return decorator


def link_rate_limited(
    action: str,
    *,
    token_kwarg: str = "token",  # noqa: S107 (a URL argument's name)
) -> Callable[[View], View]:
    """Refuse with 429 once a page opened from a signed email link has been asked for more
    often than `settings.PERSON_RATE_LIMITS[action]` allows, signed in or not (the link is
    the credential, so there may be no user to count). Its rates count per client address
    ("ip") and per link ("key": the URL's `token_kwarg`), GET included: a guesser is slowed
    down by address, one leaked link by itself."""

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _consume(request, action, count_get=True, key=str(kwargs.get(token_kwarg))):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return limited

    return decorator


def allows(request: HttpRequest, action: str) -> bool:
    """Count one use of `action` by the signed-in person, inside a view that does several
    things (a button among others on a form): False once `settings.PERSON_RATE_LIMITS[action]`
    is used up."""
    return _consume(request, action, count_get=False)


def link_allows(request: HttpRequest, action: str, *, key: str) -> bool:
    """Count one POST made with a signed link that travels in the form rather than the URL
    (a check-in prompt's link): False once `settings.PERSON_RATE_LIMITS[action]` is used up
    for `key` (and for the client's address, where the rate says "ip")."""
    return _consume(request, action, count_get=False, key=key)


def _consume(request: HttpRequest, action: str, *, count_get: bool, key: str | None = None) -> bool:
    if not count_get and request.method == "HEAD":
        return True
    usage = ratelimit.consume(
        request,
        app="accounts",
        action=action,
        config=settings.PERSON_RATE_LIMITS,
        user=request.user if request.user.is_authenticated else None,
        key=key,
        limit_get=count_get,
    )
    return usage is not None
