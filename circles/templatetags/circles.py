"""How times, distances and seats read on circle pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString

from circles import wording
from circles.forms import KM_PER_MILE, language_name
from circles.models import WEEKS_AHEAD, Schedule

register = template.Library()


@register.simple_tag
def weeks_ahead() -> str:
    """How many weeks ahead a schedule's meetups are made (circles.models.WEEKS_AHEAD), as
    text (plain-text emails render with autoescape off, which leaves a number a number)."""
    return str(WEEKS_AHEAD)


@register.filter
def clock(value: dt.time | dt.datetime) -> str:
    """A time of day: "6:30 pm"."""
    return wording.clock(value)


@register.filter
def local_time(value: dt.datetime | None, tz: str) -> str:
    """A moment in the circle's own timezone, short: "Tue 6:30 pm CST"."""
    return wording.short_when(value, tz)


@register.filter
def when(value: dt.datetime | None, tz: str) -> str:
    """A moment on a card, with its real day in `tz`: "Today 6:30 pm", "Thu 7 Jan
    10:00 am" (circles.wording.when)."""
    return wording.when(value, tz)


@register.filter
def when_in_zone(value: dt.datetime | None, tz: str) -> str:
    """The same with the zone's abbreviation, for online circles shown in the reader's
    zone: "Today 6:30 pm CST"."""
    return wording.when(value, tz, with_zone=True)


@register.filter
def zone_words(tz: str) -> str:
    """ "Chicago time" for "America/Chicago" (circles.wording.zone_words)."""
    return wording.zone_words(tz)


@register.filter
def ago(moment: dt.datetime) -> str:
    """ "just now", "5 minutes ago" (circles.wording.ago)."""
    return wording.ago(moment)


@register.filter
def local_date_time(value: dt.datetime | None, tz: str) -> str:
    """A moment in the circle's own timezone, in full: "Tuesday 24 November, 6:30 pm CST"."""
    return wording.long_when(value, tz)


@register.filter
def duration(minutes: int) -> str:
    """ "1 hour", "90 minutes"."""
    return wording.duration(minutes)


@register.filter
def distance(km: float | None, unit: str) -> str:
    """A distance in the unit the person searched with: "3.2 km", "12 mi"."""
    if not isinstance(km, int | float):
        return ""
    value = km / KM_PER_MILE if unit == "mi" else km
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{shown} {'mi' if unit == 'mi' else 'km'}"


@register.filter(name="language_name")
def language_name_filter(code: str) -> str:
    """A language named in itself: "Español", "Tiếng Việt"."""
    return language_name(code)


@register.filter
def recurrence(schedule: Schedule) -> str:
    """How often a circle meets, in words: "Every other Tuesday"."""
    return wording.recurrence(schedule)


@register.filter
def in_words(schedules: list[Schedule]) -> list[wording.ScheduleInWords]:
    """A circle's schedules, one phrase per rhythm: "On the second and fourth Tuesday of
    the month at 6:30 pm"."""
    return wording.schedules_in_phrases(schedules)


@register.filter
def seats(left: int) -> str:
    """Seats left in words, as the cached pages fill them in ("3 seats left")."""
    return wording.seats_text(left)


@register.simple_tag
def seats_of_capacity(meetup: object) -> SafeString:
    """Seats left out of the capacity on a meetup's page ("3 of 12 seats left")."""
    return wording.seats_of_capacity(meetup.seats_left, meetup.capacity)
