"""accounts.outbox: a queued message is sent once, retried after a failure with a wait
in between, given up only when the server refuses the message itself."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
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


def again(note: Notification) -> None:
    """Its wait is over: the next delivery may try it."""
    Notification.objects.filter(pk=note.pk).update(claimed_until=None)


def test_try_again_later_never_counts_as_a_refusal(note, settings):
    settings.OUTBOX_MAX_REFUSALS = 2

    for backend in ["GreylistingBackend", "Backend", "GreylistingBackend"] * 2:
        settings.EMAIL_BACKEND = f"tests.accounts.failing_mail.{backend}"
        again(note)
        assert outbox.deliver() == {"retry": 1}

    note.refresh_from_db()
    assert (note.status, note.attempts, note.refusals) == ("pending", 6, 0)
    assert "greylisted" in note.last_error


def test_only_refusals_for_good_count_toward_giving_up(note, settings):
    """Outages and temporary replies before do not bring the limit nearer."""
    settings.OUTBOX_MAX_REFUSALS = 2
    for backend in ["Backend", "GreylistingBackend", "Backend", "RefusingBackend"]:
        settings.EMAIL_BACKEND = f"tests.accounts.failing_mail.{backend}"
        again(note)
        outbox.deliver()
    note.refresh_from_db()
    assert (note.status, note.refusals) == ("pending", 1)

    again(note)
    outbox.deliver()
    note.refresh_from_db()
    assert (note.status, note.attempts, note.refusals) == ("failed", 5, 2)


def test_a_reply_is_for_good_only_when_every_recipient_got_a_5xx():
    refused = smtplib.SMTPRecipientsRefused

    assert outbox.refused_for_good(refused({"a@x.org": (550, b"no such user")}))
    assert not outbox.refused_for_good(refused({"a@x.org": (451, b"later")}))
    assert not outbox.refused_for_good(
        refused({"a@x.org": (550, b"no"), "b@x.org": (452, b"full, later")})
    )
    assert outbox.refused_for_good(smtplib.SMTPDataError(554, b"spam"))
    assert not outbox.refused_for_good(smtplib.SMTPSenderRefused(421, b"busy", "f@x.org"))


def test_a_message_given_up_or_expired_unsent_is_logged_with_its_key(
    note, member, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.RefusingBackend"
    settings.OUTBOX_MAX_REFUSALS = 1
    queue_once(
        key="notice:2:user:1",
        user=member,
        template="promoted",
        context={},
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )

    with caplog.at_level(logging.WARNING, logger="accounts.outbox"):
        assert outbox.deliver() == {"retry": 1, "expired": 1}

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("notice:1:user:1" in m and "given up" in m for m in warnings), warnings
    assert any("notice:2:user:1" in m and "expired unsent" in m for m in warnings), warnings


def test_the_sweep_expires_what_is_overdue_even_while_the_mail_circuit_is_open(
    member, settings, caplog
):
    queue_once(
        key="notice:3:user:1",
        user=member,
        template="promoted",
        context={},
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.HungBackend"
    queue_once(key="notice:4:user:1", user=member, template="promoted", context={})
    outbox.deliver()  # the hung server opens the circuit
    assert outbox.mail_circuit() == "open"

    with caplog.at_level(logging.WARNING, logger="accounts.outbox"):
        assert sweep_outbox() == 0

    assert Notification.objects.get(key="notice:3:user:1").status == "expired"
    assert "notice:3:user:1 expired unsent" in caplog.text


def test_a_timeout_opens_the_mail_circuit_and_one_chunk_tries_after_it(
    member, outsider, facilitator, settings
):
    settings.OUTBOX_CIRCUIT_SECONDS = 60
    settings.OUTBOX_RETRY_BASE = 0
    for n, person in enumerate([member, outsider, facilitator]):
        queue_once(key=f"notice:{n}:user:{person.pk}", user=person, template="promoted", context={})
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.HungBackend"

    assert outbox.deliver() == {"retry": 1, "released": 2}
    assert outbox.mail_circuit() == "open"
    # Open: nothing is claimed, nothing connects, the sweep hands nothing out.
    assert outbox.deliver() == {}
    assert outbox.to_hand_out() == []
    assert Notification.objects.filter(attempts=0, claimed_until=None).count() == 2

    # Its time is up: one chunk (and one only) tries, and the server answers.
    with time_machine.travel(dt.timedelta(seconds=61)):
        assert outbox.mail_circuit() == "half-open"
        settings.OUTBOX_CHUNK = 2
        assert len(outbox.to_hand_out()) == 2
        assert outbox._may_connect() == "trial"
        assert outbox._may_connect() is None  # a second chunk waits for the first
        cache.delete(outbox.CIRCUIT_TRIAL)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert outbox.deliver() == {"sent": 2}
        assert outbox.mail_circuit() == "closed"
        assert outbox.deliver() == {"sent": 1}
    assert len(mail.outbox) == 3


def test_a_refused_connection_does_not_open_the_circuit(note, settings):
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    outbox.deliver()

    assert outbox.mail_circuit() == "closed"
