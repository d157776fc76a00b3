"""Twenty members RSVP back to back to meetups with only a few seats each; and four members
pressing RSVP and then cancel on each meetup in turn, so seats are freed and the waitlist
promoted all the time.

Each member is a real account (verified email, active membership, a database session)
and, in wrk (bench/rsvp.lua), a thread with its own keep-alive connection that posts the
RSVP form, exactly as the RSVP button does without JavaScript, for one meetup after
another. The meetups come in rounds of 40 (2 to 8 seats); every member takes a round's
meetups in its own shuffled order before moving to the next round, so all twenty race for
the same few seats all the time and most RSVPs end on a waitlist. A short warm-up on
meetups of its own comes first.

Afterwards the database must show, for every meetup, one row per member whose RSVP was
answered, none for anyone who never asked, `going_count` equal to the going rows, no
more going than seats, and no seat left empty while someone waits. (An RSVP still in
flight when wrk stopped may or may not have landed; either is fine.)

Runs inside bench/run.py, which has configured Django for the benchmark database.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import wrk_summary
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from meetups.models import RSVP, Meetup

CLIENTS = 20
TOGGLING_CLIENTS = 4
ROUND = 40
ROUNDS = 40  # more than any run gets through; each member's plan is ROUND * ROUNDS long
CAPACITIES = [2, 3, 4, 5, 6, 8]
WARM_UP_SECONDS = 3
CIRCLE_SLUG = "benchmark-rsvp-race"
EMAIL_PREFIX = "benchmark-rsvp-"
SCRIPT = Path(__file__).resolve().parent / "rsvp.lua"


def _meetups(circle: Circle, count: int, first_hour: int) -> list[int]:
    start = timezone.now() + dt.timedelta(days=2)
    made = Meetup.objects.bulk_create(
        Meetup(
            circle=circle,
            starts_at=start + dt.timedelta(hours=first_hour + n),
            ends_at=start + dt.timedelta(hours=first_hour + n, minutes=90),
            capacity=CAPACITIES[n % len(CAPACITIES)],
        )
        for n in range(count)
    )
    return [meetup.pk for meetup in made]


def prepare(clients: int) -> tuple[list[tuple[int, str, str]], list[int], list[int]]:
    """A fresh unlisted circle, meetups for the warm-up and for the race, and `clients`
    members signed in: (user id, session key, CSRF token) each."""
    Circle.objects.filter(slug=CIRCLE_SLUG).delete()
    User.objects.filter(email__startswith=EMAIL_PREFIX).delete()
    circle = Circle.objects.create(
        name="Benchmark RSVP circle",
        slug=CIRCLE_SLUG,
        description="Made by bench/rsvp_race.py.",
        format=Circle.Format.ONLINE,
        online_url="https://meet.example.org/benchmark",
        visibility=Circle.Visibility.UNLISTED,
    )
    warm_up = _meetups(circle, ROUND * 3, 0)
    race = _meetups(circle, ROUND * ROUNDS, ROUND * 3)
    members = []
    for n in range(clients):
        # Consented to the current privacy note, as someone who signed up has (otherwise
        # every page would send them to the consent page).
        user = User.objects.create_user(
            f"{EMAIL_PREFIX}{n}@example.org",
            display_name=f"Racer {n}",
            health_data_consent_at=timezone.now(),
            privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        Membership.objects.create(user=user, circle=circle, guidelines_accepted_at=timezone.now())
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(user)
        page = client.get(f"/meetups/{warm_up[0]}/")
        if settings.CSRF_COOKIE_NAME not in client.cookies:
            raise RuntimeError(f"the meetup page ({page.status_code}) set no CSRF cookie")
        members.append(
            (
                user.pk,
                client.cookies[settings.SESSION_COOKIE_NAME].value,
                client.cookies[settings.CSRF_COOKIE_NAME].value,
            )
        )
    return members, warm_up, race


def _plans(members: list[tuple[int, str, str]], meetup_ids: list[int], rng: random.Random):
    """Each member's order: round by round, the round's meetups shuffled."""
    plans = {}
    for user_id, _, _ in members:
        order: list[int] = []
        for start in range(0, len(meetup_ids), ROUND):
            order += rng.sample(meetup_ids[start : start + ROUND], ROUND)
        plans[user_id] = order
    return plans


def _wrk(
    port: int, members: list[tuple[int, str, str]], plans: dict, seconds: int, toggle: bool
) -> tuple[dict[str, float], dict]:
    with tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False) as plan_file:
        for user_id, session, csrf in members:
            plan_file.write(f"{session} {csrf} {','.join(map(str, plans[user_id]))}\n")
    try:
        result = subprocess.run(  # noqa: S603 - a fixed local program
            [
                shutil.which("wrk") or "wrk",
                f"--threads={len(members)}",
                f"--connections={len(members)}",
                f"--duration={seconds}s",
                "--timeout=5s",
                f"--script={SCRIPT}",
                f"http://{settings.ALLOWED_HOSTS[0]}:{port}/",
            ],
            env={
                **os.environ,
                "RSVP_PLAN": plan_file.name,
                "RSVP_SESSION_COOKIE": settings.SESSION_COOKIE_NAME,
                "RSVP_CSRF_COOKIE": settings.CSRF_COOKIE_NAME,
                "RSVP_TOGGLE": "1" if toggle else "",
            },
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        )
    finally:
        Path(plan_file.name).unlink()
    figures, raw = wrk_summary.read(result.stdout)
    for entry in raw["members"]:
        entry["user_id"] = members[entry["member"] - 1][0]  # plan lines are in member order
    return figures, raw


def run(port: int, seconds: int, *, clients: int = CLIENTS, toggle: bool = False) -> dict:
    """The race with `clients` members; with `toggle`, each member cancels every RSVP
    right after making it (every other request is a cancel of the meetup just asked for)."""
    members, warm_up, race = prepare(clients)
    rng = random.Random(7)
    warm_up_plans = _plans(members, warm_up, rng)
    warm_up_figures, _ = _wrk(port, members, warm_up_plans, WARM_UP_SECONDS, toggle)
    plans = _plans(members, race, rng)
    latency, raw = _wrk(port, members, plans, seconds, toggle)
    time.sleep(1)  # let an RSVP that was in flight when wrk stopped finish
    checks = check(plans, raw, toggle=toggle)
    checks["warm-up errors"] = int(warm_up_figures["errors"])
    return {"latency": latency, "checks": checks}


def check(plans: dict[int, list[int]], raw: dict, *, toggle: bool = False) -> dict[str, int]:
    """Integrity after a run. With `toggle`, request n (from 1) is about the plan's meetup
    (n - 1) // 2: odd ones RSVP, even ones cancel."""
    per_meetup = 2 if toggle else 1
    answered: set[tuple[int, int]] = set()
    in_flight: set[tuple[int, int]] = set()
    for member in raw["members"]:
        plan = plans[member["user_id"]]
        if member["answered"] // per_meetup >= len(plan):
            raise RuntimeError("a member ran out of meetups; raise ROUNDS in bench/rsvp_race.py")
        refused = set(member["refused"])
        answered |= {
            (member["user_id"], plan[(n - 1) // per_meetup])
            for n in range(1, member["answered"] + 1, per_meetup)
            if n not in refused
        }
        # The member's next RSVP may have been on its way when wrk stopped.
        in_flight.add((member["user_id"], plan[member["answered"] // per_meetup]))
    meetup_ids = {meetup_id for plan in plans.values() for meetup_id in plan}
    rows = (
        RSVP.objects.filter(meetup_id__in=meetup_ids)
        .values("user_id", "meetup_id")
        .annotate(n=Count("id"))
    )
    per_pair = {(r["user_id"], r["meetup_id"]): r["n"] for r in rows}
    checks = {
        "attempts": len(answered),
        "meetups": len({meetup_id for _, meetup_id in per_pair}),
        "lost": sum(1 for pair in answered if pair not in per_pair),
        "duplicated": sum(n - 1 for n in per_pair.values())
        + sum(1 for pair in per_pair if pair not in answered and pair not in in_flight),
        "oversold": 0,
        "miscounted": 0,
        "going": 0,
        "waitlisted": 0,
    }
    # One statement, so one snapshot: the seat count and the rows it counts agree.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.capacity, m.going_count,
                   COUNT(r.id) FILTER (WHERE r.status = %s),
                   COUNT(r.id) FILTER (WHERE r.status = %s)
            FROM {Meetup._meta.db_table} m
            JOIN {RSVP._meta.db_table} r ON r.meetup_id = m.id
            WHERE m.id = ANY(%s)
            GROUP BY m.id
            """,  # noqa: S608 - only table names are formatted in
            [RSVP.Status.GOING, RSVP.Status.WAITLISTED, list(meetup_ids)],
        )
        for capacity, going_count, going, waiting in cursor.fetchall():
            checks["going"] += going
            checks["waitlisted"] += waiting
            checks["oversold"] += going > capacity
            # A seat left empty while someone waits is a seat lost too.
            checks["miscounted"] += going_count != going or (waiting > 0 and going < capacity)
    return checks
