"""Regulars take their seats at every meetup ahead while others RSVP one by one, all at the
same instant, on real Postgres: capacity is never exceeded, regulars never hold more than
their share, and every meetup's seats and waitlist are exactly what taking the requests
one at a time, in the order they got the lock, gives."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from accounts.models import User
from circles.models import Circle
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory
from tests.meetups.test_capacity_race import race

SEATS = 10
KEPT_OPEN = 2
REGULARS = 12
ONE_OFF = 12

pytestmark = pytest.mark.django_db(transaction=True)


def people(circle: Circle, count: int) -> list[User]:
    found = [UserFactory() for _ in range(count)]
    for person in found:
        MembershipFactory(user=person, circle=circle)
    return found


def replay(meetup: Meetup) -> dict[int, str]:
    """Each RSVP's status, had the requests come one at a time in their stamped order."""
    share = SEATS - KEPT_OPEN
    going = regulars = 0
    expected = {}
    for seat in meetup.rsvps.order_by("requested_at", "pk"):
        takes = going < SEATS and (not seat.regular or regulars < share)
        if takes:
            going += 1
            regulars += seat.regular
        expected[seat.pk] = RSVP.Status.GOING if takes else RSVP.Status.WAITLISTED
    return expected


def test_regulars_and_one_off_rsvps_race_for_the_seats(postgres, circle):
    Circle.objects.filter(pk=circle.pk).update(seats_kept_open=KEPT_OPEN)
    now = timezone.now()
    meetups = [
        MeetupFactory(
            circle=circle,
            capacity=SEATS,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=1),
        )
        for days in (2, 9, 16)
    ]
    regulars = people(circle, REGULARS)
    one_off = people(circle, ONE_OFF)
    # Each one-off person RSVPs to one meetup, chosen at random (the seed is in the name).
    rng = random.Random(20310310)
    wants = {person.pk: rng.choice(meetups) for person in one_off}
    crowd = regulars + one_off
    rng.shuffle(crowd)
    regular_ids = {person.pk for person in regulars}

    def ask(person: User) -> None:
        if person.pk in regular_ids:
            services.become_regular(user=person, circle=circle)
        else:
            services.rsvp(user=person, meetup=wants[person.pk])

    errors = race(crowd, ask)

    assert errors == []
    for meetup in meetups:
        meetup.refresh_from_db()
        rsvps = meetup.rsvps.all()
        going = rsvps.filter(status=RSVP.Status.GOING)
        assert meetup.going_count == going.count() <= SEATS
        assert going.filter(regular=True).count() <= SEATS - KEPT_OPEN
        assert rsvps.filter(regular=True).count() == REGULARS
        assert rsvps.filter(regular=False).count() == sum(
            1 for chosen in wants.values() if chosen.pk == meetup.pk
        )
        assert {seat.pk: seat.status for seat in rsvps} == replay(meetup)
        waiting = list(rsvps.filter(status=RSVP.Status.WAITLISTED).order_by("requested_at", "pk"))
        assert [services.waitlist_position(seat) for seat in waiting] == list(
            range(1, len(waiting) + 1)
        )


def test_seats_freed_while_regulars_join_go_in_line(postgres, circle, member):
    """People giving up seats race regulars asking for them: the counts stay true and
    nobody is going beyond capacity."""
    Circle.objects.filter(pk=circle.pk).update(seats_kept_open=0)
    meetup = MeetupFactory(circle=circle, capacity=SEATS)
    holders = people(circle, SEATS)
    for person in holders:
        services.rsvp(user=person, meetup=meetup)
    regulars = people(circle, SEATS)
    leaving = set(person.pk for person in holders[: SEATS // 2])

    def act(person: User) -> None:
        if person.pk in leaving:
            services.cancel_rsvp(user=person, meetup=meetup)
        else:
            services.become_regular(user=person, circle=circle)

    errors = race(holders[: SEATS // 2] + regulars, act)

    assert errors == []
    meetup.refresh_from_db()
    going = meetup.rsvps.filter(status=RSVP.Status.GOING)
    assert meetup.going_count == going.count() == SEATS
    assert going.filter(regular=True).count() == SEATS // 2
    waiting = meetup.rsvps.filter(status=RSVP.Status.WAITLISTED)
    assert waiting.count() == SEATS // 2
