"""Listed circles as open data, in the Meeting Guide JSON format
(https://github.com/code4recovery/spec): a JSON array with one entry per schedule, read by
code4recovery's TSML (the WordPress plugin's importer), TSML UI and the Meeting Guide app.

What goes out is only what the circle's public page shows: name, description, when,
where, access notes. Nothing about members. How the rows are shaped so that those readers
show nothing untrue:

- Online circles. The spec counts an online meeting as active only with a
  `conference_url` (or phone) that "launches directly into the meeting", so a link to a
  sign-up page is not an option. A circle's link goes out only when its facilitators chose
  to publish it (`online_url_public`) and it is on a video service the readers recognise
  (`CONFERENCE_HOSTS`: TSML UI reads any other link as an unknown provider and the row as
  inactive). Its dial-in number goes out the same way, only when its facilitators chose to
  publish it (`dial_in_public`): `conference_phone` as digits with any + in front (the
  spec's pattern, which readers turn into a `tel:` link), the access code in
  `conference_phone_notes` ("Access code: 123 456"), as the spec's example puts a PIN. A
  row with neither a venue nor such a link or number (an online circle keeping them for
  members, which is the default; a schedule without a venue) is left out of the feed:
  such a circle is found on the site, where people join and then see the link.
- Addresses and zones. TSML files rows under one location per `formatted_address`, and
  the first row's timezone wins for all of them. Rows without a venue carry the circle's
  area ("Online" when it has none); where that string would be shared by rows of more than
  one timezone, each such row adds its zone in brackets ("Online (America/New_York)").
- Rhythm. The spec describes weekly meetings, and its readers turn `day` and `time` into
  the next date at that weekday and time ("Add to calendar" in TSML UI and the app). A row
  carries `day`, `time` and `end_time` only when that date is a real meetup: a weekly
  schedule whose next scheduled meetup is exactly its next weekly slot. Every other week
  and monthly schedules, and a weekly one whose next meetup was called off or moved (or
  has not started yet), are listed without a day and time, with the rhythm and the time
  spelled out at the start of `notes`; every reader honours that: the Meeting Guide app
  shows only rows with a day and time, TSML UI lists the rest at the end with no date and
  no calendar button.
- `end_time` is left out for a meetup that runs past midnight (readers would put its end
  before its start, on the same day); they then assume an hour.
- `regions` is the spec's list, most general first: a circle in "Alberta, Portland, OR"
  is in ["Portland, OR", "Alberta"]; a circle with no place is in ["Online"].
- `updated` is when the circle, the schedule or its venue last changed, whichever is
  latest; a slug is the circle's slug (shortened as needed) and the schedule's id, at
  most 64 characters as the spec asks.

One query builds the whole feed, and the result is cached under the browse version, which
any change to a circle, schedule, venue or meetup bumps, for at most BROWSE_CACHE_SECONDS
(so which rows carry a day follows a passing meetup within that time).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import DateTimeField, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from circles import wording
from circles.cache import get_page, page_key, set_page
from circles.models import Circle, Schedule

LANGUAGE_TYPES = {"en": "EN", "es": "S", "fr": "FR", "de": "DE", "pt": "POR", "it": "ITA"}

# Video services every TSML UI release recognises in `conference_url` (its
# `conference_providers`); a link anywhere else makes the row read as inactive there.
CONFERENCE_HOSTS = (
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

# An entry's slug ("<circle slug>-<id>") is at most this long, since feed readers show it
# in links; a new circle's slug is kept to it too (hosting.services.unique_slug).
SLUG_MAX_LENGTH = 64
# The area of a row without a venue, for a circle that names no place.
ONLINE = "Online"


def published_link(circle: Circle) -> str:
    """The online link the feed may carry: the circle's own, when its facilitators publish
    it and meeting finders recognise its video service (CONFERENCE_HOSTS); else ""."""
    if circle.format == Circle.Format.IN_PERSON or not circle.online_url_public:
        return ""
    host = urlsplit(circle.online_url).netloc.lower()
    if any(host == known or host.endswith(f".{known}") for known in CONFERENCE_HOSTS):
        return circle.online_url
    return ""


def published_dial_in(circle: Circle) -> dict[str, str]:
    """The feed's `conference_phone` (the spec's pattern: digits, a + in front) and
    `conference_phone_notes` (the access code, spelled out), when the circle's
    facilitators publish its dial-in number (`dial_in_public`); else nothing."""
    dial_in = circle.dial_in
    if dial_in is None or not circle.dial_in_public:
        return {}
    fields = {"conference_phone": dial_in.number}
    if dial_in.code:
        fields["conference_phone_notes"] = f"Access code: {dial_in.code}"
    return fields


def next_weekly_slot(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """The date a reader of the feed shows for a row's `day` and `time`: the first moment
    at that weekday and local time, in the circle's zone, from `now` on."""
    tz = schedule.circle.tz
    today = schedule.circle.today(now)
    day = today + dt.timedelta(days=(schedule.weekday - today.weekday()) % 7)
    slot = dt.datetime.combine(day, schedule.start_time, tzinfo=tz)
    if slot < now:
        slot = dt.datetime.combine(day + dt.timedelta(weeks=1), schedule.start_time, tzinfo=tz)
    return slot


def _on_its_weekly_slot(schedule: Schedule, now: dt.datetime) -> bool:
    """Whether the row may carry a day and time: a weekly schedule whose next scheduled
    meetup (annotated as `next_meetup_at`) is the date readers will show."""
    return (
        schedule.frequency == Schedule.Frequency.WEEKLY
        and schedule.next_meetup_at is not None
        and schedule.next_meetup_at == next_weekly_slot(schedule, now)
    )


def _slug(schedule: Schedule) -> str:
    suffix = f"-{schedule.pk}"
    return schedule.circle.slug[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def regions(circle: Circle) -> list[str]:
    """The circle's place as the spec's `regions`, most general first: "Alberta, Portland,
    OR" is ["Portland, OR", "Alberta"], "Baton Rouge, LA" is ["Baton Rouge, LA"]. (Places
    are "Town, State" or "Town, Country", with any neighbourhood before them.)"""
    parts = [part.strip() for part in circle.area_name.split(",") if part.strip()]
    if circle.lat is None or not parts:
        return [ONLINE]
    return [", ".join(parts[-2:]), *reversed(parts[:-2])]


def _types(circle: Circle, schedule: Schedule) -> list[str]:
    types = []
    if circle.step_free or (schedule.venue and schedule.venue.step_free):
        types.append("X")
    if circle.sign_language:
        types.append("ASL")
    if circle.fragrance_free:
        types.append("FF")
    if circle.language in LANGUAGE_TYPES:
        types.append(LANGUAGE_TYPES[circle.language])
    return types


def _updated(schedule: Schedule) -> str:
    changes = [schedule.circle.updated_at, schedule.updated_at]
    if schedule.venue:
        changes.append(schedule.venue.updated_at)
    return max(changes).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _rhythm(schedule: Schedule, end: dt.time) -> str:
    """For a row without a day and time: when the circle meets, spelled out."""
    return (
        f"Meets {wording.recurrence_in_sentence(schedule)}. "
        f"{wording.clock(schedule.start_time)} to {wording.clock(end)} local time "
        f"({schedule.circle.timezone})."
    )


def meeting(schedule: Schedule, now: dt.datetime) -> dict | None:
    """One Meeting Guide entry for a schedule of a listed circle (with `next_meetup_at`
    annotated), or None when readers would list it as inactive (see the module's
    docstring)."""
    circle = schedule.circle
    venue = schedule.venue if circle.format != Circle.Format.ONLINE else None
    link = published_link(circle)
    phone = published_dial_in(circle)
    if venue is None and not link and not phone:
        return None
    start = dt.datetime.combine(dt.date(2000, 1, 1), schedule.start_time)
    ends_at = start + dt.timedelta(minutes=schedule.duration_minutes)
    end = ends_at.time()
    dated = _on_its_weekly_slot(schedule, now)
    rhythm = "" if dated else _rhythm(schedule, end)
    entry: dict = {
        "name": circle.name,
        "slug": _slug(schedule),
    }
    if dated:
        entry |= {
            # Meeting Guide counts days from Sunday = 0; Python from Monday = 0.
            "day": (schedule.weekday + 1) % 7,
            "time": f"{schedule.start_time:%H:%M}",
        }
        # Readers put the end on the start's day: one past midnight would end before it
        # starts, so it is left out and they assume an hour.
        if ends_at.date() == start.date():
            entry["end_time"] = f"{end:%H:%M}"
    entry |= {
        "timezone": circle.timezone,
        "types": _types(circle, schedule),
        "notes": " ".join(part for part in (rhythm, circle.description.strip()) if part),
        "regions": regions(circle),
        "url": f"{settings.SITE_URL}{circle.get_absolute_url()}",
        "updated": _updated(schedule),
    }
    if venue:
        entry |= {
            "location": venue.name,
            "formatted_address": venue.address,
            "latitude": round(venue.lat, 5),
            "longitude": round(venue.lng, 5),
            "approximate": "no",
        }
        if venue.accessibility_notes:
            entry["location_notes"] = venue.accessibility_notes
    else:
        entry |= {"formatted_address": circle.area_name or ONLINE, "approximate": "yes"}
        if circle.lat is not None and circle.lng is not None:
            entry |= {"latitude": round(circle.lat, 5), "longitude": round(circle.lng, 5)}
    if link:
        entry["conference_url"] = link
    return entry | phone


def _one_zone_per_address(entries: list[dict]) -> None:
    """Rows without a venue whose address string rows of another timezone share get their
    zone added to it, so a reader that files rows by address never moves them to another
    zone."""
    zones: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        zones[entry["formatted_address"]].add(entry["timezone"])
    for entry in entries:
        if entry["approximate"] == "yes" and len(zones[entry["formatted_address"]]) > 1:
            entry["formatted_address"] = f"{entry['formatted_address']} ({entry['timezone']})"


def meetings(now: dt.datetime | None = None) -> list[dict]:
    """The whole feed, in one query."""
    now = now or timezone.now()
    next_meetup = (
        Schedule.objects.filter(
            pk=OuterRef("pk"),
            meetups__status="scheduled",
            meetups__starts_at__gte=now,
        )
        .order_by("meetups__starts_at")
        .values("meetups__starts_at")[:1]
    )
    schedules = (
        Schedule.objects.current()
        .filter(circle__in=Circle.objects.listed())
        .annotate(next_meetup_at=Subquery(next_meetup, output_field=DateTimeField()))
        .select_related("circle", "venue")
        .order_by("circle__name", "weekday", "start_time", "pk")
    )
    entries = [entry for schedule in schedules if (entry := meeting(schedule, now))]
    _one_zone_per_address(entries)
    return entries


@require_safe
@cache_control(public=True, max_age=900)
def meeting_guide_feed(request: HttpRequest) -> HttpResponse:
    key = page_key("feed", {}, partial=False)
    body, version = get_page(key)
    if body is None:
        body = json.dumps(meetings(), ensure_ascii=False).encode()
        set_page(key, version, body)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
