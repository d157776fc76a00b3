"""A member signs in and finds their own week first on the home page: their next meetup
("Tomorrow …") with "I can't make it", their circle with this week's check-in, then the
search; "My circles" sits beside "My meetups". A facilitator sees the request waiting. At
a desktop's and a phone's width, axe clean, nothing scrolling sideways. Screenshots go to
tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from circles.models import Membership
from meetups import services
from meetups.models import RSVP
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_member_and_a_facilitator_find_their_own_week_first(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    fern, milo = UserFactory(display_name="Fern"), UserFactory(display_name="Milo")
    MembershipFactory(user=fern, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=milo, circle=circle)
    MembershipFactory(circle=circle, status=Membership.Status.PENDING)
    local_tomorrow = (timezone.now().astimezone(circle.tz) + dt.timedelta(days=1)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    meetup = MeetupFactory(
        circle=circle,
        starts_at=local_tomorrow,
        ends_at=local_tomorrow + dt.timedelta(minutes=90),
    )
    services.rsvp(user=milo, meetup=meetup)

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, milo)
    page = context.new_page()
    page.goto(live_server.url + "/")
    mine = page.locator("section.mine")
    expect(mine.get_by_role("heading", name="Your next meetups")).to_be_visible()
    expect(mine).to_contain_text("Tomorrow 6:30 pm")
    expect(mine).to_contain_text("You're going")
    expect(mine).to_contain_text("Check in for this week")
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "01-home-for-a-member.png", full_page=True)

    page.get_by_role("button", name="I can't make it").click()
    expect(page.locator("main")).to_contain_text("Your RSVP is cancelled")
    assert RSVP.objects.get(meetup=meetup, user=milo).status == RSVP.Status.CANCELLED
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My circles").click()
    expect(page.get_by_role("heading", name="My circles", level=1)).to_be_visible()
    assert blocking(axe_violations(page)) == []
    context.close()

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, fern)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("section.mine")).to_contain_text("1 request to join")
    expect(page.locator("section.mine")).to_contain_text("You host this circle")
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "02-home-for-a-facilitator.png", full_page=True)
    context.close()
