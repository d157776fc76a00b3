"""When a seat frees up, the first person waiting gets it at once and an email."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory


@pytest.fixture
def full_meetup(circle, member) -> Meetup:
    """One seat, taken by `member`, and two people waiting (first, second)."""
    meetup = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=member, meetup=meetup)
    for name in ("First", "Second"):
        person = UserFactory(display_name=name)
        MembershipFactory(user=person, circle=circle)
        services.rsvp(user=person, meetup=meetup)
    return meetup


def statuses(meetup: Meetup) -> dict[str, str]:
    return {r.user.display_name: r.status for r in meetup.rsvps.select_related("user")}


def test_cancelling_promotes_the_first_waitlisted_and_emails_them(
    full_meetup, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(user=member, meetup=full_meetup)

    assert statuses(full_meetup) == {
        "Milo": RSVP.Status.CANCELLED,
        "First": RSVP.Status.GOING,
        "Second": RSVP.Status.WAITLISTED,
    }
    full_meetup.refresh_from_db()
    assert full_meetup.going_count == 1
    first = RSVP.objects.get(meetup=full_meetup, user__display_name="First")
    assert services.waitlist_position(RSVP.objects.get(user__display_name="Second")) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [first.user.email]
    assert "seat opened up" in message.subject
    assert full_meetup.circle.name not in message.subject
    assert full_meetup.get_absolute_url() in message.body
    key = f"promoted:meetup:{full_meetup.pk}:user:{first.user_id}"
    assert Notification.objects.get(key=key).sent_at is not None


def test_leaving_the_waitlist_promotes_nobody(full_meetup, django_capture_on_commit_callbacks):
    second = RSVP.objects.get(meetup=full_meetup, user__display_name="Second")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(user=second.user, meetup=full_meetup)

    assert statuses(full_meetup)["First"] == RSVP.Status.WAITLISTED
    assert mail.outbox == []


def test_raising_capacity_promotes_from_the_waitlist(
    full_meetup, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_capacity(meetup=full_meetup, capacity=3, by=facilitator)

    assert statuses(full_meetup) == {
        "Milo": RSVP.Status.GOING,
        "First": RSVP.Status.GOING,
        "Second": RSVP.Status.GOING,
    }
    full_meetup.refresh_from_db()
    assert (full_meetup.capacity, full_meetup.going_count) == (3, 3)
    assert len(mail.outbox) == 2


def test_lowering_capacity_never_removes_anyone_going(circle, facilitator, member):
    meetup = MeetupFactory(circle=circle, capacity=3)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=facilitator, meetup=meetup)

    services.set_capacity(meetup=meetup, capacity=1, by=facilitator)
    newcomer = UserFactory()
    MembershipFactory(user=newcomer, circle=circle)
    late = services.rsvp(user=newcomer, meetup=meetup)

    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.going_count) == (1, 2)
    assert meetup.rsvps.filter(status=RSVP.Status.GOING).count() == 2
    assert late.status == RSVP.Status.WAITLISTED
    assert meetup.seats_left == 0


def test_over_capacity_cancellation_does_not_promote(circle, facilitator, member):
    meetup = MeetupFactory(circle=circle, capacity=2)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=facilitator, meetup=meetup)
    services.set_capacity(meetup=meetup, capacity=1, by=facilitator)
    waiting = UserFactory()
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=waiting, meetup=meetup)

    services.cancel_rsvp(user=member, meetup=meetup)

    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.WAITLISTED
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_promote_waitlist_fills_free_seats_in_order(full_meetup):
    Meetup.objects.filter(pk=full_meetup.pk).update(capacity=2)

    promoted = services.promote_waitlist(meetup=full_meetup)

    assert [r.user.display_name for r in promoted] == ["First"]
    full_meetup.refresh_from_db()
    assert full_meetup.going_count == 2


def test_promoted_email_is_sent_once_even_if_the_task_runs_twice(
    full_meetup, member, django_capture_on_commit_callbacks
):
    from meetups import notifications

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(user=member, meetup=full_meetup)
    first = RSVP.objects.get(meetup=full_meetup, user__display_name="First")

    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_promoted.delay(first.pk)
        notifications.notify_promoted.delay(first.pk)

    assert len(mail.outbox) == 1
    assert Notification.objects.get(key__startswith="promoted:").status == "sent"


def test_the_promotion_email_is_queued_with_the_promotion(full_meetup, member):
    services.cancel_rsvp(user=member, meetup=full_meetup)
    first = RSVP.objects.get(meetup=full_meetup, user__display_name="First")

    # Written in the same transaction as the seat, before any task ran.
    note = Notification.objects.get(key=f"promoted:meetup:{full_meetup.pk}:user:{first.user_id}")
    assert note.status == "pending"
    assert note.expires_at == full_meetup.starts_at
    assert mail.outbox == []
