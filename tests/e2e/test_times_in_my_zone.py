"""A person in London reads an online Chicago circle's meetups in their own time, and in
the circle's time when they ask (a plain link on the circle's page, and back); the meetup's
page says the circle's time beneath. No zone is written as "America/Chicago". At a
desktop's and a phone's width, axe clean; screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from circles import wording
from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import CircleFactory, MeetupFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_online_circles_times_in_my_zone_and_the_circles_on_request(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(
        name="Caregivers Online Evening",
        format=Circle.Format.ONLINE,
        online_url="https://meet.example.org/caregivers",
        area_name="",
        lat=None,
        lng=None,
        timezone="America/Chicago",
    )
    meetup = MeetupFactory(circle=circle, venue=None)
    in_london = wording.long_when(meetup.starts_at, "Europe/London")
    in_chicago = wording.long_when(meetup.starts_at, "America/Chicago")
    reader = UserFactory(display_name="Lou", timezone="Europe/London")

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, reader)
    page = context.new_page()
    page.goto(live_server.url + circle.get_absolute_url())
    meetups = page.locator("section[aria-labelledby='meetups-heading']")
    expect(meetups).to_contain_text(in_london)
    expect(meetups).to_contain_text("Times are in your time (London time).")
    assert blocking(axe_violations(page)) == []
    page.screenshot(path=shots / "01-my-time.png", full_page=True)

    page.get_by_role("link", name="Show them in the circle's time (Chicago time)").click()
    expect(page).to_have_url(live_server.url + circle.get_absolute_url() + "?zone=circle")
    expect(meetups).to_contain_text(in_chicago)
    expect(meetups).not_to_contain_text(in_london)
    expect(meetups).to_contain_text("Times are in the circle's time (Chicago time).")
    page.screenshot(path=shots / "02-the-circles-time.png", full_page=True)

    page.get_by_role("link", name="Show them in your time (London time)").click()
    expect(meetups).to_contain_text(in_london)

    page.get_by_role("link", name=in_london).click()
    when = page.locator(".meetup-when")
    expect(when).to_contain_text("(London time)")
    expect(when).to_contain_text(f"That's {in_chicago} in the circle's time (Chicago time).")
    assert "America/Chicago" not in page.locator("main").inner_text()
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "03-meetup-page.png", full_page=True)
    context.close()
