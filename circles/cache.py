"""The browse cache, and the version number that says what in it is out of date.

Anonymous visitors get whole pages from it. Signed-in people, and anonymous pages not
cached yet, get a search's part of the page from it (the form, the results and the map:
what costs the queries and most of the rendering, and the same for everyone making that
search); the page around it, with their name and CSRF token, is rendered for them.

A cached page is stored as (browse version it was rendered at, content) and served only
while that is still the current version, so bumping the version makes every cached page
stale at once without finding them. Serving a page from the cache is one round trip: the
version and the page are read together. A version number starts from the clock, so one
lost from the cache (eviction, restart) never comes back to a number old pages carry.

Seats left are not part of this cache: pages carry a mark where they show them, filled
in on the way out (see meetups.seats, which keeps its own version number of this kind,
SEATS_VERSION). A visitor's whole page is also kept as it left the site, its seats filled
in, tagged with both versions; while neither has moved, serving it is that same one round
trip and nothing to fill in (`get_whole_page`, `keep_filled`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from accounts.background import after_commit
from circles.models import Topic


def _fresh_version() -> int:
    return time.time_ns() // 1000


class Version:
    """A number in the cache that what is stored under it carries: bumping it makes all of
    that stale at once. It starts from the clock, so a number lost from the cache never
    comes back to one that old entries carry."""

    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> int:
        return cache.get_or_set(self.key, _fresh_version, timeout=None)

    def bump_now(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:
            cache.set(self.key, _fresh_version(), timeout=None)

    def bump(self) -> None:
        """Bump once the current transaction commits (at once outside one, once however
        often it is asked for inside one): something rendered before the commit read the
        old number and is dropped; something rendered after it reads the new number and
        sees the committed change. A rolled-back change bumps nothing."""
        after_commit(("cache-version", self.key), lambda _: self.bump_now())


BROWSE_VERSION = Version("circles:browse-version")
VERSION_KEY = BROWSE_VERSION.key
# Seats taken or offered at any meetup: bumped by meetups.services, read by meetups.seats.
SEATS_VERSION = Version("meetups:seats-version")


def browse_version() -> int:
    return BROWSE_VERSION.current()


def bump_browse_version() -> None:
    """Call after any change that browse results show (circles, topics, schedules, venues,
    meetups); the bump waits for the commit (`Version.bump`)."""
    BROWSE_VERSION.bump()


def topic_choices() -> list[tuple[str, str]]:
    """(slug, name) of every topic, for the search form; cached like the pages are, since
    every topic change bumps the browse version."""

    def load() -> list[tuple[str, str]]:
        return list(Topic.objects.values_list("slug", "name"))

    if settings.BROWSE_CACHE_SECONDS <= 0:
        return load()
    return cache.get_or_set(
        f"circles:topics:{browse_version()}", load, timeout=settings.BROWSE_CACHE_SECONDS
    )


def _plain(value: object) -> object:
    """What JSON cannot write itself: places (dataclasses) as their fields, dates as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no place in a cache key")


def _canonical(value: object) -> object:
    """Several choices in one order whatever order they were asked in."""
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return sorted(value)
    return value


def page_key(name: str, search: Mapping[str, Any], partial: bool) -> str:
    """The cache key of a page: a canonical JSON of what the search means (a form's cleaned
    data: keys sorted, multiple choices sorted), never the query string as typed, so two
    different searches never share a page and one search written differently (parameters
    in another order, extra spaces, unknown parameters) does; the language it is written
    in; whether it is the htmx fragment; and the quarter hour in UTC: pages say "Today" and
    "Tomorrow" on their cards and answer "today" searches, and every timezone's midnight
    falls on a quarter hour, so within one every day is the same day everywhere."""
    parts: dict[str, Any] = {key: _canonical(value) for key, value in search.items()}
    now = dt.datetime.now(dt.UTC)
    parts["@quarter"] = f"{now:%Y%m%d%H}{now.minute // 15}"
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=_plain)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    # A page is written in one language: the Spanish page is kept apart from the English.
    return f"circles:{name}:{translation.get_language()}:{int(partial)}:{digest}"


def query_key(name: str, query: QueryDict, partial: bool) -> str:
    """The cache key of a whole page for visitors who are not signed in, read before the
    search is even parsed: the query string as given, every parameter with all its values,
    as canonical JSON (`page_key`). JSON keeps names and values apart, so two different
    query strings never share a key (`?format%3Donline%00topic=grief` is not
    `?format=online&topic=grief`), while the same parameters in another order do. The page
    stored under it was rendered for exactly that query, so serving it is always right."""
    return page_key(name, {key: query.getlist(key) for key in query}, partial)


def search_key(search: Mapping[str, Any], partial: bool, search_timezone: str) -> str:
    """The cache key of a search's part of the browse page: the page's key and the
    timezone in which the search runs, since "today" is a different weekday to different
    people."""
    return f"{page_key('search', search, partial)}:{search_timezone}"


def get_page(key: str) -> tuple[Any | None, int | None]:
    """What is cached under `key` if it is current (a page or a search's part of one), and
    the version something rendered now belongs to."""
    if settings.BROWSE_CACHE_SECONDS <= 0:
        return None, None
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return None, browse_version()
    stored = found.get(key)
    if stored is None or stored[0] != version:
        return None, version
    return stored[1], version


@dataclasses.dataclass(frozen=True)
class WholePage:
    """What the cache holds of a visitor's whole page (`get_whole_page`)."""

    # The browse version a page rendered now belongs to (None: the cache is off).
    version: int | None
    # The page as rendered, its seats still marks, while the browse version is current.
    marked: bytes | None = None
    # The page as it left the site, while the browse and seats versions are both current.
    filled: bytes | None = None


def _filled_key(key: str) -> str:
    return f"{key}:filled"


def get_whole_page(key: str) -> WholePage:
    """A visitor's whole page under `key`, in one round trip: both versions, the page and
    its filled copy."""
    if settings.BROWSE_CACHE_SECONDS <= 0:
        return WholePage(None)
    found = cache.get_many([VERSION_KEY, SEATS_VERSION.key, key, _filled_key(key)])
    version = found.get(VERSION_KEY)
    if version is None:
        return WholePage(browse_version())
    stored = found.get(key)
    filled = found.get(_filled_key(key))
    seats = found.get(SEATS_VERSION.key)
    return WholePage(
        version,
        marked=stored[1] if stored is not None and stored[0] == version else None,
        filled=filled[1]
        if filled is not None and seats is not None and filled[0] == (version, seats)
        else None,
    )


def keep_filled(response: HttpResponse, key: str | None, version: int | None) -> None:
    """Ask for `response`, a visitor's whole page rendered at browse `version`, to be kept
    once its seats are filled in (meetups.seats calls `set_filled`)."""
    if key is not None and version is not None and settings.BROWSE_CACHE_SECONDS > 0:
        response.keep_filled_as = (_filled_key(key), version)  # type: ignore[attr-defined]


def set_filled(response: HttpResponse, versions: tuple[int, int]) -> None:
    """Keep a page that `keep_filled` asked for, now filled with seats read at these
    (seats, browse) versions; not when the browse version moved since it was rendered."""
    kept = getattr(response, "keep_filled_as", None)
    if kept is None:
        return
    key, version = kept
    seats, browse = versions
    if browse == version:
        cache.set(key, ((version, seats), response.content), timeout=settings.BROWSE_CACHE_SECONDS)


def set_page(key: str | None, version: int | None, content: object) -> None:
    """Keep a page or part of one rendered at `version` (read before rendering, so a change
    made while it rendered leaves it stale rather than hiding the change). Nothing is kept
    without a key and a version (the page cache is off, or the page is not shared)."""
    if key is not None and version is not None and settings.BROWSE_CACHE_SECONDS > 0:
        # Plain values only, so what is cached never depends on our classes unpickling.
        cache.set(key, (version, content), timeout=settings.BROWSE_CACHE_SECONDS)


def cacheable(request: HttpRequest) -> bool:
    """Only pages with nothing personal on them are shared: anonymous, no messages."""
    return not request.user.is_authenticated and len(messages.get_messages(request)) == 0


def cached_section(key: str, render_section: Callable[[], str]) -> SafeString:
    """Part of a page from the cache, or rendered and cached."""
    content, version = get_page(key)
    if content is None:
        content = render_section()
        set_page(key, version, content)
    return mark_safe(content)  # noqa: S308 (our own template, rendered with autoescape)
