"""A member opens the mood link from the weekly prompt, confirms and shares the check-in
with the circle; another member answers it with a note of support; the author gets the
digest. A link only opens the page: nothing is recorded until the button is pressed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from circles.checkins import current_week
from circles.models import CheckIn, CheckInReply, Circle, Membership
from circles.notifications import prompt_due_checkins, send_reply_digests
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


def test_check_in_from_the_email_share_it_and_a_peer_answers(
    page: Page, live_server, mailoutbox: list, settings
) -> None:
    settings.SITE_URL = live_server.url  # links in emails point at the test server
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    MembershipFactory(user=UserFactory(), circle=circle, role=Membership.Role.FACILITATOR)
    for person in (robin, sam):
        MembershipFactory(user=person, circle=circle)
    # Its check-in hour came a minute ago.
    Circle.objects.filter(pk=circle.pk).update(
        checkin_due_at=timezone.now() - dt.timedelta(minutes=1), checkin_week=current_week(circle)
    )

    assert prompt_due_checkins() == 3
    [prompt] = [m for m in mailoutbox if m.to == ["robin@example.org"]]
    low = re.search(r"^  low: (\S+)$", prompt.body, re.MULTILINE)[1]

    # Robin, not signed in, opens "low": the page opens with it chosen, nothing recorded.
    page.goto(low)
    expect(page.get_by_role("heading", name="How are you doing this week?")).to_be_visible()
    expect(page.get_by_label("low", exact=True)).to_be_checked()
    assert CheckIn.objects.count() == 0
    # Choosing the lowest mood shows the crisis line beside the form at once.
    crisis = page.locator("#checkin-crisis")
    expect(crisis).to_be_hidden()
    page.get_by_label("really low").check()
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    page.get_by_label("low", exact=True).check()
    expect(crisis).to_be_hidden()

    page.get_by_label("Anything you'd like to say").fill("Missing Dad a lot this week.")
    page.get_by_label("My circle").check()
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Thank you for checking in.")).to_be_visible()
    checkin = CheckIn.objects.get()
    assert (checkin.user, checkin.mood, checkin.visibility) == (robin, 2, "circle")

    # Sam signs in and answers it from the circle's page.
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/?next=" + circle.get_absolute_url())
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    shared = page.locator("#checkins")
    expect(shared).to_contain_text("Robin is feeling low")
    expect(shared).to_contain_text("Missing Dad a lot this week.")
    shared.get_by_label("A short note of support for Robin").fill(
        "Been there too. Thinking of you."
    )
    shared.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your note is on its way.")).to_be_visible()
    expect(shared).to_contain_text("Sam: Been there too. Thinking of you.")
    assert CheckInReply.objects.get().user == sam

    assert send_reply_digests() == 1
    digest = mailoutbox[-1]
    assert digest.to == ["robin@example.org"]
    assert digest.subject == "A note of support for you"
