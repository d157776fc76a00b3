"""Starting a circle with its first 8 weeks of meetups: `hosting.services.host_circle`,
called RUNS times in this process on the benchmark database, each call its own committed
transaction, as the "Start the circle" button makes it (a weekly in-person circle in Baton
Rouge at a new coffee shop: the circle, its topics, the host's membership and agreement,
the venue, the schedule, 8 or 9 meetups and the log entry). The circles it made are
deleted afterwards. Target: p95 under 200 ms.

Runs inside bench/run.py, which has configured Django for the benchmark database; on its
own, `python bench/host_circle.py` measures just this against BENCH_DATABASE_URL (seeded
by `make bench` first).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import zoneinfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Schedule, Topic, Venue
from hosting import agreement
from hosting.services import host_circle

RUNS = 50
HOST_EMAIL = "benchmark-host@example.org"
NAME_PREFIX = "Benchmark hosted circle"


def _host() -> User:
    host, made = User.objects.get_or_create(
        email=HOST_EMAIL, defaults={"display_name": "Benchmark host", "timezone": "America/Chicago"}
    )
    if made:
        EmailAddress.objects.create(user=host, email=HOST_EMAIL, primary=True, verified=True)
    return host


def _start_one(host: User, topic: Topic, number: int) -> Circle:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Chicago")).date()
    return host_circle(
        user=host,
        circle=Circle(
            name=f"{NAME_PREFIX} {number}",
            description="People who meet as equals to share what helps.",
            format=Circle.Format.IN_PERSON,
            area_name="Baton Rouge, LA",
            lat=30.4433,
            lng=-91.1875,
            timezone="America/Chicago",
            guidelines="What is shared here stays here.",
        ),
        topics=[topic],
        schedules=[
            Schedule(
                frequency=Schedule.Frequency.WEEKLY,
                weekday=1,
                start_time=dt.time(18, 30),
                capacity=10,
                starts_on=today,
            )
        ],
        venue=Venue(name="Benchmark Coffee", address="1 Main St", lat=30.45, lng=-91.18),
        agreement_version=agreement.VERSION,
    )


def _clean_up(host: User) -> None:
    Circle.objects.filter(name__startswith=NAME_PREFIX).delete()
    Venue.objects.filter(created_by=host).delete()


def run(runs: int = RUNS) -> dict[str, float]:
    """Figures for a row of bench/run.py's table (requests are circles started)."""
    host = _host()
    topic = Topic.objects.order_by("pk").first()
    _clean_up(host)
    timings = []
    meetups = 0
    try:
        for number in range(runs):
            started = time.perf_counter()
            circle = _start_one(host, topic, number)
            timings.append((time.perf_counter() - started) * 1000)
            meetups += circle.meetups.count()
    finally:
        _clean_up(host)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {
        "rps": len(timings) / (sum(timings) / 1000),
        "p50": statistics.median(timings),
        "p95": cuts[94],
        "p99": cuts[98],
        "requests": len(timings),
        "errors": 0,
        "meetups_each": meetups / len(timings),
    }


if __name__ == "__main__":
    import run as bench

    bench.setup_django()
    figures = run()
    print(
        f"host_circle × {figures['requests']} ({figures['meetups_each']:.1f} meetups each): "
        f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms"
    )
