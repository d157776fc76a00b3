"""A member who can't go opens "I can't make it" from their reminder in a browser where
they are not signed in, presses the button, and the person waiting is offered the seat by
email. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from circles.models import Membership
from meetups import services
from meetups.models import RSVP
from meetups.notifications import send_due_reminders
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
CANT_MAKE_IT = re.compile(r"^I can't make it: (\S+)$", re.M)


def test_a_reminders_cant_make_it_frees_the_seat_for_the_person_waiting(
    page: Page, live_server, mailoutbox: list, settings, request: pytest.FixtureRequest
) -> None:
    settings.SITE_URL = live_server.url  # email links are absolute
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    starts = timezone.now() + dt.timedelta(hours=20)
    meetup = MeetupFactory(
        circle=circle,
        capacity=1,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        venue=VenueFactory(name="Rosie's Coffee"),
    )
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    for person in (robin, sam):
        MembershipFactory(user=person, circle=circle, role=Membership.Role.MEMBER)
    services.rsvp(user=robin, meetup=meetup)
    assert services.rsvp(user=sam, meetup=meetup).status == RSVP.Status.WAITLISTED

    assert send_due_reminders() == 1
    [reminder] = mailoutbox
    assert reminder.to == ["robin@example.org"]
    [link] = CANT_MAKE_IT.findall(reminder.body)
    assert link.startswith(live_server.url)

    # Opening the link (as a mail scanner would, too) only shows the page.
    page.goto(link)
    expect(page.get_by_role("heading", name="Can't make it?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Rosie's Coffee")
    page.screenshot(path=shots / "01-the-page-the-link-opens.png", full_page=True)
    assert RSVP.objects.get(meetup=meetup, user=robin).status == RSVP.Status.GOING
    assert len(mailoutbox) == 1

    page.get_by_role("button", name="Free my seat").click()
    expect(page.get_by_role("heading", name="Thank you for letting us know")).to_be_visible()
    expect(page.locator("main")).to_contain_text("is free now")
    page.screenshot(path=shots / "02-seat-freed.png", full_page=True)

    assert RSVP.objects.get(meetup=meetup, user=robin).status == RSVP.Status.CANCELLED
    # Less than a day before the start, the seat is held for Sam to confirm
    # (tests/e2e/test_come_every_week.py takes it).
    assert RSVP.objects.get(meetup=meetup, user=sam).has_open_offer()
    assert [m.to for m in mailoutbox[1:]] == [["sam@example.org"]]
    assert "A seat is free for you" in mailoutbox[1].subject

    # Back on the same link: the page says the seat is already free and changes nothing.
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", name="Your seat is already free")).to_be_visible()
    page.goto(live_server.url + meetup.get_absolute_url())
    expect(page.locator("#rsvp .seats")).to_contain_text("Full: all 1 seat taken")
    assert len(mailoutbox) == 2
