"""Signed in, the home page leads with the person's own next meetups (with their place in
each and "I can't make it"), their circles (the next meetup, this week's check-in, and for
facilitators the requests and reports waiting), then the search from their home town.
"My circles" at /me/circles/ lists the same circles beside "My meetups"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from circles.checkins import current_week
from circles.models import CheckIn, Circle, Membership
from hosting import services as hosting_services
from meetups import services
from meetups.models import RSVP
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, noon in Baton Rouge.
NOW = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def main_of(response) -> str:
    return response.content.decode().split("<main", 1)[1]


def test_a_member_sees_their_next_meetups_and_circles_first(
    member_client: Client, member, circle
) -> None:
    tonight = MeetupFactory(
        circle=circle,
        starts_at=NOW + dt.timedelta(hours=6, minutes=30),
        ends_at=NOW + dt.timedelta(hours=8),
    )
    elsewhere = CircleFactory(name="Caregivers Lafayette", area_name="Lafayette, LA")
    MeetupFactory(circle=elsewhere, starts_at=NOW + dt.timedelta(hours=1))
    services.rsvp(user=member, meetup=tonight)

    html = main_of(member_client.get("/"))

    mine = html.split('class="hero"', 1)[0]
    assert "Your next meetups" in mine
    assert "Today 6:30 pm" in mine
    assert "You&#x27;re going" in mine or "You're going" in mine
    assert "I can&#x27;t make it" in mine or "I can't make it" in mine
    assert "Grief Circle Mid City" in mine
    assert "Check in for this week" in mine
    assert "Caregivers Lafayette" not in mine


def test_a_check_in_this_week_shows_as_done(member_client: Client, member, circle) -> None:
    week = current_week(circle)
    CheckIn.objects.create(
        user=member, circle=circle, iso_year=week // 100, iso_week=week % 100, mood=4
    )

    html = main_of(member_client.get(reverse("my_circles")))

    assert "Checked in this week" in html
    assert "Check in for this week" not in html


def test_i_cant_make_it_from_home_frees_the_seat_and_comes_back_home(
    member_client: Client, member, circle
) -> None:
    meetup = MeetupFactory(circle=circle)
    services.rsvp(user=member, meetup=meetup)

    response = member_client.post(reverse("meetups:cancel", args=[meetup.pk]), {"from": "home"})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.CANCELLED


def test_a_facilitator_sees_what_waits_for_them(
    facilitator_client: Client, facilitator, member, circle
) -> None:
    MembershipFactory(circle=circle, status=Membership.Status.PENDING)
    hosting_services.report_concern(
        reporter=member,
        circle=circle,
        about_description="The man in the blue coat",
        reason="Talked over people",
    )

    html = main_of(facilitator_client.get(reverse("my_circles")))
    home = main_of(facilitator_client.get("/"))

    assert "You host this circle" in html
    assert "1 request to join" in html
    assert "1 report to read" in html
    assert "1 request to join" in home


def test_my_circles_leaves_out_closed_circles_and_others(member_client: Client, member) -> None:
    closed = CircleFactory(name="Old Circle", status=Circle.Status.ARCHIVED)
    MembershipFactory(user=member, circle=closed)
    left = CircleFactory(name="Left Circle")
    MembershipFactory(user=member, circle=left, status=Membership.Status.LEFT)
    asked = CircleFactory(name="Asked Circle")
    MembershipFactory(user=member, circle=asked, status=Membership.Status.PENDING)
    CircleFactory(name="Someone Else's Circle")

    html = main_of(member_client.get(reverse("my_circles")))

    assert "Asked Circle" in html and "waiting for the facilitators" in html
    assert "Old Circle" not in html and "Left Circle" not in html
    assert "Someone Else" not in html


def test_someone_in_no_circle_is_pointed_to_the_search(client: Client) -> None:
    person = UserFactory()
    client.force_login(person)

    page = main_of(client.get(reverse("my_circles")))
    home = main_of(client.get("/"))

    assert "You&#x27;re not in a circle yet" in page or "You're not in a circle yet" in page
    assert "Find a peer support circle" in home


def test_visitors_see_the_search_first(client: Client, circle) -> None:
    html = main_of(client.get("/"))

    assert "Your next meetups" not in html
    assert "<h1>Find a peer support circle</h1>" in html
    assert client.get(reverse("my_circles")).status_code == 302


def test_the_manage_link_counts_what_waits(
    facilitator_client: Client, member_client: Client, member, circle
) -> None:
    MembershipFactory(circle=circle, status=Membership.Status.PENDING)
    hosting_services.report_concern(
        reporter=member,
        circle=circle,
        about_description="The man in the blue coat",
        reason="Talked over people",
    )

    html = main_of(facilitator_client.get(circle.get_absolute_url()))

    assert 'Manage this circle <span class="count">(2 waiting)</span>' in html
    assert "waiting)" not in main_of(member_client.get(circle.get_absolute_url()))
