"""The privacy note says that maps are off until asked for, and names the server a shown
map contacts; a site without maps says nothing about them."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_privacy_note_names_the_map_server(client, settings) -> None:
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    html = client.get("/privacy/").content.decode()
    assert "Maps are off until you press “Show map”" in html
    assert "(tiles.example.org), which then sees your IP" in html


@pytest.mark.django_db
def test_without_maps_the_note_says_nothing_of_them(client, settings) -> None:
    settings.MAP_TILE_URL = ""
    assert "Show map" not in client.get("/privacy/").content.decode()
