"""The outbox on real workers: every queued message goes out once, through races, mail
outages, a mail server that hangs and a broker that is down when the message is queued."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification
from accounts.notify import queue_once
from accounts.tasks import deliver_notifications, sweep_outbox
from meetups import services
from meetups.models import RSVP
from meetups.notifications import meetup_context
from peersupport.celery import app as celery_app
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory
from tests.jobs.conftest import Broker, Worker, wait_until
from tests.jobs.mail import SilentSMTP, SMTPSink, dead_port, read_mail_dir

pytestmark = pytest.mark.jobs

DELIVER = "accounts.tasks.deliver_notifications"
SWEEP = "accounts.tasks.sweep_outbox"


def queued(count: int) -> list[Notification]:
    """`count` messages to different people, queued and committed, whose delivery hints
    were dropped (the queue is emptied): only what the test starts sends them."""
    meetup = MeetupFactory()
    for n in range(count):
        queue_once(
            key=f"notice:{n}:user:{n}",
            user=UserFactory(email=f"person{n}@example.org"),
            template="promoted",
            context=meetup_context(meetup),
        )
    celery_app.control.purge()
    return list(Notification.objects.order_by("pk"))


def statuses() -> list[str]:
    return list(Notification.objects.order_by("pk").values_list("status", flat=True))


@pytest.fixture
def silent_smtp() -> Iterator[SilentSMTP]:
    server = SilentSMTP()
    yield server
    server.close()


def test_the_same_delivery_twice_at_once_sends_one_email(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    [note] = queued(1)
    smtp_sink.hold_after = 0
    workers = [start_worker(email_url=smtp_sink.url, EMAIL_TIMEOUT="60") for _ in range(2)]

    deliver_notifications.delay([note.pk])
    deliver_notifications.delay([note.pk])
    # One is stuck in the middle of sending; the other found the message leased and is done.
    wait_until(
        lambda: smtp_sink.stalled.is_set() and sum(w.succeeded(DELIVER) for w in workers) == 1,
        "one delivery to stall and the other to finish",
    )
    smtp_sink.release()
    wait_until(lambda: sum(w.succeeded(DELIVER) for w in workers) == 2, "both to finish")

    assert [m["To"] for m in smtp_sink.messages] == ["person0@example.org"]
    assert statuses() == ["sent"]


def test_two_overlapping_sweeps_send_each_email_once(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    queued(5)
    smtp_sink.hold_after = 1
    workers = [start_worker(email_url=smtp_sink.url, EMAIL_TIMEOUT="60") for _ in range(2)]

    sweep_outbox.delay()
    sweep_outbox.delay()
    wait_until(
        lambda: smtp_sink.stalled.is_set() and sum(w.succeeded(SWEEP) for w in workers) == 2,
        "both sweeps to run while a delivery is mid-send",
    )
    # A sweep that ran before the first delivery claimed the rows handed them out again;
    # one that ran after found nothing free and handed out nothing.
    handed_out = sum(n > 0 for w in workers for n in w.results(SWEEP))
    assert handed_out >= 1
    smtp_sink.release()
    wait_until(lambda: statuses() == ["sent"] * 5, "every message to be sent")
    wait_until(
        lambda: sum(w.succeeded(DELIVER) for w in workers) == handed_out,
        "every delivery handed out to finish",
    )

    assert sorted(m["To"] for m in smtp_sink.messages) == [
        f"person{n}@example.org" for n in range(5)
    ]


def test_mail_down_longer_than_the_retries_then_back_is_sent_by_the_sweep(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    [note] = queued(1)
    # No wait between tries, so the test need not sit through the backoff.
    down = start_worker(email_url=f"smtp://127.0.0.1:{dead_port()}", OUTBOX_RETRY_BASE="0")

    for attempt in range(1, 8):  # more tries than the old task retries (5)
        sweep_outbox.delay()
        wait_until(
            lambda attempt=attempt: Notification.objects.get().attempts == attempt,
            f"try {attempt} to fail",
        )
    note.refresh_from_db()
    assert note.status == "pending"
    assert "refused" in note.last_error.lower()
    down.stop()

    start_worker(email_url=smtp_sink.url)
    sweep_outbox.delay()
    wait_until(lambda: statuses() == ["sent"], "the sweep to send it once the server is back")

    assert [m["To"] for m in smtp_sink.messages] == ["person0@example.org"]


def test_a_mail_server_that_never_answers_times_out_and_blocks_nobody(
    start_worker: Callable[..., Worker], silent_smtp: SilentSMTP
) -> None:
    first, second = queued(2)
    worker = start_worker(email_url=silent_smtp.url, EMAIL_TIMEOUT="3")

    began = time.monotonic()
    deliver_notifications.delay([first.pk, second.pk])
    wait_until(lambda: silent_smtp.connections, "the worker to connect and wait")

    # While it waits: both rows are leased but not locked (no transaction is open on
    # them), and another delivery neither waits for them nor takes them.
    checked = time.monotonic()
    with transaction.atomic():
        locked = Notification.objects.select_for_update(nowait=True).filter(
            pk__in=[first.pk, second.pk]
        )
        assert len(locked) == 2
    assert outbox.deliver() == {}
    assert time.monotonic() - checked < 1

    worker.wait_succeeded(DELIVER)
    assert time.monotonic() - began < 10
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 1)
    assert "timed out" in first.last_error
    assert first.claimed_until > timezone.now()  # waits before the next try
    assert (second.status, second.attempts, second.claimed_until) == ("pending", 0, None)


def test_a_promotion_while_the_broker_is_down_is_sent_by_the_sweep(
    start_worker: Callable[..., Worker], broker: Broker, mail_dir: Path
) -> None:
    circle = CircleFactory()
    going, waiting = UserFactory(), UserFactory(email="waiting@example.org")
    for person in (going, waiting):
        MembershipFactory(user=person, circle=circle)
    meetup = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=going, meetup=meetup)
    services.rsvp(user=waiting, meetup=meetup)

    celery_app.conf.broker_url = f"redis://127.0.0.1:{dead_port()}/0"
    celery_app._after_fork()
    try:
        services.cancel_rsvp(user=going, meetup=meetup)  # the hint to deliver is lost
    finally:
        celery_app.conf.broker_url = broker.url
        celery_app._after_fork()

    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.GOING
    assert statuses() == ["pending"]
    worker = start_worker()
    sweep_outbox.delay()
    worker.wait_succeeded(DELIVER)

    assert [m["To"] for m in read_mail_dir(mail_dir)] == ["waiting@example.org"]
    assert statuses() == ["sent"]
