"""The weekly check-in scan (`circles.notifications.prompt_due_checkins`) on the benchmark
database's circles with nothing due. Target: under 200 ms.

Nothing is due when every active circle's slot (`checkin_due_at`) is later than now: the
state beat keeps between check-in hours. The seeded database gets no beat, so its slots
fall due over the week after seeding; the scan is timed as of one second before the
earliest slot, which is that state exactly. Each run calls the task's function as beat
does (both of its queries: the due prompts, then the circles whose slot has come), inside
a transaction that is rolled back, so the benchmark database is only read.

Runs inside bench/run.py, which has configured Django for the benchmark database; on its
own, `python bench/checkin_scan.py` measures just this against BENCH_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

RUNS = 20


def run(runs: int = RUNS) -> dict[str, float]:
    """Figures for a line of bench/run.py's report (milliseconds)."""
    from django.db import transaction
    from django.db.models import Min

    from circles.models import Circle
    from circles.notifications import due_prompts, prompt_due_checkins

    earliest = Circle.objects.active().aggregate(first=Min("checkin_due_at"))["first"]
    assert earliest is not None, "no active circle has a check-in slot"
    now = earliest - dt.timedelta(seconds=1)
    plan = due_prompts(now).explain()
    assert "circle_checkin_due" in plan and "Seq Scan on circles_circle" not in plan, plan
    timings = []
    for _ in range(runs + 1):  # the first warms the connection and the plan
        with transaction.atomic():
            started = time.perf_counter()
            due = prompt_due_checkins(now=now)
            timings.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
        assert due == 0, f"{due} prompts due as of {now}"
    timings = timings[1:]
    return {
        "circles": Circle.objects.active().count(),
        "runs": runs,
        "p50": statistics.median(timings),
        "max": max(timings),
    }


if __name__ == "__main__":
    import run as bench

    bench.setup_django()
    figures = run()
    print(
        f"check-in scan, {figures['circles']:,} active circles, nothing due, "
        f"{figures['runs']} runs: p50 {figures['p50']:.1f} ms, max {figures['max']:.1f} ms"
    )
