"""A seeker browses circles by place, topic, day, time, format, language, access and words."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circles.models import Circle
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    ScheduleFactory,
    TopicFactory,
    VenueFactory,
)

BATON_ROUGE = (30.44332, -91.18747)
NEW_ORLEANS = (29.95465, -90.07507)
LAFAYETTE = (30.22409, -92.01984)

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """Names of the circles listed: nearby ones, then the online ones beside them."""
    shown = response.context["results"] + response.context["online_results"]
    return [c.name for c in shown]


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Spherical law of cosines: a formula independent of the haversine the site uses."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    cos_angle = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(
        lng2 - lng1
    )
    return 6371.0088 * math.acos(cos_angle)


def test_circles_near_a_place_are_nearest_first_and_far_ones_left_out(client: Client) -> None:
    CircleFactory(name="Downtown", lat=30.4515, lng=-91.1871)
    CircleFactory(name="Prairieville", lat=30.3030, lng=-90.9718)
    CircleFactory(name="New Orleans", lat=NEW_ORLEANS[0], lng=NEW_ORLEANS[1])

    response = client.get("/circles/", {"near": "Baton Rouge", "radius": "50", "unit": "km"})

    assert response.status_code == 200
    assert names(response) == ["Downtown", "Prairieville"]
    assert "2 circles found within 50 km of Baton Rouge, LA" in response.content.decode()


def test_distance_is_within_one_percent_of_the_great_circle(client: Client) -> None:
    CircleFactory(name="New Orleans", lat=NEW_ORLEANS[0], lng=NEW_ORLEANS[1])

    response = client.get("/circles/", {"near": "Baton Rouge", "radius": "200", "unit": "km"})

    [circle] = response.context["results"]
    expected = great_circle_km(BATON_ROUGE, NEW_ORLEANS)
    assert 100 < expected < 125
    assert abs(circle.distance_km - expected) / expected < 0.01
    assert f"{expected:.0f} km away" in response.content.decode()


def test_miles_convert_the_radius_and_the_distances_shown(client: Client) -> None:
    CircleFactory(name="Lafayette", lat=LAFAYETTE[0], lng=LAFAYETTE[1])
    expected_miles = great_circle_km(BATON_ROUGE, LAFAYETTE) / 1.609344

    inside = client.get("/circles/", {"near": "Baton Rouge", "radius": "60", "unit": "mi"})
    outside = client.get("/circles/", {"near": "Baton Rouge", "radius": "40", "unit": "mi"})

    assert 45 < expected_miles < 60
    assert names(inside) == ["Lafayette"]
    assert f"{expected_miles:.0f} mi away" in inside.content.decode()
    assert names(outside) == []


def test_online_circles_come_after_in_person_ones_whatever_the_distance(client: Client) -> None:
    CircleFactory(name="Online parents", format=Circle.Format.ONLINE, lat=None, lng=None)
    CircleFactory(name="Downtown", lat=30.4515, lng=-91.1871)
    CircleFactory(name="Hybrid far", format=Circle.Format.HYBRID, lat=40.7, lng=-74.0)

    response = client.get("/circles/", {"near": "Baton Rouge"})

    assert names(response) == ["Downtown", "Online parents"]
    assert "Online</span>" in response.content.decode()


def test_equally_near_circles_are_ordered_by_next_meetup(client: Client) -> None:
    later = CircleFactory(name="Later")
    sooner = CircleFactory(name="Sooner")
    CircleFactory(name="None planned")
    MeetupFactory(circle=later, starts_at=timezone.now() + dt.timedelta(days=5))
    MeetupFactory(circle=sooner, starts_at=timezone.now() + dt.timedelta(days=1))
    MeetupFactory(
        circle=sooner, starts_at=timezone.now() - dt.timedelta(days=1)
    )  # already happened

    response = client.get("/circles/", {"near": "Baton Rouge"})

    assert names(response) == ["Sooner", "Later", "None planned"]


def test_each_result_shows_its_next_meetup_in_the_circles_timezone(client: Client) -> None:
    circle = CircleFactory(name="Grief", timezone="America/Chicago")
    venue = VenueFactory(name="Magnolia Coffee")
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    day = timezone.now().astimezone(chicago).date() + dt.timedelta(days=2)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    local_start = dt.datetime.combine(day, dt.time(18, 30), tzinfo=chicago)
    meetup = MeetupFactory(circle=circle, venue=venue, starts_at=local_start.astimezone(dt.UTC))
    meetup.capacity, meetup.going_count = 10, 7
    meetup.save()

    response = client.get("/circles/", {"near": "Baton Rouge"})

    page = response.content.decode()
    # A card says the day and date (the meetup is two to eight days away).
    assert f"Tue {day.day} {day:%b} 6:30 pm" in page
    assert "Magnolia Coffee" in page
    assert "3 seats left" in page
    assert f"/meetups/{meetup.pk}/" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": ["grief"]}, ["Grief on Tuesday evening"]),
        ({"topic": ["grief", "caregivers"]}, ["Grief on Tuesday evening", "Carers on Saturday"]),
        ({"day": "tue"}, ["Grief on Tuesday evening"]),
        ({"day": "sat"}, ["Carers on Saturday"]),
        ({"time": "morning"}, ["Carers on Saturday"]),
        ({"time": "evening"}, ["Grief on Tuesday evening"]),
        ({"time": "night"}, ["Night owls"]),
        ({"format": "online"}, ["Night owls"]),
        ({"format": "in_person"}, ["Grief on Tuesday evening", "Carers on Saturday"]),
        ({"language": "es"}, ["Night owls"]),
        ({"access": ["step_free"]}, ["Carers on Saturday"]),
        ({"access": ["step_free", "sign_language"]}, []),
        ({"q": "LOSS"}, ["Grief on Tuesday evening"]),
        ({"q": "caregiving"}, ["Carers on Saturday"]),
        ({"q": "owls"}, ["Night owls"]),
    ],
)
def test_each_filter_narrows_the_results(client: Client, params: dict, expected: list) -> None:
    grief = TopicFactory(name="Grief and loss", slug="grief")
    carers = TopicFactory(name="Caregiving", slug="caregivers")
    tuesday = CircleFactory(name="Grief on Tuesday evening", topics=[grief])
    ScheduleFactory(circle=tuesday, weekday=1, start_time=dt.time(18, 30))
    saturday = CircleFactory(name="Carers on Saturday", topics=[carers], step_free=True)
    saturday.lat = 30.5
    saturday.save()
    ScheduleFactory(circle=saturday, weekday=5, start_time=dt.time(10, 0))
    online = CircleFactory(
        name="Night owls", format=Circle.Format.ONLINE, lat=None, lng=None, language="es"
    )
    ScheduleFactory(circle=online, weekday=3, start_time=dt.time(23, 0), venue=None)

    response = client.get("/circles/", {"near": "Baton Rouge", **params})

    assert response.status_code == 200
    assert names(response) == expected


def test_today_is_the_weekday_in_the_searched_places_timezone(client: Client) -> None:
    circles = {}
    for weekday in range(7):
        circles[weekday] = CircleFactory(name=f"Day {weekday}")
        ScheduleFactory(circle=circles[weekday], weekday=weekday)
    today_in_honolulu = dt.datetime.now(zoneinfo.ZoneInfo("Pacific/Honolulu")).weekday()
    for circle in circles.values():
        circle.lat, circle.lng = 21.30694, -157.85833
        circle.timezone = "Pacific/Honolulu"
        circle.save()

    response = client.get("/circles/", {"near": "Honolulu", "day": "today"})

    assert names(response) == [f"Day {today_in_honolulu}"]


def test_unlisted_and_archived_circles_never_appear(client: Client) -> None:
    CircleFactory(name="Listed")
    CircleFactory(name="Unlisted", visibility=Circle.Visibility.UNLISTED)
    CircleFactory(name="Archived", status=Circle.Status.ARCHIVED)

    near = client.get("/circles/", {"near": "Baton Rouge"})
    everywhere = client.get("/circles/")

    assert names(near) == ["Listed"]
    assert names(everywhere) == ["Listed"]


def test_results_come_twenty_to_a_page(client: Client, settings) -> None:
    settings.BROWSE_PAGE_SIZE = 20
    for n in range(25):
        CircleFactory(name=f"Circle {n:02d}", lat=30.4433 + n / 1000)

    first = client.get("/circles/", {"near": "Baton Rouge"})
    second = client.get("/circles/", {"near": "Baton Rouge", "page": "2"})
    beyond = client.get("/circles/", {"near": "Baton Rouge", "page": "99"})

    assert names(first) == [f"Circle {n:02d}" for n in range(20)]
    assert names(second) == [f"Circle {n:02d}" for n in range(20, 25)]
    assert names(beyond) == names(second)
    assert "25 circles found" in first.content.decode()
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_the_number_of_queries_does_not_grow_with_the_results(
    client: Client, settings, htmx: bool
) -> None:
    settings.BROWSE_CACHE_SECONDS = 0
    topic = TopicFactory(slug="grief")
    headers = {"HX-Request": "true"} if htmx else {}

    def queries_for(count: int) -> int:
        Circle.objects.all().delete()
        for n in range(count):
            circle = CircleFactory(topics=[topic, TopicFactory()], lat=30.44 + n / 1000)
            MeetupFactory(circle=circle)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/circles/", {"near": "Baton Rouge", "topic": "grief"}, headers=headers
            )
        assert response.status_code == 200
        assert len(response.context["results"]) == min(count, 20)
        return len(queries)

    assert queries_for(3) == queries_for(30)
    assert queries_for(3) <= 6


def test_htmx_gets_only_the_results_and_the_page_varies_on_it(client: Client) -> None:
    CircleFactory(name="Downtown")

    full = client.get("/circles/", {"near": "Baton Rouge"})
    partial = client.get("/circles/", {"near": "Baton Rouge"}, headers={"HX-Request": "true"})
    back = client.get(
        "/circles/",
        {"near": "Baton Rouge"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in full.content.decode()
    assert 'id="circle-search"' in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body
    assert 'id="circle-search"' not in body
    assert 'id="results"' in body
    assert "Downtown" in body
    assert 'hx-swap-oob="innerHTML"' in body
    assert "<html" in back.content.decode()
    assert "HX-Request" in full["Vary"]
    assert "HX-Request" in partial["Vary"]


def test_the_map_gets_a_marker_for_each_in_person_result(client: Client) -> None:
    CircleFactory(name="Downtown", lat=30.4515, lng=-91.1871)
    CircleFactory(name="Online", format=Circle.Format.ONLINE, lat=None, lng=None)

    response = client.get("/circles/", {"near": "Baton Rouge"})

    [marker] = response.context["markers"]
    assert (marker["name"], marker["lat"], marker["lng"]) == ("Downtown", 30.4515, -91.1871)
    page = response.content.decode()
    assert 'id="map-markers"' in page
    assert 'id="map"' in page
    assert "data-tile-url=" in page


def test_a_few_online_circles_show_beside_nearby_ones_with_a_link_to_all(client: Client) -> None:
    CircleFactory(name="Downtown")
    for n in range(7):
        CircleFactory(name=f"Online {n}", format=Circle.Format.ONLINE, lat=None, lng=None)

    first = client.get("/circles/", {"near": "Baton Rouge"})
    all_online = client.get("/circles/", {"near": "Baton Rouge", "format": "online"})

    assert [c.name for c in first.context["results"]] == ["Downtown"]
    assert [c.name for c in first.context["online_results"]] == [
        f"Online {n}" for n in (6, 5, 4, 3, 2)
    ]
    assert 'href="?near=Baton+Rouge&amp;format=online"' in first.content.decode()
    assert [c.name for c in all_online.context["results"]] == [
        f"Online {n}" for n in range(6, -1, -1)
    ]
    assert all_online.context["online_results"] == []


def test_without_a_place_every_listed_circle_shows_newest_first(client: Client) -> None:
    CircleFactory(name="Older in person")
    CircleFactory(name="Newer online", format=Circle.Format.ONLINE, lat=None, lng=None)

    response = client.get("/circles/")

    assert names(response) == ["Newer online", "Older in person"]
    assert "2 circles found." in response.content.decode()
    assert response.context["markers"][0]["name"] == "Older in person"
