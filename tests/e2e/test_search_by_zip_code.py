"""A seeker types a US ZIP code and finds the circles near it, with distances in miles, at
a desktop's and a phone's width; axe clean, nothing scrolling sideways. Screenshots go to
tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_zip_code_finds_the_circles_near_it_in_miles(
    browser: Browser,
    live_server,
    circles_in_baton_rouge: dict[str, Circle],
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Near").fill("70808")
    page.get_by_role("button", name="Find circles").click()

    results = page.locator("#results")
    expect(results).to_contain_text("Grief Circle Mid City")
    expect(results).to_contain_text(" mi away")
    expect(page.locator("main")).to_contain_text("within 15 mi of Baton Rouge, LA 70808")
    expect(results).not_to_contain_text("Recovery Circle Lafayette")  # 50 miles away
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "01-circles-near-70808.png", full_page=True)
    context.close()
