"""Small things a person notices: "just now" rather than "0 minutes ago", "Chicago time"
rather than "America/Chicago", the mood chart naming all five levels, the circle page
marking the meetups I'm going to (and pointing to them rather than "above"), and
"You're going" said once after pressing RSVP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from circles import wording
from circles.checkins import current_week
from circles.models import MOOD_WORDS, CheckIn, Membership
from meetups import services
from tests.factories import MeetupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)


def test_just_now_then_minutes_ago() -> None:
    assert wording.ago(NOW - dt.timedelta(seconds=20), now=NOW) == "just now"
    assert wording.ago(NOW - dt.timedelta(minutes=5), now=NOW) == "5\xa0minutes ago"


def test_zones_read_as_places() -> None:
    assert wording.zone_words("America/Chicago") == "Chicago time"
    assert wording.zone_words("America/Los_Angeles") == "Los Angeles time"
    assert wording.zone_words("America/Indiana/Indianapolis") == "Indianapolis time"


def test_a_request_just_made_says_just_now(facilitator_client: Client, circle) -> None:
    MembershipFactory(circle=circle, status=Membership.Status.PENDING)

    html = facilitator_client.get(reverse("hosting:manage", args=[circle.slug])).content.decode()

    assert "asked just now" in html
    assert "0\xa0minutes" not in html


def test_the_circle_page_names_no_raw_zone(member_client: Client, circle) -> None:
    html = member_client.get(circle.get_absolute_url()).content.decode()

    assert "(Chicago time)" in html
    assert "America/Chicago" not in html.split("<main", 1)[1]


def test_the_circle_page_marks_the_meetups_i_am_going_to(
    member_client: Client, member, circle
) -> None:
    going = MeetupFactory(circle=circle)
    MeetupFactory(circle=circle, starts_at=going.starts_at + dt.timedelta(weeks=1))
    services.rsvp(user=member, meetup=going)

    html = member_client.get(circle.get_absolute_url()).content.decode()

    assert html.count('<span class="status status-going">') == 1
    assert 'href="#meetups-heading">RSVP to one of its next meetups</a>' in html
    assert "above" not in html


def test_the_mood_chart_names_all_five_levels(member_client: Client, member, circle) -> None:
    week = current_week(circle)
    CheckIn.objects.create(
        user=member, circle=circle, iso_year=week // 100, iso_week=week % 100, mood=2
    )

    html = member_client.get(reverse("my_checkins")).content.decode()
    chart = html.split('<svg class="mood-chart"', 1)[1].split("</svg>", 1)[0]

    for word in MOOD_WORDS.values():
        assert f'class="axis">{word}</text>' in chart


def test_youre_going_is_said_once_after_rsvp(member_client: Client, circle) -> None:
    meetup = MeetupFactory(circle=circle)

    response = member_client.post(
        reverse("meetups:rsvp", args=[meetup.pk]), headers={"HX-Request": "true"}
    )

    box = response.content.decode().split('<div id="rsvp"', 1)[1]
    # What is seen, without the screen readers' live region (filled out of band).
    seen = re.sub(r'<p id="rsvp-announcement"[^>]*>.*?</p>', "", box, flags=re.S)
    assert seen.count("You&#x27;re going") + seen.count("You're going") == 1
