"""A bad day for the mail server, on real workers and a local SMTP server: a relay that
says "try again later", sign-up and password reset while the server hangs, and a server
that accepts connections and never answers while 30 messages wait. Nothing is lost or
sent twice, no page waits for the mail server, and no scan waits behind it."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse

from accounts import outbox
from accounts.models import Notification
from accounts.notify import queue_once
from accounts.tasks import sweep_outbox
from circles.notifications import prompt_due_checkins
from meetups.notifications import meetup_context, send_due_reminders
from peersupport.celery import app as celery_app
from tests.factories import MeetupFactory, UserFactory
from tests.jobs.conftest import Worker, wait_until
from tests.jobs.mail import SMTPSink

pytestmark = [pytest.mark.jobs, pytest.mark.slow]

DELIVER = "accounts.tasks.deliver_notifications"
SWEEP = "accounts.tasks.sweep_outbox"
PASSWORD = "a long walk by the quiet river"


def queued(count: int) -> list[Notification]:
    """`count` "a seat opened up" emails to different people, committed, their delivery
    hints dropped: only the sweeps the test sends deliver them."""
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


def sweep_until(condition: Callable[[], object], what: str, every: float = 1.0) -> None:
    """Send a sweep every `every` seconds, as beat would (every minute), until `condition`."""
    last = 0.0

    def swept() -> object:
        nonlocal last
        if time.monotonic() - last >= every:
            sweep_outbox.delay()
            last = time.monotonic()
        return condition()

    wait_until(swept, what)


@pytest.fixture
def sink() -> Iterator[SMTPSink]:
    server = SMTPSink()
    yield server
    server.close()


def test_a_relay_saying_try_again_later_delays_the_email_and_never_drops_it(
    start_worker: Callable[..., Worker], sink: SMTPSink
) -> None:
    [note] = queued(1)
    sink.rcpt_reply = "451 4.7.1 Greylisted, please try again later"
    # No wait between tries, and a refusal limit the test goes well past.
    start_worker(email_url=sink.url, OUTBOX_RETRY_BASE="0", OUTBOX_MAX_REFUSALS="2")

    sweep_until(lambda: Notification.objects.get().attempts >= 6, "six tries answered 451")
    note.refresh_from_db()
    assert (note.status, note.refusals) == ("pending", 0)
    assert "451" in note.last_error
    assert sink.messages == []

    sink.rcpt_reply = None
    sweep_until(lambda: Notification.objects.get().status == "sent", "the relay to take it")
    assert [m["To"] for m in sink.messages] == ["person0@example.org"]
    assert Notification.objects.get().refusals == 0


def test_sign_up_and_password_reset_answer_at_once_and_their_emails_follow(
    start_worker: Callable[..., Worker], sink: SMTPSink
) -> None:
    member = UserFactory(email="milo@example.org")
    sink.silent = True
    start_worker(
        email_url=sink.url, EMAIL_TIMEOUT="2", OUTBOX_RETRY_BASE="0", OUTBOX_CIRCUIT_SECONDS="2"
    )
    client = Client()
    # Pages rendered once, so the times below are the requests' own, not the first load.
    assert client.get(reverse("account_signup")).status_code == 200
    assert client.get(reverse("account_reset_password")).status_code == 200

    started = time.monotonic()
    signed_up = client.post(
        reverse("account_signup"),
        {
            "display_name": "Robin",
            "email": "robin@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "health_data_consent": "on",
        },
    )
    signup_seconds = time.monotonic() - started
    started = time.monotonic()
    reset = Client().post(reverse("account_reset_password"), {"email": member.email})
    reset_seconds = time.monotonic() - started

    print(f"sign-up answered in {signup_seconds:.2f} s, password reset in {reset_seconds:.2f} s")
    assert signed_up.status_code == 302
    assert reset.status_code == 302
    assert signup_seconds < 1
    assert reset_seconds < 1
    # The worker is already waiting on the hung server for them.
    wait_until(lambda: sink.connections, "the worker to try the mail server")
    assert Notification.objects.filter(status="pending").count() == 2

    sink.silent = False
    sweep_until(
        lambda: Notification.objects.filter(status="sent").count() == 2,
        "both emails to go once the server answers",
    )
    sent = Counter((m["To"], m["Subject"]) for m in sink.messages)
    assert sent == Counter(
        {
            ("robin@example.org", "[Peer Support Circles] Please confirm your email address"): 1,
            ("milo@example.org", "[Peer Support Circles] Password Reset Email"): 1,
        }
    )
    assert all("List-Unsubscribe" not in m for m in sink.messages)


def test_a_hung_mail_server_opens_the_circuit_and_nothing_else_waits_behind_it(
    redis_url: str, start_worker: Callable[..., Worker], sink: SMTPSink
) -> None:
    """The circuit is a key in the shared cache (Redis): the sweep on the default worker
    reads what the mail worker wrote."""
    queued(30)
    sink.silent = True
    circuit = {"OUTBOX_CHUNK": "5", "OUTBOX_CIRCUIT_SECONDS": "6"}
    mailer = start_worker(email_url=sink.url, queues="mail", EMAIL_TIMEOUT="3", **circuit)
    default = start_worker(queues="default", **circuit)

    sweep_outbox.delay()
    wait_until(lambda: sink.connections, "the first chunk to wait on the hung server")
    # While the mail worker waits, the scans on the default queue run at once.
    started = time.monotonic()
    send_due_reminders.delay()
    prompt_due_checkins.delay()
    default.wait_succeeded("meetups.tasks.send_due_reminders")
    default.wait_succeeded("circles.notifications.prompt_due_checkins")
    scans_took = time.monotonic() - started
    mailer.wait_succeeded(DELIVER, times=6)

    print(f"the scans took {scans_took:.2f} s while the mail worker waited on the server")
    assert scans_took < 2
    assert default.received(DELIVER) == 0
    # One chunk paid the timeout; the five others left their rows pending without trying.
    assert sink.connections == 1
    assert outbox.mail_circuit() == "open"
    attempts = Counter(Notification.objects.values_list("status", "attempts"))
    assert attempts == Counter({("pending", 0): 29, ("pending", 1): 1})

    # While it is open the sweep hands nothing out; then one chunk tries, and waits again.
    sweep_outbox.delay()
    default.wait_succeeded(SWEEP, times=2)
    assert default.results(SWEEP)[-1] == 0
    wait_until(lambda: outbox.mail_circuit() == "half-open", "the circuit to let one try")
    sweep_outbox.delay()
    default.wait_succeeded(SWEEP, times=3)
    assert default.results(SWEEP)[-1] == 5
    mailer.wait_succeeded(DELIVER, times=7)
    assert sink.connections == 2
    assert outbox.mail_circuit() == "open"

    # The server answers again: the next trial closes the circuit and everything goes once.
    sink.silent = False
    sweep_until(
        lambda: not Notification.objects.exclude(status="sent").exists(), "every message sent"
    )
    assert outbox.mail_circuit() == "closed"
    assert Counter(m["To"] for m in sink.messages) == Counter(
        {f"person{n}@example.org": 1 for n in range(30)}
    )
