"""Every page and form of ours, sent hostile values in every field it reads, by a visitor,
a member and a facilitator, with and without htmx: never a 500, nothing typed comes back
unescaped, and the seat counts still match the RSVP rows afterwards.

The feature tests check the clear message for each kind of bad input; this one makes sure
no field was forgotten.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db.models import Count, Q
from django.test import Client

from accounts.models import User
from circles.checkins import current_week
from circles.models import CheckIn, CheckInReply, Circle
from meetups import cant_make_it, services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory

pytestmark = pytest.mark.django_db

MARKER = "<script>alert('ps')</script>"
VALUES = [
    MARKER,
    "' OR 1=1 --",
    "1; DROP TABLE meetups_rsvp",
    "a\x00b",
    "x" * 20_000,
    "-1",
    "99999999999999999999999",
    "1e309",
    "nan",
    " ",
    "\u202e",
    "../../etc/passwd",
    ["1", "2"],
]
# Every name our views and forms read, and allauth's.
FIELDS = [
    "q", "near", "lat", "lng", "radius", "unit", "topic", "day", "time", "format",
    "language", "access", "page", "accept_guidelines", "answer", "join", "from", "capacity",
    "confirm", "attended", "user", "circle", "action", "display_name", "home_place",
    "timezone", "remind_24h", "remind_2h", "weekly_checkin", "calendar_shows_circle_name",
    "facilitator_alerts",
    "health_data_consent", "to_user", "password", "t", "mood", "note", "visibility",
    "wants_support", "body", "checkin_weekday", "checkin_time",
    "name", "description", "topics", "guidelines", "accessibility_notes", "step_free",
    "sign_language", "fragrance_free", "hearing_support", "join_policy", "join_question",
    "venue", "venue_name", "venue_address", "venue_lat", "venue_lng", "online_url", "seats",
    "dial_in_phone", "dial_in_code", "dial_in_public", "zone", "choice", "text",
    "seats_kept_open", "offer_window_minutes",
    "email", "login", "password1", "password2", "oldpassword", "next", "remember",
]  # fmt: skip


def _pages(
    circle: Circle,
    meetup: Meetup,
    member: User,
    checkin: CheckIn,
    reply: CheckInReply,
    asking: CheckIn,
) -> list[str]:
    return [
        "/",
        "/circles/",
        "/circles/feed.json",
        f"/circles/{circle.slug}/",
        f"/circles/{circle.slug}/join/",
        f"/circles/{circle.slug}/leave/",
        f"/circles/{circle.slug}/every-week/",
        f"/circles/{circle.slug}/every-week/stop/",
        f"/circles/{circle.slug}/check-in/",
        f"/circles/{circle.slug}/check-ins/support/",
        f"/circles/{circle.slug}/check-ins/{checkin.pk}/reply/",
        f"/circles/{circle.slug}/check-ins/{asking.pk}/support-note/",
        f"/circles/{circle.slug}/check-ins/replies/{reply.pk}/hide/",
        f"/circles/{circle.slug}/manage/check-in-time/",
        f"/circles/{circle.slug}/manage/edit/",
        f"/circles/{circle.slug}/manage/outline/",
        f"/circles/{circle.slug}/manage/meetups/{meetup.pk}/",
        f"/circles/{circle.slug}/manage/meetups/{meetup.pk}/cover/",
        f"/circles/{circle.slug}/manage/meetups/{meetup.pk}/cover/settle/",
        "/facilitators/",
        f"/circles/{circle.slug}/guidelines/accept/",
        "/me/check-ins/",
        "/me/circles/",
        f"/meetups/{meetup.pk}/",
        f"/meetups/{meetup.pk}.ics",
        f"/meetups/{meetup.pk}/rsvp/",
        f"/meetups/{meetup.pk}/cancel/",
        f"/meetups/{meetup.pk}/claim/",
        f"/meetups/{meetup.pk}/cant-make-it/not-a-token/",
        # The member's own link from a reminder: the visitor's POST frees that seat.
        urlsplit(cant_make_it.url(RSVP.objects.get(meetup=meetup, user=member))).path,
        "/me/meetups/",
        "/me/settings/",
        "/me/settings/calendar/new/",
        "/me/settings/calendar/off/",
        f"/me/calendar/{member.calendar_token}.ics",
        "/me/unsubscribe/not-a-token/",
        "/me/language/",
        "/jsi18n/",
        "/me/export.json",
        "/me/delete/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/change/",
        "/accounts/email/",
        "/crisis/",
        "/privacy/",
        "/robots.txt",
        "/healthz",
    ]


def _seat_counts_match() -> bool:
    counted = Meetup.objects.annotate(
        going=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING))
    ).values_list("going_count", "going", "capacity")
    return all(stored == going <= capacity for stored, going, capacity in counted)


@pytest.mark.parametrize("who", ["visitor", "member", "facilitator"])
def test_hostile_values_never_break_a_page(
    who: str, circle: Circle, member: User, facilitator: User
) -> None:
    meetup = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=facilitator, meetup=meetup)
    member.calendar_token = "feed-token-for-the-sweep"
    member.save(update_fields=["calendar_token"])
    client = Client()
    if who != "visitor":
        client.force_login(member if who == "member" else facilitator)
    checkin = CheckIn.objects.create(
        user=facilitator, circle=circle, iso_year=2026, iso_week=49, mood=3, visibility="circle"
    )
    reply = CheckInReply.objects.create(checkin=checkin, user=member, body="Been there.")
    week = current_week(circle)
    asking = CheckIn.objects.create(
        user=member,
        circle=circle,
        iso_year=week // 100,
        iso_week=week % 100,
        mood=2,
        visibility="facilitators",
        wants_support=True,
    )
    pages = _pages(circle, meetup, member, checkin, reply, asking)

    failures = []
    for n, value in enumerate(VALUES):
        data = dict.fromkeys(FIELDS, value)
        headers = {"HX-Request": "true"} if n % 2 else {}
        for page in pages:
            for method in (client.get, client.post):
                response = method(page, data, headers=headers)
                body = b"" if response.streaming else response.content
                if response.status_code >= 500 or MARKER.encode() in body:
                    failures.append((method.__name__, page, repr(value)[:40], response.status_code))

    assert failures == []
    assert _seat_counts_match()
    assert RSVP.objects.filter(meetup=meetup).count() == 2
