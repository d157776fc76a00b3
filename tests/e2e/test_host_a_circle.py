"""The facilitator's side, end to end in real Chromium: a verified person hosts a weekly
circle at a coffee shop and sees its next 8 weeks of meetups; a seeker asks to join and is
approved; the host moves one meetup and cancels another, and the people going get one email
each and updated calendar entries; a member reports a concern that lands in the host's
queue; a member hosts one meetup in rotation.

Each person has a browser context of their own (their own cookies). A screenshot of each
main step is kept under tests/e2e/artifacts/ (git-ignored, kept by CI as an artifact).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from accounts.models import User
from accounts.tasks import sweep_outbox
from circles import wording
from circles.models import Circle, Membership
from hosting.models import HostOffer, Report
from meetups import services as meetups_services
from meetups.models import RSVP, Meetup
from tests.conftest import past_the_move_window
from tests.factories import MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
# Button colours (static/css/site.css): secondary buttons are white, dangerous ones red.
WHITE = "rgb(255, 255, 255)"
DANGER_RED = "rgb(163, 50, 31)"
CANCEL_NOTE = "Rosie's is closed for a private event."
MEETUP_LINK = re.compile(r"https?://\S+/meetups/(\d+)/")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Callable[[Page, str], None]:
    """`shots(page, "name")` saves a full-page screenshot, numbered in order, in a folder
    for this test (emptied first, so a rerun leaves no stale pictures)."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken = 0

    def shot(page: Page, name: str) -> None:
        nonlocal taken
        taken += 1
        page.screenshot(path=folder / f"{taken:02d}-{name}.png", full_page=True)

    return shot


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    """`sign_in(user)` opens a browser context of that person's own, logged in through the
    login page. Requests that leave the site (map tiles) are refused, so the run is the
    same offline."""
    contexts = []

    def keep_on_site(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    def open_as(user: User) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        context.route("**/*", keep_on_site)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="Host a circle").first).to_be_visible()
        return page

    yield open_as
    for context in contexts:
        context.close()


def _events(page: Page, url: str) -> dict[str, icalendar.Event]:
    """The calendar at `url` (fetched with the page's cookies), its events by UID."""
    response = page.request.get(url)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")
    return {str(event["UID"]): event for event in events}


def _only_event(page: Page, url: str) -> icalendar.Event:
    [event] = _events(page, url).values()
    return event


def _subjects_by_recipient(mailoutbox: list) -> Counter[tuple[str, str]]:
    return Counter((to, message.subject) for message in mailoutbox for to in message.to)


def test_a_host_starts_a_circle_approves_a_seeker_and_runs_its_meetups(
    live_server,
    sign_in: Callable[[User], Page],
    shots: Callable[[Page, str], None],
    mailoutbox: list,
    settings,
) -> None:
    settings.SITE_URL = live_server.url  # links in emails and calendar feeds are absolute
    TopicFactory(name="Grief", slug="grief")
    hana = UserFactory(email="hana@example.org", display_name="Hana")
    sam = UserFactory(email="sam@example.org", display_name="Sam")
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    # Tomorrow's weekday in Baton Rouge: the first meetup is tomorrow, the eighth seven
    # weeks later, all inside the 8 weeks the manage page lists, whatever the hour.
    tomorrow = dt.datetime.now(CHICAGO).date() + dt.timedelta(days=1)
    weekday = wording.WEEKDAYS[tomorrow.weekday()]

    # 1. Hana hosts a weekly circle at a coffee shop.
    host = sign_in(hana)
    host.get_by_role("link", name="Host a circle").first.click()
    expect(host.get_by_role("heading", name="Host a circle", level=1)).to_be_visible()
    host.get_by_label("Name", exact=True).fill("Evening Grief Circle")
    host.get_by_label("Description").fill("For people missing someone. We listen and share.")
    host.get_by_label("Grief").check()
    host.get_by_label("In person").check()
    # Leaving the area box looks it up (htmx) and swaps in the venue section with a map.
    host.get_by_label("Area").fill("Baton Rouge")
    host.get_by_label("Area").press("Tab")
    venue_section = host.locator("#venue-section")
    expect(venue_section).to_contain_text("Area: Baton Rouge, LA (its times are in Chicago time)")
    expect(venue_section).to_contain_text("No venues are known within 25 km yet")
    host.get_by_label("Name of the place").fill("Rosie's Coffee")
    host.get_by_label("Address").fill("3003 Government St, Baton Rouge, LA")
    # The map is drawn once asked for; clicking it puts the place there and picks "A new place".
    host.get_by_role("button", name="Show map").click()
    venue_map = host.locator("#venue-map.is-ready")
    expect(venue_map).to_be_visible()
    venue_map.click(position={"x": 200, "y": 100})
    expect(host.get_by_label("Latitude")).to_have_value(re.compile(r"^30\.\d+$"))
    expect(host.get_by_label("Longitude")).to_have_value(re.compile(r"^-91\.\d+$"))
    expect(host.get_by_label("A new place")).to_be_checked()
    host.get_by_label("Every week").check()
    host.get_by_label("Day", exact=True).select_option(label=weekday)
    host.get_by_label("Starts at").fill("18:30")
    host.get_by_label("Facilitators approve new members").check()
    host.get_by_label("A question for people asking to join").fill("What brings you here?")
    host.get_by_label("I have read the facilitator agreement and accept it.").check()
    shots(host, "start-form")

    # The page's main action stands out; Preview is a secondary (white) button.
    expect(host.get_by_role("button", name="Preview")).to_have_css("background-color", WHITE)
    expect(host.get_by_role("button", name="Start the circle")).not_to_have_css(
        "background-color", WHITE
    )
    host.get_by_role("button", name="Preview").click()
    preview = host.locator(".preview")
    expect(preview.get_by_role("heading", name="Evening Grief Circle")).to_be_visible()
    expect(preview).to_contain_text(f"Every {weekday} at 6:30 pm")
    expect(preview).to_contain_text("Rosie's Coffee")
    expect(preview).to_contain_text("Facilitators welcome new members")
    shots(host, "preview")
    assert not Circle.objects.exists()  # a preview saves nothing

    host.get_by_role("button", name="Start the circle").click()
    expect(host.get_by_role("heading", name="Hosting Evening Grief Circle")).to_be_visible()
    circle = Circle.objects.get()
    meetups = list(circle.meetups.order_by("starts_at"))
    rows = host.locator("#meetups tbody tr")
    expect(rows).to_have_count(8)
    assert len(meetups) == 8
    for row, meetup in zip(rows.all(), meetups, strict=True):
        expect(row).to_contain_text(wording.long_when(meetup.starts_at, CHICAGO).split(",")[0])
        expect(row).to_contain_text("Rosie's Coffee")
        expect(row).to_contain_text("0 of 12")
    assert meetups[0].local_start.date() == tomorrow
    assert {m.local_start.time() for m in meetups} == {dt.time(18, 30)}
    assert circle.join_policy == Circle.JoinPolicy.APPROVAL
    shots(host, "manage-eight-weeks")

    # 2. Sam asks to join; Hana approves; Sam is emailed.
    seeker = sign_in(sam)
    seeker.goto(live_server.url + circle.get_absolute_url())
    seeker.get_by_label("What brings you here? (optional)").fill("I lost my father in spring.")
    seeker.get_by_label("I have read the circle's guidelines and I accept them").check()
    seeker.get_by_role("button", name="Ask to join").click()
    expect(seeker.get_by_text("Your request is with the facilitators.")).to_be_visible()

    host.reload()
    requests = host.locator("#requests")
    expect(requests).to_contain_text("Sam")
    expect(requests).to_contain_text("I lost my father in spring.")
    shots(host, "join-request")
    expect(requests.get_by_role("button", name="Decline")).to_have_css("background-color", WHITE)
    requests.get_by_role("button", name="Approve").click()
    expect(host.locator(".messages")).to_contain_text("Sam is a member now. We've emailed them.")
    expect(requests).to_contain_text("No requests are waiting.")
    assert Membership.objects.get(circle=circle, user=sam).status == Membership.Status.ACTIVE
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["sam@example.org"], "Your request to join a circle")
    ]

    # 3. Sam (in the browser) and Robin (already a member) RSVP to the 2nd and 3rd meetups;
    # Hana moves the 2nd to 7 pm and cancels the 3rd with a message.
    moved, cancelled, rotated = meetups[1], meetups[2], meetups[3]
    MembershipFactory(user=robin, circle=circle)
    for meetup in (moved, cancelled):
        seeker.goto(live_server.url + meetup.get_absolute_url())
        seeker.get_by_role("button", name="RSVP: save me a seat").click()
        expect(seeker.locator("#rsvp")).to_contain_text("You're going.")
        meetups_services.rsvp(user=robin, meetup=meetup)
    seeker.goto(live_server.url + "/me/settings/")
    # The feed is off until the person turns it on.
    seeker.get_by_role("button", name="Turn on my calendar feed").click()
    feed_url = seeker.get_by_label("Feed address").input_value()
    feed_before = _events(seeker, feed_url)
    moved_before = _only_event(seeker, f"{live_server.url}/meetups/{moved.pk}.ics")
    cancelled_before = _only_event(seeker, f"{live_server.url}/meetups/{cancelled.pk}.ics")
    assert set(feed_before) == {str(moved_before["UID"]), str(cancelled_before["UID"])}
    mailoutbox.clear()

    host.goto(live_server.url + circle.get_absolute_url() + "manage/")
    host.locator("#meetups tbody tr").nth(1).get_by_role("link", name="Manage").click()
    expect(host.get_by_role("heading", name="Who is coming")).to_be_visible()
    expect(host.locator("main")).to_contain_text("Sam")
    expect(host.locator("main")).to_contain_text("Robin")
    host.get_by_label("Starts at (local time)").fill("19:00")
    host.get_by_role("button", name="Save changes").click()
    expect(host.locator(".messages")).to_contain_text("Everyone going or on the waitlist")
    shots(host, "meetup-moved")

    host.goto(live_server.url + circle.get_absolute_url() + "manage/")
    host.locator("#meetups tbody tr").nth(2).get_by_role("link", name="Manage").click()
    host.get_by_label("A message for the people going").fill(CANCEL_NOTE)
    host.get_by_label("Yes, cancel this meetup").check()
    cancel = host.get_by_role("button", name="Cancel the meetup")
    expect(cancel).to_have_css("background-color", DANGER_RED)
    cancel.click()
    expect(host.locator(".messages")).to_contain_text("The meetup is cancelled.")
    expect(host.locator("#meetups tbody tr").nth(2)).to_contain_text("Cancelled")
    expect(host.locator("#meetups tbody tr").nth(1)).to_contain_text("7:00 pm")
    shots(host, "meetup-cancelled")

    with past_the_move_window():  # the move's email waits in case it moves again
        sweep_outbox()
    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.local_start.time() == dt.time(19)
    assert cancelled.status == Meetup.Status.CANCELLED
    moved_subject = f"A change to your meetup on {wording.day_and_date(moved.starts_at, CHICAGO)}"
    cancelled_subject = f"Called off: {wording.long_when(cancelled.starts_at, CHICAGO)}"
    assert _subjects_by_recipient(mailoutbox) == {
        ("sam@example.org", moved_subject): 1,
        ("robin@example.org", moved_subject): 1,
        ("sam@example.org", cancelled_subject): 1,
        ("robin@example.org", cancelled_subject): 1,
    }
    cancel_mail = next(m for m in mailoutbox if m.subject == cancelled_subject)
    assert CANCEL_NOTE in cancel_mail.body

    moved_after = _only_event(seeker, f"{live_server.url}/meetups/{moved.pk}.ics")
    cancelled_after = _only_event(seeker, f"{live_server.url}/meetups/{cancelled.pk}.ics")
    feed_after = _events(seeker, feed_url)
    for before, after in ((moved_before, moved_after), (cancelled_before, cancelled_after)):
        uid = str(before["UID"])
        for event in (after, feed_after[uid]):
            assert str(event["UID"]) == uid
            assert event["SEQUENCE"] > before["SEQUENCE"]
            assert event["SEQUENCE"] > feed_before[uid]["SEQUENCE"]
    for event in (moved_after, feed_after[str(moved_before["UID"])]):
        assert event.decoded("DTSTART") == moved.starts_at
        assert event.decoded("DTSTART") != moved_before.decoded("DTSTART")
        assert str(event.get("STATUS", "CONFIRMED")) != "CANCELLED"
    for event in (cancelled_after, feed_after[str(cancelled_before["UID"])]):
        assert str(event["STATUS"]) == "CANCELLED"

    # 4. Robin reports a concern about Sam, whom Robin has not met at a meetup yet, so the
    # list does not name Sam: Robin describes them. It lands in Hana's queue (not the
    # moderators').
    member = sign_in(robin)
    member.goto(live_server.url + circle.get_absolute_url())
    member.get_by_role("link", name="Report a concern").click()
    expect(member.get_by_label("Who or what is it about?")).not_to_contain_text("Sam")
    member.get_by_label("Not in the list? Describe them").fill("Sam, who joined last week")
    member.get_by_label("What happened?").select_option(label="Someone broke confidentiality")
    member.get_by_label("Anything else we should know").fill("Sam told a friend my story.")
    shots(member, "report-form")
    member.get_by_role("button", name="Send my report").click()
    expect(member.locator(".messages")).to_contain_text("Your report is private")
    report = Report.objects.get()
    assert (report.about_user, report.about_description, report.routed_to) == (
        None,
        "Sam, who joined last week",
        Report.RoutedTo.FACILITATORS,
    )

    host.goto(live_server.url + circle.get_absolute_url() + "manage/")
    queue = host.locator("#reports")
    expect(queue).to_contain_text("Someone broke confidentiality")
    expect(queue).to_contain_text("Sam, who joined last week")
    expect(queue).to_contain_text("Sam told a friend my story.")
    expect(queue).not_to_contain_text("Robin")  # who sent it is for moderators only
    queue.scroll_into_view_if_needed()
    shots(host, "report-in-queue")

    # 5. Robin offers to host the 4th meetup; Hana confirms; Robin sees who is coming and
    # the meetup page says Robin hosts it.
    meetups_services.rsvp(user=sam, meetup=rotated)
    member.goto(live_server.url + rotated.get_absolute_url())
    expect(member.locator(".meetup-host")).to_have_text("Hosted by the facilitators")
    member.get_by_role("button", name="Offer to host this meetup").click()
    expect(member.locator("#host-offer")).to_contain_text("You've offered to host this meetup.")

    host.reload()
    rotation = host.locator("#rotation")
    expect(rotation).to_contain_text("Robin offers to host.")
    mailoutbox.clear()
    rotation.get_by_role("button", name="Confirm").click()
    expect(host.locator(".messages")).to_contain_text("Robin is hosting that meetup.")
    expect(rotation).to_contain_text("Robin is hosting.")
    offer = HostOffer.objects.get()
    assert (offer.status, offer.meetup) == (HostOffer.Status.CONFIRMED, rotated)
    [confirmed] = mailoutbox
    assert confirmed.to == ["robin@example.org"]

    # Robin follows the email's link: the meetup page shows the host's panel, which leads
    # to the meetup's one page for its hosts: who is coming, nothing to change.
    link = MEETUP_LINK.search(confirmed.body)
    assert link and link.group(1) == str(rotated.pk), confirmed.body
    member.goto(link.group(0))
    expect(member.locator(".meetup-host")).to_have_text("Hosted by Robin")
    panel = member.locator(".facilitator-panel")
    expect(panel.get_by_role("heading", name="For this meetup's host")).to_be_visible()
    shots(member, "rotating-host-meetup-page")
    panel.get_by_role("link", name="Manage this meetup").click()
    expect(member).to_have_url(
        f"{live_server.url}{circle.get_absolute_url()}manage/meetups/{rotated.pk}/"
    )
    expect(member.get_by_role("heading", name="Who is coming")).to_be_visible()
    expect(member.locator("main")).to_contain_text("Sam")
    expect(member.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(member.get_by_role("button", name="Cancel the meetup")).to_have_count(0)
    shots(member, "rotating-host-manage-view")
    # Only that meetup: another one of the circle stays closed to Robin.
    other = member.request.get(
        f"{live_server.url}{circle.get_absolute_url()}manage/meetups/{meetups[4].pk}/"
    )
    assert other.status == 403
    # Anyone can read who hosts it on the meetup's page.
    seeker.goto(live_server.url + rotated.get_absolute_url())
    expect(seeker.locator(".meetup-host")).to_have_text("Hosted by Robin")
    assert RSVP.objects.filter(meetup=rotated, user=sam, status=RSVP.Status.GOING).exists()
