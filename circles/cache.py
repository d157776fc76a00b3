"""The browse cache and the one version number that invalidates all of it.

Anonymous visitors get whole pages from it. Signed-in people, and anonymous pages not
cached yet, get a search's part of the page from it (the form, the results and the map:
what costs the queries and most of the rendering, and the same for everyone making that
search); the page around it, with their name and CSRF token, is rendered for them.

A cached page is stored with the browse version it was rendered at and served only while
that is still the current version, so bumping the version makes every cached page stale
at once without finding them. Serving a page from the cache is one round trip: the
version and the page are read together. The version starts from the clock, so a version
lost from the cache (eviction, restart) never comes back to a number old pages carry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict

from circles.models import Topic

VERSION_KEY = "circles:browse-version"


def _fresh_version() -> int:
    return time.time_ns() // 1000


def browse_version() -> int:
    return cache.get_or_set(VERSION_KEY, _fresh_version, timeout=None)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def bump_browse_version() -> None:
    """Call after any change that browse results show (circles, topics, schedules, venues,
    meetups, seats). Inside a transaction the bump waits for the commit: a page rendered
    before it read the old version and is dropped; one rendered after it reads the new
    version and sees the committed change. A rolled-back change bumps nothing."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump()
    elif not any(callback is _bump for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_bump)


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


def get_page(key: str) -> tuple[Any, int | None]:
    """What is cached under `key` if it is current (a page or a search's part of one), and
    the version something rendered now belongs to."""
    if settings.BROWSE_CACHE_SECONDS <= 0:
        return None, None
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return None, browse_version()
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1], version
    return None, version


def set_page(key: str, version: int | None, content: object) -> None:
    """Keep a page or part of one rendered at `version` (read before rendering, so a change
    made while it rendered leaves it stale rather than hiding the change)."""
    if version is not None and settings.BROWSE_CACHE_SECONDS > 0:
        cache.set(key, (version, content), timeout=settings.BROWSE_CACHE_SECONDS)
