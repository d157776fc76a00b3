"""A last-minute seat offered to the first person waiting passes to the next when its
window ends, through real workers, even when the worker that sent the offer is gone: the
offer lives in the database, the task only looks for offers whose time has passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Notification
from meetups import services
from meetups.models import RSVP, Meetup
from meetups.tasks import pass_on_lapsed_offers
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory
from tests.jobs.conftest import Worker, wait_until
from tests.jobs.mail import read_mail_dir

pytestmark = pytest.mark.jobs

TASK = "meetups.tasks.pass_on_lapsed_offers"
DELIVER = "accounts.tasks.deliver_notifications"


def test_an_unclaimed_offer_passes_on_once_across_a_worker_restart(
    start_worker: Callable[..., Worker], mail_dir: Path
) -> None:
    circle = CircleFactory()
    going = UserFactory()
    first = UserFactory(email="first@example.org")
    second = UserFactory(email="second@example.org")
    for person in (going, first, second):
        MembershipFactory(user=person, circle=circle)
    starts = timezone.now() + dt.timedelta(hours=10)
    meetup = MeetupFactory(
        circle=circle, capacity=1, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    for person in (going, first, second):
        services.rsvp(user=person, meetup=meetup)
    doomed = start_worker()

    services.cancel_rsvp(user=going, meetup=meetup)
    doomed.wait_succeeded(DELIVER)
    doomed.kill()

    # The window ends while no worker runs (the worker keeps the real clock, so the offer's
    # end is moved to the past instead), and beat's scan is queued twice meanwhile.
    offer = RSVP.objects.get(meetup=meetup, user=first)
    assert offer.has_open_offer()
    RSVP.objects.filter(pk=offer.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    pass_on_lapsed_offers.delay()
    pass_on_lapsed_offers.delay()
    worker = start_worker()
    worker.wait_succeeded(TASK, times=2)
    worker.wait_succeeded(DELIVER)
    wait_until(lambda: len(list(mail_dir.iterdir())) == 2, "the second offer's email")

    assert sorted(worker.results(TASK)) == [0, 1]
    assert RSVP.objects.get(meetup=meetup, user=first).status == RSVP.Status.CANCELLED
    assert RSVP.objects.get(meetup=meetup, user=second).has_open_offer()
    held = Meetup.objects.get(pk=meetup.pk)
    assert (held.going_count, held.seats_offered, held.seats_left) == (0, 1, 0)
    assert [m["To"] for m in read_mail_dir(mail_dir)] in (
        ["first@example.org", "second@example.org"],
        ["second@example.org", "first@example.org"],
    )
    keys = sorted(Notification.objects.values_list("key", flat=True))
    assert [key.split(":until:")[0] for key in keys] == [
        f"offered:meetup:{meetup.pk}:user:{first.pk}",
        f"offered:meetup:{meetup.pk}:user:{second.pk}",
    ]

    services.claim_offered_seat(user=second, meetup=meetup)

    held.refresh_from_db()
    assert (held.going_count, held.seats_offered) == (1, 0)
