"""A member says "I come every week" on the circle's page, finds it in My circles and
stops there; a person waiting takes a last-minute seat offered by email, from the page
its link opens. At a desktop's and a phone's width, axe clean, nothing scrolling
sideways. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from circles.models import Membership
from meetups import services
from meetups.models import RSVP, Meetup
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
MEETUP_LINK = re.compile(r"https?://\S+?/meetups/\d+/")


def _scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def _checked(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=shots / f"{name}.png", full_page=True)
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_member_comes_every_week_then_stops(
    browser: Browser, live_server, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    milo = UserFactory(display_name="Milo")
    MembershipFactory(user=milo, circle=circle, role=Membership.Role.MEMBER)
    now = timezone.now()
    meetups = [
        MeetupFactory(
            circle=circle,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=1),
        )
        for days in (2, 9, 16)
    ]
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, milo)
    page = context.new_page()

    page.goto(live_server.url + circle.get_absolute_url())
    page.get_by_role("button", name="I come every week").click()

    expect(page.locator(".messages")).to_contain_text("You come every week")
    expect(page.locator(".every-week")).to_contain_text("You come every week")
    expect(page.locator(".meetup-list")).to_contain_text("You're going")
    _checked(page, shots, "01-circle-page-regular")
    assert Membership.objects.get(user=milo, circle=circle).is_regular
    assert set(
        RSVP.objects.filter(user=milo, meetup__in=meetups).values_list("status", flat=True)
    ) == {RSVP.Status.GOING}

    page.goto(live_server.url + "/me/circles/")
    mine = page.locator(".my-circle", has_text="Grief Circle Mid City")
    expect(mine).to_contain_text("You come every week")
    _checked(page, shots, "02-my-circles")
    mine.get_by_role("button", name="Stop").click()

    expect(page).to_have_url(live_server.url + "/me/circles/")
    expect(page.locator(".messages")).to_contain_text("You no longer come every week")
    expect(page.locator(".my-circle", has_text="Grief Circle Mid City")).not_to_contain_text(
        "You come every week"
    )
    _checked(page, shots, "03-stopped")
    assert not Membership.objects.get(user=milo, circle=circle).is_regular
    assert set(
        RSVP.objects.filter(user=milo, meetup__in=meetups).values_list("status", flat=True)
    ) == {RSVP.Status.CANCELLED}
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_person_waiting_takes_a_last_minute_seat_from_the_email(
    browser: Browser,
    live_server,
    mailoutbox: list,
    settings,
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    settings.SITE_URL = live_server.url  # email links are absolute
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    for person in (robin, sam):
        MembershipFactory(user=person, circle=circle, role=Membership.Role.MEMBER)
    starts = timezone.now() + dt.timedelta(hours=6)
    meetup = MeetupFactory(
        circle=circle, capacity=1, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    services.rsvp(user=robin, meetup=meetup)
    services.rsvp(user=sam, meetup=meetup)

    services.cancel_rsvp(user=robin, meetup=meetup)

    [offer] = mailoutbox
    assert offer.to == ["sam@example.org"]
    [link] = MEETUP_LINK.findall(offer.body)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, sam)
    page = context.new_page()

    # Opening the link only shows the page: the seat is held, not taken.
    page.goto(link)
    expect(page.locator("#rsvp")).to_contain_text("A seat is free for you")
    _checked(page, shots, "01-the-offer")
    assert RSVP.objects.get(meetup=meetup, user=sam).status == RSVP.Status.WAITLISTED
    assert Meetup.objects.get(pk=meetup.pk).seats_left == 0

    page.wait_for_load_state("load")
    page.get_by_role("button", name="Yes, I'll be there").click()

    expect(page.locator("#rsvp")).to_contain_text("The seat is yours")
    _checked(page, shots, "02-the-seat-is-mine")
    assert RSVP.objects.get(meetup=meetup, user=sam).status == RSVP.Status.GOING
    held = Meetup.objects.get(pk=meetup.pk)
    assert (held.going_count, held.seats_offered) == (1, 0)
    context.close()
