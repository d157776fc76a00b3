"""Two pieces of the rhythm of a real circle, in the browser. A member going to a hybrid
meetup finds the number to join by phone, a `tel:` link that dials the access code too,
which someone not going does not see. The facilitator's manage page draws attendance at
the past meetups, with a table beside the chart and no names. At a desktop's and a phone's
width, axe clean, nothing scrolling sideways. Screenshots go to
tests/e2e/artifacts/<test>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from circles.models import Circle, Membership
from meetups import services
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    RSVPFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_join_by_phone_and_attendance_over_time(
    browser: Browser, live_server, transactional_db: None, viewport: dict, request
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(
        name="Caregivers Evening",
        format=Circle.Format.HYBRID,
        online_url="https://video.example.org/room",
        dial_in_phone="+1 (555) 010-4477",
        dial_in_code="918 273 645",
    )
    cora, milo, nia = (UserFactory(display_name=name) for name in ("Cora", "Milo", "Nia"))
    MembershipFactory(user=cora, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=milo, circle=circle)
    MembershipFactory(user=nia, circle=circle)
    meetup = MeetupFactory(circle=circle)
    services.rsvp(user=milo, meetup=meetup)
    for weeks_ago, came in ((2, 1), (1, 2)):
        starts = timezone.now() - dt.timedelta(weeks=weeks_ago)
        past = MeetupFactory(
            circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
        )
        for index in range(3):
            RSVPFactory(
                meetup=past, user=UserFactory(display_name=f"Zed{index}"), attended=index < came
            )

    # Milo is going: the number, tapping it dials the code too.
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, milo)
    page = context.new_page()
    page.goto(f"{live_server.url}{meetup.get_absolute_url()}")
    number = page.get_by_role("link", name="+1 (555) 010-4477")
    expect(number).to_have_attribute("href", "tel:+15550104477,,918273645%23")
    expect(page.locator("main")).to_contain_text("Access code: 918 273 645")
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "01-join-by-phone.png", full_page=True)
    context.close()

    # Nia is in the circle but not going: no number, no code.
    context = browser.new_context(viewport=viewport)
    sign_in(context, live_server.url, nia)
    page = context.new_page()
    page.goto(f"{live_server.url}{meetup.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Caregivers Evening")
    assert "010-4477" not in page.content() and "918 273 645" not in page.content()
    context.close()

    # Cora's manage page: the chart and its table, counts only.
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, cora)
    page = context.new_page()
    page.goto(f"{live_server.url}/circles/{circle.slug}/manage/")
    attendance = page.locator("#attendance")
    expect(attendance.get_by_role("heading", name="Attendance over time")).to_be_visible()
    expect(attendance.locator("svg")).to_have_count(1)
    expect(attendance.locator("table tbody tr")).to_have_count(2)
    assert "Zed" not in attendance.inner_text()
    attendance.scroll_into_view_if_needed()
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "02-attendance.png", full_page=True)
    context.close()
