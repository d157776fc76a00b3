"""Whatever someone types into the browse page, they get a clear message, never a 500,
and nothing they typed comes back unescaped."""

from __future__ import annotations

import pytest
from django.test import Client

from circles.models import Circle
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"near": "Baton Rouge", "radius": "1000000000", "unit": "km"},
            "Choose a distance from 1 to 500 km",
        ),
        ({"near": "Baton Rouge", "radius": "400", "unit": "mi"}, "from 1 to 311 mi"),
        (
            {"near": "Baton Rouge", "radius": "0", "unit": "km"},
            "Choose a distance from 1 to 500 km",
        ),
        ({"near": "Baton Rouge", "radius": "nan"}, "Enter a number"),
        ({"near": "Baton Rouge", "radius": "abc"}, "Enter a number"),
        ({"lat": "500", "lng": "10"}, "less than or equal to 90"),
        ({"lat": "30.4"}, "Your location came through incomplete"),
        ({"q": "x" * 10_000}, "at most 200 characters"),
        ({"q": "grief\x00"}, "Null characters are not allowed"),
        ({"near": "Baton\x00Rouge"}, "Null characters are not allowed"),
        ({"near": "\x00", "lat": "30.4", "lng": "-91.1"}, "Null characters are not allowed"),
        ({"lat": "nan", "lng": "inf"}, "Enter a number"),
        ({"day": "someday"}, "Select a valid choice"),
        ({"format": "carrier-pigeon"}, "Select a valid choice"),
        ({"topic": "no-such-topic"}, "Select a valid choice"),
        ({"page": "-1"}, "greater than or equal to 1"),
        ({"near": "Qwxzyplace"}, "We couldn&#x27;t find that place"),
    ],
)
def test_bad_input_gets_a_clear_message_and_a_400(client: Client, params, message) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/circles/", params, headers=headers)

        assert response.status_code == 400
        assert message in response.content.decode()


def test_an_ambiguous_place_offers_the_choices_as_links(client: Client) -> None:
    CircleFactory(name="Springfield circle", lat=39.80172, lng=-89.64371)

    response = client.get("/circles/", {"near": "Springfield", "topic": []})
    page = response.content.decode()
    chosen = client.get("/circles/", {"near": "Springfield, IL"})

    assert response.status_code == 400
    assert "More than one place has that name" in page
    assert 'href="?near=Springfield%2C+IL"' in page
    assert 'href="?near=Springfield%2C+MO"' in page
    assert [c.name for c in chosen.context["results"]] == ["Springfield circle"]


def test_sql_in_the_search_words_is_just_words(client: Client) -> None:
    CircleFactory(name="Downtown")

    response = client.get("/circles/", {"q": "' OR 1=1 --"})

    assert response.status_code == 200
    assert response.context["results"] == []
    assert Circle.objects.count() == 1


def test_markup_in_the_search_is_shown_escaped(client: Client) -> None:
    response = client.get("/circles/", {"q": "<script>alert(1)</script>"})
    long_place = client.get("/circles/", {"near": "<img src=x onerror=alert(1)>"})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    assert long_place.status_code == 400
    assert "<img src=x" not in long_place.content.decode()


def test_location_from_the_browser_searches_around_it(client: Client) -> None:
    CircleFactory(name="Downtown", lat=30.4515, lng=-91.1871)
    CircleFactory(name="New Orleans", lat=29.95465, lng=-90.07507)

    response = client.get("/circles/", {"lat": "30.45", "lng": "-91.18", "radius": "20"})

    assert response.status_code == 200
    assert [c.name for c in response.context["results"]] == ["Downtown"]
    assert "near your location" in response.content.decode()
