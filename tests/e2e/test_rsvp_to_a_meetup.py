"""A member RSVPs to a meetup, finds it in My meetups and in their calendar feed, cancels,
and the person waiting gets the seat and an email."""

from __future__ import annotations

import re

import icalendar
import pytest
from playwright.sync_api import Page, expect

from circles.models import Membership
from meetups import services
from meetups.models import RSVP
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser


def _events(page: Page, feed_url: str) -> list[icalendar.Event]:
    response = page.request.get(feed_url)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.body()).walk("VEVENT")


def test_member_rsvps_cancels_and_the_next_person_gets_the_seat(
    page: Page, live_server, mailoutbox: list, settings
) -> None:
    settings.SITE_URL = live_server.url  # the feed's address is absolute, for calendar apps
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    meetup = MeetupFactory(circle=circle, capacity=1, venue=VenueFactory(name="Rosie's Coffee"))
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    for person in (robin, sam):
        MembershipFactory(user=person, circle=circle, role=Membership.Role.MEMBER)

    page.goto(live_server.url + "/accounts/login/?next=" + meetup.get_absolute_url())
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#rsvp .seats")).to_contain_text("1 of 1 seat left")

    # With htmx the RSVP box and the seat count change in place.
    # htmx is deferred: until the page has loaded, a click is an ordinary form post.
    page.wait_for_load_state("load")
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name="RSVP: save me a seat").click()
    expect(page.locator("#rsvp")).to_contain_text("You're going.")
    expect(page.locator("#rsvp .seats")).to_contain_text("Full: all 1 seat taken")
    assert page.evaluate("window.samePage") is True
    assert services.rsvp(user=sam, meetup=meetup).status == RSVP.Status.WAITLISTED

    page.goto(live_server.url + "/me/meetups/")
    upcoming = page.locator("#upcoming")
    expect(upcoming).to_contain_text("Grief Circle Mid City at Rosie's Coffee")
    expect(upcoming).to_contain_text("Going")

    page.goto(live_server.url + "/me/settings/")
    # The feed is off until the person turns it on.
    page.get_by_role("button", name="Turn on my calendar feed").click()
    feed_url = page.get_by_label("Feed address").input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/me/calendar/[\w-]{32,}\.ics", feed_url)
    [event] = _events(page, feed_url)
    assert str(event["SUMMARY"]) == "Circle at Rosie's Coffee"
    assert event.decoded("DTSTART") == meetup.starts_at.replace(microsecond=0)
    assert str(event.decoded("DTSTART").tzinfo) == "America/Chicago"

    page.goto(live_server.url + "/me/meetups/")
    upcoming.get_by_role("button", name="Cancel").click()
    expect(upcoming).to_contain_text("Your RSVP is cancelled")
    expect(upcoming).to_contain_text("Nothing coming up")

    assert RSVP.objects.get(meetup=meetup, user=sam).status == RSVP.Status.GOING
    assert [m.to for m in mailoutbox] == [["sam@example.org"]]
    assert _events(page, feed_url) == []


def test_without_javascript_the_rsvp_is_a_form_that_comes_back_to_the_meetup(
    no_js_page: Page, live_server
) -> None:
    page = no_js_page
    circle = CircleFactory(name="Grief Circle Mid City")
    meetup = MeetupFactory(circle=circle, capacity=1)
    robin, sam = UserFactory(email="robin@example.org"), UserFactory()
    for person in (robin, sam):
        MembershipFactory(user=person, circle=circle, role=Membership.Role.MEMBER)
    services.rsvp(user=sam, meetup=meetup)

    page.goto(live_server.url + "/accounts/login/?next=" + meetup.get_absolute_url())
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Join the waitlist").click()

    expect(page).to_have_url(live_server.url + meetup.get_absolute_url())
    expect(page.locator(".messages")).to_contain_text("you're on the waitlist (number 1)")
    expect(page.locator("#rsvp")).to_contain_text("You're on the waitlist: number 1.")
    assert RSVP.objects.get(meetup=meetup, user=robin).status == RSVP.Status.WAITLISTED
