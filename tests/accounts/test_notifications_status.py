"""`manage.py notifications_status`: an operator sees what the outbox holds, per kind."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Notification


def row(user, n: int, kind: str, **fields) -> Notification:
    return Notification.objects.create(
        key=f"{kind}:{n}:user:{user.pk}", user=user, kind=kind, **fields
    )


def status(*args: str) -> list[list[str]]:
    out = StringIO()
    call_command("notifications_status", *args, stdout=out)
    return [line.split() for line in out.getvalue().splitlines()[1:]]


def test_counts_per_kind_for_the_last_day(member):
    now = timezone.now()
    row(member, 1, "promoted")
    row(member, 2, "promoted", claimed_until=now + dt.timedelta(minutes=2))
    row(member, 3, "promoted", status="sent", sent_at=now)
    row(member, 4, "reminder-24h", status="sent", sent_at=now)
    row(member, 5, "reminder-24h", status="expired")
    row(member, 6, "reminder-24h", status="obsolete")
    row(member, 7, "cancelled", status="failed", last_error="550 no such mailbox")
    old_sent = row(member, 8, "cancelled", status="sent")
    old_pending = row(member, 9, "cancelled")
    Notification.objects.filter(pk__in=[old_sent.pk, old_pending.pk]).update(
        created_at=now - dt.timedelta(days=3)
    )

    assert status() == [
        ["kind", "pending", "claimed", "sent", "failed", "expired", "obsolete"],
        ["cancelled", "1", "0", "0", "1", "0", "0"],
        ["promoted", "1", "1", "1", "0", "0", "0"],
        ["reminder-24h", "0", "0", "1", "0", "1", "1"],
        ["total", "2", "1", "2", "1", "1", "1"],
    ]
    # Further back, the older sent message counts too.
    assert status("--hours", "96")[1] == ["cancelled", "1", "0", "1", "1", "0", "0"]


def test_an_empty_outbox_says_so_in_zeros(db):
    assert status()[-1] == ["total", "0", "0", "0", "0", "0", "0"]


@pytest.mark.parametrize("hours", ["0", "-3"])
def test_a_nonsense_window_is_refused(db, hours):
    with pytest.raises(CommandError, match="1 or more"):
        call_command("notifications_status", "--hours", hours, stdout=StringIO(), stderr=StringIO())
