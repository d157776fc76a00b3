"""Crisis help a person can use at once: on the crisis page and beside the lowest mood of
a check-in, each line with large call and text buttons (988, Crisis Text Line, the Trevor
Project, the Veterans Crisis Line, 911 by default). At a desktop's and a phone's width,
axe clean, nothing scrolling sideways. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
# A thumb-sized target.
LARGE = 44


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_crisis_help_has_large_buttons_on_its_page_and_beside_the_lowest_mood(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City")
    robin = UserFactory(display_name="Robin")
    MembershipFactory(user=robin, circle=circle)

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="In crisis? Get help now").click()
    call = page.get_by_role("link", name="Call 988", exact=True)
    expect(call).to_have_attribute("href", "tel:988")
    expect(page.get_by_role("link", name="Text HOME to 741741")).to_be_visible()
    expect(page.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    box = call.bounding_box()
    assert box is not None and box["height"] >= LARGE
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "01-crisis-page.png", full_page=True)
    context.close()

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, robin)
    page = context.new_page()
    page.goto(f"{live_server.url}/circles/{circle.slug}/check-in/")
    beside = page.locator("#checkin-crisis")
    expect(beside).to_be_hidden()
    page.get_by_label("really low").check()
    expect(beside).to_be_visible()
    expect(beside.get_by_role("link", name="Call 988", exact=True)).to_be_visible()
    expect(beside.get_by_role("link", name="Text 838255")).to_be_visible()
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "02-beside-the-lowest-mood.png", full_page=True)
    context.close()
