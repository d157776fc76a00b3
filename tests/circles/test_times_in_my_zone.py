"""Which zone a circle's page and a meetup's page say times in: an online circle's in the
signed-in viewer's own zone (the circle's on request, `?zone=circle`), an in-person or
hybrid circle's in its own; signed-out viewers read the circle's zone, named in words."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client

from circles.models import Circle
from tests.factories import CircleFactory, MeetupFactory, UserFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
STARTS = dt.datetime(2030, 6, 4, 18, 30, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _a_week_before() -> object:
    """The meetup is a week ahead whatever the real date (it must be upcoming)."""
    with time_machine.travel(STARTS - dt.timedelta(days=7), tick=True):
        yield


def meets(circle: Circle) -> None:
    MeetupFactory(
        circle=circle, venue=None, starts_at=STARTS, ends_at=STARTS + dt.timedelta(hours=1)
    )


@pytest.fixture
def online() -> Circle:
    circle = CircleFactory(
        format=Circle.Format.ONLINE,
        online_url="https://meet.example.org/a",
        area_name="",
        lat=None,
        lng=None,
    )
    meets(circle)
    return circle


@pytest.fixture
def londoner_client() -> Client:
    client = Client()
    client.force_login(UserFactory(timezone="Europe/London"))
    return client


def test_an_online_circle_reads_in_my_zone_and_in_its_own_on_request(londoner_client, online):
    mine = londoner_client.get(online.get_absolute_url()).content.decode()
    theirs = londoner_client.get(online.get_absolute_url() + "?zone=circle").content.decode()

    assert "Wednesday 5 June, 12:30 am BST" in mine
    assert "Times are in your time (London time)." in mine
    assert 'href="?zone=circle"' in mine
    assert "Tuesday 4 June, 6:30 pm CDT" in theirs
    assert "Times are in the circle's time (Chicago time)." in theirs
    assert "America/Chicago" not in mine + theirs


def test_an_unlisted_circles_invite_stays_in_the_zone_link(londoner_client, online):
    Circle.objects.filter(pk=online.pk).update(visibility=Circle.Visibility.UNLISTED)
    url = f"{online.get_absolute_url()}?invite={online.invite_token}"

    page = londoner_client.get(url).content.decode()

    assert f'href="?invite={online.invite_token}&amp;zone=circle"' in page


@pytest.mark.parametrize("zone", ["<script>x</script>", "mine", "\x00", "circle" * 1000])
def test_an_unknown_zone_choice_reads_in_my_zone(londoner_client, online, zone):
    response = londoner_client.get(online.get_absolute_url(), {"zone": zone})

    assert response.status_code == 200
    assert "Wednesday 5 June, 12:30 am BST" in response.content.decode()
    assert "<script>x</script>" not in response.content.decode()


def test_signed_out_viewers_read_the_circles_zone_in_words(client, online):
    page = client.get(online.get_absolute_url()).content.decode()

    assert "Tuesday 4 June, 6:30 pm CDT" in page
    assert "Times are in the circle's time (Chicago time)." in page
    assert "zone=circle" not in page


def test_an_in_person_circle_keeps_its_own_zone(londoner_client):
    circle = CircleFactory()
    meets(circle)

    page = londoner_client.get(circle.get_absolute_url()).content.decode()

    assert "Tuesday 4 June, 6:30 pm CDT" in page
    assert "zone=circle" not in page and "Times are in your time" not in page


def test_an_online_meetup_reads_in_my_zone_with_the_circles_beneath(londoner_client, online):
    meetup = online.meetups.get()

    page = londoner_client.get(meetup.get_absolute_url()).content.decode()

    assert "12:30 am" in page and "(London time)" in page
    assert "That's Tuesday 4 June, 6:30 pm CDT in the circle's time (Chicago time)." in page
    assert "where you are" not in page
