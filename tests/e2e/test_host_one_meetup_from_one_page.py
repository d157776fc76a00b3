"""A facilitator opens a meetup from its public page, finds every control on its manage
page, messages the people going, raises the seats and calls it off with a message, at a
desktop's and a phone's width, with axe clean and nothing scrolling sideways. Screenshots
go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from circles.models import Membership
from hosting.models import ActionLog
from meetups import services
from meetups.models import Meetup
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_facilitator_runs_one_meetup_from_its_manage_page(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    fern = UserFactory(display_name="Fern")
    MembershipFactory(user=fern, circle=circle, role=Membership.Role.FACILITATOR)
    starts = timezone.now() + dt.timedelta(days=3)
    meetup = MeetupFactory(
        circle=circle,
        capacity=1,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        venue=VenueFactory(name="Rosie's Coffee"),
    )
    for name in ("Robin", "Sam"):
        person = UserFactory(display_name=name)
        MembershipFactory(user=person, circle=circle)
        services.rsvp(user=person, meetup=meetup)

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, fern)
    page = context.new_page()

    page.goto(live_server.url + meetup.get_absolute_url())
    expect(page.get_by_role("spinbutton", name="Seats")).to_have_count(0)
    page.get_by_role("link", name="Manage this meetup").click()
    expect(page.get_by_role("heading", name="Who is coming")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Robin")
    expect(main).to_contain_text("Sam")
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "01-the-meetups-page-for-its-hosts.png", full_page=True)

    page.get_by_label("Your message").fill("We're at the big table by the window.")
    page.get_by_role("button", name="Send the message").click()
    expect(main).to_contain_text("Your message is on its way to 1 person going.")

    page.get_by_role("spinbutton", name="Seats").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(main).to_contain_text("Saved: 2 seats.")
    page.screenshot(path=shots / "02-message-sent-and-seats-raised.png", full_page=True)

    page.get_by_label("A message for the people going or waitlisted (optional)").fill(
        "The café is closed for repairs. See you next week."
    )
    page.get_by_label("Yes, cancel this meetup").check()
    page.get_by_role("button", name="Cancel the meetup").click()
    expect(main).to_contain_text("The meetup is cancelled.")
    assert blocking(axe_violations(page)) == []
    page.screenshot(path=shots / "03-called-off.png", full_page=True)
    context.close()

    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.going_count, meetup.status) == (
        2,
        2,
        Meetup.Status.CANCELLED,
    )
    assert sorted(ActionLog.objects.values_list("action", flat=True)) == [
        "cancel meetup",
        "change capacity",
        "message",
    ]
