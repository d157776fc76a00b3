"""Downloading everything the site holds about me, and nobody else's."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services import regenerate_calendar_token
from circles.models import CheckIn, Circle
from hosting.models import Report
from meetups.models import RSVP, Meetup
from tests.factories import CircleFactory, MembershipFactory, RSVPFactory, VenueFactory

URL = reverse("export_data")


def test_anonymous_is_sent_to_log_in(client: Client, db) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_export_holds_my_data_and_not_anyone_elses(
    member_client: Client,
    member: User,
    facilitator: User,
    outsider: User,
    circle: Circle,
    meetup: Meetup,
) -> None:
    regenerate_calendar_token(user=member)  # the feed is off until turned on
    RSVPFactory(meetup=meetup, user=member, status=RSVP.Status.GOING, attended=True)
    RSVPFactory(meetup=meetup, user=facilitator, status=RSVP.Status.GOING)
    CheckIn.objects.create(
        user=member,
        circle=circle,
        iso_year=2026,
        iso_week=47,
        mood=4,
        note="A calmer week.",
        wants_support=True,
    )
    CheckIn.objects.create(
        user=facilitator,
        circle=circle,
        iso_year=2026,
        iso_week=47,
        mood=2,
        note="Fern's own note",
    )
    Report.objects.create(circle=circle, reporter=member, reason="Spam link", details="In the chat")
    Report.objects.create(circle=circle, reporter=outsider, reason="Olive's report")
    Notification.objects.create(
        key=f"reminder-24h:meetup:{meetup.pk}:user:{member.pk}", user=member, kind="reminder-24h"
    )
    Notification.objects.create(
        key=f"reminder-24h:meetup:{meetup.pk}:user:{facilitator.pk}",
        user=facilitator,
        kind="reminder-24h",
    )
    VenueFactory(name="Milo's corner cafe", created_by=member)
    VenueFactory(name="Olive's tea room", created_by=outsider)
    elsewhere = CircleFactory(name="Olive's other circle")
    MembershipFactory(user=outsider, circle=elsewhere, join_answer="Olive's answer")

    # The download asks for the password again first (see test_sign_in_security.py).
    member_client.post(reverse("account_reauthenticate"), {"password": "correct horse battery"})
    response = member_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Milo"
    assert data["profile"]["email"] == member.email
    assert data["email_addresses"] == [{"email": member.email, "verified": True, "primary": True}]
    assert data["consent"]["privacy_notice_version"] == "2026-12"
    assert data["consent"]["health_data_consent_at"]
    assert [(m["circle_slug"], m["role"], m["status"]) for m in data["memberships"]] == [
        ("grief-circle-mid-city", "member", "active")
    ]
    assert data["memberships"][0]["guidelines_accepted_at"]
    assert [(r["meetup_id"], r["status"], r["attended"]) for r in data["rsvps"]] == [
        (meetup.pk, "going", True)
    ]
    assert data["rsvps"][0]["circle"] == "Grief Circle Mid City"
    assert [(c["mood"], c["note"], c["wants_support"]) for c in data["checkins"]] == [
        (4, "A calmer week.", True)
    ]
    assert [r["reason"] for r in data["reports"]] == ["Spam link"]
    assert [v["name"] for v in data["venues_added"]] == ["Milo's corner cafe"]
    assert [n["key"] for n in data["notifications"]] == [
        f"reminder-24h:meetup:{meetup.pk}:user:{member.pk}"
    ]

    text = response.content.decode()
    for someone_else in (
        facilitator.email,
        outsider.email,
        "Fern's own note",
        "Olive",
        "Fern (host)",
        member.password,
        member.calendar_token,
    ):
        assert someone_else not in text
