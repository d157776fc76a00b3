"""Addresses looked up through the deployment's geocoder (accounts.geocoding), against a
local server speaking Nominatim's and Photon's JSON: found, not found, too slow, broken,
nonsense and hostile answers all end in a position or a clear message, never an error;
the same text is asked once (cached); off by default, nothing leaves the server."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from accounts import geocoding
from accounts.geocoding import GeocodingError, find_address
from tests.geocoder_server import BROKEN, NONSENSE, SLOW, running_geocoder


def test_off_by_default(settings) -> None:
    assert settings.GEOCODER == ""
    assert not geocoding.is_on()
    assert geocoding.server_host() == ""
    with pytest.raises(GeocodingError, match="click the place on the map"):
        find_address("3350 Highland Rd, Baton Rouge")


@pytest.mark.parametrize("service", ["nominatim", "photon"])
def test_an_address_is_found(service: str) -> None:
    with running_geocoder(service) as server:
        found = find_address("3350 Highland Rd,   Baton Rouge")
    assert (found.lat, found.lng) == (30.4133, -91.18)
    assert found.country == "US"
    assert "Highland Road" in found.name
    [(path, query, agent)] = server.asked
    assert path == ("/geo/search" if service == "nominatim" else "/geo/api")
    assert query == "3350 Highland Rd, Baton Rouge"
    assert agent == "circles-tests"


@pytest.mark.parametrize("service", ["nominatim", "photon"])
def test_nothing_found_says_so(service: str) -> None:
    with running_geocoder(service), pytest.raises(GeocodingError) as error:
        find_address("1 Nowhere Lane")
    assert error.value.message == geocoding.NOT_FOUND_MESSAGE


def test_a_slow_server_is_given_up_on() -> None:
    with running_geocoder(timeout=0.3), pytest.raises(GeocodingError) as error:
        find_address(SLOW)
    assert "did not answer in time" in str(error.value.message)


@pytest.mark.parametrize("query", [BROKEN, NONSENSE])
def test_a_broken_server_says_so(query: str) -> None:
    with running_geocoder(), pytest.raises(GeocodingError) as error:
        find_address(query)
    assert "not working right now" in str(error.value.message)


def test_a_server_that_is_not_there_says_so(settings) -> None:
    settings.GEOCODER = "photon"
    settings.GEOCODER_URL = "http://127.0.0.1:9"  # discard: nobody listens
    settings.GEOCODER_TIMEOUT = 1
    with pytest.raises(GeocodingError, match="not working right now"):
        find_address("3350 Highland Rd, Baton Rouge")


def test_a_position_off_the_globe_is_not_found() -> None:
    with running_geocoder(), pytest.raises(GeocodingError):
        find_address("far away nowhere")


def test_a_hostile_name_is_kept_as_text_without_control_characters() -> None:
    with running_geocoder():
        found = find_address("hostile name")
    assert "\x00" not in found.name
    assert "\x07" not in found.name
    assert found.name.startswith("<script>")  # escaped where shown (tests/hosting)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type the address first."),
        ("   ", "Type the address first."),
        (None, "Type the address first."),
        (["a", "b"], "Type the address first."),
        ("x" * 251, "too long"),
        ("Main St\x00", "characters an address can't have"),
        ("Main St\u202e", "characters an address can't have"),
    ],
)
def test_hostile_addresses_are_refused_before_asking(text: object, message: str) -> None:
    with running_geocoder() as server, pytest.raises(GeocodingError, match=message):
        find_address(text)
    assert server.asked == []


def test_the_same_address_is_asked_once() -> None:
    with running_geocoder() as server:
        first = find_address("3350 Highland Rd, Baton Rouge")
        again = find_address("3350 highland rd,  BATON ROUGE")
        for _ in range(2):
            with pytest.raises(GeocodingError):
                find_address("1 Nowhere Lane")
    assert first == again
    assert len(server.asked) == 2


def test_a_failure_is_not_cached() -> None:
    with running_geocoder() as server:
        for _ in range(2):
            with pytest.raises(GeocodingError):
                find_address(BROKEN)
    assert len(server.asked) == 2


def test_the_privacy_note_names_the_geocoder(client, db) -> None:
    assert "address service" not in client.get("/privacy/").content.decode()
    cache.clear()  # anonymous pages are cached
    with running_geocoder():
        html = client.get("/privacy/").content.decode()
    assert "address service run by someone else (127.0.0.1)" in " ".join(html.split())


def test_the_whole_site_asks_at_most_so_often_a_minute(settings) -> None:
    settings.GEOCODER_PER_MINUTE = 2
    with (
        time_machine.travel(dt.datetime(2030, 3, 5, 15, 0, 10, tzinfo=dt.UTC), tick=False),
        running_geocoder() as server,
    ):
        for n in range(2):
            with pytest.raises(GeocodingError, match="No place was found"):
                find_address(f"{n} Nowhere Lane")
        with pytest.raises(GeocodingError, match="Many addresses are being looked up"):
            find_address("3 Nowhere Lane")
        # Answers already cached still come back.
        with pytest.raises(GeocodingError, match="No place was found"):
            find_address("1 Nowhere Lane")
    assert len(server.asked) == 2
