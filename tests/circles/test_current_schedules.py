"""Seekers see how a circle meets now: a schedule that ended (a series change ends the old
one the day before the new one starts) leaves the circle's page, the browse filters and the
Meeting Guide feed (one definition: ScheduleQuerySet.current)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from circles.models import Circle, Schedule
from hosting import services
from meetups.models import Meetup
from meetups.services import extend_schedule
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

TUESDAY, THURSDAY = 1, 3


@pytest.fixture
def moved_to_thursday_mornings(circle: Circle, facilitator) -> Circle:
    """A circle that met on Tuesday evenings and, from its second meetup on, meets on
    Thursday mornings: the Tuesday schedule has ended."""
    tuesdays = ScheduleFactory(circle=circle, weekday=TUESDAY, start_time=dt.time(18, 30))
    extend_schedule(schedule=tuesdays, until=tuesdays.starts_on + dt.timedelta(weeks=4))
    second = Meetup.objects.filter(schedule=tuesdays).order_by("starts_at")[1]
    services.change_series(
        meetup=second,
        by=facilitator,
        frequency=Schedule.Frequency.WEEKLY,
        weekday=THURSDAY,
        week_of_month=None,
        start_time=dt.time(10, 0),
        duration_minutes=90,
        venue=tuesdays.venue,
        capacity=12,
    )
    # Some days later, the old schedule's last day has passed everywhere on Earth.
    Schedule.objects.filter(pk=tuesdays.pk).update(until=circle.today() - dt.timedelta(days=2))
    return circle


def test_the_circle_page_shows_only_how_it_meets_now(
    client: Client, moved_to_thursday_mornings: Circle
) -> None:
    page = client.get(moved_to_thursday_mornings.get_absolute_url()).content.decode()

    assert "Every Thursday at 10:00 am" in page
    assert "Tuesday at 6:30 pm" not in page


def test_browse_filters_by_the_current_schedule(moved_to_thursday_mornings: Circle) -> None:
    circles = Circle.objects.all()

    assert list(circles.meeting_on(THURSDAY)) == [moved_to_thursday_mornings]
    assert not circles.meeting_on(TUESDAY).exists()
    assert list(circles.meeting_at("morning")) == [moved_to_thursday_mornings]
    assert not circles.meeting_at("evening").exists()


def test_browse_pages_filter_by_the_current_schedule(
    client: Client, moved_to_thursday_mornings: Circle
) -> None:
    name = moved_to_thursday_mornings.name

    assert name in client.get("/circles/?day=thu").content.decode()
    assert name not in client.get("/circles/?day=tue").content.decode()
    assert name not in client.get("/circles/?time=evening").content.decode()


def test_the_feed_lists_the_current_schedule_only(
    client: Client, moved_to_thursday_mornings: Circle
) -> None:
    entries = json.loads(client.get("/circles/feed.json").content)
    thursdays = moved_to_thursday_mornings.schedules.get(weekday=THURSDAY)

    # One row, the Thursday schedule's (the feed gives it a day and time only once its
    # next meetup falls on the date readers compute: see circles/feed.py).
    assert [entry["slug"] for entry in entries] == [
        f"{moved_to_thursday_mornings.slug}-{thursdays.pk}"
    ]


def test_a_schedule_ending_today_is_current_until_the_day_is_over(circle: Circle) -> None:
    today = circle.today()
    ends_today = ScheduleFactory(circle=circle, until=today)
    ended = ScheduleFactory(circle=circle, until=today - dt.timedelta(days=1))
    open_ended = ScheduleFactory(circle=circle, until=None)

    assert set(circle.schedules.current(today=today)) == {ends_today, open_ended}
    # Across circles, the date is the earliest it still is anywhere: nothing still meeting
    # today in its own zone is left out.
    assert ends_today in Schedule.objects.current()
    assert ended not in Schedule.objects.current(today=today)


def test_the_circle_page_drops_a_schedule_the_day_after_it_ends(
    client: Client, circle: Circle
) -> None:
    ScheduleFactory(circle=circle, weekday=TUESDAY, until=circle.today() - dt.timedelta(days=1))
    ScheduleFactory(circle=circle, weekday=THURSDAY, until=circle.today())

    page = client.get(circle.get_absolute_url()).content.decode()

    assert "Every Thursday" in page
    assert "Tuesday" not in page
