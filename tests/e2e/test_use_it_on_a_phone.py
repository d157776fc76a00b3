"""On a phone (390 px wide), what a person came for is on the first screen: browse shows the
search as one line with a "Filters" toggle and the results straight after it, and the
meetup page puts the RSVP box before the map. Nothing scrolls sideways. The toggle is a
<details>, so it works without JavaScript; on a desktop the filters are simply open."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE, sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

# About one phone screen, under the browser's own bars.
FIRST_SCREEN = 700
SEARCH = "/circles/?near=Baton+Rouge&radius=50&unit=km&topic=grief"


def _page(browser: Browser, viewport: dict, *, javascript: bool = True) -> Page:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"]


def _scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_browse_on_a_phone_shows_results_first_and_filters_on_request(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle], javascript: bool
) -> None:
    page = _page(browser, PHONE, javascript=javascript)
    page.goto(live_server.url + SEARCH)

    first = page.locator("#results .result").first
    expect(first).to_contain_text("Grief Circle Mid City")
    assert _top(page, "#results .result") < FIRST_SCREEN
    toggle = page.locator(".filters > summary")
    expect(toggle).to_have_text("Filters Within 50 km of Baton Rouge, LA · Grief")
    near = page.get_by_label("Near")
    expect(near).to_be_hidden()
    assert not _scrolls_sideways(page)

    toggle.click()
    expect(near).to_be_visible()
    near.fill("Lafayette, LA")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("No circles meet within 50 km of Lafayette")
    expect(page.locator(".filters > summary")).to_contain_text("Within 50 km of Lafayette, LA")
    page.context.close()


def test_a_search_to_correct_opens_the_filters(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    page = _page(browser, PHONE, javascript=False)
    page.goto(live_server.url + "/circles/?near=Nowhere+Special+Zzz")
    expect(page.get_by_label("Near")).to_be_visible()
    expect(page.locator(".filters > summary")).to_contain_text("Please check your search")
    page.context.close()


def test_on_a_desktop_the_filters_are_open_without_a_toggle(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    page = _page(browser, DESKTOP)
    page.goto(live_server.url + SEARCH)
    expect(page.get_by_label("Near")).to_be_visible()
    expect(page.get_by_label("Near")).to_have_value("Baton Rouge")
    expect(page.locator(".filters > summary")).to_be_hidden()
    # Changing a filter changes the results in place, and the summary with them.
    page.get_by_label("How it meets").select_option(label="Online")
    expect(page.locator("#results")).to_contain_text("No circles match that search yet")
    expect(page.locator("#search-summary")).to_have_text("Grief · Online")
    page.context.close()


def test_on_a_phone_the_rsvp_box_comes_before_the_map(
    browser: Browser, live_server, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    circle = circles_in_baton_rouge["grief"]
    meetup = circle.meetups.get()
    robin = UserFactory()
    MembershipFactory(user=robin, circle=circle)
    page = _page(browser, PHONE)
    sign_in(page.context, live_server.url, robin)
    page.goto(live_server.url + meetup.get_absolute_url())

    rsvp = page.get_by_role("button", name="RSVP: save me a seat")
    expect(rsvp).to_be_visible()
    assert _top(page, "#rsvp") < FIRST_SCREEN
    assert _top(page, "#rsvp") < _top(page, "[data-map-toggle]")
    assert not _scrolls_sideways(page)
    page.context.close()
