"""/me/meetups/: what I'm going to, where I wait, what I went to, and a quick cancel."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from accounts.services import regenerate_calendar_token
from meetups import services
from meetups.models import RSVP
from tests.factories import MeetupFactory, VenueFactory

MY_MEETUPS = "/me/meetups/"


def test_upcoming_going_and_waitlisted_with_position_and_past(
    member_client, member, facilitator, circle
):
    regenerate_calendar_token(user=member)  # the feed is off until turned on
    going = MeetupFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))
    full = MeetupFactory(circle=circle, capacity=1, venue=VenueFactory(name="Bean There"))
    services.rsvp(user=facilitator, meetup=full)
    services.rsvp(user=member, meetup=going)
    services.rsvp(user=member, meetup=full)
    starts = timezone.now() - dt.timedelta(days=7)
    past = MeetupFactory(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        venue=VenueFactory(name="Old Mill Cafe"),
    )
    RSVP.objects.create(meetup=past, user=member, status=RSVP.Status.GOING)

    html = member_client.get(MY_MEETUPS).content.decode()

    assert reverse("me:meetups") == MY_MEETUPS
    upcoming, past_section = html.split('id="past-heading"')
    assert "Rosie&#x27;s Coffee" in upcoming and "Going" in upcoming
    assert "Bean There" in upcoming and "Waitlist: number 1" in upcoming
    assert past.get_absolute_url() in past_section
    assert member.calendar_token in html


def test_quick_cancel_with_htmx_swaps_the_list(member_client, member, meetup):
    services.rsvp(user=member, meetup=meetup)

    response = member_client.post(
        reverse("meetups:cancel", args=[meetup.pk]),
        {"from": "my-meetups"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="upcoming"')
    assert "Nothing coming up" in html
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.CANCELLED
    meetup.refresh_from_db()
    assert meetup.going_count == 0


def test_quick_cancel_without_javascript_redirects_back(member_client, member, meetup):
    services.rsvp(user=member, meetup=meetup)

    response = member_client.post(
        reverse("meetups:cancel", args=[meetup.pk]), {"from": "my-meetups"}
    )

    assert response.status_code == 302
    assert response["Location"] == MY_MEETUPS
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.CANCELLED


def test_my_meetups_needs_login(client, db):
    response = client.get(MY_MEETUPS)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_times_read_like_the_rest_of_the_site(member_client, member, circle):
    local = timezone.now().astimezone(zoneinfo.ZoneInfo(circle.timezone)) + dt.timedelta(days=3)
    local = local.replace(hour=18, minute=30, second=0, microsecond=0)
    meetup = MeetupFactory(circle=circle, starts_at=local, ends_at=local + dt.timedelta(hours=1))
    services.rsvp(user=member, meetup=meetup)

    html = member_client.get(MY_MEETUPS).content.decode()

    assert f"{local:%a} {local.day} {local:%b}, 6:30 pm {local:%Z}" in html
    assert "p.m." not in html
