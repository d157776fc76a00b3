"""Postal codes outside the US, and towns the offline list does not hold: looked up
through the site's geocoder when it has one (cached, named as typed), and otherwise a
clear message rather than "not found"."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.places import postal_code_hint, resolve_place
from tests.geocoder_server import running_geocoder

pytestmark = pytest.mark.django_db


def test_without_a_geocoder_a_postal_code_gets_a_clear_message(client: Client) -> None:
    assert resolve_place("H2X 1Y4") == []
    response = client.get("/circles/", {"near": "H2X 1Y4"})
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert "Postal codes are known here for the US only" in html


@pytest.mark.parametrize("typed", ["H2X 1Y4", "SW1A 1AA", "Montréal, H2X 1Y4", "1010"])
def test_the_hint_is_for_things_that_look_like_postal_codes(typed: str) -> None:
    assert postal_code_hint(typed)


@pytest.mark.parametrize("typed", ["Atlantis", "70808", "<script>", "", "x" * 300])
def test_no_hint_for_other_things(typed: str) -> None:
    assert postal_code_hint(typed) is None


def test_with_a_geocoder_a_postal_code_is_found_and_resolves_back_to_itself() -> None:
    with running_geocoder() as server:
        [place] = resolve_place("H2X 1Y4")
        assert resolve_place(place.name) == [place]
        assert postal_code_hint("H2X 1Y4") is None
    assert place.name == "H2X 1Y4"
    assert (round(place.lat, 1), round(place.lng, 1)) == (45.5, -73.6)
    assert (place.timezone, place.country) == ("America/Toronto", "CA")
    assert len(server.asked) == 1  # cached


def test_with_a_geocoder_the_search_finds_circles_near_it_in_km(client: Client) -> None:
    with running_geocoder():
        response = client.get("/circles/", {"near": "H2X 1Y4"})
    assert response.status_code == 200
    assert "Within 25 km of H2X 1Y4" in response.content.decode()


def test_offline_places_never_ask_the_geocoder() -> None:
    with running_geocoder() as server:
        assert resolve_place("70808")[0].name == "Baton Rouge, LA 70808"
        assert resolve_place("Paris, France")[0].name == "Paris, France"
    assert server.asked == []


def test_five_digits_are_a_us_zip_on_a_us_site_and_the_geocoders_elsewhere(settings) -> None:
    with running_geocoder():
        assert resolve_place("10115")[0].name == "New York, NY 10115"
        settings.SITE_COUNTRY = "DE"
        [berlin] = resolve_place("10115")
    assert (round(berlin.lat), round(berlin.lng), berlin.country) == (53, 13, "DE")


def test_a_geocoder_that_fails_finds_nothing_and_never_breaks_the_search(
    client: Client, settings
) -> None:
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_URL = "http://127.0.0.1:9"
    settings.GEOCODER_TIMEOUT = 1
    assert resolve_place("Somewhere Unknown 12") == []
    assert client.get("/circles/", {"near": "Somewhere Unknown 12"}).status_code in (200, 400)
