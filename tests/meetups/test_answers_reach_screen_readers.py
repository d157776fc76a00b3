"""What the server sends so an RSVP's or a cancellation's answer reaches a screen reader:
the pages carry an empty live region outside the part htmx swaps, the swapped part fills
it out of band and marks its answer for focus, and each Cancel on My meetups is named for
its meetup. (tests/e2e/test_rsvp_with_the_keyboard.py follows the same in Chromium.)"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from meetups import services
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory

HTMX = {"HX-Request": "true"}
LIVE_REGION = (
    '<p id="rsvp-announcement" class="visually-hidden" role="status" aria-atomic="true"></p>'
)


def test_meetup_page_keeps_its_live_region_outside_the_rsvp_box(member_client, meetup):
    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert html.index(LIVE_REGION) < html.index('<div id="rsvp"')
    assert "autofocus" not in html


def test_htmx_rsvp_fills_the_live_region_and_marks_the_answer_for_focus(
    member_client, member, meetup
):
    response = member_client.post(reverse("meetups:rsvp", args=[meetup.pk]), headers=HTMX)

    html = response.content.decode()
    assert (
        '<p id="rsvp-announcement" hx-swap-oob="innerHTML">'
        "You&#x27;re going. We&#x27;ve saved you a seat. <strong>11</strong> of 12 seats left</p>"
    ) in html
    assert (
        '<p class="notice" id="rsvp-notice" tabindex="-1" autofocus>'
        "You&#x27;re going. We&#x27;ve saved you a seat.</p>"
    ) in html


def test_htmx_cancel_fills_the_live_region(member_client, member, meetup):
    services.rsvp(user=member, meetup=meetup)

    response = member_client.post(reverse("meetups:cancel", args=[meetup.pk]), headers=HTMX)

    assert (
        '<p id="rsvp-announcement" hx-swap-oob="innerHTML">Your RSVP is cancelled. Thank you '
        "for freeing the seat. <strong>12</strong> of 12 seats left</p>"
    ) in response.content.decode()


def test_without_javascript_the_answer_is_a_message_and_nothing_takes_focus(
    member_client, member, meetup
):
    response = member_client.post(reverse("meetups:rsvp", args=[meetup.pk]), follow=True)

    html = response.content.decode()
    # The live region holds the list (a role on the <ul> would unmake it a list for axe).
    assert re.search(r'<div role="status">\s*<ul class="messages">', html)
    assert "autofocus" not in html
    assert LIVE_REGION in html


def test_cancel_on_my_meetups_is_announced_and_named_for_its_meetup(member_client, member):
    circle = CircleFactory(name="Grief Circle Mid City", timezone="America/Chicago")
    MembershipFactory(user=member, circle=circle)
    local = timezone.now().astimezone(zoneinfo.ZoneInfo(circle.timezone)) + dt.timedelta(days=3)
    local = local.replace(hour=18, minute=30, second=0, microsecond=0)
    meetup = MeetupFactory(circle=circle, starts_at=local)
    services.rsvp(user=member, meetup=meetup)

    page = member_client.get(reverse("me:meetups")).content.decode()
    name = f"my place on {local:%a} {local.day} {local:%b}, 6:30 pm, Grief Circle Mid City"
    assert f'Cancel<span class="visually-hidden"> {name}</span></button>' in page
    live = '<p id="upcoming-announcement" class="visually-hidden" role="status"'
    assert page.index(live) < page.index('<section id="upcoming"')

    response = member_client.post(
        reverse("meetups:cancel", args=[meetup.pk]), {"from": "my-meetups"}, headers=HTMX
    )
    html = response.content.decode()
    assert (
        '<p id="upcoming-announcement" hx-swap-oob="innerHTML">'
        "Your RSVP is cancelled. Thank you for freeing the seat.</p>"
    ) in html
    assert '<p class="notice" id="upcoming-notice" tabindex="-1" autofocus>' in html
