"""A busy week through outages, on real workers: Redis stopped and started empty, and a
worker that cannot reach Postgres. Every person ends with exactly one reminder, one
check-in prompt and one promotion email, counted in the mail folder; pages answer while
Redis is down."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, User
from accounts.tasks import sweep_outbox
from circles.checkins import current_week
from circles.models import Circle
from circles.notifications import prompt_due_checkins
from meetups import services
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from peersupport.cache import redis_caches
from peersupport.celery import app as celery_app
from tests.conftest import need
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    RSVPFactory,
    UserFactory,
)
from tests.jobs.conftest import Broker, Worker, wait_until
from tests.jobs.mail import SilentSMTP, dead_port, read_mail_dir
from tests.redis_server import PrivateRedis, broker_at

pytestmark = pytest.mark.jobs

KINDS = ("reminder", "prompt", "promotion")


@dataclass
class BusyWeek:
    """`people`, members of one circle whose check-in prompt is due, all going to its
    meetup tomorrow (the day-before reminder is due) and all waiting for a seat at a later
    meetup that `holders` fill; each holder giving up a seat promotes one of them."""

    people: list[User]
    holders: list[User]
    later: Meetup


def a_busy_week(size: int) -> BusyWeek:
    now = timezone.now()
    circle = CircleFactory()
    Circle.objects.filter(pk=circle.pk).update(
        checkin_due_at=now - dt.timedelta(minutes=1), checkin_week=current_week(circle)
    )
    tomorrow = MeetupFactory(
        circle=circle, starts_at=now + dt.timedelta(hours=20), going_count=size
    )
    later = MeetupFactory(circle=circle, capacity=size, going_count=size)
    people, holders = [], []
    for n in range(size):
        person = UserFactory(email=f"member{n}@example.org")
        holder = UserFactory(email=f"holder{n}@example.org")
        MembershipFactory(user=person, circle=circle)
        RSVPFactory(meetup=tomorrow, user=person)
        RSVPFactory(meetup=later, user=holder)
        RSVPFactory(meetup=later, user=person, status=RSVP.Status.WAITLISTED)
        people.append(person)
        holders.append(holder)
    return BusyWeek(people=people, holders=holders, later=later)


def kind_of(subject: str) -> str:
    if subject.startswith("Reminder:"):
        return "reminder"
    if subject.startswith("How are you doing this week?"):
        return "prompt"
    if subject.startswith("A seat opened up"):
        return "promotion"
    return subject


def emails_by_person(mail_dir: Path) -> Counter[tuple[str, str]]:
    """(recipient, kind) → how many such emails are in the mail folder."""
    return Counter((m["To"], kind_of(m["Subject"])) for m in read_mail_dir(mail_dir))


def one_of_each(week: BusyWeek) -> Counter[tuple[str, str]]:
    return Counter({(person.email, kind): 1 for person in week.people for kind in KINDS})


def beat_tick() -> None:
    """What beat sends when its scans are due: reminders, prompts and the outbox's sweep."""
    send_due_reminders.delay()
    prompt_due_checkins.delay(chunk=10)
    sweep_outbox.delay()


@pytest.fixture
def private_redis(tmp_path: Path, broker: Broker, settings) -> Iterator[PrivateRedis]:
    """A Redis of the test's own, without persistence (a restart comes back empty: every
    queued task lost), as broker and cache of the site and of the workers started with
    `on_private_redis`. Asked again 0.2 s after an error (5 s in production)."""
    if shutil.which("redis-server") is None:
        need("this test starts its own Redis: install redis-server")
    server = PrivateRedis(tmp_path / "redis", persistent=False)
    server.folder.mkdir()
    server.start()
    settings.CACHES = redis_caches(
        server.url, key_prefix="ps", timeout_seconds=1.0, retry_after_seconds=0.2
    )
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    with broker_at(server.url):
        yield server
    if server.process is not None:
        server.stop()


def test_redis_stopped_and_started_empty_loses_and_repeats_no_email(
    start_worker: Callable[..., Worker], private_redis: PrivateRedis, mail_dir: Path
) -> None:
    week = a_busy_week(20)
    before, during, after = week.holders[:10], week.holders[10:14], week.holders[14:]
    worker = start_worker(CELERY_BROKER_URL=private_redis.url, REDIS_URL=private_redis.url)
    anonymous, member = Client(), Client()
    member.force_login(week.people[0])

    # Redis up: the reminder scan runs and seats are given up.
    send_due_reminders.delay()
    for holder in before:
        services.cancel_rsvp(user=holder, meetup=week.later)
    wait_until(lambda: read_mail_dir(mail_dir), "the first emails to go out")
    private_redis.stop()
    sent_before = len(read_mail_dir(mail_dir))

    # Redis down: pages answer, and more seats are given up on the site (each promotion's
    # delivery hint is lost; beat cannot send its ticks either).
    assert anonymous.get("/").status_code == 200
    assert anonymous.get(reverse("circles:browse")).status_code == 200
    assert member.get(reverse("me:meetups")).status_code == 200
    assert member.get(week.later.get_absolute_url()).status_code == 200
    for holder in during:
        client = Client()
        client.force_login(holder)
        response = client.post(reverse("meetups:cancel", args=[week.later.pk]))
        assert response.status_code == 302
        assert client.get(reverse("me:meetups")).status_code == 200
    promoted = RSVP.objects.filter(meetup=week.later, user__in=week.people, status="going")
    assert promoted.count() == len(before + during)

    # Redis back, empty: the next tick finds what is due and what waits in the outbox.
    private_redis.start()
    for holder in after:
        services.cancel_rsvp(user=holder, meetup=week.later)
    beat_tick()
    wait_until(
        lambda: emails_by_person(mail_dir) == one_of_each(week),
        "one reminder, one prompt and one promotion for everyone",
    )
    wait_until(lambda: not Notification.objects.exclude(status="sent").exists(), "every row sent")
    # A tick after it all finds nothing left to send.
    beat_tick()
    worker.wait_succeeded("accounts.tasks.sweep_outbox", times=2)
    worker.wait_succeeded("circles.notifications.prompt_due_checkins", times=2)

    print(f"{sent_before} of {3 * len(week.people)} emails were sent before Redis stopped")
    assert emails_by_person(mail_dir) == one_of_each(week)
    assert Notification.objects.count() == 3 * len(week.people)


@pytest.fixture
def silent_postgres() -> Iterator[SilentSMTP]:
    """A socket that accepts connections and never answers, like a Postgres that hangs."""
    server = SilentSMTP()
    yield server
    server.close()


def test_a_worker_that_cannot_reach_postgres_sends_nothing_and_loses_nothing(
    start_worker: Callable[..., Worker], silent_postgres: SilentSMTP, mail_dir: Path
) -> None:
    week = a_busy_week(10)
    for holder in week.holders:  # each queues a promotion and hints its delivery
        services.cancel_rsvp(user=holder, meetup=week.later)
    silent_port = silent_postgres.url.rsplit(":", 1)[1]

    for port, error in ((dead_port(), "refused"), (silent_port, "timeout expired")):
        worker = start_worker(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/peersupport",
            DB_CONNECT_TIMEOUT="2",
        )
        beat_tick()
        wait_until(
            lambda worker=worker: all(
                worker.retried(task) >= 1
                for task in (
                    "meetups.tasks.send_due_reminders",
                    "circles.notifications.prompt_due_checkins",
                    "accounts.tasks.sweep_outbox",
                )
            ),
            "the scans and the sweep to fail and wait for a retry",
        )
        worker.stop()
        # What it took and put back for later is dropped: only the sweep can send now.
        celery_app.control.purge()
        assert error in worker.output().lower()
        assert read_mail_dir(mail_dir) == []
        assert list(Notification.objects.values_list("status", "attempts").distinct()) == [
            ("pending", 0)
        ]

    start_worker()
    beat_tick()
    wait_until(
        lambda: emails_by_person(mail_dir) == one_of_each(week),
        "one reminder, one prompt and one promotion for everyone",
    )
    wait_until(lambda: not Notification.objects.exclude(status="sent").exists(), "every row sent")
    assert emails_by_person(mail_dir) == one_of_each(week)
