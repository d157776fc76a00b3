"""Search the way people type places: a US ZIP code resolves offline (the `zipcodes`
package ships the data), distances default to the units of the place (miles in the US),
and a name several countries share prefers the country the site serves."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.places import resolve_place
from tests.factories import CircleFactory, MeetupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["70808", "70808-1234", "Baton Rouge, LA 70808", " 70808 "])
def test_a_zip_code_resolves_offline_to_its_town(typed: str) -> None:
    [place] = resolve_place(typed)

    assert place.name == "Baton Rouge, LA 70808"
    assert (round(place.lat, 1), round(place.lng, 1)) == (30.4, -91.1)
    assert (place.timezone, place.country) == ("America/Chicago", "US")
    assert resolve_place(place.name) == [place]  # the name resolves back to itself


@pytest.mark.parametrize("typed", ["00000", "99999", "7080", "708081"])
def test_a_zip_code_that_does_not_exist_finds_nothing(typed: str) -> None:
    assert resolve_place(typed) == []


def test_a_search_by_zip_code_answers_in_miles(client: Client) -> None:
    circle = CircleFactory(name="Grief Circle Mid City")
    MeetupFactory(circle=circle)

    response = client.get("/circles/", {"near": "70808"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Within 15 miles of Baton Rouge, LA 70808" in html
    assert "Grief Circle Mid City" in html
    assert "miles away" in html or "mi away" in html


def test_outside_the_us_distances_are_in_km(client: Client) -> None:
    html = client.get("/circles/", {"near": "Paris, France"}).content.decode()

    assert "Within 25 km of Paris, France" in html


def test_a_name_shared_with_other_countries_is_the_site_countrys(settings) -> None:
    assert [p.name for p in resolve_place("Houston")] == ["Houston, TX"]
    assert [p.name for p in resolve_place("Houston, United Kingdom")] == ["Houston, United Kingdom"]
    paris = [p.name for p in resolve_place("Paris")]
    assert paris[0] == "Paris, TX" and "Paris, France" in paris

    settings.SITE_COUNTRY = "GB"
    assert [p.name for p in resolve_place("Houston")] == ["Houston, United Kingdom"]
