"""How times, distances and seats read on circle pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils.safestring import SafeString

from circles.cache import seat_mark, seats_text
from circles.forms import KM_PER_MILE
from circles.models import Schedule

register = template.Library()


@register.filter
def clock(value: dt.time | dt.datetime) -> str:
    """A time of day the way people say it: "6:30 pm", "12:00 pm"."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


@register.filter
def local_time(value: dt.datetime | None, tz: str) -> str:
    """A moment in the circle's own timezone, short: "Tue 6:30 pm CST"."""
    if value is None:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{local:%a} {clock(local)} {local:%Z}"


@register.filter
def local_date_time(value: dt.datetime | None, tz: str) -> str:
    """A moment in the circle's own timezone, in full: "Tuesday 24 November, 6:30 pm CST"."""
    if value is None:
        return ""
    local = value.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{local:%A} {local.day} {local:%B}, {clock(local)} {local:%Z}"


@register.filter
def duration(minutes: int) -> str:
    """ "1 hour", "2 hours", "90 minutes"."""
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours > 1 else ''}"


@register.filter
def distance(km: float | None, unit: str) -> str:
    """A distance in the unit the person searched with: "3.2 km", "12 mi"."""
    if not isinstance(km, int | float):
        return ""
    value = km / KM_PER_MILE if unit == "mi" else km
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{shown} {'mi' if unit == 'mi' else 'km'}"


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


@register.filter
def recurrence(schedule: Schedule) -> str:
    """How often a circle meets, in words: "Every other Tuesday"."""
    day = WEEKDAYS[schedule.weekday]
    if schedule.frequency == Schedule.Frequency.BIWEEKLY:
        return f"Every other {day}"
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        return f"The {ORDINALS.get(schedule.week_of_month, 'first')} {day} of each month"
    return f"Every {day}"


@register.simple_tag
def seats_left(meetup_id: int) -> SafeString:
    """ "3 seats left" or "full, waitlist open" on the cached browse and home pages: a mark
    that circles.cache fills in when the page is served, so RSVPs don't make it stale."""
    return seat_mark(meetup_id)


@register.filter
def seats(left: int) -> str:
    """Seats left in words, as the cached pages fill them in ("3 seats left")."""
    return seats_text(left)
