"""/circles/feed.json: listed circles in the Meeting Guide JSON format."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from circles.models import Circle, Schedule
from meetups.services import extend_schedule
from tests.factories import CircleFactory, MembershipFactory, ScheduleFactory, VenueFactory

SECRET_LINK = "https://video.example.org/private-room"
# On a video service meeting finders recognise (circles.feed.CONFERENCE_HOSTS).
PUBLIC_LINK = "https://zoom.us/j/5550100"

pytestmark = pytest.mark.django_db


def with_meetups(schedule: Schedule) -> Schedule:
    """The schedule's meetups for the next three weeks, as the daily extension makes them."""
    extend_schedule(schedule=schedule, until=dt.date.today() + dt.timedelta(weeks=3))
    return schedule


def fetch(client) -> list[dict]:
    response = client.get(reverse("circles:feed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    return response.json()


def test_one_entry_per_schedule_with_the_spec_fields(client, circle, member):
    venue = VenueFactory(
        name="Rosie's Coffee", address="12 Oak St, Baton Rouge, LA", lat=30.4515123, lng=-91.18
    )
    last_week = dt.date.today() - dt.timedelta(weeks=1)
    with_meetups(
        ScheduleFactory(
            circle=circle,
            weekday=1,
            start_time=dt.time(18, 30),
            duration_minutes=90,
            venue=venue,
            starts_on=last_week,
        )
    )
    with_meetups(
        ScheduleFactory(
            circle=circle, weekday=6, start_time=dt.time(10, 0), venue=venue, starts_on=last_week
        )
    )

    entries = fetch(client)

    assert len(entries) == 2
    tuesday = next(e for e in entries if e["day"] == 2)
    sunday = next(e for e in entries if e["day"] == 0)
    assert sunday["time"] == "10:00"
    for entry in entries:
        assert isinstance(entry["name"], str) and entry["name"]
        assert re.fullmatch(r"[a-z0-9-]{1,64}", entry["slug"])
        assert entry["day"] in range(7)
        assert re.fullmatch(r"\d\d:\d\d", entry["time"])
        assert re.fullmatch(r"\d\d:\d\d", entry["end_time"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", entry["updated"])
        assert isinstance(entry["types"], list)
    assert len({e["slug"] for e in entries}) == 2
    assert tuesday["name"] == circle.name
    assert (tuesday["time"], tuesday["end_time"]) == ("18:30", "20:00")
    assert tuesday["timezone"] == "America/Chicago"
    assert tuesday["formatted_address"] == "12 Oak St, Baton Rouge, LA"
    assert tuesday["location"] == "Rosie's Coffee"
    assert (tuesday["latitude"], tuesday["longitude"]) == (30.45151, -91.18)
    assert tuesday["url"].endswith(circle.get_absolute_url())
    assert "EN" in tuesday["types"]
    body = str(entries)
    assert member.display_name not in body
    assert member.email not in body


def test_unlisted_and_archived_circles_stay_out(client):
    ScheduleFactory(circle=CircleFactory(visibility=Circle.Visibility.UNLISTED))
    ScheduleFactory(circle=CircleFactory(status=Circle.Status.ARCHIVED))
    ScheduleFactory(circle=CircleFactory(), until=dt.date(2020, 1, 1))

    assert fetch(client) == []


def test_online_link_only_when_the_circle_publishes_it(client):
    private = CircleFactory(format=Circle.Format.ONLINE, online_url=SECRET_LINK)
    public = CircleFactory(
        format=Circle.Format.ONLINE, online_url=PUBLIC_LINK, online_url_public=True
    )
    ScheduleFactory(circle=private, venue=None)
    ScheduleFactory(circle=public, venue=None)

    response = client.get(reverse("circles:feed"))
    entries = {e["name"]: e for e in response.json()}

    assert SECRET_LINK not in response.content.decode()
    # Without a published link the row would read as inactive: it is left out.
    assert private.name not in entries
    assert entries[public.name]["conference_url"] == PUBLIC_LINK
    assert entries[public.name]["approximate"] == "yes"
    assert entries[public.name]["formatted_address"] == "Baton Rouge, LA"


def test_monthly_rhythm_is_spelled_out(client, circle):
    ScheduleFactory(
        circle=circle, frequency=Schedule.Frequency.MONTHLY, weekday=1, week_of_month=-1
    )

    [entry] = fetch(client)

    assert entry["notes"].startswith("Meets on the last Tuesday of the month.")


def test_query_count_does_not_grow_with_circles(client, django_assert_max_num_queries, settings):
    settings.BROWSE_CACHE_SECONDS = 0
    for _ in range(5):
        circle = CircleFactory()
        MembershipFactory(circle=circle)
        ScheduleFactory(circle=circle)

    with django_assert_max_num_queries(1):
        entries = fetch(client)

    assert len(entries) == 5
