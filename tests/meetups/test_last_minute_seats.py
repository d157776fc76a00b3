"""A seat that frees less than a day before the start is offered to the first person
waiting, held for them for the circle's window (never past the start), and passes to the
next person if they don't confirm. Earlier, or in a circle that chose so, it goes at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from circles.models import Circle
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

NOW = dt.datetime(2031, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def full_meetup(circle: Circle, member: User, *, starts_in: dt.timedelta) -> Meetup:
    """One seat, taken by `member`; "First" then "Second" waiting."""
    starts = timezone.now() + starts_in
    meetup = MeetupFactory(
        circle=circle, capacity=1, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    services.rsvp(user=member, meetup=meetup)
    for name in ("First", "Second"):
        person = UserFactory(display_name=name, email=f"{name.lower()}@example.org")
        MembershipFactory(user=person, circle=circle)
        services.rsvp(user=person, meetup=meetup)
    return meetup


def seat(meetup: Meetup, name: str) -> RSVP:
    return RSVP.objects.get(meetup=meetup, user__display_name=name)


def counts(meetup: Meetup) -> tuple[int, int, int]:
    meetup.refresh_from_db()
    return meetup.going_count, meetup.seats_offered, meetup.seats_left


def test_a_seat_freed_within_a_day_is_offered_and_held(
    circle, member, django_capture_on_commit_callbacks
):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(user=member, meetup=meetup)

    first = seat(meetup, "First")
    assert first.status == RSVP.Status.WAITLISTED
    assert first.offer_expires_at == NOW + dt.timedelta(hours=2)
    assert first.has_open_offer()
    assert counts(meetup) == (0, 1, 0)
    # Held: a newcomer waits rather than taking it.
    newcomer = UserFactory()
    MembershipFactory(user=newcomer, circle=circle)
    assert services.rsvp(user=newcomer, meetup=meetup).status == RSVP.Status.WAITLISTED
    # One email, discreet, linking to the meetup's page (which changes nothing on GET).
    [message] = mail.outbox
    assert message.to == ["first@example.org"]
    assert circle.name not in message.subject
    assert meetup.get_absolute_url() in message.body
    until = int(first.offer_expires_at.timestamp())
    key = f"offered:meetup:{meetup.pk}:user:{first.user_id}:until:{until}"
    assert Notification.objects.get(key=key).sent_at is not None


def test_confirming_takes_the_seat_once(circle, member):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    services.cancel_rsvp(user=member, meetup=meetup)
    first = seat(meetup, "First").user

    services.claim_offered_seat(user=first, meetup=meetup)
    services.claim_offered_seat(user=first, meetup=meetup)

    assert seat(meetup, "First").status == RSVP.Status.GOING
    assert seat(meetup, "First").offer_expires_at is None
    assert counts(meetup) == (1, 0, 0)
    # Only the person offered can confirm.
    with pytest.raises(services.RSVPError):
        services.claim_offered_seat(user=seat(meetup, "Second").user, meetup=meetup)


def test_an_unclaimed_offer_passes_to_the_next_person(circle, member, clock):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    services.cancel_rsvp(user=member, meetup=meetup)
    first = seat(meetup, "First").user

    clock.shift(dt.timedelta(hours=1, minutes=59))
    assert services.pass_on_lapsed_offers() == 0
    clock.shift(dt.timedelta(minutes=1))
    assert services.pass_on_lapsed_offers() == 1
    assert services.pass_on_lapsed_offers() == 0

    assert seat(meetup, "First").status == RSVP.Status.CANCELLED
    assert seat(meetup, "Second").has_open_offer()
    assert counts(meetup) == (0, 1, 0)
    with pytest.raises(services.RSVPError):
        services.claim_offered_seat(user=first, meetup=meetup)


def test_an_offer_never_outlives_the_start(circle, member, clock):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(minutes=45))
    services.cancel_rsvp(user=member, meetup=meetup)
    assert seat(meetup, "First").offer_expires_at == meetup.starts_at

    clock.shift(dt.timedelta(minutes=45))
    assert services.pass_on_lapsed_offers() == 1

    # Started: nobody else is offered it.
    assert seat(meetup, "Second").offer_expires_at is None
    assert counts(meetup) == (0, 0, 1)


def test_earlier_than_a_day_the_seat_goes_at_once(circle, member):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=25))

    services.cancel_rsvp(user=member, meetup=meetup)

    assert seat(meetup, "First").status == RSVP.Status.GOING
    assert counts(meetup) == (1, 0, 0)


def test_a_circle_can_give_last_minute_seats_at_once(circle, member):
    Circle.objects.filter(pk=circle.pk).update(offer_window_minutes=0)
    circle.refresh_from_db()
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=3))

    services.cancel_rsvp(user=member, meetup=meetup)

    assert seat(meetup, "First").status == RSVP.Status.GOING
    assert counts(meetup) == (1, 0, 0)


def test_declining_an_offer_passes_it_on_at_once(circle, member):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    services.cancel_rsvp(user=member, meetup=meetup)

    services.cancel_rsvp(user=seat(meetup, "First").user, meetup=meetup)

    assert seat(meetup, "First").status == RSVP.Status.CANCELLED
    assert seat(meetup, "Second").has_open_offer()
    assert counts(meetup) == (0, 1, 0)


def test_a_cancelled_meetup_lets_its_offers_lapse_quietly(circle, member, facilitator, clock):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    services.cancel_rsvp(user=member, meetup=meetup)
    services.cancel_meetup(meetup=meetup, by=facilitator)
    with pytest.raises(services.RSVPError):
        services.claim_offered_seat(user=seat(meetup, "First").user, meetup=meetup)

    clock.shift(dt.timedelta(hours=2))
    assert services.pass_on_lapsed_offers() == 1

    assert seat(meetup, "Second").offer_expires_at is None
    assert counts(meetup)[:2] == (0, 0)


# The page


def test_the_email_link_opens_a_page_whose_button_confirms(
    circle, member, django_capture_on_commit_callbacks
):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(user=member, meetup=meetup)
    first = seat(meetup, "First").user
    link = re.search(r"https?://\S+?(/meetups/\d+/)", mail.outbox[0].body)[1]
    client = Client()
    client.force_login(first)

    page = client.get(link)

    assert "Yes, I&#x27;ll be there" in page.text or "Yes, I'll be there" in page.text
    assert seat(meetup, "First").status == RSVP.Status.WAITLISTED
    assert client.get(reverse("meetups:claim", args=[meetup.pk])).status_code == 405

    answer = client.post(reverse("meetups:claim", args=[meetup.pk]))

    assert answer.status_code == 302
    assert seat(meetup, "First").status == RSVP.Status.GOING
    page = client.get(link)
    assert "The seat is yours" in page.text


def test_someone_waiting_without_an_offer_is_told_it_passed(circle, member):
    meetup = full_meetup(circle, member, starts_in=dt.timedelta(hours=10))
    client = Client()
    client.force_login(seat(meetup, "Second").user)

    answer = client.post(reverse("meetups:claim", args=[meetup.pk]), follow=True)

    assert answer.status_code == 200
    assert "This seat offer has passed" in answer.text
    assert seat(meetup, "Second").status == RSVP.Status.WAITLISTED
    assert counts(meetup) == (1, 0, 0)
