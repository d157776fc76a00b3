"""accounts.outbox: a queued message is sent once, retried after a failure with a wait
in between, given up only when the server refuses the message itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification
from accounts.notify import queue_once, unsaved_message
from accounts.tasks import sweep_outbox


@pytest.fixture
def note(member) -> Notification:
    queue_once(key="notice:1:user:1", user=member, template="promoted", context={})
    return Notification.objects.get()


def test_a_send_that_fails_waits_and_the_retry_sends_it(note, settings):
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    assert outbox.deliver() == {"retry": 1}
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("pending", 1)
    assert "mail server unavailable" in note.last_error
    assert note.claimed_until > timezone.now() + dt.timedelta(seconds=25)
    assert outbox.deliver() == {}  # not before its wait is over

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=note.pk).update(claimed_until=timezone.now())
    assert outbox.deliver() == {"sent": 1}
    note.refresh_from_db()
    assert (note.status, note.attempts, note.claimed_until) == ("sent", 1, None)
    assert len(mail.outbox) == 1


def test_the_wait_doubles_up_to_a_limit(settings):
    settings.OUTBOX_RETRY_BASE, settings.OUTBOX_RETRY_MAX = 30, 600

    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 6)] == [30, 60, 120, 600]


def test_a_refused_message_is_given_up_after_some_tries(note, settings):
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.RefusingBackend"
    settings.OUTBOX_MAX_REFUSALS = 3

    for _ in range(3):
        Notification.objects.filter(pk=note.pk).update(claimed_until=None)
        outbox.deliver()

    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", 3)
    assert "no such mailbox" in note.last_error


def test_an_outage_never_gives_a_message_up(note, settings):
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"
    settings.OUTBOX_MAX_REFUSALS = 2

    for _ in range(4):
        Notification.objects.filter(pk=note.pk).update(claimed_until=None)
        outbox.deliver()

    note.refresh_from_db()
    assert (note.status, note.attempts) == ("pending", 4)


def test_a_server_down_stops_the_chunk_and_frees_the_rest(member, outsider, settings):
    for n, person in enumerate([member, outsider]):
        queue_once(key=f"notice:{n}:user:{person.pk}", user=person, template="promoted", context={})
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    assert outbox.deliver() == {"retry": 1, "released": 1}
    tried, untouched = Notification.objects.order_by("pk")
    assert tried.attempts == 1
    assert (untouched.attempts, untouched.claimed_until) == (0, None)


def test_the_sweep_sends_what_a_lost_hint_left_behind(note):
    assert mail.outbox == []  # the hint after commit never ran (no commit in this test)

    assert sweep_outbox() == 1

    note.refresh_from_db()
    assert note.status == "sent"
    assert len(mail.outbox) == 1


def test_no_task_waits_or_runs_as_long_as_redis_takes_to_hand_it_out_again(settings):
    from accounts.background import BackgroundTask
    from peersupport.celery import app

    visibility_timeout = settings.BROKER_VISIBILITY_TIMEOUT
    ours = [
        task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"accounts", "circles", "meetups", "hosting"}
    ]
    assert len(ours) > 5
    for task in ours:
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility_timeout
    assert BackgroundTask.retry_backoff_max < visibility_timeout
    assert outbox.LEASE.total_seconds() > outbox.DELIVERY_TIME_LIMIT
    assert outbox.SEND_BUDGET.total_seconds() > settings.EMAIL_TIMEOUT * 2
    assert settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT > 0
    assert app.conf.beat_schedule["sweep-outbox"]["task"] == "accounts.tasks.sweep_outbox"


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_only_the_outbox_bookkeeping_commits_without_waiting_for_the_disk(postgres):
    assert synchronous_commit() == "on"

    with outbox.bookkeeping_commits():
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"

    with pytest.raises(RuntimeError), outbox.bookkeeping_commits():
        raise RuntimeError("a send that broke")
    assert synchronous_commit() == "on"


def test_the_setting_is_undone_with_a_transaction_that_failed(postgres):
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        outbox.bookkeeping_commits(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1/0")

    assert synchronous_commit() == "on"


def unsaved(key: str, user) -> Notification:
    return unsaved_message(key=key, user=user, template="promoted", context={})


def test_a_chunk_sends_the_rows_it_inserted_and_a_chunk_run_twice_sends_nothing_twice(
    member, outsider
):
    chunk = [unsaved("notice:1:user:1", member), unsaved("notice:2:user:2", outsider)]

    assert outbox.insert_and_send(chunk) == {"sent": 2}
    again = [unsaved("notice:1:user:1", member), unsaved("notice:2:user:2", outsider)]
    assert outbox.insert_and_send(again) == {}

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, outsider.email])
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_chunk_leaves_a_row_queued_before_it_to_the_sweep(note, member, outsider):
    chunk = [unsaved(note.key, member), unsaved("notice:2:user:2", outsider)]

    assert outbox.insert_and_send(chunk) == {"sent": 1}
    assert [m.to[0] for m in mail.outbox] == [outsider.email]
    note.refresh_from_db()
    assert (note.status, note.claimed_until) == ("pending", None)

    assert sweep_outbox() == 1
    note.refresh_from_db()
    assert note.status == "sent"
    assert len(mail.outbox) == 2
