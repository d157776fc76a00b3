"""A facilitator edits the circle: new guidelines and a new coffee shop. The member going
to the next meetup gets an email saying where it moved from and to, and on the circle's
page is asked to accept the new guidelines. At a desktop's and a phone's width, axe
clean, nothing scrolling sideways. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.tasks import sweep_outbox
from circles.models import Membership
from meetups import services
from meetups.models import Meetup
from meetups.services import extend_schedule
from tests.conftest import past_the_move_window
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import (
    CircleFactory,
    MembershipFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_facilitator_edits_the_circle_and_members_hear_of_it(
    browser: Browser,
    live_server,
    mailoutbox: list,
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(
        name="Grief Circle Mid City", timezone="America/Chicago", topics=[TopicFactory()]
    )
    fern, milo = UserFactory(display_name="Fern"), UserFactory(display_name="Milo")
    MembershipFactory(user=fern, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=milo, circle=circle, guidelines_version=1)
    schedule = ScheduleFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))
    extend_schedule(schedule=schedule, until=schedule.starts_on + dt.timedelta(weeks=3))
    first = Meetup.objects.filter(schedule=schedule).order_by("starts_at").first()
    services.rsvp(user=milo, meetup=first)
    VenueFactory(name="Green Bean Café", lat=circle.lat, lng=circle.lng)

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, fern)
    page = context.new_page()
    page.goto(f"{live_server.url}/circles/{circle.slug}/manage/")
    page.get_by_role("link", name="Edit the circle").click()
    expect(page.get_by_role("heading", name="Edit the circle")).to_be_visible()
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "01-edit-the-circle.png", full_page=True)

    page.get_by_label("Guidelines").fill("Phones away, please. What is said here stays here.")
    page.get_by_label("Where it meets").select_option(label="Green Bean Café")
    page.get_by_role("button", name="Save the circle").click()
    expect(page.locator("main")).to_contain_text("Members will be asked to accept")
    expect(page.locator("main")).to_contain_text("moved to the new place")
    page.screenshot(path=shots / "02-saved.png", full_page=True)
    context.close()

    with past_the_move_window():  # moves are told a few minutes later, as one email
        sweep_outbox()
    [email] = [m for m in mailoutbox if m.to == [milo.email]]
    assert "Rosie's Coffee" in email.body and "Green Bean Café" in email.body

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, milo)
    page = context.new_page()
    page.goto(live_server.url + circle.get_absolute_url())
    expect(page.locator("#guidelines-notice")).to_be_visible()
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "03-asked-to-accept-again.png", full_page=True)
    page.get_by_label("I have read the new guidelines and I accept them").check()
    page.get_by_role("button", name="Accept the guidelines").click()
    expect(page.locator("main")).to_contain_text("You've accepted the new guidelines.")
    expect(page.locator("#guidelines-notice")).to_have_count(0)
    context.close()
    assert Membership.objects.get(user=milo, circle=circle).guidelines_version == 2
