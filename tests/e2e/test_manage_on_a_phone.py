"""A facilitator runs the circle from a phone: the manage page, a meetup's page and the
edit page fit 390 px without scrolling sideways (tables become one card per row) and pass
axe, as they do on a desktop. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from circles.models import Membership
from meetups import services
from meetups.models import Meetup
from meetups.services import extend_schedule
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_facilitators_pages_fit_the_screen(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", topics=[TopicFactory()])
    fern = UserFactory(display_name="Fern")
    MembershipFactory(user=fern, circle=circle, role=Membership.Role.FACILITATOR)
    people = [UserFactory(display_name=name) for name in ("Robin", "Sam", "Alexandria-Rose")]
    for person in people:
        MembershipFactory(user=person, circle=circle)
    MembershipFactory(circle=circle, status=Membership.Status.PENDING, join_answer="Hello")
    schedule = ScheduleFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))
    extend_schedule(schedule=schedule, until=schedule.starts_on + dt.timedelta(weeks=4))
    meetup = Meetup.objects.filter(schedule=schedule).order_by("starts_at").first()
    for person in people:
        services.rsvp(user=person, meetup=meetup)

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, fern)
    page = context.new_page()
    for name, path in (
        ("manage", f"/circles/{circle.slug}/manage/"),
        ("meetup", f"/circles/{circle.slug}/manage/meetups/{meetup.pk}/"),
        ("edit", f"/circles/{circle.slug}/manage/edit/"),
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (name, width)
        assert blocking(axe_violations(page)) == [], name
        page.screenshot(path=shots / f"{name}.png", full_page=True)
    context.close()
