"""How the site words times, schedules and seats: one definition of each.

Templates reach these through circles' template filters; emails, the Meeting Guide feed,
calendar entries and the demo data call them directly. Times are shown in a circle's own
timezone (the caller passes it), the way people say them: "6:30 pm", "Tue 6:30 pm CST",
"Tuesday 24 November, 6:30 pm CST"; cards and lists say the real day ("Today 6:30 pm",
"Tomorrow 10:00 am", "Thu 7 Jan 10:00 am": `when`); a message to one person (a reminder)
uses their own zone (`reader_zone`) and adds the circle's local time when it differs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext

from circles.models import WEEKS_OF_MONTH, Schedule, month_week_order

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINALS = dict(zip(WEEKS_OF_MONTH, ("first", "second", "third", "fourth", "last"), strict=True))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def clock(value: dt.time | dt.datetime) -> str:
    """A time of day: "6:30 pm", "12:00 pm", "9:05 am"."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


def _local(moment: dt.datetime, tz: str | zoneinfo.ZoneInfo) -> dt.datetime:
    zone = tz if isinstance(tz, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(tz)
    return moment.astimezone(zone)


def reader_zone(person_zone: str | None, circle_zone: str) -> zoneinfo.ZoneInfo:
    """The zone a person reads a meetup's time in, in messages sent to them alone (a
    reminder): their own (`accounts.User.timezone`, set from their home place at signup and
    changed in their settings) when they have a valid one, else the circle's."""
    if person_zone:
        try:
            return zoneinfo.ZoneInfo(person_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass  # not a zone (the field is validated on forms, not on every write)
    return zoneinfo.ZoneInfo(circle_zone)


def short_when(moment: dt.datetime | None, tz: str | zoneinfo.ZoneInfo) -> str:
    """A moment in a timezone, short, for lists: "Tue 6:30 pm CST"."""
    if moment is None:
        return ""
    local = _local(moment, tz)
    return f"{local:%a} {clock(local)} {local:%Z}"


# Further ahead than this, a card's date also says the year.
YEAR_SHOWN_AFTER = dt.timedelta(days=300)


def when(
    moment: dt.datetime | None,
    tz: str | zoneinfo.ZoneInfo,
    *,
    with_zone: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """A moment for cards and lists, with its real day as seen in `tz`: "Today 6:30 pm",
    "Tomorrow 10:00 am", "Thu 7 Jan 10:00 am" (and the year when it is more than about
    ten months away), so a monthly circle's next meetup never reads as this week's.
    `with_zone` adds the zone's abbreviation ("… 6:30 pm CST"): for an online circle
    shown in the reader's zone rather than where the circle is."""
    if moment is None:
        return ""
    local = _local(moment, tz)
    now = now or timezone.now()
    today = _local(now, tz).date()
    time = clock(local)
    if local.date() == today:
        text = gettext("Today %(time)s") % {"time": time}
    elif local.date() == today + dt.timedelta(days=1):
        text = gettext("Tomorrow %(time)s") % {"time": time}
    else:
        day = dateformat.format(local, "D j M")
        if moment - now > YEAR_SHOWN_AFTER:
            day = f"{day} {local.year}"
        text = f"{day} {time}"
    return f"{text} {local:%Z}" if with_zone else text


def zone_words(tz: str | zoneinfo.ZoneInfo) -> str:
    """A time zone as people say it in running text, "Chicago time", instead of its IANA
    name "America/Chicago"."""
    key = tz.key if isinstance(tz, zoneinfo.ZoneInfo) else str(tz)
    place = key.rsplit("/", 1)[-1].replace("_", " ")
    return gettext("%(place)s time") % {"place": place}


def ago(moment: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long ago something happened: "just now" within the first minute (never "0
    minutes ago"), then "5 minutes ago", "2 days ago"."""
    now = now or timezone.now()
    if now - moment < dt.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(moment, now)}


def long_when(moment: dt.datetime | None, tz: str | zoneinfo.ZoneInfo) -> str:
    """A moment in a timezone, in full, for pages and emails: "Tuesday 24 November,
    6:30 pm CST"."""
    if moment is None:
        return ""
    local = _local(moment, tz)
    return f"{local:%A} {local.day} {local:%B}, {clock(local)} {local:%Z}"


def day_and_date(moment: dt.datetime, tz: str | zoneinfo.ZoneInfo) -> str:
    """The local day of a moment, short, for email subjects: "Tue 3 Mar"."""
    local = _local(moment, tz)
    return f"{local:%a} {local.day} {local:%b}"


def duration(minutes: int) -> str:
    """How long a meetup lasts: "1 hour", "2 hours", "90 minutes"."""
    if minutes % 60:
        return _plural(minutes, "minute")
    return _plural(minutes // 60, "hour")


def recurrence(schedule: Schedule) -> str:
    """How often a schedule meets, starting a sentence: "Every Tuesday", "Every other
    Tuesday", "On the last Tuesday of the month". Every other week and a monthly weekday
    are told apart in words; "biweekly" is never used, since people read it both ways."""
    day = WEEKDAYS[schedule.weekday]
    if schedule.frequency == Schedule.Frequency.BIWEEKLY:
        return f"Every other {day}"
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        return f"On the {ORDINALS.get(schedule.week_of_month or 1, 'first')} {day} of the month"
    return f"Every {day}"


def recurrence_in_sentence(schedule: Schedule) -> str:
    """The same inside a sentence: "meets every other Tuesday"."""
    words = recurrence(schedule)
    return words[0].lower() + words[1:]


def when_it_meets(schedule: Schedule) -> str:
    """A schedule in a sentence, with its local start time: "every other Tuesday at
    6:30 pm"."""
    return f"{recurrence_in_sentence(schedule)} at {clock(schedule.start_time)}"


@dataclass(frozen=True)
class ScheduleInWords:
    """One rhythm of a circle in words, and the schedule row whose venue and duration
    stand for it (the rows of one rhythm share both)."""

    words: str
    schedule: Schedule


def _listed(words: list[str]) -> str:
    """ "first", "first and third", "first, third and last"."""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def schedules_in_phrases(schedules: Iterable[Schedule]) -> list[ScheduleInWords]:
    """A circle's schedules as people say them, one phrase per rhythm, in the order given.

    Monthly rows on the same weekday, time, duration and venue are one rhythm ("every 2nd
    and 4th Tuesday" is stored as one monthly row per week): "On the second and fourth
    Tuesday of the month at 6:30 pm". Every other row is a phrase of its own: "Every
    Tuesday at 6:30 pm", "Every other Tuesday at 6:30 pm" (never "biweekly").
    """
    groups: dict[object, list[Schedule]] = {}
    for schedule in schedules:
        if schedule.frequency == Schedule.Frequency.MONTHLY:
            key: object = (
                schedule.weekday,
                schedule.start_time,
                schedule.duration_minutes,
                schedule.venue_id,
            )
        else:
            key = id(schedule)
        groups.setdefault(key, []).append(schedule)
    phrases = []
    for rows in groups.values():
        first = rows[0]
        if first.frequency == Schedule.Frequency.MONTHLY:
            weeks = sorted({row.week_of_month or 1 for row in rows}, key=month_week_order)
            ordinals = [ORDINALS[week] for week in weeks]
            rhythm = f"On the {_listed(ordinals)} {WEEKDAYS[first.weekday]} of the month"
        else:
            rhythm = recurrence(first)
        phrases.append(ScheduleInWords(f"{rhythm} at {clock(first.start_time)}", first))
    return phrases


def schedules_in_words(schedules: Iterable[Schedule]) -> list[str]:
    """Each rhythm of a circle in words: "On the second and fourth Tuesday of the month at
    6:30 pm", "Every other Tuesday at 6:30 pm" (see schedules_in_phrases)."""
    return [phrase.words for phrase in schedules_in_phrases(schedules)]


def seats_text(left: int | None) -> str:
    """Seats left at a meetup, short, wherever meetups are listed: "3 seats left", "1 seat
    left", "full, waitlist open". None (a meetup that no longer exists) reads as nothing."""
    if left is None:
        return ""
    if left > 0:
        return f"{_plural(left, 'seat')} left"
    return "full, waitlist open"


def seats_of_capacity(left: int, capacity: int) -> SafeString:
    """Seats left out of the capacity, on the meetup's own page: "<strong>3</strong> of 12
    seats left", "Full: all 12 seats taken"."""
    noun = "seat" if capacity == 1 else "seats"
    if left > 0:
        return format_html("<strong>{}</strong> of {} {} left", left, capacity, noun)
    return format_html("Full: all {} {} taken", capacity, noun)
