"""Meetups as iCalendar (RFC 5545), for the .ics download, the private feed and the
"Add to calendar" links.

Each calendar has a UID of its own that never changes (RFC 7986 wants it persistent): it
is derived from the calendar's address, so the same download or feed always carries the
same one, and a regenerated private feed (a new token) is a new calendar.

Entries are discreet by default: the title names the time and place ("Circle at Rosie's
Coffee"), never the topic or the circle's name, unless the person chose
`calendar_shows_circle_name`. The UID is stable per meetup and SEQUENCE rises on every
change, so calendars update the entry they already have; a cancelled meetup stays in the
feed with STATUS:CANCELLED so calendars strike it out. An online meeting link and the
dial-in number and code are written only into a feed for someone going.

Time zones travel as VTIMEZONEs covering just the days of the events. Each observance
lists every onset it has in RDATE, its DTSTART included, one date per RDATE line: Mozilla's
ical.js (Thunderbird) skips an observance's DTSTART as an onset once it has RDATEs, and
reads only the first date of a list, so it would read events after those changes an hour
off. tests/meetups/test_calendars_in_icaljs.py reads our
files with ical.js itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from circles.dial_in import DialIn
from meetups.models import Meetup

PRODID = f"-//{settings.SITE_NAME}//Meetups//EN"


def uid(meetup: Meetup) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"meetup-{meetup.pk}@{host}"


def title(meetup: Meetup, viewer: User | None = None) -> str:
    if viewer is not None and viewer.is_authenticated and viewer.calendar_shows_circle_name:
        return meetup.circle.name
    if meetup.venue:
        return gettext("Circle at {venue}").format(venue=meetup.venue.name)
    return _("Circle (online)")


def location(meetup: Meetup) -> str:
    if meetup.venue:
        return f"{meetup.venue.name}, {meetup.venue.address}"
    return gettext("Online")


def page_url(meetup: Meetup) -> str:
    return f"{settings.SITE_URL}{meetup.get_absolute_url()}"


def description(meetup: Meetup, *, link: str = "", dial_in: DialIn | None = None) -> str:
    lines = [gettext("Details: {url}").format(url=page_url(meetup))]
    if link:
        lines.append(gettext("Join online: {link}").format(link=link))
    if dial_in:
        lines.append(dial_in_line(dial_in))
    return "\n".join(lines)


def dial_in_line(dial_in: DialIn) -> str:
    """ "Join by phone: +1 555 123 4567, access code 123 456 (one tap: tel:…)"."""
    if dial_in.code:
        return gettext("Join by phone: {phone}, access code {code} (one tap: {tel})").format(
            phone=dial_in.phone, code=dial_in.code, tel=dial_in.tel_url
        )
    return gettext("Join by phone: {phone}").format(phone=dial_in.phone)


def event(
    meetup: Meetup,
    *,
    viewer: User | None = None,
    link: str = "",
    dial_in: DialIn | None = None,
) -> icalendar.Event:
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
        description=description(meetup, link=link, dial_in=dial_in),
    )


def calendar_uid(path: str) -> str:
    """The UID of the calendar served at `path`: the same on every download, and telling
    nothing about the path (a private feed's token stays out of it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}{path}"))


def _every_onset_in_rdate(cal: icalendar.Calendar) -> None:
    """Add each observance's DTSTART to its RDATEs, where it has any (see the module's
    docstring: ical.js would skip that first onset), one RDATE line per onset: ical.js
    reads only the first date of a comma-separated list. RFC 5545 allows both."""
    for vtimezone in cal.timezones:
        for observance in vtimezone.subcomponents:
            onsets = [start for start, _ in observance.rdates]
            if onsets:
                observance.pop("RDATE")
                for onset in sorted({observance.DTSTART, *onsets}):
                    observance.add("RDATE", onset)


def calendar(
    meetups: Iterable[Meetup],
    *,
    path: str,
    viewer: User | None = None,
    links_for: set[int] | frozenset[int] = frozenset(),
    name: str = "",
) -> bytes:
    """The VCALENDAR served at `path`, with one VEVENT per meetup and a VTIMEZONE for
    every zone used. `links_for` holds the ids of meetups whose online link and dial-in
    number may be written in (meetups.see_online_link)."""
    cal = icalendar.Calendar.new(
        prodid=PRODID, method="PUBLISH", name=name or None, uid=calendar_uid(path)
    )
    days: list[dt.date] = []
    for meetup in meetups:
        shown = meetup.pk in links_for
        link = meetup.meeting_link if shown else ""
        dial_in = meetup.dial_in if shown else None
        cal.add_component(event(meetup, viewer=viewer, link=link, dial_in=dial_in))
        days.append(meetup.starts_at.date())
    if days:
        # The zone's rules over the events' days only, not every change since 1970; a day
        # either side, since an event's local date may differ from its UTC one.
        day = dt.timedelta(days=1)
        cal.add_missing_timezones(first_date=min(days) - day, last_date=max(days) + day)
        _every_onset_in_rdate(cal)
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
