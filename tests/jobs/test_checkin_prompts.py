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
from tests.jobs.conftest import Worker, wait_until
from tests.jobs.mail import read_mail_dir

pytestmark = pytest.mark.jobs

SCAN = "circles.notifications.prompt_due_checkins"
CHUNK = "circles.notifications.send_checkin_prompts"


def test_two_scans_at_once_prompt_each_member_once(
    start_worker: Callable[..., Worker], mail_dir: Path
) -> None:
    emails = []
    for _ in range(3):
        circle = CircleFactory()
        Circle.objects.filter(pk=circle.pk).update(
            checkin_due_at=timezone.now() - dt.timedelta(minutes=1),
            checkin_week=current_week(circle),
        )
        emails += [MembershipFactory(circle=circle).user.email for _ in range(4)]
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
