"""Twenty members RSVP at the same moment to meetups with only a few seats each.

Each member is a real account (verified email, active membership, a database session)
and a thread with its own keep-alive connection. It fetches the meetup page once for its
CSRF cookie, waits for the others, then posts an RSVP to every meetup in its own shuffled
order, exactly as the RSVP button does without JavaScript. Afterwards the database must
show, for every meetup, one row per member who asked, `going_count` equal to the going
rows, no more going than seats, and no seat left empty while someone waits.

Runs inside bench/run.py, which has configured Django for the benchmark database.
"""

from __future__ import annotations

import datetime as dt
import http.client
import random
import threading
import time
from http.cookies import SimpleCookie

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from meetups.models import RSVP, Meetup

CLIENTS = 20
MEETUPS = 40
CAPACITIES = [2, 3, 4, 5, 6, 8]
TIME_LIMIT_SECONDS = 30
CIRCLE_SLUG = "benchmark-rsvp-race"
EMAIL_PREFIX = "benchmark-rsvp-"
TRANSPORT_ERROR = 599


def prepare() -> tuple[list[Meetup], list[tuple[int, str]]]:
    """A fresh unlisted circle with small meetups, and members logged in: (user id, session)."""
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
    start = timezone.now() + dt.timedelta(days=2)
    meetups = [
        Meetup.objects.create(
            circle=circle,
            starts_at=start + dt.timedelta(hours=n),
            ends_at=start + dt.timedelta(hours=n, minutes=90),
            capacity=CAPACITIES[n % len(CAPACITIES)],
        )
        for n in range(MEETUPS)
    ]
    members = []
    for n in range(CLIENTS):
        user = User.objects.create_user(f"{EMAIL_PREFIX}{n}@example.org", display_name=f"Racer {n}")
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        Membership.objects.create(user=user, circle=circle, guidelines_accepted_at=timezone.now())
        client = Client()
        client.force_login(user)
        members.append((user.pk, client.cookies[settings.SESSION_COOKIE_NAME].value))
    return meetups, members


def member(
    port: int,
    session: str,
    meetup_ids: list[int],
    start: threading.Barrier,
    deadline: list[float],
    results: list[tuple[int, int, float]],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
    try:
        conn.request("GET", f"/meetups/{meetup_ids[0]}/", headers={"Cookie": cookie})
        page = conn.getresponse()
        page.read()
        jar = SimpleCookie()
        for header in page.msg.get_all("Set-Cookie") or []:
            jar.load(header)
        if settings.CSRF_COOKIE_NAME not in jar:
            raise RuntimeError(f"the meetup page ({page.status}) set no CSRF cookie")
    except BaseException:
        start.abort()
        raise
    token = jar[settings.CSRF_COOKIE_NAME].value
    headers = {
        "Cookie": f"{cookie}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    start.wait()
    for meetup_id in meetup_ids:
        if time.monotonic() > deadline[0]:
            break
        began = time.perf_counter()
        try:
            conn.request("POST", f"/meetups/{meetup_id}/rsvp/", body="", headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            status = TRANSPORT_ERROR
        results.append((meetup_id, status, time.perf_counter() - began))
    conn.close()


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def run(port: int) -> dict:
    meetups, members = prepare()
    ids = [m.pk for m in meetups]
    rng = random.Random(7)
    start = threading.Barrier(CLIENTS + 1)
    deadline = [float("inf")]
    results: dict[int, list[tuple[int, int, float]]] = {user_id: [] for user_id, _ in members}
    threads = [
        threading.Thread(
            target=member,
            args=(port, session, rng.sample(ids, len(ids)), start, deadline, results[user_id]),
        )
        for user_id, session in members
    ]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + TIME_LIMIT_SECONDS
    try:
        start.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise RuntimeError("a member could not get ready; see the error above") from None
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    ok = {
        (user_id, meetup_id)
        for user_id, rows in results.items()
        for meetup_id, status, _ in rows
        if status < 400
    }
    latencies = sorted(seconds * 1000 for rows in results.values() for _, _, seconds in rows)
    errors = sum(1 for rows in results.values() for _, status, _ in rows if status >= 400)
    return {
        "latency": {
            "rps": len(latencies) / wall,
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "requests": len(latencies),
            "errors": errors,
        },
        "checks": check(meetups, ok),
    }


def check(meetups: list[Meetup], attempted: set[tuple[int, int]]) -> dict[str, int]:
    rows = (
        RSVP.objects.filter(meetup__in=meetups)
        .values("user_id", "meetup_id")
        .annotate(n=Count("id"))
    )
    per_pair = {(r["user_id"], r["meetup_id"]): r["n"] for r in rows}
    checks = {
        "attempts": len(attempted),
        "meetups": len(meetups),
        "lost": sum(1 for pair in attempted if pair not in per_pair),
        "duplicated": sum(n - 1 for n in per_pair.values())
        + sum(1 for pair in per_pair if pair not in attempted),
        "oversold": 0,
        "miscounted": 0,
        "going": 0,
        "waitlisted": 0,
    }
    for meetup in Meetup.objects.filter(pk__in=[m.pk for m in meetups]):
        going = meetup.rsvps.filter(status=RSVP.Status.GOING).count()
        waiting = meetup.rsvps.filter(status=RSVP.Status.WAITLISTED).count()
        checks["going"] += going
        checks["waitlisted"] += waiting
        checks["oversold"] += going > meetup.capacity
        # A seat left empty while someone waits is a seat lost too.
        checks["miscounted"] += meetup.going_count != going or (
            waiting > 0 and going < meetup.capacity
        )
    return checks
