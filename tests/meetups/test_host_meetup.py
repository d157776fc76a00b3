"""Facilitators change capacity, cancel a meetup and mark who came."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory


def started_meetup(circle) -> Meetup:
    starts = timezone.now() - dt.timedelta(minutes=10)
    return MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))


def seat_at_started(meetup: Meetup, user) -> RSVP:
    """An RSVP made before the start (the service refuses RSVPs after it)."""
    Meetup.objects.filter(pk=meetup.pk).update(going_count=meetup.going_count + 1)
    return RSVP.objects.create(meetup=meetup, user=user, status=RSVP.Status.GOING)


def test_facilitator_raises_capacity_from_the_page(facilitator_client, member, circle):
    meetup = MeetupFactory(circle=circle, capacity=1)
    waiting = UserFactory()
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=waiting, meetup=meetup)

    response = facilitator_client.post(
        reverse("meetups:capacity", args=[meetup.pk]), {"capacity": "4"}, follow=True
    )

    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.going_count) == (4, 2)
    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.GOING
    assert "Capacity is now 4" in response.content.decode()


@pytest.mark.parametrize("value", ["0", "501", "lots", ""])
def test_capacity_must_be_sensible(facilitator_client, meetup, value):
    response = facilitator_client.post(
        reverse("meetups:capacity", args=[meetup.pk]), {"capacity": value}, follow=True
    )

    meetup.refresh_from_db()
    assert meetup.capacity == 12
    assert response.status_code == 200


def test_member_cannot_change_capacity_or_cancel(member_client, meetup):
    capacity = member_client.post(reverse("meetups:capacity", args=[meetup.pk]), {"capacity": "2"})
    cancel = member_client.post(
        reverse("meetups:cancel_meetup", args=[meetup.pk]), {"confirm": "on"}
    )

    assert capacity.status_code == 403
    assert cancel.status_code == 403
    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.status) == (12, Meetup.Status.SCHEDULED)


def test_cancelling_a_meetup_emails_everyone_going_or_waiting_once_and_raises_sequence(
    facilitator_client, member, circle, django_capture_on_commit_callbacks
):
    meetup = MeetupFactory(circle=circle, capacity=1)
    waiting = UserFactory()
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=waiting, meetup=meetup)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            reverse("meetups:cancel_meetup", args=[meetup.pk]), {"confirm": "on"}, follow=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meetup(meetup=meetup, by=circle.facilitators()[0].user)

    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.CANCELLED
    assert meetup.sequence == 1
    # The person on the waitlist had plans for it too.
    assert [m.to for m in mail.outbox] == [[member.email], [waiting.email]]
    assert "Called off" in mail.outbox[0].subject
    assert circle.name not in mail.outbox[0].subject
    assert Notification.objects.filter(
        key=f"cancelled:meetup:{meetup.pk}:user:{member.pk}"
    ).exists()
    assert Notification.objects.filter(
        key=f"cancelled:meetup:{meetup.pk}:user:{waiting.pk}"
    ).exists()
    assert "The meetup is cancelled" in response.content.decode()


def test_cancel_needs_the_confirm_box(facilitator_client, meetup):
    facilitator_client.post(reverse("meetups:cancel_meetup", args=[meetup.pk]))

    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.SCHEDULED


def test_facilitator_marks_attendance_with_htmx(facilitator_client, member, circle):
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)

    page = facilitator_client.get(meetup.get_absolute_url()).content.decode()
    response = facilitator_client.post(
        reverse("meetups:attendance", args=[meetup.pk]),
        {"user": member.pk, "attended": "1"},
        headers={"HX-Request": "true"},
    )

    assert "Mark as came" in page
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="attendee-{member.pk}"')
    assert 'aria-pressed="true" autofocus>' in html  # the new toggle keeps the focus
    assert "autofocus" not in page
    assert RSVP.objects.get(meetup=meetup, user=member).attended is True


def test_facilitator_marks_attendance_without_javascript(facilitator_client, member, circle):
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)
    RSVP.objects.filter(meetup=meetup).update(attended=True)

    response = facilitator_client.post(
        reverse("meetups:attendance", args=[meetup.pk]), {"user": member.pk, "attended": "0"}
    )

    assert response.status_code == 302
    assert RSVP.objects.get(meetup=meetup, user=member).attended is False


def test_attendance_opens_at_the_start_time(facilitator_client, member, meetup):
    services.rsvp(user=member, meetup=meetup)

    page = facilitator_client.get(meetup.get_absolute_url()).content.decode()
    response = facilitator_client.post(
        reverse("meetups:attendance", args=[meetup.pk]),
        {"user": member.pk, "attended": "1"},
        follow=True,
    )

    assert "Mark as came" not in page
    assert "once the meetup has started" in response.content.decode()
    assert RSVP.objects.get(meetup=meetup, user=member).attended is None


def test_member_cannot_mark_attendance(member_client, member, circle):
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)

    response = member_client.post(
        reverse("meetups:attendance", args=[meetup.pk]), {"user": member.pk, "attended": "1"}
    )

    assert response.status_code == 403
    assert RSVP.objects.get(meetup=meetup, user=member).attended is None
