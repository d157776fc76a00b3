"""What every response to a signed-in person gets: kept out of shared and back-button
caches, kept out of the browser's history when they asked for neutral titles, the
session ended when it has gone unused too long or lasted too long, and the privacy note
asked for again when it changed."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect, push_url

# Session keys: when this session signed in, and when it was last seen (epoch seconds).
SIGNED_IN_AT = "accounts:signed_in_at"
LAST_SEEN_AT = "accounts:last_seen_at"
# Writing "last seen" on every request would save the session (cache and database) on
# every click; once every few minutes is precise enough for a timeout of hours.
TOUCH_EVERY_SECONDS = 300


class PrivatePagesMiddleware:
    """Every response to a signed-in person is `Cache-Control: private, no-store`, so Back
    after signing out on a shared computer shows nothing personal, and no proxy keeps a
    copy. A response that already says how it may be cached keeps that: the open data feed
    (public), the calendar feed (private, five minutes; fetched by calendar apps with its
    token, not a session) and pages marked `never_cache`. Anonymous responses are left as
    they are, so cached public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class NeutralHistoryMiddleware:
    """For a person who turned on neutral titles, an htmx request never adds the page's
    address to the browser's history (`HX-Push-Url: false` overrides the page's
    `hx-push-url`), so a search for `?topic=grief` is not listed under Back or in the
    history. Done here rather than in the templates because the searches' part of the
    browse page is cached for everyone and cannot differ from one person to the next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        htmx = getattr(request, "htmx", None)
        if htmx and user is not None and user.is_authenticated and user.neutral_titles:
            push_url(response, False)
        return response


class SessionTimeoutMiddleware:
    """Signs a person out after `SESSION_IDLE_MINUTES` without a request, and
    `SESSION_COOKIE_AGE` seconds after signing in however active they are (Django moves a
    session's expiry forward each time it is saved, so it cannot keep that limit itself).
    The request then goes on as anonymous: a personal page asks to sign in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        idle_seconds = settings.SESSION_IDLE_MINUTES * 60
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            # Signed in just now, or before these limits existed: they count from here.
            session[SIGNED_IN_AT] = signed_in_at or now
            session[LAST_SEEN_AT] = now
            return
        if now - last_seen_at > idle_seconds or now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(
                request, "You were signed out to keep your account safe. Please sign in again."
            )
            return
        if now - last_seen_at >= min(TOUCH_EVERY_SECONDS, idle_seconds // 2):
            session[LAST_SEEN_AT] = now


class PrivacyConsentMiddleware:
    """A signed-in person who accepted an older privacy note than the current one
    (settings.PRIVACY_NOTICE_VERSION) is sent to the consent page at their next request,
    and back where they were going once they accept. A request that would act (a POST) is
    not carried out. The pages in `PRIVACY_CONSENT_EXEMPT_URLS` stay open without it:
    signing out, the consent page and withdrawing, the crisis and privacy pages, the
    person's own data (download, with its re-authentication, and deletion), unsubscribing,
    the calendar feed and the health check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.needs_privacy_consent():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in settings.PRIVACY_CONSENT_EXEMPT_URLS:
            return None
        if request.path_info.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return None
        target = reverse("accounts:consent")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)


class PersonsLanguageMiddleware:
    """A signed-in person who chose a language (accounts.User.language) reads the site in
    it on every device; everyone else gets what LocaleMiddleware chose from the language
    cookie or the browser's Accept-Language, else English. After AuthenticationMiddleware,
    since it needs the person; LocaleMiddleware already marked responses as varying by
    Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
