"""A facilitator is told when someone needs them: My circles counts what waits beside the
circle's Manage link (a request to join), the circle's "who would like support" lists the
member who asked in this week's check-in, and a private note to them goes out through the
outbox, to them alone. At a desktop's and a phone's width, axe clean, nothing scrolling
sideways. Screenshots go to tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.models import Notification
from circles.checkins import current_week
from circles.models import CheckIn, Membership
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


def _scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_facilitator_sees_what_waits_and_writes_to_someone_who_asked_for_support(
    browser: Browser, live_server, transactional_db: None, viewport: dict, request
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    circle = CircleFactory(name="Grief Circle Mid City", join_policy="approval")
    cora = UserFactory(display_name="Cora")
    milo = UserFactory(display_name="Milo")
    MembershipFactory(user=cora, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=milo, circle=circle)
    MembershipFactory(user=UserFactory(), circle=circle, status=Membership.Status.PENDING)
    week = current_week(circle)
    CheckIn.objects.create(
        user=milo,
        circle=circle,
        iso_year=week // 100,
        iso_week=week % 100,
        mood=1,
        visibility=CheckIn.Visibility.PRIVATE,
        wants_support=True,
    )

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, cora)
    page = context.new_page()

    # What waits for her, beside the circle's Manage link.
    page.goto(f"{live_server.url}/me/circles/")
    manage = page.get_by_role("link", name="Manage Grief Circle Mid City (1 waiting)")
    expect(manage).to_be_visible()
    expect(page.get_by_role("link", name="1 request to join")).to_be_visible()
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "01-my-circles.png", full_page=True)

    # Who would like support, and a note to Milo.
    page.goto(f"{live_server.url}/circles/{circle.slug}/check-ins/support/")
    page.get_by_role("link", name="Write to Milo privately").click()
    expect(page.get_by_role("heading", name="Write to Milo privately")).to_be_visible()
    page.get_by_role("button", name="Send my note").click()
    expect(page.locator("main")).to_contain_text("Write a few words first.")
    page.get_by_label("Your note").fill("Thinking of you. Coffee before Tuesday's meetup?")
    assert blocking(axe_violations(page)) == []
    assert not _scrolls_sideways(page)
    page.screenshot(path=shots / "02-the-note.png", full_page=True)
    page.get_by_role("button", name="Send my note").click()
    expect(page.locator("main")).to_contain_text("Your note to Milo is on its way.")
    page.screenshot(path=shots / "03-sent.png", full_page=True)
    context.close()

    [note] = Notification.objects.filter(kind="support-note")
    assert note.recipient == milo.email
    assert "Thinking of you. Coffee before Tuesday's meetup?" in note.body
    assert "Grief" not in note.subject
