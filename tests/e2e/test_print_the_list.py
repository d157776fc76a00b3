"""Browse results print the way meeting finders' printed lists read: each circle's name,
its next meetup's day and time, and its place, one under another; no map, no search form
or other control, no navigation, no quick-exit strip (static/css/print.css). Checked with
the browser's print media at a desktop's and a phone's width; screenshots of the printed
view go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from circles import wording
from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
SEARCH = "/circles/?near=Baton+Rouge&radius=50&unit=km"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_browse_results_print_as_a_plain_list(
    browser: Browser,
    live_server,
    circles_in_baton_rouge: dict[str, Circle],
    settings,
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    # A map to leave out (no tile is ever asked for: the map waits for "Show map").
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + SEARCH)
    page.wait_for_load_state("load")
    show_map = page.get_by_role("button", name="Show map")
    expect(show_map).to_be_visible()
    expect(page.locator(".quick-exit")).to_be_visible()

    page.emulate_media(media="print")

    for hidden in (
        ".map-column",
        "#map",
        "#circle-search",
        ".quick-exit",
        ".site-header nav",
        ".site-footer",
        ".crisis-bar a",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    expect(show_map).to_be_hidden()
    assert page.locator("button:visible, input:visible, select:visible").count() == 0
    expect(page.locator("#search-summary")).to_be_visible()
    expect(page.locator(".crisis-bar")).to_contain_text("Peer support")
    for key in ("grief", "parents"):
        circle = circles_in_baton_rouge[key]
        meetup = circle.meetups.get()
        card = page.locator(".result", has_text=circle.name)
        expect(card.get_by_role("heading", name=circle.name)).to_be_visible()
        expect(card.locator(".meta")).to_contain_text(circle.area_name)
        next_meetup = card.locator(".next-meetup")
        expect(next_meetup).to_be_visible()
        expect(next_meetup).to_contain_text(wording.when(meetup.starts_at, circle.timezone))
        expect(next_meetup).to_contain_text(meetup.venue.name)
    # One column: the list takes the page's width, with nothing beside it.
    widths = page.evaluate(
        "[document.querySelector('#results').getBoundingClientRect().width,"
        " document.querySelector('main').getBoundingClientRect().width]"
    )
    assert widths[0] > widths[1] * 0.9
    page.screenshot(path=shots / "printed-list.png", full_page=True)

    page.emulate_media(media="screen")
    expect(show_map).to_be_visible()
