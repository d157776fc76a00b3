"""circles.wording: times, schedules and seats read the same on pages, in emails, in the
open data feed and in the demo data."""

from __future__ import annotations

import datetime as dt

import pytest

from circles import wording
from circles.models import Schedule

CHICAGO = "America/Chicago"


def test_times_of_day() -> None:
    assert wording.clock(dt.time(18, 30)) == "6:30 pm"
    assert wording.clock(dt.time(12, 0)) == "12:00 pm"
    assert wording.clock(dt.time(0, 5)) == "12:05 am"


def test_a_moment_in_the_circles_timezone_on_both_sides_of_a_dst_change() -> None:
    winter = dt.datetime(2026, 11, 24, 0, 30, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 7, 23, 30, tzinfo=dt.UTC)

    assert wording.short_when(winter, CHICAGO) == "Mon 6:30 pm CST"
    assert wording.long_when(winter, CHICAGO) == "Monday 23 November, 6:30 pm CST"
    assert wording.long_when(summer, CHICAGO) == "Tuesday 7 July, 6:30 pm CDT"
    assert wording.short_when(None, CHICAGO) == ""


@pytest.mark.parametrize(
    ("frequency", "week", "words", "sentence"),
    [
        ("weekly", None, "Every Tuesday", "every Tuesday at 6:30 pm"),
        ("biweekly", None, "Every other Tuesday", "every other Tuesday at 6:30 pm"),
        ("monthly", 2, "On the second Tuesday of the month", None),
        ("monthly", -1, "On the last Tuesday of the month", None),
    ],
)
def test_schedules_in_words(
    frequency: str, week: int | None, words: str, sentence: str | None
) -> None:
    schedule = Schedule(
        frequency=frequency, weekday=1, week_of_month=week, start_time=dt.time(18, 30)
    )

    assert wording.recurrence(schedule) == words
    assert "biweekly" not in wording.when_it_meets(schedule).lower()
    if sentence:
        assert wording.when_it_meets(schedule) == sentence


def test_durations() -> None:
    assert [wording.duration(m) for m in (60, 120, 90, 1)] == [
        "1 hour",
        "2 hours",
        "90 minutes",
        "1 minute",
    ]


def test_seats() -> None:
    assert [wording.seats_text(n) for n in (3, 1, 0, None)] == [
        "3 seats left",
        "1 seat left",
        "full, waitlist open",
        "",
    ]
    assert wording.seats_of_capacity(11, 12) == "<strong>11</strong> of 12 seats left"
    assert wording.seats_of_capacity(0, 1) == "Full: all 1 seat taken"


# Cards and lists say the real day (wording.when)

NOW = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)  # Monday noon in Chicago


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (dt.datetime(2026, 12, 8, 0, 30, tzinfo=dt.UTC), "Today 6:30 pm"),
        (dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC), "Tomorrow 10:00 am"),
        # A monthly circle a month away reads as that day, not as "Thu" this week.
        (dt.datetime(2027, 1, 7, 16, 0, tzinfo=dt.UTC), "Thu 7 Jan 10:00 am"),
        (dt.datetime(2027, 12, 2, 16, 0, tzinfo=dt.UTC), "Thu 2 Dec 2027 10:00 am"),
    ],
)
def test_cards_say_the_real_day(moment: dt.datetime, words: str) -> None:
    assert wording.when(moment, CHICAGO, now=NOW) == words


def test_today_is_the_day_where_the_reader_is() -> None:
    # 11 pm in Chicago on Monday is already Tuesday in Paris.
    late = dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)

    assert wording.when(late, CHICAGO, now=NOW) == "Today 11:00 pm"
    assert wording.when(late, "Europe/Paris", now=NOW, with_zone=True) == "Tomorrow 6:00 am CET"
    assert wording.when(None, CHICAGO, now=NOW) == ""
