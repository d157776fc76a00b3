"""Map tiles come from a third-party server, which learns who looks at which area. No page
asks it for anything until the person presses "Show map"; when the tiles cannot load the
page says so and the addresses are there in plain text. The privacy note says all this."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, Route, expect

from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# A transparent 1×1 PNG, served in place of every tile: the tests never reach the network.
TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
SEARCH = "/circles/?near=Baton+Rouge&radius=50&unit=km"


@pytest.fixture
def tile_host() -> str:
    if not settings.MAP_TILE_URL:
        pytest.skip("MAP_TILE_URL is empty: the site shows no maps")
    # "{s}." stands for the server's a., b. and c. subdomains.
    return urlsplit(settings.MAP_TILE_URL.replace("{s}.", "")).hostname


class TileServer:
    """Every request the page makes to the tile server, answered (or refused) here."""

    def __init__(self, page: Page, host: str, *, answer: bool) -> None:
        self.asked: list[str] = []
        self.host = host
        self.answer = answer
        page.on("request", self._seen)
        page.route(re.compile(r"^https?://([^/]*\.)?" + re.escape(host) + "[:/]"), self._route)

    def is_tile_server(self, url: str) -> bool:
        hostname = urlsplit(url).hostname or ""
        return hostname == self.host or hostname.endswith("." + self.host)

    def _seen(self, request) -> None:
        if self.is_tile_server(request.url):
            self.asked.append(request.url)

    def _route(self, route: Route) -> None:
        if self.answer:
            route.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            route.abort("internetdisconnected")


def _open(browser: Browser, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_meetup_map_asks_the_tile_server_only_after_show_map(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle], tile_host, viewport
) -> None:
    meetup = circles_in_baton_rouge["grief"].meetups.get()
    page = _open(browser, viewport)
    tiles = TileServer(page, tile_host, answer=True)

    page.goto(live_server.url + meetup.get_absolute_url())
    expect(page.locator(".meetup-where")).to_contain_text(meetup.venue.address)
    # The page's script has run (it shows the button) and the page has finished loading.
    show = page.get_by_role("button", name="Show map")
    expect(show).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator("#meetup-map")).to_be_hidden()
    assert tiles.asked == []
    expect(show).to_have_attribute("aria-expanded", "false")
    show.click()
    expect(page.locator("#meetup-map .leaflet-tile-loaded").first).to_be_attached()
    assert tiles.asked
    assert all(tiles.is_tile_server(url) for url in tiles.asked)
    hide = page.get_by_role("button", name="Hide map")
    expect(hide).to_have_attribute("aria-expanded", "true")
    # The credit's links are underlined: they stand out from its text without colour.
    credit = page.locator(".leaflet-control-attribution a").first
    expect(credit).to_have_css("text-decoration-line", "underline")
    expect(page.locator("[data-map-failed]")).to_be_hidden()

    hide.click()
    expect(page.locator("#meetup-map")).to_be_hidden()
    page.context.close()


def test_meetup_without_tiles_says_so_and_keeps_the_address(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle], tile_host
) -> None:
    meetup = circles_in_baton_rouge["grief"].meetups.get()
    page = _open(browser, DESKTOP)
    TileServer(page, tile_host, answer=False)
    page.goto(live_server.url + meetup.get_absolute_url())
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("[data-map-failed]")).to_have_text(
        "The map could not load. The address is above."
    )
    expect(page.locator(".meetup-where")).to_contain_text(meetup.venue.address)
    page.context.close()


def test_browse_map_asks_the_tile_server_only_after_show_map(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle], tile_host
) -> None:
    page = _open(browser, DESKTOP)
    tiles = TileServer(page, tile_host, answer=True)

    page.goto(live_server.url + SEARCH)
    expect(page.locator("#results")).to_contain_text("Grief Circle Mid City")
    expect(page.get_by_role("button", name="Show map")).to_be_visible()
    # A new search in place asks nothing of it either.
    page.get_by_label("How it meets").select_option(label="In person")
    expect(page.locator("#search-summary")).to_contain_text("In person")
    expect(page.get_by_role("button", name="Show map")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator("#map")).to_be_hidden()
    assert tiles.asked == []

    page.get_by_role("button", name="Show map").click()
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(2)
    expect(page.locator("#map .leaflet-tile-loaded").first).to_be_attached()
    assert tiles.asked
    # The map follows the results once shown.
    page.get_by_label("Words").fill("grief")
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(1)
    page.context.close()


def test_browse_without_tiles_says_so_and_lists_every_place(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle], tile_host
) -> None:
    page = _open(browser, DESKTOP)
    TileServer(page, tile_host, answer=False)
    page.goto(live_server.url + SEARCH)
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("[data-map-failed]")).to_be_visible()
    expect(page.locator("#results ol.result-list .result")).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("Baton Rouge, LA")
    page.context.close()


def test_the_privacy_note_says_showing_a_map_contacts_the_tile_server(
    page: Page, live_server, tile_host
) -> None:
    page.goto(live_server.url + "/privacy/")
    note = page.locator("#maps")
    expect(note).to_contain_text("Maps are off until you press “Show map”")
    expect(note).to_contain_text(f"({tile_host})")
    expect(note).to_contain_text("sees your IP address and the area you are looking at")
