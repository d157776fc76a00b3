"""Weekly check-in prompts on a real worker: two scans at once, fanned out in chunks,
send each member one prompt; the next scan moves the circle on to next week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Notification
from circles.checkins import current_week
from circles.models import Circle
from circles.notifications import prompt_due_checkins
from tests.factories import CircleFactory, MembershipFactory
from tests.jobs.conftest import BOTH_QUEUES, Worker, wait_until
from tests.jobs.mail import SMTPSink, read_mail_dir

pytestmark = pytest.mark.jobs

SCAN = "circles.notifications.prompt_due_checkins"
CHUNK = "circles.notifications.send_checkin_prompts"


def circles_due(count: int, members: int) -> list[str]:
    """`count` circles whose check-in prompt is due, with `members` each; their emails."""
    emails = []
    for _ in range(count):
        circle = CircleFactory()
        Circle.objects.filter(pk=circle.pk).update(
            checkin_due_at=timezone.now() - dt.timedelta(minutes=1),
            checkin_week=current_week(circle),
        )
        emails += [MembershipFactory(circle=circle).user.email for _ in range(members)]
    return emails


def test_two_scans_at_once_prompt_each_member_once(
    start_worker: Callable[..., Worker], mail_dir: Path
) -> None:
    emails = circles_due(3, 4)
    worker = start_worker()

    prompt_due_checkins.delay(chunk=5)
    prompt_due_checkins.delay(chunk=5)
    worker.wait_succeeded(SCAN, times=2)
    wait_until(lambda: Notification.objects.count() == 12, "12 prompts recorded")
    wait_until(lambda: len(read_mail_dir(mail_dir)) >= 12, "12 prompts in the mail folder")

    worker.wait_succeeded(CHUNK, times=worker.received(CHUNK))
    mails = read_mail_dir(mail_dir)
    assert sorted(m["To"] for m in mails) == sorted(emails)
    assert {m["Subject"] for m in mails} == {"How are you doing this week?"}

    # The next scan finds nobody left and moves every circle on a week.
    prompt_due_checkins.delay()
    worker.wait_succeeded(SCAN, times=3)
    assert not Circle.objects.filter(checkin_due_at__lte=timezone.now()).exists()
    assert len(read_mail_dir(mail_dir)) == 12


def test_two_beat_ticks_overlapping_on_two_workers_prompt_each_member_once(
    start_worker: Callable[..., Worker], smtp_sink: SMTPSink
) -> None:
    """Two scans at the same moment, one on each worker (each also listens to a queue of
    its own, so neither can take both), each handing out every prompt it found due."""
    emails = circles_due(2, 6)
    workers = [
        start_worker(email_url=smtp_sink.url, queues=f"{BOTH_QUEUES},tick-{name}") for name in "ab"
    ]

    for name in "ab":
        prompt_due_checkins.apply_async(kwargs={"chunk": 4}, queue=f"tick-{name}")
    wait_until(lambda: Notification.objects.filter(status="sent").count() == 12, "12 prompts sent")
    wait_until(lambda: all(w.succeeded(SCAN) for w in workers), "a scan on each worker")
    wait_until(
        lambda: sum(w.succeeded(CHUNK) for w in workers) == sum(w.received(CHUNK) for w in workers),
        "every chunk to finish",
    )

    assert [w.received(SCAN) for w in workers] == [1, 1]
    chunks = sum(w.received(CHUNK) for w in workers)
    print(f"the two scans handed out {chunks} chunks of at most 4 prompts for 12 members")
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(emails)
