"""Seats left on cached pages: a mark in the HTML, filled in on the way out.

Seats left change with every RSVP, far more often than anything else on the browse and
home pages. If seat changes emptied the page cache (circles.cache), every RSVP would
force re-rendering every cached search page. So pages say where they show a meetup's
seats left with a mark (`mark`, through the `{% seats_left %}` tag of the `seats` template
library) instead of the number, and `SeatsMiddleware` fills the marks in.

The invariant:

- HTML may carry marks while it is cached (whole pages and parts of pages alike) and on
  its way through the site, never outside it: every mark is replaced before a response
  leaves. The middleware fills every non-streaming HTML response, whichever view made
  it and whether it came from the cache or was just rendered.
- Marks are filled with the seats left read (through `Meetup.seats_left`) no earlier than
  the last bump of the seats version and of the browse version. The seats filled into a
  page are kept in the cache, per page and its set of meetups, with the two versions
  they were read at, and used only while both are current: serving a cached page costs
  one more round trip to the cache and no query; after a change, one small query per
  page. With the page cache off they are read for every response.
- A visitor's whole browse page is also kept filled, tagged with the browse version it
  was rendered at and the seats version its seats were read at (circles.cache
  `keep_filled`/`set_filled`), and served as it is while both are current: then there is
  no mark to fill and no second round trip.
- What bumps them: every service that changes the seats taken or offered (an RSVP, a
  cancellation, a promotion from the waitlist, a new capacity: meetups.services) calls
  `bump_seats_version`, which waits for the commit; any other saved change to a meetup
  (the admin, a command) bumps the browse version (`Meetup.save`).

A mark is "\\x00seats:<meetup id>\\x00". Django's forms refuse NUL characters in what people
type, so text on a page cannot carry one; a forged mark would only read as seats left.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.safestring import SafeString, mark_safe

from circles import cache as browse_cache
from circles import wording
from circles.cache import BROWSE_VERSION, SEATS_VERSION
from meetups.models import Meetup

MARK_PREFIX = b"\x00seats:"
MARKS = re.compile(rb"\x00seats:([0-9]+)\x00")


def mark(meetup_id: int) -> SafeString:
    """Where a page says how many seats are left at a meetup, until it is filled in."""
    return mark_safe(f"\x00seats:{int(meetup_id)}\x00")  # noqa: S308 (digits only)


def bump_seats_version() -> None:
    """Call after a change to the seats taken or offered at a meetup (RSVPs, capacity).
    Inside a transaction the bump waits for the commit, as browse version bumps do: cached
    pages keep their HTML and get their seats filled in again."""
    SEATS_VERSION.bump()


def read_seats_left(meetup_ids: Collection[int]) -> dict[int, int]:
    """Seats left at each of these meetups, in one query (none for no meetups)."""
    if not meetup_ids:
        return {}
    meetups = Meetup.objects.filter(pk__in=meetup_ids).only(
        "capacity", "going_count", "seats_offered"
    )
    return {meetup.pk: meetup.seats_left for meetup in meetups.order_by()}


def _filling_key(
    request: HttpRequest, response: HttpResponseBase, meetup_ids: Collection[int]
) -> str:
    """A page as HTTP caches tell pages apart (its address, and the request headers its
    response varies on), with its meetups. Cookies are left out: seats left are the same
    for everyone, so signed-in people share the filling of a page with everyone else."""
    varies = {header.strip().upper() for header in response.get("Vary", "").split(",")}
    varies -= {"", "COOKIE"}
    meta = request.META
    parts = [
        request.path,
        meta.get("QUERY_STRING", ""),
        *(
            f"{header}={meta.get('HTTP_' + header.replace('-', '_'), '')}"
            for header in sorted(varies)
        ),
        ",".join(map(str, sorted(meetup_ids))),
    ]
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"meetups:seats:{digest}"


def seats_left(meetup_ids: Collection[int], key: str) -> dict[int, int]:
    """Seats left at each of these meetups, as of the current seats and browse versions:
    kept under `key` and taken from there while neither version has moved since they were
    read, read again otherwise. The versions are read first, so a change committed after
    them bumps past them."""
    return _seats_left_at(meetup_ids, key)[0]


def _seats_left_at(
    meetup_ids: Collection[int], key: str
) -> tuple[dict[int, int], tuple[int, int] | None]:
    """`seats_left`, and the (seats, browse) versions they were read at (None with the
    page cache off)."""
    if settings.BROWSE_CACHE_SECONDS <= 0:
        return read_seats_left(meetup_ids), None
    found = cache.get_many([SEATS_VERSION.key, BROWSE_VERSION.key, key])
    versions = (
        found.get(SEATS_VERSION.key) or SEATS_VERSION.current(),
        found.get(BROWSE_VERSION.key) or BROWSE_VERSION.current(),
    )
    stored = found.get(key)
    if stored is not None and stored[0] == versions:
        return stored[1], versions
    left = read_seats_left(meetup_ids)
    # Plain values only, so what is cached never depends on our classes unpickling.
    cache.set(key, (versions, left), timeout=settings.BROWSE_CACHE_SECONDS)
    return left, versions


def fill(request: HttpRequest, response: HttpResponse) -> None:
    """Replace every seat mark in a response by the seats left, in words."""
    # Split at the marks once: text and meetup ids alternate (a page lists a meetup once
    # or a few times, so each one's words are made once).
    parts = MARKS.split(response.content)
    marked = set(parts[1::2])
    meetup_ids = {int(meetup_id) for meetup_id in marked}
    left, versions = _seats_left_at(meetup_ids, _filling_key(request, response, meetup_ids))
    words = {raw: wording.seats_text(left.get(int(raw))).encode() for raw in marked}
    parts[1::2] = [words[raw] for raw in parts[1::2]]
    response.content = b"".join(parts)
    if response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    if versions is not None:
        # A visitor's whole page, kept as it leaves while neither version moves.
        browse_cache.set_filled(response, versions)


class SeatsMiddleware:
    """Fills the seat marks of every HTML response (see the module's docstring). Listed
    after CommonMiddleware, so the filled content is what its Content-Length counts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            isinstance(response, HttpResponse)
            and response.get("Content-Type", "").startswith("text/html")
            and MARK_PREFIX in response.content
        ):
            fill(request, response)
        return response
