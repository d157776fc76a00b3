"""A circle's schedule becomes meetups, weeks ahead, in the circle's own timezone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from circles.models import Circle, Schedule
from meetups import services, tasks
from meetups.models import Meetup
from tests.factories import ScheduleFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def _before_the_2030_schedules() -> Iterator[None]:
    """The schedules here start in 2030 and meetups are never made in the past, so the
    clock is pinned before them: the real date never decides what these tests see."""
    with time_machine.travel(dt.datetime(2029, 12, 1, tzinfo=dt.UTC), tick=False):
        yield


def local_starts(schedule: Schedule) -> list[dt.datetime]:
    return [m.starts_at.astimezone(CHICAGO) for m in schedule.meetups.order_by("starts_at")]


def test_weekly_schedule_keeps_local_time_across_spring_forward(circle):
    """US daylight saving starts on Sunday 10 March 2030."""
    schedule = ScheduleFactory(
        circle=circle, weekday=3, start_time=dt.time(18, 30), starts_on=dt.date(2030, 2, 28)
    )

    created = services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 21))

    starts = local_starts(schedule)
    assert created == 4
    assert [s.date() for s in starts] == [
        dt.date(2030, 2, 28),
        dt.date(2030, 3, 7),
        dt.date(2030, 3, 14),
        dt.date(2030, 3, 21),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(18, 30)}
    assert [s.utcoffset() for s in starts] == [dt.timedelta(hours=-6)] * 2 + [
        dt.timedelta(hours=-5)
    ] * 2


def test_meetups_copy_venue_capacity_and_duration(circle):
    schedule = ScheduleFactory(
        circle=circle, capacity=7, duration_minutes=120, starts_on=dt.date(2030, 3, 4)
    )

    services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 10))

    [meetup] = schedule.meetups.all()
    assert meetup.circle == circle
    assert meetup.venue == schedule.venue
    assert meetup.capacity == 7
    assert meetup.ends_at - meetup.starts_at == dt.timedelta(minutes=120)


def test_every_other_week_keeps_its_rhythm_from_the_first_date(circle):
    schedule = ScheduleFactory(
        circle=circle,
        frequency=Schedule.Frequency.BIWEEKLY,
        weekday=0,
        starts_on=dt.date(2030, 4, 1),
    )

    services.extend_schedule(schedule=schedule, until=dt.date(2030, 5, 13))

    assert [s.date() for s in local_starts(schedule)] == [
        dt.date(2030, 4, 1),
        dt.date(2030, 4, 15),
        dt.date(2030, 4, 29),
        dt.date(2030, 5, 13),
    ]


def test_monthly_on_the_second_tuesday(circle):
    schedule = ScheduleFactory(
        circle=circle,
        frequency=Schedule.Frequency.MONTHLY,
        weekday=1,
        week_of_month=2,
        starts_on=dt.date(2030, 1, 1),
    )

    services.extend_schedule(schedule=schedule, until=dt.date(2030, 4, 30))

    assert [s.date() for s in local_starts(schedule)] == [
        dt.date(2030, 1, 8),
        dt.date(2030, 2, 12),
        dt.date(2030, 3, 12),
        dt.date(2030, 4, 9),
    ]


def test_monthly_on_the_last_friday(circle):
    schedule = ScheduleFactory(
        circle=circle,
        frequency=Schedule.Frequency.MONTHLY,
        weekday=4,
        week_of_month=-1,
        starts_on=dt.date(2030, 1, 1),
    )

    services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 31))

    assert [s.date() for s in local_starts(schedule)] == [
        dt.date(2030, 1, 25),
        dt.date(2030, 2, 22),
        dt.date(2030, 3, 29),
    ]


def test_running_twice_creates_nothing_new_and_records_how_far(circle):
    schedule = ScheduleFactory(circle=circle, starts_on=dt.date(2030, 3, 4))

    first = services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 31))
    second = services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 31))

    assert (first, second) == (4, 0)
    assert Meetup.objects.filter(schedule=schedule).count() == 4
    schedule.refresh_from_db()
    assert schedule.generated_through == dt.date(2030, 3, 31)


def test_cancelled_meetup_is_not_recreated(circle, facilitator):
    schedule = ScheduleFactory(circle=circle, starts_on=dt.date(2030, 3, 4))
    services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 10))
    services.cancel_meetup(meetup=schedule.meetups.get(), by=facilitator)

    assert services.extend_schedule(schedule=schedule, until=dt.date(2030, 3, 10)) == 0
    assert schedule.meetups.get().status == Meetup.Status.CANCELLED


def test_schedule_end_date_and_past_dates_are_respected(circle):
    past = ScheduleFactory(circle=circle, starts_on=dt.date(2020, 1, 1))
    ending = ScheduleFactory(
        circle=circle, starts_on=dt.date(2030, 3, 4), until=dt.date(2030, 3, 12)
    )

    services.extend_schedule(schedule=past, until=dt.date(2020, 3, 1))
    services.extend_schedule(schedule=ending, until=dt.date(2030, 6, 1))

    assert not past.meetups.exists()
    assert ending.meetups.count() == 2


def test_extend_all_schedules_fills_eight_weeks_for_active_circles(circle):
    active = ScheduleFactory(circle=circle)
    archived = ScheduleFactory(circle__status=Circle.Status.ARCHIVED)

    created = services.extend_all_schedules(weeks=8)

    assert created == active.meetups.count()
    assert 8 <= created <= 9
    assert not archived.meetups.exists()
    assert services.extend_all_schedules(weeks=8) == 0


def test_daily_task_extends_to_eight_weeks_ahead(circle):
    schedule = ScheduleFactory(circle=circle)

    created = tasks.extend_all_schedules.delay().get()

    schedule.refresh_from_db()
    today = timezone.now().astimezone(circle.tz).date()
    assert schedule.generated_through == today + dt.timedelta(weeks=8)
    assert created == schedule.meetups.count() >= 8
