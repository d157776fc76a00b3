"""Anyone with the link sees a circle's page; what they can do there depends on who they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from circles.models import Circle, Membership
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_sees_the_circle_and_is_asked_to_log_in_to_join(
    client: Client, circle: Circle, facilitator
) -> None:
    circle.topics.set([TopicFactory(name="Grief and loss")])
    circle.accessibility_notes = "Quiet corner table; staff are friendly."
    circle.step_free = True
    circle.save()
    venue = VenueFactory(name="Magnolia Coffee", accessibility_notes="Ramp at the side door.")
    ScheduleFactory(circle=circle, venue=venue, weekday=1, start_time=dt.time(18, 30))

    response = client.get("/circles/grief-circle-mid-city/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Grief Circle Mid City" in page
    assert "Grief and loss" in page
    assert circle.guidelines in page
    assert "Fern (host)" in page
    assert facilitator.email not in page
    assert "Every Tuesday at 6:30 pm" in page
    assert "Magnolia Coffee" in page
    assert "Ramp at the side door." in page
    assert "Quiet corner table" in page
    assert "Step-free venue" in page
    assert "/accounts/login/?next=/circles/grief-circle-mid-city/" in page
    assert 'action="/circles/grief-circle-mid-city/join/"' not in page


def test_the_next_four_meetups_are_listed_with_seats_left(client: Client, circle: Circle) -> None:
    now = timezone.now()
    meetups = [
        MeetupFactory(circle=circle, starts_at=now + dt.timedelta(days=d)) for d in range(1, 7)
    ]
    MeetupFactory(circle=circle, starts_at=now - dt.timedelta(days=1))
    cancelled = meetups[0]
    cancelled.status = "cancelled"
    cancelled.save()
    meetups[1].going_count = 11
    meetups[1].save()

    page = client.get(circle.get_absolute_url()).content.decode()

    shown = [m for m in meetups if f"/meetups/{m.pk}/" in page]
    assert shown == meetups[1:5]
    assert "1 seat left" in page


def test_outsider_sees_the_join_form(outsider_client: Client, circle: Circle) -> None:
    page = outsider_client.get(circle.get_absolute_url()).content.decode()

    assert 'action="/circles/grief-circle-mid-city/join/"' in page
    assert "I have read the circle&#x27;s guidelines" in page


def test_member_sees_a_leave_button(member_client: Client, circle: Circle) -> None:
    page = member_client.get(circle.get_absolute_url()).content.decode()

    assert "You're a member" in page
    assert 'action="/circles/grief-circle-mid-city/leave/"' in page
    assert 'action="/circles/grief-circle-mid-city/join/"' not in page


def test_facilitator_sees_they_host_it(facilitator_client: Client, circle: Circle) -> None:
    page = facilitator_client.get(circle.get_absolute_url()).content.decode()

    assert "You host this circle" in page
    assert 'action="/circles/grief-circle-mid-city/join/"' not in page


def test_removed_member_is_told_they_cannot_rejoin(circle: Circle) -> None:
    removed = UserFactory()
    MembershipFactory(user=removed, circle=circle, status=Membership.Status.REMOVED)
    client = Client()
    client.force_login(removed)

    page = client.get(circle.get_absolute_url()).content.decode()

    assert "can't rejoin" in page
    assert 'action="/circles/grief-circle-mid-city/join/"' not in page


def test_an_unlisted_circle_opens_by_its_link(client: Client) -> None:
    circle = CircleFactory(name="Quiet circle", slug="quiet", visibility=Circle.Visibility.UNLISTED)

    response = client.get(f"/circles/quiet/?invite={circle.invite_token}")

    assert response.status_code == 200
    assert "Quiet circle" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_an_archived_circle_says_it_has_closed(client: Client) -> None:
    CircleFactory(name="Old circle", slug="old", status=Circle.Status.ARCHIVED)

    response = client.get("/circles/old/")

    assert response.status_code == 404
    assert "This circle has closed" in response.content.decode()
    assert "Old circle" not in response.content.decode()


def test_an_unknown_circle_is_not_found(client: Client) -> None:
    assert client.get("/circles/no-such-circle/").status_code == 404
