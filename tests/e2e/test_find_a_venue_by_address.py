"""A host finds a new coffee shop by its address: "Find this address" asks the site's
geocoder (a local server speaking Nominatim's JSON), fills in the position, and the map
shows the point to check before the circle starts. An address nobody knows says so. At a
desktop's and a phone's width, axe clean, nothing scrolling sideways. Screenshots go to
tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from circles.models import Circle, Venue
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import TopicFactory, UserFactory
from tests.geocoder_server import GeocoderServer, running_geocoder

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def geocoder(transactional_db: None) -> Iterator[GeocoderServer]:
    with running_geocoder() as server:
        yield server


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_host_finds_a_venue_by_its_address(
    browser: Browser,
    live_server,
    geocoder: GeocoderServer,
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    TopicFactory(name="Grief", slug="grief")
    hana = UserFactory(display_name="Hana")

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)

    # Map tiles would come from another server: refused, so the run is the same offline.
    def keep_on_site(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", keep_on_site)
    sign_in(context, live_server.url, hana)
    page = context.new_page()
    page.goto(f"{live_server.url}/circles/new/")
    page.wait_for_load_state("load")  # htmx is deferred
    page.get_by_label("Name", exact=True).fill("Evening Grief Circle")
    page.get_by_label("Description").fill("For people missing someone. We listen and share.")
    page.get_by_label("Grief").check()
    page.get_by_label("In person").check()
    page.get_by_label("Area").fill("Baton Rouge")
    page.get_by_label("Area").press("Tab")
    venue_section = page.locator("#venue-section")
    expect(venue_section).to_contain_text("Area: Baton Rouge, LA")

    # An address nobody knows: a clear message, nothing filled in.
    page.get_by_label("Name of the place").fill("Highland Books & Coffee")
    page.get_by_label("Address").fill("1 Nowhere Lane")
    page.get_by_role("button", name="Find this address").click()
    expect(venue_section).to_contain_text("No place was found for that address")
    expect(page.get_by_label("Latitude")).to_have_value("")
    page.screenshot(path=shots / "01-not-found.png", full_page=True)

    # The real address: the position comes back, and the map shows the point.
    page.get_by_label("Address").fill("3350 Highland Rd, Baton Rouge")
    page.get_by_role("button", name="Find this address").click()
    expect(venue_section).to_contain_text("Found: 3350, Highland Road, Baton Rouge")
    expect(page.get_by_label("Latitude")).to_have_value("30.413300")
    expect(page.get_by_label("Longitude")).to_have_value("-91.180000")
    expect(page.get_by_label("A new place")).to_be_checked()
    # What was typed before the lookup is still there.
    expect(page.get_by_label("Name of the place")).to_have_value("Highland Books & Coffee")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Evening Grief Circle")
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("#venue-map.is-ready")).to_be_visible()
    expect(page.locator("#venue-map .leaflet-marker-icon")).to_be_visible()
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "02-found-on-the-map.png", full_page=True)
    assert [query for _, query, _ in geocoder.asked] == [
        "1 Nowhere Lane",
        "3350 Highland Rd, Baton Rouge",
    ]

    page.get_by_label("I have read the facilitator agreement and accept it.").check()
    page.get_by_role("button", name="Start the circle").click()
    expect(page.locator("main")).to_contain_text("Evening Grief Circle has started")
    page.screenshot(path=shots / "03-started.png", full_page=True)
    context.close()

    venue = Venue.objects.get(name="Highland Books & Coffee")
    assert venue.address == "3350 Highland Rd, Baton Rouge"
    assert (venue.lat, venue.lng) == (30.4133, -91.18)
    assert Circle.objects.get(name="Evening Grief Circle").schedules.get().venue == venue
