"""Reminder scans on a real worker: each reminder goes out once, whatever runs twice or dies."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Notification, User
from accounts.tasks import sweep_outbox
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from tests.factories import MeetupFactory, RSVPFactory, UserFactory
from tests.jobs.conftest import Worker, wait_until
from tests.jobs.mail import SMTPSink, read_mail_dir

pytestmark = pytest.mark.jobs

SCAN = "meetups.tasks.send_due_reminders"
CHUNK = "meetups.notifications.queue_reminders"


def meetup_tomorrow_with(people: int) -> tuple[Meetup, list[User]]:
    """A meetup 20 hours away (the day-before reminder is due) with `people` going."""
    meetup = MeetupFactory(starts_at=timezone.now() + dt.timedelta(hours=20), going_count=people)
    users = [UserFactory(email=f"going{n}@example.org") for n in range(people)]
    for user in users:
        RSVPFactory(meetup=meetup, user=user)
    return meetup, users


def reminder_keys(meetup: Meetup, users: list[User]) -> set[str]:
    return {f"reminder-24h:meetup:{meetup.pk}:seq:0:user:{user.pk}" for user in users}


def all_sent(count: int) -> Callable[[], bool]:
    return lambda: Notification.objects.filter(status="sent").count() == count


def test_a_scan_run_twice_sends_each_reminder_once(
    start_worker: Callable[..., Worker], mail_dir: Path
) -> None:
    meetup, users = meetup_tomorrow_with(3)
    worker = start_worker()

    send_due_reminders.delay()
    worker.wait_succeeded(CHUNK)
    send_due_reminders.delay()
    worker.wait_succeeded(SCAN, times=2)

    assert worker.received(CHUNK) == 1  # the second scan found nothing due
    assert sorted(m["To"] for m in read_mail_dir(mail_dir)) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("key", flat=True)) == reminder_keys(meetup, users)
    assert all_sent(3)()


def test_two_workers_scanning_at_once_send_each_reminder_once(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    meetup, users = meetup_tomorrow_with(5)
    smtp_sink.hold_after = 1
    # Patient workers: the stall below must not end in their mail timeout.
    workers = [start_worker(email_url=smtp_sink.url, EMAIL_TIMEOUT="60") for _ in range(2)]

    send_due_reminders.delay()
    send_due_reminders.delay()
    # One chunk is stuck in the middle of its second email, holding the lease on the rest,
    # while both scans have run (on either worker) and handed out their chunks.
    wait_until(
        lambda: smtp_sink.stalled.is_set() and sum(w.succeeded(SCAN) for w in workers) == 2,
        "both scans to run and one chunk to stall",
    )
    smtp_sink.release()
    wait_until(all_sent(5), "every reminder to be sent")
    wait_until(
        lambda: sum(w.succeeded(CHUNK) for w in workers) == sum(w.received(CHUNK) for w in workers),
        "every chunk to finish",
    )

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("key", flat=True)) == reminder_keys(meetup, users)


def test_a_worker_killed_mid_chunk_loses_nothing_and_the_sweep_sends_the_rest(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    meetup, users = meetup_tomorrow_with(6)
    smtp_sink.hold_after = 2
    doomed = start_worker(email_url=smtp_sink.url)

    send_due_reminders.delay()
    wait_until(smtp_sink.stalled.is_set, "the worker to be in the middle of its third email")
    doomed.kill()
    smtp_sink.release()
    assert len(smtp_sink.messages) == 2
    assert all_sent(2)()
    # The dead worker's lease on the other four runs out (LEASE, three minutes) ...
    leased = Notification.objects.filter(status="pending", claimed_until__gt=timezone.now())
    assert leased.count() == 4
    leased.update(claimed_until=timezone.now())

    # ... and the next sweep hands them to a live worker.
    survivor = start_worker(email_url=smtp_sink.url)
    sweep_outbox.delay()
    wait_until(all_sent(6), "the sweep to send the rest")
    survivor.wait_succeeded("accounts.tasks.deliver_notifications")

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(u.email for u in users)
    assert set(Notification.objects.values_list("key", flat=True)) == reminder_keys(meetup, users)


def expire_dead_leases() -> int:
    """What LEASE (three minutes) does for a dead worker's claimed rows, without the wait."""
    now = timezone.now()
    return Notification.objects.filter(status="pending", claimed_until__gt=now).update(
        claimed_until=now
    )


@pytest.mark.slow
def test_workers_killed_at_random_moments_repeat_at_most_one_email_each_and_lose_none(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    """The documented window (accounts.outbox): a worker killed after the mail server took
    a message and before its row was marked sent; the next worker sends that one again.
    Nothing else is repeated, nothing is lost."""
    trials, people = 5, 200
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    worker = start_worker(email_url=smtp_sink.url)
    duplicates = []
    for trial in range(trials):
        meetup = MeetupFactory(
            starts_at=timezone.now() + dt.timedelta(hours=20), going_count=people
        )
        # In bulk: factories one by one would take longer than the trial itself.
        users = User.objects.bulk_create(
            UserFactory.build(email=f"trial{trial}-{n}@example.org") for n in range(people)
        )
        RSVP.objects.bulk_create(RSVP(meetup=meetup, user=user, status="going") for user in users)
        first = len(smtp_sink.messages)
        kill_after = rng.randrange(1, people)
        send_due_reminders.delay()
        wait_until(
            lambda first=first, kill_after=kill_after: (
                len(smtp_sink.messages) - first >= kill_after
            ),
            f"{kill_after} reminders of trial {trial}",
        )
        time.sleep(rng.uniform(0, 0.02))
        worker.kill()
        expire_dead_leases()

        worker = start_worker(email_url=smtp_sink.url)
        send_due_reminders.delay()
        sweep_outbox.delay()
        wait_until(
            lambda meetup=meetup: (
                Notification.objects.filter(
                    key__contains=f":meetup:{meetup.pk}:", status="sent"
                ).count()
                == people
            ),
            f"every reminder of trial {trial} sent",
        )
        worker.wait_succeeded("accounts.tasks.sweep_outbox")
        received = Counter(m["To"] for m in smtp_sink.messages[first:])
        missing = {u.email for u in users} - set(received)
        repeated = sum(count - 1 for count in received.values())
        duplicates.append(repeated)
        print(
            f"trial {trial} (seed {seed}): killed after {kill_after} of {people}, "
            f"{len(missing)} missing, {repeated} sent twice"
        )
        assert not missing
        assert repeated <= 1

    print(f"{sum(duplicates)} duplicates in {trials * people} reminders, {trials} kills")
    assert sum(duplicates) <= trials
