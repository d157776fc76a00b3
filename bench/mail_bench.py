# The benchmark starts only fixed local programs: manage.py and celery.
# ruff: noqa: S603
"""Emails in bulk, counted from the mail folder: `make bench` runs this in a process of its
own (Django set up for its own database), and so can you: `python bench/mail_bench.py`.

1. Makes a fresh database (BENCH_MAIL_DATABASE_URL, default ps_bench_mail; one this script
   made before is dropped, no other) and migrates it.
2. Seeds 10,000 people, 1,000 meetups starting in 20 hours with 10 of them going to each,
   and 2,000 circles of 5 members whose weekly check-in came 30 minutes ago (in each
   circle's own zone).
3. For each of the two scans: starts ONE Celery worker as production runs it
   (`celery -A peersupport worker --concurrency 2`, prefork, on Redis;
   BENCH_WORKER_CONCURRENCY sets another number of processes), consuming both the
   `default` queue (the scan) and the `mail` queue (its chunks, which production gives
   to the `mailer` service), so one worker's figures stay comparable, with
   email going to Django's file backend in a fresh folder, sends the scan's task through
   the broker as beat does, and times until the folder holds every expected message.
   Then it waits until the folder stops growing and reads every message back: each
   (recipient, meetup) or (recipient, circle) should be there exactly once.

Prints one JSON object (the figures) as the last line of its output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable

DATABASE_URL = os.environ.get(
    "BENCH_MAIL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ps_bench_mail"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
MARKER = "make bench: emails in bulk"

# Worker processes (docker-compose.yml runs the production worker with this many).
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
PEOPLE = 10_000
MEETUPS, GOING = 1_000, 10
CIRCLES, MEMBERS = 2_000, 5
ZONES = ["America/Chicago", "America/New_York", "Europe/London", "Australia/Sydney"]
# Seconds to wait for all the messages before calling the run failed, and how long the
# folder must stay the same size afterwards to count as settled.
PATIENCE = 300
SETTLE = 3.0
# The file backend ends every message with this line (django.core.mail.backends.filebased).
SEPARATOR = b"\n" + b"-" * 79 + b"\n"

ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "bench-mail",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1:8000",
    "LOG_LEVEL": "WARNING",
}


def prepare_database() -> None:
    """A fresh database every run: the scans must find everything due and nothing sent."""
    import psycopg
    from psycopg import sql

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    database = sql.Identifier(name)
    maintenance = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] != MARKER:
            sys.exit(f"Database {name} was not made by make bench; set BENCH_MAIL_DATABASE_URL.")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(database, sql.Literal(MARKER)))
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env={**os.environ, **ENV},
        cwd=ROOT,
        check=True,
    )


def setup_django() -> None:
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "peersupport.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(now: dt.datetime) -> None:
    """People, the meetups they go to tomorrow, and the circles whose check-in is due."""
    from accounts.models import User
    from circles.models import Circle, Membership
    from meetups.models import RSVP, Meetup

    people = User.objects.bulk_create(
        (
            User(
                email=f"person{n}@example.org",
                display_name=f"Person {n}",
                timezone=ZONES[n % len(ZONES)],
            )
            for n in range(PEOPLE)
        ),
        batch_size=2000,
    )
    circles = []
    for n in range(MEETUPS + CIRCLES):
        zone = ZONES[n % len(ZONES)]
        circle = Circle(
            name=f"Circle {n}",
            slug=f"circle-{n}",
            description="People who meet as equals to share what helps.",
            format=Circle.Format.ONLINE,
            online_url="https://meet.example.org/circle",
            timezone=zone,
        )
        if n >= MEETUPS:  # the check-in circles: their hour came 30 minutes ago
            local = (now - dt.timedelta(minutes=30)).astimezone(zoneinfo.ZoneInfo(zone))
            circle.checkin_weekday = local.isoweekday()
            circle.checkin_time = local.time().replace(second=0, microsecond=0)
            circle.schedule_checkin(after=now - dt.timedelta(hours=1))
        else:  # the meetups' circles: check-in next week
            circle.schedule_checkin(after=now + dt.timedelta(hours=1))
        circles.append(circle)
    circles = Circle.objects.bulk_create(circles, batch_size=2000)
    starts = now + dt.timedelta(hours=20)
    meetups = Meetup.objects.bulk_create(
        Meetup(
            circle=circle,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1, minutes=30),
            capacity=12,
            going_count=GOING,
        )
        for circle in circles[:MEETUPS]
    )
    RSVP.objects.bulk_create(
        (
            RSVP(meetup=meetup, user=people[m * GOING + g], status=RSVP.Status.GOING)
            for m, meetup in enumerate(meetups)
            for g in range(GOING)
        ),
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                circle=circle,
                user=people[c * MEMBERS + k],
                status=Membership.Status.ACTIVE,
                guidelines_accepted_at=now,
            )
            for c, circle in enumerate(circles[MEETUPS:])
            for k in range(MEMBERS)
        ),
        batch_size=5000,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextlib.contextmanager
def worker(mail: Path, log: Path) -> Iterator[None]:
    """One Celery worker as docker-compose runs it (prefork, 2 processes), its email going
    to files in `mail`, for the duration of the block."""
    from peersupport.celery import app

    app.control.purge()  # nothing left over from an earlier run
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "peersupport",
                "worker",
                "-Q",
                "default,mail",
                "--loglevel",
                "info",
                "--concurrency",
                str(CONCURRENCY),
            ],
            cwd=ROOT,
            env={**os.environ, **ENV, "EMAIL_URL": f"filemail:///{mail.resolve()}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while b" ready." not in log.read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start; see {log}")
                time.sleep(0.1)
            yield
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class MailFolder:
    """Counts whole messages in the file backend's folder, reading only what is new."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_up_to: dict[Path, int] = {}
        self.count = 0

    def poll(self) -> int:
        for file in self.path.iterdir():
            start = self.read_up_to.get(file, 0)
            with file.open("rb") as f:
                f.seek(start)
                data = f.read()
            found = data.count(SEPARATOR)
            if found:
                self.count += found
                self.read_up_to[file] = start + data.rindex(SEPARATOR) + len(SEPARATOR)
        return self.count

    def messages(self) -> Iterator[email.message.Message]:
        for file in sorted(self.path.iterdir()):
            for part in file.read_bytes().split(SEPARATOR):
                if part.strip():
                    yield email.message_from_bytes(part)


def text_body(message: email.message.Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def run_scan(
    name: str,
    trigger: Callable[[], object],
    expected: set[tuple[str, str]],
    about: Callable[[str], str | None],
) -> dict[str, object]:
    """Start a worker, trigger the scan through the broker and time until the folder holds
    len(expected) messages; then count them per (recipient, what it is about)."""
    mail = RESULTS / f"mail-{name}"
    shutil.rmtree(mail, ignore_errors=True)
    mail.mkdir(parents=True)
    folder = MailFolder(mail)
    with worker(mail, RESULTS / f"worker-{name}.log"):
        started = time.monotonic()
        trigger()
        while folder.poll() < len(expected):
            if time.monotonic() - started > PATIENCE:
                break
            time.sleep(0.1)
        seconds = time.monotonic() - started
        # Anything sent twice would arrive after the count was reached: wait until the
        # folder has stayed the same for SETTLE seconds.
        last, still_since = folder.count, time.monotonic()
        while time.monotonic() - still_since < SETTLE:
            time.sleep(0.2)
            if folder.poll() != last:
                last, still_since = folder.count, time.monotonic()
    found = Counter((m["To"], about(text_body(m))) for m in folder.messages())
    return {
        "concurrency": CONCURRENCY,
        "expected": len(expected),
        "seconds": seconds,
        "messages": sum(found.values()),
        "duplicates": sum(n - 1 for n in found.values() if n > 1),
        "missing": len(expected - set(found)),
        "unexpected": sum(n for key, n in found.items() if key not in expected),
        "files": len(list(mail.iterdir())),
    }


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    RESULTS.mkdir(parents=True, exist_ok=True)
    prepare_database()
    setup_django()
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from circles.models import Membership
    from circles.notifications import prompt_due_checkins
    from meetups.models import RSVP
    from meetups.notifications import send_due_reminders

    now = timezone.now()
    print(f"Seeding {PEOPLE:,} people, {MEETUPS:,} meetups and {CIRCLES:,} check-in circles...")
    seed(now)

    ics = re.compile(
        re.escape(settings.SITE_URL + reverse("meetups:ics", args=[987654321])).replace(
            "987654321", r"(\d+)"
        )
    )
    going = RSVP.objects.filter(status=RSVP.Status.GOING).values_list("user__email", "meetup_id")
    print(f"{len(going):,} reminders falling due at once, one worker...")
    reminders = run_scan(
        "reminders",
        send_due_reminders.delay,
        {(address, str(meetup)) for address, meetup in going},
        lambda body: next(iter(ics.findall(body)), None),
    )

    checkin = re.compile(
        re.escape(settings.SITE_URL + reverse("circles:checkin", args=["SLUG"])).replace(
            "SLUG", r"([\w-]+)"
        )
    )
    members = Membership.objects.values_list("user__email", "circle__slug")
    print(f"{len(members):,} weekly check-in prompts due in one scan, one worker...")
    prompts = run_scan(
        "prompts",
        prompt_due_checkins.delay,
        set(members),
        lambda body: next(iter(checkin.findall(body)), None),
    )
    print(json.dumps({"reminders": reminders, "prompts": prompts}))


if __name__ == "__main__":
    main()
