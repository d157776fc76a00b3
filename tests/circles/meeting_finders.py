"""The open data feed as the meeting finders read it, written again here, on its own, from
how code4recovery's readers behave (not from circles.feed), so a test can say what a seeker
would see there:

- TSML (the WordPress plugin) imports rows into one location per `formatted_address`; a
  location has one timezone, the first row's.
- TSML UI marks a row `online` when its `conference_url` is on a video service it knows
  (its `conference_providers`) or it has a `conference_phone`, `in-person` when its
  address is not approximate, and `inactive` when it is neither.
- For `day` and `time` it takes that weekday and time in the current week of the row's
  zone, a week later when that has passed ("Add to calendar"); the row repeats weekly.
- The Meeting Guide app shows only rows with a day and a time.

`problems()` lists, in words, everything a seeker would find wrong; `weekly_dates()` expands
a dated row into the dates readers promise.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import resolve

from circles.models import Circle
from meetups.models import Meetup

# TSML UI's default conference_providers (the domains every release has carried).
KNOWN_VIDEO_SERVICES = (
    "bluejeans.com",
    "freeconference.com",
    "freeconferencecall.com",
    "gotomeet.me",
    "gotomeeting.com",
    "meet.google.com",
    "skype.com",
    "webex.com",
    "zoho.com",
    "zoom.us",
)


@dataclass
class Listing:
    """One row as a meeting finder shows it."""

    row: dict
    zone: str  # the zone the row is shown in: its location's, which the first row set
    online: bool
    in_person: bool
    start: dt.datetime | None  # the date "Add to calendar" picks; None without day/time
    end: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.online or self.in_person

    @property
    def circle(self) -> Circle:
        """The circle the row's `url` points at."""
        return Circle.objects.get(slug=resolve(urlsplit(self.row["url"]).path).kwargs["slug"])


def _on_known_service(url: str) -> bool:
    # TSML UI: the third piece of the URL split on "/" ends with a known domain.
    parts = url.split("/")
    return len(parts) > 2 and any(parts[2].endswith(domain) for domain in KNOWN_VIDEO_SERVICES)


def _calendar_date(row: dict, zone: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    local_now = now.astimezone(tz)
    monday = local_now.date() - dt.timedelta(days=local_now.weekday())
    # Luxon's ISO weekday: Sunday (0 in the feed) is 7.
    day = monday + dt.timedelta(days=(row["day"] or 7) - 1)
    hour, minute = (int(part) for part in row["time"].split(":"))
    start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    if "end_time" in row:
        end_hour, end_minute = (int(part) for part in row["end_time"].split(":"))
        end = dt.datetime.combine(day, dt.time(end_hour, end_minute), tzinfo=tz)
    else:
        end = start + dt.timedelta(hours=1)
    if start < now:
        week = dt.timedelta(weeks=1)
        start = dt.datetime.combine(start.date() + week, start.time(), tzinfo=tz)
        end = dt.datetime.combine(end.date() + week, end.time(), tzinfo=tz)
    return start, end


def load(rows: list[dict], now: dt.datetime) -> list[Listing]:
    """The rows as TSML and TSML UI list them at `now`."""
    zone_of_location: dict[str, str] = {}
    for row in rows:
        zone_of_location.setdefault(row.get("formatted_address", ""), row.get("timezone", ""))
    listings = []
    for row in rows:
        zone = zone_of_location[row.get("formatted_address", "")]
        online = _on_known_service(row.get("conference_url", "")) or bool(
            row.get("conference_phone")
        )
        in_person = str(row.get("approximate", "")).lower() != "yes" and "TC" not in row.get(
            "types", []
        )
        start = end = None
        if "day" in row and "time" in row:
            start, end = _calendar_date(row, zone, now)
        listings.append(Listing(row, zone, online, in_person, start, end))
    return listings


def weekly_dates(listing: Listing, weeks: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The first `weeks` dates a dated row promises, at its wall-clock time in its zone."""
    assert listing.start is not None and listing.end is not None
    tz = zoneinfo.ZoneInfo(listing.zone)
    for week in range(weeks):
        shift = dt.timedelta(weeks=week)
        yield (
            dt.datetime.combine(listing.start.date() + shift, listing.start.time(), tzinfo=tz),
            dt.datetime.combine(listing.end.date() + shift, listing.end.time(), tzinfo=tz),
        )


def problems(rows: list[dict], now: dt.datetime, weeks: int = 1) -> list[str]:
    """What a seeker would find wrong in the finders: an inactive row, a row shown in
    another zone than its own, a row whose regions are not a list, an end before a start,
    or a date (in the first `weeks` weeks) on which the circle has no scheduled meetup
    there and then."""
    found = []
    for listing in load(rows, now):
        slug = listing.row.get("slug")
        if not listing.active:
            found.append(f"{slug}: inactive")
        if listing.zone != listing.row.get("timezone"):
            found.append(f"{slug}: shown in {listing.zone}, meets in {listing.row.get('timezone')}")
        if not isinstance(listing.row.get("regions"), list):
            found.append(f"{slug}: regions is not a list")
        if listing.start is None:
            continue
        if listing.end is not None and listing.end <= listing.start:
            found.append(f"{slug}: ends before it starts")
        circle = listing.circle
        for start, _ in weekly_dates(listing, weeks):
            held = Meetup.objects.filter(
                circle=circle, status=Meetup.Status.SCHEDULED, starts_at=start
            ).exists()
            if not held:
                found.append(f"{slug}: no meetup on {start.isoformat()}")
    return found
