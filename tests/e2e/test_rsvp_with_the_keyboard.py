"""A member who uses only the keyboard (and a screen reader) RSVPs and cancels: the RSVP
button comes before the map's controls, each answer is spoken by a live region that stays
on the page while the box is swapped, and focus moves to the answer instead of falling to
<body>. Then they give up a place from My meetups, where each Cancel button says which."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from meetups import services
from meetups.models import RSVP
from tests.e2e.accessibility import DESKTOP, sign_in
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    return { id: el.id, tag: el.tagName, text: el.textContent.trim().replace(/\\s+/g, " ") };
}"""


def _tab_until(page: Page, name: str, limit: int) -> list[str]:
    """Press Tab until the focused element's text is `name`; the texts passed on the way."""
    passed: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["text"] == name:
            return passed
        passed.append(focused["text"])
    raise AssertionError(f"{name!r} not reached in {limit} Tabs; passed {passed}")


def _announced(page: Page, region_id: str) -> str:
    return " ".join(page.locator(f"#{region_id}").inner_text().split())


@pytest.fixture
def keyboard_page(browser: Browser, live_server) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_rsvp_and_cancel_are_announced_and_focus_moves_to_the_answer(
    keyboard_page: Page, live_server
) -> None:
    page = keyboard_page
    circle = CircleFactory(name="Grief Circle Mid City")
    meetup = MeetupFactory(circle=circle, capacity=2, venue=VenueFactory(name="Rosie's Coffee"))
    robin = UserFactory(display_name="Robin")
    MembershipFactory(user=robin, circle=circle)
    sign_in(page.context, live_server.url, robin)
    page.goto(live_server.url + meetup.get_absolute_url())
    page.evaluate("window.liveRegion = document.getElementById('rsvp-announcement')")

    # Skip to the content, then the RSVP button is the second stop: before the map's.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Skip to content"
    page.keyboard.press("Enter")
    passed = _tab_until(page, "RSVP: save me a seat", limit=5)
    assert passed == ["Grief Circle Mid City"]
    assert "Show map" not in passed

    page.keyboard.press("Enter")
    expect(page.locator("#rsvp")).to_contain_text("You're going.")
    assert _announced(page, "rsvp-announcement") == (
        "You're going. We've saved you a seat. 1 of 2 seats left"
    )
    expect(page.locator("#rsvp-notice")).to_be_focused()
    # The live region the screen reader was following is the one still on the page.
    assert page.evaluate("window.liveRegion === document.getElementById('rsvp-announcement')")
    assert page.locator("#rsvp-announcement").get_attribute("role") == "status"
    assert RSVP.objects.get(meetup=meetup, user=robin).status == RSVP.Status.GOING

    # From the answer, the next stop is the way to undo it.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Cancel my RSVP"
    page.keyboard.press("Enter")
    expect(page.locator("#rsvp")).to_contain_text("Your RSVP is cancelled.")
    assert _announced(page, "rsvp-announcement") == (
        "Your RSVP is cancelled. Thank you for freeing the seat. 2 of 2 seats left"
    )
    expect(page.locator("#rsvp-notice")).to_be_focused()
    assert page.evaluate("window.liveRegion === document.getElementById('rsvp-announcement')")
    assert RSVP.objects.get(meetup=meetup, user=robin).status == RSVP.Status.CANCELLED


def test_cancel_from_my_meetups_names_the_meetup_and_is_announced(
    keyboard_page: Page, live_server
) -> None:
    page = keyboard_page
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    tz = zoneinfo.ZoneInfo(circle.timezone)
    robin = UserFactory(display_name="Robin")
    MembershipFactory(user=robin, circle=circle)
    first = timezone.now().astimezone(tz).replace(
        hour=18, minute=30, second=0, microsecond=0
    ) + dt.timedelta(days=3)
    meetups = [
        MeetupFactory(circle=circle, starts_at=first + dt.timedelta(weeks=week))
        for week in range(3)
    ]
    for meetup in meetups:
        services.rsvp(user=robin, meetup=meetup)
    sign_in(page.context, live_server.url, robin)
    page.goto(live_server.url + "/me/meetups/")
    page.evaluate("window.liveRegion = document.getElementById('upcoming-announcement')")

    cancel_buttons = page.get_by_role("button", name=re.compile(r"^Cancel my place on "))
    expect(cancel_buttons).to_have_count(3)
    names = [b.evaluate("el => el.textContent.trim()") for b in cancel_buttons.all()]
    second_day = meetups[1].starts_at.astimezone(tz)
    second = f"Cancel my place on {second_day:%a} {second_day.day} {second_day:%b}, 6:30 pm"
    assert names[1] == f"{second}, Grief Circle Mid City"
    assert len(set(names)) == 3
    # Sighted people see "Cancel" beside the meetup it belongs to; the rest is for screen readers.
    hidden = cancel_buttons.nth(1).locator(".visually-hidden")
    assert hidden.evaluate("el => el.getBoundingClientRect().width") <= 1

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip to content
    _tab_until(page, names[1], limit=10)
    page.keyboard.press("Enter")

    expect(page.locator("#upcoming")).to_contain_text("Your RSVP is cancelled")
    assert _announced(page, "upcoming-announcement") == (
        "Your RSVP is cancelled. Thank you for freeing the seat."
    )
    expect(page.locator("#upcoming-notice")).to_be_focused()
    assert page.evaluate("window.liveRegion === document.getElementById('upcoming-announcement')")
    expect(cancel_buttons).to_have_count(2)
    assert RSVP.objects.get(meetup=meetups[1], user=robin).status == RSVP.Status.CANCELLED
