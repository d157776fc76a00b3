""" "I can't host this one": a facilitator asks for cover from the meetup's host page, a
co-facilitator opens the emailed link and says yes with its button; the host page then
prints as the meeting outline alone. At a desktop's and a phone's width, with axe clean
and nothing scrolling sideways. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts import outbox
from circles.models import Membership
from hosting.models import CoverRequest
from meetups import services
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
def test_a_co_facilitator_covers_for_the_host(
    browser: Browser, live_server, mailoutbox, viewport: dict, request: pytest.FixtureRequest
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    fern, cora = UserFactory(display_name="Fern"), UserFactory(display_name="Cora")
    for person in (fern, cora):
        MembershipFactory(user=person, circle=circle, role=Membership.Role.FACILITATOR)
    starts = timezone.now() + dt.timedelta(days=3)
    meetup = MeetupFactory(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        venue=VenueFactory(name="Rosie's Coffee"),
    )
    robin = UserFactory(display_name="Robin")
    MembershipFactory(user=robin, circle=circle)
    services.rsvp(user=robin, meetup=meetup)
    host_page = f"{live_server.url}/circles/{circle.slug}/manage/meetups/{meetup.pk}/"

    fern_context = browser.new_context(viewport=viewport)
    fern_context.set_default_timeout(10_000)
    sign_in(fern_context, live_server.url, fern)
    page = fern_context.new_page()
    page.goto(host_page)
    main = page.locator("main")
    page.get_by_role("button", name="I can't host this one").click()
    expect(main).to_contain_text("We've asked the co-facilitators")
    expect(main).to_contain_text("Asking for cover")
    assert blocking(axe_violations(page)) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=shots / "01-asking-for-cover.png", full_page=True)

    outbox.deliver()
    [email] = [m for m in mailoutbox if m.to == [cora.email]]
    assert email.subject == "Could you host a meetup?"
    path = re.search(r"/cover/\d+/", email.body).group(0)

    cora_context = browser.new_context(viewport=viewport)
    cora_context.set_default_timeout(10_000)
    sign_in(cora_context, live_server.url, cora)
    cora_page = cora_context.new_page()
    cora_page.goto(live_server.url + path)
    expect(cora_page.get_by_role("heading", name="Could you host this meetup?")).to_be_visible()
    assert CoverRequest.objects.get().status == CoverRequest.Status.OPEN
    assert blocking(axe_violations(cora_page)) == []
    assert not cora_page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    cora_page.screenshot(path=shots / "02-the-emailed-page.png", full_page=True)
    cora_page.get_by_role("button", name="Yes, I'll host it").click()
    expect(cora_page.locator("main")).to_contain_text("you're hosting this meetup")
    expect(cora_page.get_by_role("heading", name="Who is coming")).to_be_visible()
    cora_page.screenshot(path=shots / "03-covered.png", full_page=True)
    cora_context.close()

    cover = CoverRequest.objects.get()
    assert (cover.status, cover.covered_by) == (CoverRequest.Status.COVERED, cora)

    # The host page on paper: the meetup and its outline, no names, no forms.
    page.goto(host_page)
    expect(main).to_contain_text("Cora said yes to hosting it instead.")
    expect(page.get_by_role("button", name="Print the outline")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Meeting outline")).to_be_visible()
    expect(page.get_by_role("heading", name="Check-in round")).to_be_visible()
    expect(page.get_by_role("heading", name="Who is coming")).to_be_hidden()
    expect(page.get_by_role("heading", name="Cover for the host")).to_be_hidden()
    expect(page.locator(".attendees")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the outline")).to_be_hidden()
    page.screenshot(path=shots / "04-printed-outline.png", full_page=True)
    fern_context.close()
