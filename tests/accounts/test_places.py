"""Finding a place by what someone types, offline."""

from __future__ import annotations

import time

import pytest

from accounts.places import Place, resolve_place, timezone_at


@pytest.mark.parametrize(
    "text",
    ["Baton Rouge", "baton rouge", "  Baton   Rouge  ", "Baton Rouge, LA", "baton rouge louisiana"],
)
def test_baton_rouge_in_any_spelling(text: str) -> None:
    places = resolve_place(text)

    assert len(places) == 1
    assert places[0].name == "Baton Rouge, LA"
    assert places[0].lat == pytest.approx(30.44, abs=0.05)
    assert places[0].lng == pytest.approx(-91.19, abs=0.05)
    assert places[0].timezone == "America/Chicago"


@pytest.mark.parametrize("text", ["Lafayette, LA", "Lafayette, Louisiana", "lafayette ,  la"])
def test_lafayette_louisiana(text: str) -> None:
    assert [p.name for p in resolve_place(text)] == ["Lafayette, LA"]


def test_lafayette_alone_is_ambiguous_and_louisiana_is_first() -> None:
    names = [p.name for p in resolve_place("Lafayette")]

    assert names[0] == "Lafayette, LA"
    assert "Lafayette, IN" in names


@pytest.mark.parametrize(
    ("text", "name", "zone"),
    [
        ("Shreveport", "Shreveport, LA", "America/Chicago"),
        ("New Orleans", "New Orleans, LA", "America/Chicago"),
        ("Portland, OR", "Portland, OR", "America/Los_Angeles"),
        ("Portland, Oregon", "Portland, OR", "America/Los_Angeles"),
        ("Paris, France", "Paris, France", "Europe/Paris"),
        ("Montréal", "Montréal, Canada", "America/Toronto"),
        ("montreal", "Montréal, Canada", "America/Toronto"),
        ("New York", "New York City, NY", "America/New_York"),
    ],
)
def test_clear_places(text: str, name: str, zone: str) -> None:
    places = resolve_place(text)

    assert [(p.name, p.timezone) for p in places] == [(name, zone)]


def test_portland_alone_offers_oregon_then_maine() -> None:
    names = [p.name for p in resolve_place("Portland")]

    assert names[:2] == ["Portland, OR", "Portland, ME"]


def test_springfield_is_ambiguous_most_populous_first_at_most_eight() -> None:
    places = resolve_place("Springfield")
    names = [p.name for p in places]

    assert 2 <= len(places) <= 8
    assert {"Springfield, IL", "Springfield, MO", "Springfield, MA", "Springfield, OR"} <= set(
        names
    )
    assert names[0] == "Springfield, MO"


def test_every_choice_resolves_back_to_itself() -> None:
    for place in resolve_place("Springfield") + resolve_place("Paris"):
        assert resolve_place(place.name) == [place]


@pytest.mark.parametrize("text", ["30.45,-91.18", " 30.45 , -91.18 ", "30.45 -91.18"])
def test_coordinates_are_your_location(text: str) -> None:
    assert resolve_place(text) == [
        Place(name="your location", lat=30.45, lng=-91.18, timezone="America/Chicago")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ",,,",
        "Qwzxville",
        "Springfield, Atlantis",
        "91,0",
        "45,181",
        "<script>alert(1)</script>",
        "'; DROP TABLE accounts_user; --",
        "Baton\x00Rouge",
        "x" * 10_000,
        "Baton Rouge, " * 2000,
        "\ud800",
    ],
)
def test_unknown_or_hostile_text_finds_nothing(text: str) -> None:
    assert resolve_place(text) == []


def test_lookup_is_fast_after_the_first() -> None:
    resolve_place("Baton Rouge")
    start = time.perf_counter()
    for _ in range(1000):
        resolve_place("Lafayette, LA")
    assert (time.perf_counter() - start) / 1000 < 0.001


def test_timezone_at_a_point(settings) -> None:
    assert timezone_at(48.85, 2.35) == "Europe/Paris"
    assert timezone_at(30.45, -91.18) == "America/Chicago"
    assert timezone_at(0.0, -140.0) == "Etc/GMT+9"


def test_timezone_at_an_impossible_point_is_the_site_default(settings) -> None:
    settings.TIME_ZONE = "America/Denver"

    assert timezone_at(100.0, 0.0) == "America/Denver"
    assert timezone_at(float("nan"), 0.0) == "America/Denver"
