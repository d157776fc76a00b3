"""On real Postgres: several people press "Yes, I'll host it" at the same instant and
exactly one hosts; two deadline scans running at once tell each facilitator once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection

from accounts.models import Notification, User
from circles.models import Membership
from hosting import services
from hosting.models import CoverRequest, HostOffer
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(count: int, act: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run act(i) for i in range(count) at once, each in its own thread and connection."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results.append(act(index))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_five_people_accept_at_once_and_one_hosts(postgres, circle, facilitator) -> None:
    meetup = MeetupFactory(circle=circle)
    later = MeetupFactory(circle=circle, starts_at=meetup.starts_at + dt.timedelta(weeks=1))
    volunteers: list[User] = []
    for _ in range(5):
        person = UserFactory()
        MembershipFactory(user=person, circle=circle)
        services.offer_to_host(user=person, meetup=later)
        volunteers.append(person)
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)

    results, errors = race(5, lambda i: services.accept_cover(cover=cover, user=volunteers[i]))

    assert len(results) == 1
    assert len(errors) == 4
    assert all(isinstance(error, services.HostingError) for error in errors)
    cover.refresh_from_db()
    meetup.refresh_from_db()
    assert cover.status == CoverRequest.Status.COVERED
    assert meetup.host == cover.covered_by
    assert HostOffer.objects.filter(meetup=meetup, status=HostOffer.Status.CONFIRMED).count() == 1


def test_two_scans_at_once_tell_each_facilitator_once(postgres, circle, facilitator) -> None:
    co = UserFactory()
    MembershipFactory(user=co, circle=circle, role=Membership.Role.FACILITATOR)
    covers = [
        services.ask_for_cover(meetup=MeetupFactory(circle=circle), by=facilitator)
        for _ in range(3)
    ]
    late = max(cover.answer_by for cover in covers) + dt.timedelta(minutes=1)

    with time_machine.travel(late, tick=False):
        results, errors = race(2, lambda i: services.tell_facilitators_of_uncovered())

    assert errors == []
    assert sum(results) == 3
    told = Notification.objects.filter(key__startswith="cover-uncovered:")
    assert told.count() == 3 * 2
    assert told.values("key").distinct().count() == 6
