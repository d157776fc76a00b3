"""Fifty people press RSVP for ten seats at the same instant, on real Postgres.

Each thread has its own database connection and they all start together (a Barrier).
The service must end with exactly ten going and forty waitlisted, in the order their
transactions got the meetup's lock. The same harness run against a naive read-then-write
oversells, which shows the race is real and this test can fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accounts.models import User
from circles.models import Circle
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

PEOPLE = 50
SEATS = 10

pytestmark = pytest.mark.django_db(transaction=True)


def race(people: list[User], take_seat: Callable[[User], object]) -> list[BaseException]:
    """Run take_seat for everyone at once, each in its own thread and connection."""
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def run(person: User) -> None:
        try:
            barrier.wait()
            take_seat(person)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def crowd(circle: Circle) -> list[User]:
    people = [UserFactory() for _ in range(PEOPLE)]
    for person in people:
        MembershipFactory(user=person, circle=circle)
    return people


def test_fifty_people_race_for_ten_seats(postgres, circle):
    meetup = MeetupFactory(circle=circle, capacity=SEATS)
    people = crowd(circle)
    lock_order: list[int] = []
    order_guard = threading.Lock()

    def rsvp_and_record_lock_order(person: User) -> None:
        def record(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if "FOR UPDATE" in sql and "meetups_meetup" in sql:
                # Nobody else can pass the lock until this transaction commits, so the
                # append happens in lock order.
                with order_guard:
                    if person.pk not in lock_order:
                        lock_order.append(person.pk)
            return result

        with connection.execute_wrapper(record):
            services.rsvp(user=person, meetup=meetup)

    errors = race(people, rsvp_and_record_lock_order)

    assert errors == []
    rsvps = RSVP.objects.filter(meetup=meetup)
    assert rsvps.count() == PEOPLE
    assert rsvps.values("user").distinct().count() == PEOPLE
    going = set(rsvps.filter(status=RSVP.Status.GOING).values_list("user_id", flat=True))
    waitlisted = list(
        rsvps.filter(status=RSVP.Status.WAITLISTED)
        .order_by("requested_at", "pk")
        .values_list("user_id", flat=True)
    )
    assert len(going) == SEATS
    assert len(waitlisted) == PEOPLE - SEATS
    assert len(lock_order) == PEOPLE
    assert going == set(lock_order[:SEATS])
    assert waitlisted == lock_order[SEATS:]
    for position, user_id in enumerate(waitlisted, start=1):
        seat = RSVP.objects.get(meetup=meetup, user_id=user_id)
        assert services.waitlist_position(seat) == position
    meetup.refresh_from_db()
    assert meetup.going_count == SEATS


def test_naive_read_then_write_oversells(postgres, circle):
    """Proof the harness can catch an oversell: count, pause, insert."""
    meetup = MeetupFactory(circle=circle, capacity=SEATS)
    people = crowd(circle)

    def naive_rsvp(person: User) -> None:
        with transaction.atomic():
            taken = RSVP.objects.filter(meetup=meetup, status=RSVP.Status.GOING).count()
            time.sleep(0.05)
            status = RSVP.Status.GOING if taken < SEATS else RSVP.Status.WAITLISTED
            RSVP.objects.create(meetup=meetup, user=person, status=status)

    errors = race(people, naive_rsvp)

    assert errors == []
    assert RSVP.objects.filter(meetup=meetup, status=RSVP.Status.GOING).count() > SEATS


def test_double_click_race_makes_one_rsvp(postgres, circle, member):
    """The second click waits for the first one's lock. The read that follows the lock
    (sent in the same round trip) must see the first click's committed row; a read from
    before the wait would not, and the second insert would break the unique constraint."""
    meetup = MeetupFactory(circle=circle, capacity=SEATS)

    errors = race([member, member], lambda person: services.rsvp(user=person, meetup=meetup))

    assert errors == []
    assert RSVP.objects.filter(meetup=meetup, user=member).count() == 1
    assert Meetup.objects.get(pk=meetup.pk).going_count == 1
