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
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import dateformat, dates, timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from circles.models import Schedule, month_week_order

# The weekdays' English names, Monday first: the names the demo data and tests use for
# days. What a person reads is `weekday_name`, in their language.
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Which week of the month, as it reads before a weekday ("the last Tuesday").
ORDINALS = {
    1: pgettext_lazy("which week of the month, before a weekday", "first"),
    2: pgettext_lazy("which week of the month, before a weekday", "second"),
    3: pgettext_lazy("which week of the month, before a weekday", "third"),
    4: pgettext_lazy("which week of the month, before a weekday", "fourth"),
    -1: pgettext_lazy("which week of the month, before a weekday", "last"),
}
WEEKS_OF_THE_MONTH = {
    1: _("First week"),
    2: _("Second week"),
    3: _("Third week"),
    4: _("Fourth week"),
    -1: _("Last week"),
}


def weekday_name(number: int) -> str:
    """A weekday's name in the active language, Monday being 0: "Tuesday", "martes"."""
    return str(dates.WEEKDAYS[number])


def weekday_choices(*, start: int = 0) -> list[tuple[int, str]]:
    """(number, name) of each weekday, Monday numbered `start`, names in the language the
    form is shown in."""
    return [(number + start, dates.WEEKDAYS[number]) for number in range(7)]


def clock(value: dt.time | dt.datetime) -> str:
    """A time of day as the reader's language says it: "6:30 pm" (English), "18:30"
    (Spanish): the translation says which clock its readers use."""
    if pgettext("time of day: 12 reads 6:30 pm, 24 reads 18:30", "12") == "24":
        return f"{value.hour}:{value.minute:02d}"
    am_pm = pgettext("time of day", "am") if value.hour < 12 else pgettext("time of day", "pm")
    return f"{value.hour % 12 or 12}:{value.minute:02d} {am_pm}"


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
    return pgettext("a day and time, short: Tue 6:30 pm CST", "{weekday} {time} {zone}").format(
        weekday=dates.WEEKDAYS_ABBR[local.weekday()], time=clock(local), zone=f"{local:%Z}"
    )


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
    6:30 pm CST"; in Spanish "jueves 7 de enero, 10:00 CST"."""
    if moment is None:
        return ""
    local = _local(moment, tz)
    return pgettext(
        "a day and time in full: Tuesday 24 November, 6:30 pm CST",
        "{weekday} {day} {month}, {time} {zone}",
    ).format(
        weekday=dates.WEEKDAYS[local.weekday()],
        day=local.day,
        month=dates.MONTHS[local.month],
        time=clock(local),
        zone=f"{local:%Z}",
    )


def day_and_date(moment: dt.datetime, tz: str | zoneinfo.ZoneInfo) -> str:
    """The local day of a moment, short, for email subjects: "Tue 3 Mar"."""
    local = _local(moment, tz)
    return pgettext("a day, short: Tue 3 Mar", "{weekday} {day} {month}").format(
        weekday=dates.WEEKDAYS_ABBR[local.weekday()],
        day=local.day,
        month=capfirst(dates.MONTHS_3[local.month]),
    )


# The same, read in the language active where they are shown rather than where they are
# made: an email's context is built once for everyone it goes to, and each copy is
# rendered in its reader's language (accounts.notify.build_message). A message reads its
# time several times (subject, preheader, text, HTML) and a chunk of reminders mostly the
# same few times: the words depend on the moment, the zone and the language alone, so
# each is made once per process and kept (a few thousand at most).
@functools.lru_cache(maxsize=4096)
def _in_language(make: Callable[..., str], language: str | None, *args: object) -> str:
    return make(*args)


def _long_when_here(moment: dt.datetime | None, tz: str | zoneinfo.ZoneInfo) -> str:
    return _in_language(long_when, get_language(), moment, tz)


def _day_and_date_here(moment: dt.datetime, tz: str | zoneinfo.ZoneInfo) -> str:
    return _in_language(day_and_date, get_language(), moment, tz)


long_when_for_reader = lazy(_long_when_here, str)
day_and_date_for_reader = lazy(_day_and_date_here, str)


def duration(minutes: int) -> str:
    """How long a meetup lasts: "1 hour", "2 hours", "90 minutes"."""
    if minutes % 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = minutes // 60
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def recurrence(schedule: Schedule) -> str:
    """How often a schedule meets, starting a sentence: "Every Tuesday", "Every other
    Tuesday", "On the last Tuesday of the month". Every other week and a monthly weekday
    are told apart in words; "biweekly" is never used, since people read it both ways."""
    day = weekday_name(schedule.weekday)
    if schedule.frequency == Schedule.Frequency.BIWEEKLY:
        return gettext("Every other {day}").format(day=day)
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        week = ORDINALS.get(schedule.week_of_month or 1, ORDINALS[1])
        return gettext("On the {weeks} {day} of the month").format(weeks=week, day=day)
    return gettext("Every {day}").format(day=day)


def recurrence_in_sentence(schedule: Schedule) -> str:
    """The same inside a sentence: "meets every other Tuesday"."""
    words = recurrence(schedule)
    return words[0].lower() + words[1:]


def when_it_meets(schedule: Schedule) -> str:
    """A schedule in a sentence, with its local start time: "every other Tuesday at
    6:30 pm"."""
    return gettext("{rhythm} at {time}").format(
        rhythm=recurrence_in_sentence(schedule), time=clock(schedule.start_time)
    )


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
    return gettext("{items} and {last}").format(
        items=gettext(", ").join(words[:-1]), last=words[-1]
    )


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
            ordinals = [str(ORDINALS[week]) for week in weeks]
            rhythm = gettext("On the {weeks} {day} of the month").format(
                weeks=_listed(ordinals), day=weekday_name(first.weekday)
            )
        else:
            rhythm = recurrence(first)
        words = gettext("{rhythm} at {time}").format(rhythm=rhythm, time=clock(first.start_time))
        phrases.append(ScheduleInWords(words, first))
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
        return ngettext("%(count)d seat left", "%(count)d seats left", left) % {"count": left}
    return gettext("full, waitlist open")


def seats_of_capacity(left: int, capacity: int) -> SafeString:
    """Seats left out of the capacity, on the meetup's own page: "<strong>3</strong> of 12
    seats left", "Full: all 12 seats taken"."""
    if left > 0:
        return format_html(
            ngettext(
                "<strong>{left}</strong> of {capacity} seat left",
                "<strong>{left}</strong> of {capacity} seats left",
                capacity,
            ),
            left=left,
            capacity=capacity,
        )
    return format_html(
        ngettext("Full: all {capacity} seat taken", "Full: all {capacity} seats taken", capacity),
        capacity=capacity,
    )
