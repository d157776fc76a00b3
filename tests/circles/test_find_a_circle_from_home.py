"""The home page: a search box, and the meetups coming up near the person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from circles.models import Circle
from meetups.models import Meetup
from tests.factories import CircleFactory, MeetupFactory, TopicFactory, VenueFactory

pytestmark = pytest.mark.django_db


def test_home_searches_by_place_topic_and_day(client: Client) -> None:
    TopicFactory(name="Grief and loss", slug="grief")

    page = client.get("/").content.decode()

    assert 'action="/circles/"' in page
    assert 'name="near"' in page
    assert '<option value="grief">Grief and loss</option>' in page
    assert 'name="day"' in page


def test_signed_in_people_see_meetups_near_their_home_place(member, member_client) -> None:
    member.home_place, member.home_lat, member.home_lng = "Baton Rouge, LA", 30.44, -91.19
    member.save()
    near = CircleFactory(name="Mid City grief")
    far = CircleFactory(
        name="Seattle parents", lat=47.6, lng=-122.3, timezone="America/Los_Angeles"
    )
    online = CircleFactory(name="Online carers", format=Circle.Format.ONLINE, lat=None, lng=None)
    soon = timezone.now() + dt.timedelta(days=2)
    MeetupFactory(circle=near, venue=VenueFactory(name="Magnolia Coffee"), starts_at=soon)
    MeetupFactory(circle=far, starts_at=soon)
    MeetupFactory(circle=online, venue=None, starts_at=soon + dt.timedelta(hours=1))

    page = member_client.get("/").content.decode()

    assert "Coming up near Baton Rouge, LA" in page
    assert "Mid City grief" in page
    assert "Magnolia Coffee" in page
    assert "Online carers" in page
    assert "Seattle parents" not in page


def test_near_home_only_listed_scheduled_future_meetups_soonest_first(
    member, member_client
) -> None:
    member.home_place, member.home_lat, member.home_lng = "Baton Rouge, LA", 30.44, -91.19
    member.save()
    now = timezone.now()
    listed, unlisted, archived = (
        CircleFactory(name="Listed"),
        CircleFactory(name="Unlisted", visibility=Circle.Visibility.UNLISTED),
        CircleFactory(name="Archived", status=Circle.Status.ARCHIVED),
    )
    later = MeetupFactory(circle=listed, starts_at=now + dt.timedelta(days=3))
    sooner = MeetupFactory(circle=listed, starts_at=now + dt.timedelta(days=1))
    MeetupFactory(circle=listed, starts_at=now - dt.timedelta(days=1))
    MeetupFactory(circle=listed, status=Meetup.Status.CANCELLED)
    unlisted_online = CircleFactory(
        format=Circle.Format.ONLINE, visibility=Circle.Visibility.UNLISTED, lat=None, lng=None
    )
    for hidden in (unlisted, archived, unlisted_online):
        MeetupFactory(circle=hidden)

    response = member_client.get("/")

    assert [m["id"] for m in response.context["meetups"]] == [sooner.pk, later.pk]


def test_anonymous_visitors_see_what_is_coming_up_soon(client: Client) -> None:
    circle = CircleFactory(name="Mid City grief")
    hidden = CircleFactory(name="Quiet one", visibility=Circle.Visibility.UNLISTED)
    MeetupFactory(circle=circle)
    MeetupFactory(circle=hidden)

    page = client.get("/").content.decode()

    assert "Coming up soon" in page
    assert "Mid City grief" in page
    assert "Quiet one" not in page


def test_any_topic_from_the_home_search_means_every_topic(client: Client) -> None:
    CircleFactory(name="Mid City grief")

    response = client.get("/circles/", {"near": "Baton Rouge", "topic": "", "day": ""})

    assert response.status_code == 200
    assert [c.name for c in response.context["results"]] == ["Mid City grief"]
