# The benchmark starts only fixed local programs: manage.py, granian and wrk.
# ruff: noqa: S603
"""`make bench`: how the site holds up with 100,000 circles on Postgres.

1. Makes the benchmark database (BENCH_DATABASE_URL, default ps_bench on 127.0.0.1) and
   seeds it once with `seed_bulk`; the size and a digest of the seeding code are kept as
   the database's comment, so later runs skip seeding, and a different BENCH_CIRCLES or
   changed seeding code starts it afresh.
2. Counts the SQL queries of one browse page, uncached and cached, in this process.
3. Starts granian as the Dockerfile runs it (2 workers of BENCH_THREADS threads, default
   2) on a free local port, DEBUG off, and measures with wrk, BENCH_SECONDS each
   (default 10): the browse page with its anonymous page cache on, /robots.txt beside
   it, the browse page again while a member RSVPs to and cancels a meetup shown on it
   about ten times a second (seats left are filled into cached pages as they are
   served), a signed-in member cycling through several places and topics (whole pages
   are not shared then, only each search's part of the page, warmed up first) and on
   the home page, whose meetups near their home place are cached the same way; then
   again with BROWSE_CACHE_SECONDS=0, browse cycling through the same searches (from
   CONNECTIONS connections, then from one, a request at a time, so what a single search
   costs shows without queueing) and the signed-in home page, so no cache of any kind
   flatters them.
4. Races RSVPs from 20 signed-in members with wrk, BENCH_SECONDS after a warm-up
   (bench/rsvp_race.py, bench/rsvp.lua), then 4 members pressing RSVP and cancel on each
   meetup in turn, and checks afterwards that no seat was lost, doubled or oversold.
5. Times the weekly check-in scan on the seeded circles with nothing due
   (bench/checkin_scan.py), then emails in bulk on a database of their own
   (bench/mail_bench.py, BENCH_MAIL_DATABASE_URL): 10,000 reminders falling due at once
   and 10,000 check-in prompts due in one scan, each sent by one Celery worker on Redis to
   a mail folder, and counted from that folder.

Prints a table and writes it to bench/results/latest.md. Every server it starts is
stopped on the way out, on errors and Ctrl-C too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus, urlsplit, urlunsplit

import wrk_summary

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GRANIAN = str(Path(PYTHON).parent / "granian")

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ps_bench")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
CIRCLES = int(os.environ.get("BENCH_CIRCLES", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = 2
THREADS = int(os.environ.get("BENCH_THREADS", "2"))

MARKER_PREFIX = "make bench:"
BROWSE = "/circles/?near={place}&radius=50&unit=km&topic={topic}"
MAIN_PLACE, MAIN_TOPIC = "Baton Rouge, LA", "grief"
BROWSER_EMAIL = "benchmark-browser@example.org"
HOME_PLACE, HOME_LAT, HOME_LNG = "Houston, TX", 29.76328, -95.36327
SEAT_CHANGES = 10  # per second, while the cached browse page is measured again
PLACES = ["Baton Rouge, LA", "New Orleans, LA", "Houston, TX", "Austin, TX", "Portland, OR"]
TOPICS = ["grief", "anxiety", "recovery", "caregiving", "new-parents", "depression"]

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "bench",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    # Members in the RSVP race post far faster than any person: the per-person limit stays
    # on (its cost is measured) but out of reach.
    "RSVP_RATE_LIMIT": "1000000/m/user",
}


def browse_path(place: str, topic: str) -> str:
    return BROWSE.format(place=quote_plus(place), topic=topic)


def seed_marker() -> str:
    """What the seeded database holds: the size and a digest of the code that seeded it."""
    digest = hashlib.sha256()
    for name in ("seeding.py", "bulk.py", "management/commands/seed_bulk.py", "data/topics.toml"):
        digest.update((ROOT / "demo" / name).read_bytes())
    return f"{MARKER_PREFIX} seed_bulk --circles {CIRCLES} ({digest.hexdigest()[:12]})"


def prepare_database() -> None:
    """Create, migrate and seed the benchmark database unless its comment says it's ready.
    Only a database this script made (its comment says so) is ever dropped."""
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
        seeded = row is not None and row[0] == seed_marker()
        if row is not None and not (row[0] or "").startswith(MARKER_PREFIX):
            sys.exit(f"Database {name} was not made by make bench; set BENCH_DATABASE_URL.")
        if not seeded:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    database, sql.Literal(f"{MARKER_PREFIX} not seeded yet")
                )
            )
    env = {**os.environ, **SERVER_ENV}
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    if seeded:
        print(f"Database {name} already holds {CIRCLES:,} seeded circles.")
        return
    print(f"Seeding {name} with {CIRCLES:,} circles (once)...")
    started = time.monotonic()
    subprocess.run([*manage, "seed_bulk", "--circles", str(CIRCLES)], env=env, cwd=ROOT, check=True)
    print(f"Seeded in {time.monotonic() - started:.0f} s.")
    # What autovacuum does on a production server (it is off on some development machines):
    # the visibility map lets browse answer counts and orderings from its indexes alone.
    with psycopg.connect(urlunsplit(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(database, sql.Literal(seed_marker()))
        )


def setup_django() -> None:
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "peersupport.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def count_browse_queries() -> dict[str, int]:
    """SQL queries for one anonymous browse page: cache off, then served from the cache."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    path = browse_path(MAIN_PLACE, MAIN_TOPIC)
    counts = {}
    with override_settings(BROWSE_CACHE_SECONDS=0):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, f"browse page answered {response.status_code}"
        counts["uncached"] = len(queries)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    counts["cached"] = len(queries)
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def web_server(**extra_env: str) -> Iterator[int]:
    """granian on a free port for the duration of the block; yields the port."""
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = (RESULTS / "server.log").open("a")
    process = subprocess.Popen(
        [
            GRANIAN,
            "--interface=wsgi",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={WORKERS}",
            f"--blocking-threads={THREADS}",
            "--log-level=warning",
            "peersupport.wsgi:application",
        ],
        cwd=ROOT,
        env={**os.environ, **SERVER_ENV, **extra_env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, process)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web server exited; see {RESULTS / 'server.log'}")
        url = f"http://127.0.0.1:{port}/robots.txt"
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2),
        ):
            return
        time.sleep(0.2)
    raise RuntimeError("the web server did not answer within 30 s")


def signed_in_cookie() -> str:
    """The Cookie header of a verified member, living in Houston, signed in with a
    database session."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User

    user, _ = User.objects.update_or_create(
        email=BROWSER_EMAIL,
        defaults={
            "display_name": "Benchmark browser",
            "home_place": HOME_PLACE,
            "home_lat": HOME_LAT,
            "home_lng": HOME_LNG,
            # Consented to the current privacy note, as someone who signed up has
            # (otherwise every page would send them to the consent page).
            "health_data_consent_at": timezone.now(),
            "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@contextlib.contextmanager
def seats_changing(place: str, topic: str, interval: float) -> Iterator[dict[str, int]]:
    """For the duration of the block, the benchmark browser RSVPs to the next meetup of
    a circle on the first page of the search, then cancels, again and again, one change
    every `interval` seconds: real services, each change bumping the seats version.
    Yields a dict whose "changes" counts them."""
    import threading

    from django.db import connection
    from django.db.models import F
    from django.http import QueryDict
    from django.utils import timezone

    from accounts.models import User
    from circles.forms import CircleSearchForm
    from circles.models import Circle, Membership
    from meetups import services
    from meetups.models import Meetup

    form = CircleSearchForm(QueryDict(f"near={quote_plus(place)}&radius=50&unit=km&topic={topic}"))
    assert form.is_valid(), form.errors
    shown = list(form.circles().values_list("pk", flat=True)[:20])
    upcoming = Circle.objects.filter(pk__in=shown).next_meetups()
    meetup = (
        Meetup.objects.filter(pk__in=[m["id"] for m in upcoming.values()])
        .filter(going_count__lt=F("capacity"))
        .select_related("circle")
        .order_by("starts_at")
        .first()
    )
    assert meetup is not None, "no meetup with seats on the first page of the search"
    browser = User.objects.get(email=BROWSER_EMAIL)
    Membership.objects.update_or_create(
        user=browser,
        circle=meetup.circle,
        defaults={"status": Membership.Status.ACTIVE, "guidelines_accepted_at": timezone.now()},
    )
    stop = threading.Event()
    counted = {"changes": 0}

    def change_seats() -> None:
        try:
            while not stop.is_set():
                services.rsvp(user=browser, meetup=meetup)
                time.sleep(interval)
                services.cancel_rsvp(user=browser, meetup=meetup)
                counted["changes"] += 2
                time.sleep(interval)
        finally:
            connection.close()

    thread = threading.Thread(target=change_seats)
    thread.start()
    try:
        yield counted
    finally:
        stop.set()
        thread.join()


def wrk(
    port: int, paths: list[str], seconds: int, cookie: str = "", connections: int = CONNECTIONS
) -> dict[str, float]:
    """Closed-loop load from `connections` keep-alive connections (CONNECTIONS unless
    told); one wrk thread leaves the second core to the server and Postgres."""
    result = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            "--threads=1",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=5s",
            f"--script={ROOT / 'bench' / 'wrk.lua'}",
            f"http://127.0.0.1:{port}{paths[0]}",
        ],
        env={**os.environ, "WRK_PATHS": " ".join(paths), "WRK_COOKIE": cookie},
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    figures, _ = wrk_summary.read(result.stdout)
    return figures


def measure_pair(port: int, browse_paths: list[str]) -> tuple[dict, dict]:
    wrk(port, browse_paths, 3)  # warm up: the page cache and database connections
    browse = wrk(port, browse_paths, SECONDS)
    trivial = wrk(port, ["/robots.txt"], SECONDS)
    return browse, trivial


def row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['rps']:,.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} "
        f"| {m['requests']:,} | {m['errors']} |"
    )


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    prepare_database()
    setup_django()
    import checkin_scan
    import host_circle
    import rsvp_race

    from circles.models import Circle

    circles = Circle.objects.exclude(slug=rsvp_race.CIRCLE_SLUG).count()
    load = os.getloadavg()[0]
    queries = count_browse_queries()
    main_path = browse_path(MAIN_PLACE, MAIN_TOPIC)
    varied = [browse_path(place, topic) for place in PLACES for topic in TOPICS]
    cookie = signed_in_cookie()

    print(f"Measuring the cached browse page and /robots.txt, {SECONDS} s each...")
    with web_server() as port:
        cached, trivial_cached = measure_pair(port, [main_path])
        print(
            f"Measuring the cached browse page while seats change {SEAT_CHANGES} times a second..."
        )
        with seats_changing(MAIN_PLACE, MAIN_TOPIC, 1 / SEAT_CHANGES) as seat_changes:
            churned = wrk(port, [main_path], SECONDS)
        print(f"Measuring browse ({len(varied)} searches) and home signed in...")
        wrk(port, varied, 3, cookie)  # warm up: the results cache
        signed_in = wrk(port, varied, SECONDS, cookie)
        wrk(port, ["/"], 3, cookie)
        home = wrk(port, ["/"], SECONDS, cookie)
        print(f"Racing RSVPs from {rsvp_race.CLIENTS} members...")
        race = rsvp_race.run(port, SECONDS)
        toggling_clients = rsvp_race.TOGGLING_CLIENTS
        print(f"{toggling_clients} members pressing RSVP and cancel...")
        toggling = rsvp_race.run(port, SECONDS, clients=toggling_clients, toggle=True)
    print(f"Starting {host_circle.RUNS} circles with their first 8 weeks of meetups...")
    hosting = host_circle.run()
    print(f"Measuring browse ({len(varied)} searches), /robots.txt and home without the cache...")
    with web_server(BROWSE_CACHE_SECONDS="0") as port:
        uncached, trivial_uncached = measure_pair(port, varied)
        # One request at a time: what one search costs, without queueing behind others.
        one_at_a_time = wrk(port, varied, SECONDS, connections=1)
        wrk(port, ["/"], 3, cookie)
        home_uncached = wrk(port, ["/"], SECONDS, cookie)
    print(f"Timing the check-in scan, {checkin_scan.RUNS} runs...")
    scan = checkin_scan.run()
    mail = bulk_mail()

    checks, toggled = race["checks"], toggling["checks"]
    share = cached["rps"] / trivial_cached["rps"]
    reminders = mail["reminders"]
    lines = [
        f"Benchmark of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {circles:,} circles on "
        f"Postgres, granian {WORKERS} workers × {THREADS} threads, DEBUG off, "
        f"{os.cpu_count()} CPU cores shared with Postgres and the load generator (load "
        f"average {load:.1f} at the start). wrk: "
        f"{CONNECTIONS} keep-alive connections, {SECONDS} s per line.",
        "",
        "| speed target | measured | target | |",
        "| --- | ---: | ---: | --- |",
        target_row(
            "cached browse, as a share of the trivial view's req/s",
            f"{share:.2f}",
            "≥ 0.40",
            met=share >= 0.40,
        ),
        target_row(
            "browse, page cache off, one request at a time, p95",
            f"{one_at_a_time['p95']:.1f} ms",
            "≤ 20 ms",
            met=one_at_a_time["p95"] <= 20,
        ),
        target_row(
            "10,000 reminders due at once, one worker",
            f"{reminders['seconds']:.1f} s, {reminders['duplicates']} repeats",
            "< 10 s, 0 repeats",
            met=reminders["seconds"] < 10 and not reminders["duplicates"],
        ),
        "",
        "| what | req/s | p50 ms | p95 ms | p99 ms | requests | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        row(f"browse, page cache on ({MAIN_PLACE}, 50 km, {MAIN_TOPIC})", cached),
        row("/robots.txt, same server", trivial_cached),
        row(
            f"browse, page cache on, seats changing ({seat_changes['changes']} RSVPs and "
            "cancellations)",
            churned,
        ),
        row(f"browse signed in, searches cached ({len(varied)} place × topic)", signed_in),
        row(f"home page signed in (home place {HOME_PLACE})", home),
        row(f"browse, page cache off ({len(varied)} place × topic searches)", uncached),
        row("browse, page cache off, one request at a time (same searches)", one_at_a_time),
        row("/robots.txt, same server", trivial_uncached),
        row("home page signed in, cache off", home_uncached),
        row(f"RSVP POST, {rsvp_race.CLIENTS} concurrent members", race["latency"]),
        row(f"RSVP and cancel POSTs, {toggling_clients} members at once", toggling["latency"]),
        row("start a circle with 8 weeks of meetups (host_circle, in process)", hosting),
        "",
        f"- browse throughput / trivial view: cache on "
        f"{cached['rps'] / trivial_cached['rps']:.0%}, signed in "
        f"{signed_in['rps'] / trivial_cached['rps']:.0%}, cache off "
        f"{uncached['rps'] / trivial_uncached['rps']:.0%} (target ≥ 25%)",
        f"- SQL queries per browse page: {queries['uncached']} uncached, "
        f"{queries['cached']} from the page cache",
        f"- RSVP race: {checks['attempts']} RSVPs by {rsvp_race.CLIENTS} members to "
        f"{checks['meetups']} meetups of {rsvp_race.CAPACITIES[0]}–{rsvp_race.CAPACITIES[-1]} "
        f"seats: {checks['going']} going, {checks['waitlisted']} waitlisted; "
        f"lost {checks['lost']}, duplicated {checks['duplicated']}, "
        f"meetups over capacity {checks['oversold']}, meetups with a wrong seat count or an "
        f"empty seat while someone waits {checks['miscounted']}",
        f"- RSVP and cancel: {toggled['attempts']} RSVPs (each cancelled next) by "
        f"{toggling_clients} members to {toggled['meetups']} meetups: lost {toggled['lost']}, "
        f"duplicated {toggled['duplicated']}, meetups over capacity {toggled['oversold']}, "
        f"meetups with a wrong seat count or an empty seat while someone waits "
        f"{toggled['miscounted']}",
        f"- weekly check-in scan, {scan['circles']:,} active circles, nothing due, "
        f"{scan['runs']} runs: p50 {scan['p50']:.1f} ms, max {scan['max']:.1f} ms",
        *mail_lines(mail),
        "- targets: browse p95 ≤ 50 ms, browse with the page cache off one request at a "
        f"time p95 ≤ 30 ms, RSVP p95 ≤ 100 ms, RSVP and cancel with {toggling_clients} "
        "members p95 ≤ 50 ms, starting a circle p95 < 200 ms, check-in scan with nothing "
        "due < 200 ms, 10,000 reminders < 30 s, 10,000 check-in prompts < 60 s (0 "
        "duplicates, 0 missing)",
    ]
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(report)
    print()
    print(report)
    print(f"Written to {RESULTS / 'latest.md'}")
    for found in (checks, toggled):
        if found["lost"] or found["duplicated"] or found["oversold"] or found["miscounted"]:
            sys.exit("RSVP integrity check failed")
    if race["latency"]["errors"] or toggling["latency"]["errors"]:
        sys.exit("RSVPs were refused during the race (see the errors column)")
    for found in mail.values():
        if found["duplicates"] or found["missing"] or found["unexpected"]:
            sys.exit("Emails in bulk: some were sent twice, missing or unexpected")


def target_row(what: str, measured: str, target: str, *, met: bool) -> str:
    """A line of the speed targets' table: the figure beside its target."""
    return f"| {what} | {measured} | {target} | {'met' if met else 'missed'} |"


def bulk_mail() -> dict[str, dict]:
    """bench/mail_bench.py in a process of its own (its own database); its last line of
    output is the figures."""
    print("Emails in bulk (bench/mail_bench.py)...")
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "mail_bench.py")],
        env={**os.environ, "REDIS_URL": REDIS_URL},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    print("\n".join(lines[:-1]))
    return json.loads(lines[-1])


def mail_lines(mail: dict[str, dict]) -> list[str]:
    names = {
        "reminders": "reminders falling due at once (1,000 meetups × 10 going, in 20 h)",
        "prompts": "weekly check-in prompts in one scan (2,000 circles × 5 members)",
    }
    return [
        f"- {found['expected']:,} {names[kind]}, one Celery worker (prefork, "
        f"{found['concurrency']} processes) on "
        f"Redis, file email backend: all in the mail folder {found['seconds']:.1f} s after "
        f"the scan was sent to the broker; counted from the folder: {found['messages']:,} "
        f"messages, {found['duplicates']} duplicates, {found['missing']} missing, "
        f"{found['unexpected']} unexpected"
        for kind, found in mail.items()
    ]


if __name__ == "__main__":
    main()
