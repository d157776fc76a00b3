"""Meetups as iCalendar (RFC 5545), for the .ics download, the private feed and the
"Add to calendar" links.

Entries are discreet by default: the title names the time and place ("Circle at Rosie's
Coffee"), never the topic or the circle's name, unless the person chose
`calendar_shows_circle_name`. The UID is stable per meetup and SEQUENCE rises on every
change, so calendars update the entry they already have; a cancelled meetup stays in the
feed with STATUS:CANCELLED so calendars strike it out. An online meeting link is written
only into a feed for someone going.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from meetups.models import Meetup

PRODID = f"-//{settings.SITE_NAME}//Meetups//EN"


def uid(meetup: Meetup) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meetup-{meetup.pk}@{host}"


def title(meetup: Meetup, viewer: User | None = None) -> str:
    if viewer is not None and viewer.is_authenticated and viewer.calendar_shows_circle_name:
        return meetup.circle.name
    if meetup.venue:
        return f"Circle at {meetup.venue.name}"
    return "Circle (online)"


def location(meetup: Meetup) -> str:
    if meetup.venue:
        return f"{meetup.venue.name}, {meetup.venue.address}"
    return "Online"


def page_url(meetup: Meetup) -> str:
    return f"{settings.SITE_URL}{meetup.get_absolute_url()}"


def description(meetup: Meetup, *, link: str = "") -> str:
    lines = [f"Details: {page_url(meetup)}"]
    if link:
        lines.append(f"Join online: {link}")
    return "\n".join(lines)


def event(meetup: Meetup, *, viewer: User | None = None, link: str = "") -> icalendar.Event:
    tz = meetup.circle.tz
    cancelled = meetup.is_cancelled
    return icalendar.Event.new(
        uid=uid(meetup),
        start=meetup.starts_at.astimezone(tz),
        end=meetup.ends_at.astimezone(tz),
        stamp=timezone.now(),
        last_modified=meetup.updated_at,
        sequence=meetup.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
        summary=("Cancelled: " if cancelled else "") + title(meetup, viewer),
        location=location(meetup),
        url=page_url(meetup),
        description=description(meetup, link=link),
    )


def calendar(
    meetups: Iterable[Meetup],
    *,
    viewer: User | None = None,
    links_for: set[int] | frozenset[int] = frozenset(),
    name: str = "",
) -> bytes:
    """A VCALENDAR with one VEVENT per meetup and a VTIMEZONE for every zone used.
    `links_for` holds the ids of meetups whose online link may be written in."""
    cal = icalendar.Calendar.new(prodid=PRODID, method="PUBLISH", name=name or None)
    days: list[dt.date] = []
    for meetup in meetups:
        link = meetup.meeting_link if meetup.pk in links_for else ""
        cal.add_component(event(meetup, viewer=viewer, link=link))
        days.append(meetup.starts_at.date())
    if days:
        # Only the transitions around the events, not every one since 1970.
        year = dt.timedelta(days=366)
        cal.add_missing_timezones(first_date=min(days) - year, last_date=max(days) + year)
    return cal.to_ical()


def google_calendar_url(meetup: Meetup, viewer: User | None = None) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    start = meetup.starts_at.astimezone(dt.UTC).strftime(fmt)
    end = meetup.ends_at.astimezone(dt.UTC).strftime(fmt)
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": title(meetup, viewer),
            "dates": f"{start}/{end}",
            "details": description(meetup),
            "location": location(meetup),
            "ctz": meetup.circle.timezone,
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def outlook_calendar_url(meetup: Meetup, viewer: User | None = None) -> str:
    query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": title(meetup, viewer),
            "startdt": meetup.starts_at.astimezone(dt.UTC).isoformat(),
            "enddt": meetup.ends_at.astimezone(dt.UTC).isoformat(),
            "body": description(meetup),
            "location": location(meetup),
        }
    )
    return f"https://outlook.live.com/calendar/0/action/compose?{query}"
