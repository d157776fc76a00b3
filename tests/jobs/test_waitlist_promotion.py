"""A seat frees up: the first person waiting gets it and one email, sent by a real worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from accounts.models import Notification
from meetups import services
from meetups.models import RSVP
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory
from tests.jobs.conftest import Worker
from tests.jobs.mail import read_mail_dir

pytestmark = pytest.mark.jobs


def test_waitlisted_member_is_promoted_and_emailed_once_when_a_seat_frees_up(
    start_worker: Callable[..., Worker], mail_dir: Path
) -> None:
    circle = CircleFactory()
    going, waiting = UserFactory(), UserFactory(email="waiting@example.org")
    for person in (going, waiting):
        MembershipFactory(user=person, circle=circle)
    meetup = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=going, meetup=meetup)
    assert services.rsvp(user=waiting, meetup=meetup).status == RSVP.Status.WAITLISTED
    worker = start_worker()

    services.cancel_rsvp(user=going, meetup=meetup)

    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.GOING
    worker.wait_succeeded("accounts.tasks.deliver_notifications")
    assert len(list(mail_dir.iterdir())) == 1
    messages = read_mail_dir(mail_dir)
    assert [m["To"] for m in messages] == ["waiting@example.org"]
    assert list(Notification.objects.values_list("key", flat=True)) == [
        f"promoted:meetup:{meetup.pk}:user:{waiting.pk}"
    ]
    assert Notification.objects.get().status == "sent"
