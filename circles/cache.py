"""The browse cache, and the two version numbers that say what in it is out of date.

Anonymous visitors get whole pages from it. Signed-in people, and anonymous pages not
cached yet, get a search's part of the page from it (the form, the results and the map:
what costs the queries and most of the rendering, and the same for everyone making that
search); the page around it, with their name and CSRF token, is rendered for them.

A cached page is stored with the browse version it was rendered at and served only while
that is still the current version, so bumping the version makes every cached page stale
at once without finding them. Serving a page from the cache is one round trip: the
version and the page are read together. The version starts from the clock, so a version
lost from the cache (eviction, restart) never comes back to a number old pages carry.

Seats left change with every RSVP, far more often than anything else on these pages, so
they are not part of the cached HTML: it carries a mark per meetup (`seat_mark`) and is
stored with the seats it was last filled with, under a second version number that only
seat changes bump. A page whose seats are out of date is filled again with one small
query, without rendering it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from circles import wording
from circles.models import Topic

VERSION_KEY = "circles:browse-version"
SEATS_VERSION_KEY = "circles:seats-version"
SEAT_MARKS = re.compile("\x00seats:([0-9]+)\x00")
SEAT_MARKS_IN_BYTES = re.compile(b"\x00seats:([0-9]+)\x00")


def _fresh_version() -> int:
    return time.time_ns() // 1000


def browse_version() -> int:
    return cache.get_or_set(VERSION_KEY, _fresh_version, timeout=None)


def seats_version() -> int:
    return cache.get_or_set(SEATS_VERSION_KEY, _fresh_version, timeout=None)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _fresh_version(), timeout=None)


def _bump_browse() -> None:
    _bump(VERSION_KEY)


def _bump_seats() -> None:
    _bump(SEATS_VERSION_KEY)


def _bump_on_commit(bump: Callable[[], None]) -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump()
    elif not any(callback is bump for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(bump)


def bump_browse_version() -> None:
    """Call after any change that browse results show (circles, topics, schedules, venues,
    meetups). Inside a transaction the bump waits for the commit: a page rendered
    before it read the old version and is dropped; one rendered after it reads the new
    version and sees the committed change. A rolled-back change bumps nothing."""
    _bump_on_commit(_bump_browse)


def bump_seats_version() -> None:
    """Call after a change to the seats taken or offered at a meetup (RSVPs, capacity),
    with the same rules as `bump_browse_version`: cached pages keep their HTML and get
    their seats filled in again."""
    _bump_on_commit(_bump_seats)


def seat_mark(meetup_id: int) -> SafeString:
    """Where a cached page says how many seats are left at a meetup (see `fill_seats`)."""
    return mark_safe(f"\x00seats:{int(meetup_id)}\x00")  # noqa: S308 (digits only)


@dataclass(frozen=True)
class Seats:
    """Seats left at each meetup marked on a page, read at seats version `version`."""

    version: int | None
    left: dict[int, int]


def read_seats(content: str | bytes) -> Seats:
    """The seats left at every meetup marked in `content`: one query, none if unmarked.
    The version is read first, so a change committed after it bumps past it."""
    version = seats_version() if settings.BROWSE_CACHE_SECONDS > 0 else None
    marks = SEAT_MARKS_IN_BYTES if isinstance(content, bytes) else SEAT_MARKS
    ids = {int(meetup_id) for meetup_id in marks.findall(content)}
    left: dict[int, int] = {}
    if ids:
        meetups = apps.get_model("meetups", "Meetup").objects.filter(pk__in=ids)
        for pk, capacity, going in meetups.values_list("pk", "capacity", "going_count"):
            left[pk] = max(capacity - going, 0)
    return Seats(version, left)


def fill_seats(content: bytes, seats: Seats) -> bytes:
    """A page's HTML with every seat mark replaced by the seats left, in words."""
    return SEAT_MARKS_IN_BYTES.sub(
        lambda mark: wording.seats_text(seats.left.get(int(mark[1]))).encode(), content
    )


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


def page_key(name: str, query: QueryDict, partial: bool) -> str:
    """The cache key of a page: the query string exactly as given (parameters sorted),
    whether it is the htmx fragment, and for "today" searches the quarter hour in UTC
    (every timezone's midnight falls on a quarter hour, so "today" is one weekday
    everywhere within it)."""
    parts = sorted(f"{key}={value}" for key, values in query.lists() for value in values)
    if "today" in query.getlist("day"):
        now = dt.datetime.now(dt.UTC)
        parts.append(f"@{now:%Y%m%d%H}{now.minute // 15}")
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"circles:{name}:{int(partial)}:{digest}"


def search_key(query: QueryDict, partial: bool, search_timezone: str) -> str:
    """The cache key of a search's part of the browse page: the page's key and the
    timezone in which the search runs, since "today" is a different weekday to different
    people."""
    return f"{page_key('search', query, partial)}:{search_timezone}"


def get_page(key: str) -> tuple[tuple[Any, Seats] | None, int | None]:
    """What is cached under `key` if it is current (a page or a search's part of one), with
    its seats up to date, and the version something rendered now belongs to."""
    if settings.BROWSE_CACHE_SECONDS <= 0:
        return None, None
    found = cache.get_many([VERSION_KEY, SEATS_VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return None, browse_version()
    stored = found.get(key)
    if stored is None or stored[0] != version:
        return None, version
    _, content, seats_version_stored, seats_left = stored
    seats = Seats(seats_version_stored, seats_left)
    if seats.version is None or seats.version != found.get(SEATS_VERSION_KEY):
        seats = read_seats(content)
        set_page(key, version, content, seats)
    return (content, seats), version


def set_page(key: str, version: int | None, content: object, seats: Seats | None = None) -> None:
    """Keep a page or part of one rendered at `version` (read before rendering, so a change
    made while it rendered leaves it stale rather than hiding the change), with the seats
    it is filled with."""
    if version is not None and settings.BROWSE_CACHE_SECONDS > 0:
        # Plain values only, so what is cached never depends on our classes unpickling.
        seats = seats or Seats(None, {})
        stored = (version, content, seats.version, seats.left)
        cache.set(key, stored, timeout=settings.BROWSE_CACHE_SECONDS)
