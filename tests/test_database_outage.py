"""With Postgres refusing or hanging, /healthz answers within 3 s and every page answers
a 503 page that shows the crisis line, never a 500 traceback; any other failure answers a
500 page with the crisis line; neither page needs the database.

The outage cases serve the site as the image does (granian, DEBUG off) with DATABASE_URL
at a dead port: a closed one (refused at once) and a socket that listens and never
answers (what a hung server or a full backlog looks like to a client).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.utils import load_backend
from django.test import Client, RequestFactory

from peersupport import urls
from peersupport.errors import database_unreachable, server_error
from peersupport.postgres import stall
from peersupport.startup import with_statement_timeout

BASE_DIR = Path(__file__).resolve().parent.parent
CRISIS = "Call the test crisis line on 555 0100, day or night."
BUDGET_SECONDS = 3.0


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


class Site:
    """The site served by granian in a process of its own."""

    def __init__(
        self, database_url: str, tmp_path: Path, *, workers: int = 1, threads: int = 2
    ) -> None:
        self.port = _spare_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "peersupport.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "CRISIS_LINE_TEXT": CRISIS,
            "CELERY_BROKER_DIR": str(tmp_path / "broker"),
            "STATIC_ROOT": str(tmp_path / "static"),
        }
        # The production shape when the run has a Redis; otherwise no shared cache, which
        # a server accepts only with the rate limits off.
        redis_url = os.environ.get("REDIS_URL", "")
        env |= {"REDIS_URL": redis_url} if redis_url else {"RATE_LIMITS_ENABLED": "0"}
        (tmp_path / "broker" / "control").mkdir(parents=True)
        self.log = (tmp_path / "granian.log").open("w+")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "granian"),
                "--interface", "wsgi",
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--workers", str(workers),
                "--blocking-threads", str(threads),
                "peersupport.wsgi:application",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/robots.txt")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"granian did not start:\n{self.output()}")
                time.sleep(0.1)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
    ) -> Answer:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            content = response.read().decode()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                content,
                time.monotonic() - started,
            )
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> str:
        """Stop the server; what it logged."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        logged = self.output()
        self.log.close()
        return logged


@pytest.fixture
def refusing_postgres() -> str:
    """A port nothing listens on: connecting is refused at once."""
    return f"postgres://postgres@127.0.0.1:{_spare_port()}/peersupport"


@pytest.fixture
def hanging_postgres() -> Iterator[str]:
    """A socket that listens and never answers: the connection is made, the server's
    greeting never comes."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(128)
        yield f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/peersupport"


def _check_the_site_without_its_database(site: Site, *, every_page: bool = True) -> None:
    health = site.get("/healthz")
    assert health.status == 503
    assert json.loads(health.body)["database"] is False
    assert health.seconds < BUDGET_SECONDS

    signed_in = {"Cookie": "sessionid=" + "a" * 32}
    csrf = secrets.token_hex(16)
    pages = [
        ("GET", "/", {}),
        ("GET", "/circles/?near=Baton+Rouge%2C+LA&radius=50", {}),
        ("GET", "/circles/grief-circle-mid-city/", {}),
        ("GET", "/meetups/1/", {}),
        ("GET", "/accounts/signup/", signed_in),
        ("GET", "/me/meetups/", signed_in),
        (
            "POST",
            "/meetups/1/rsvp/",
            {
                "Cookie": f"sessionid={'a' * 32}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Referer": f"http://127.0.0.1:{site.port}/meetups/1/",
            },
        ),
    ]
    if not every_page:
        # Each costs the whole connect timeout: the home page, a signed-in page, a POST.
        pages = [pages[0], pages[5], pages[6]]
    for method, path, headers in pages:
        page = site.request(method, path, headers)
        where = f"{method} {path}"
        assert page.status == 503, f"{where}: {page.status}\n{page.body[:500]}"
        assert CRISIS in page.body, where
        assert "Traceback" not in page.body, where
        assert page.headers.get("retry-after") == "30", where
        assert page.seconds < BUDGET_SECONDS, f"{where} took {page.seconds:.1f} s"


def test_postgres_refusing_answers_503_pages_with_the_crisis_line(
    refusing_postgres: str, tmp_path: Path
) -> None:
    site = Site(refusing_postgres, tmp_path)
    try:
        _check_the_site_without_its_database(site)
    finally:
        logged = site.stop()
    # Django logs each one, with the database's error, for whoever keeps the site.
    assert "Service Unavailable: /me/meetups/" in logged
    assert "Connection refused" in logged


def test_postgres_hanging_answers_within_3_seconds(hanging_postgres: str, tmp_path: Path) -> None:
    site = Site(hanging_postgres, tmp_path)
    try:
        _check_the_site_without_its_database(site, every_page=False)
    finally:
        site.stop()


@pytest.fixture
def unreachable_database(transactional_db: None) -> Iterator[None]:
    """The test's own connection pointed at a database that cannot be reached, then back."""
    settings_dict = connection.settings_dict
    previous = dict(settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        settings_dict["PORT"] = str(_spare_port())
    else:
        settings_dict["NAME"] = "/nonexistent-folder/peersupport.sqlite3"
    yield
    connection.close()
    settings_dict.clear()
    settings_dict.update(previous)


def test_the_503_page_is_rendered_without_the_database(
    unreachable_database: None, settings
) -> None:
    settings.CRISIS_LINE_TEXT = CRISIS
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32

    for path in ("/", "/me/meetups/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert CRISIS in response.content.decode()
        assert response["Retry-After"] == "30"
        assert "HX-Retarget" not in response

    # A search made with htmx gets the whole page in place of the page.
    searched = client.get("/circles/?q=grief", headers={"HX-Request": "true"})
    assert searched.status_code == 503
    assert CRISIS in searched.content.decode()
    assert (searched["HX-Retarget"], searched["HX-Reswap"]) == ("body", "innerHTML")


def test_any_other_failure_answers_the_500_page_with_the_crisis_line(settings) -> None:
    """Without the `db` fixture any query would fail the test."""
    settings.CRISIS_LINE_TEXT = CRISIS
    assert urls.handler500 == "peersupport.errors.server_error"
    request = RequestFactory().get("/circles/")

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert CRISIS in page
    assert "Something went wrong" in page
    assert "a bug" not in page


def test_web_statements_stop_at_the_web_timeout(postgres) -> None:
    """A web request's statement that runs too long (a lock waited on, a runaway query) is
    stopped by Postgres and answers the 503 page."""
    database = {**connection.settings_dict, "OPTIONS": dict(connection.settings_dict["OPTIONS"])}
    with_statement_timeout(database, 200)
    web = load_backend(database["ENGINE"]).DatabaseWrapper(database, "web")
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as stopped, web.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        assert time.monotonic() - started < 2
        assert database_unreachable(stopped.value)
    finally:
        web.close()


def test_only_the_web_server_limits_its_statements() -> None:
    """wsgi.py gives the web's connections the statement timeout, the connect timeout and
    the client-side bound half a second past the statement timeout
    (peersupport.postgres.stall); a worker or a migration (settings alone) gets the
    connect timeout only."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "peersupport.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/peersupport",
    }
    read = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES))"

    def options(code: str) -> dict[str, object]:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        database = json.loads(result.stdout.strip().splitlines()[-1])["default"]
        return {**database["OPTIONS"], "bound": database.get("CLIENT_QUERY_SECONDS")}

    web = options("import peersupport.wsgi; " + read)
    worker = options("import django; django.setup(); " + read)

    assert web == {"connect_timeout": 2, "options": "-c statement_timeout=1500", "bound": 2.0}
    assert worker == {"connect_timeout": 2, "bound": None}


class FreezingProxy:
    """A TCP proxy to Postgres that can freeze: it keeps every connection open and stops
    passing bytes either way, as a Postgres that hangs (or a host that stopped) looks to
    a connection opened before."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.frozen = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)
                target.sendall(data)
        except OSError:
            pass
        # One side hung up (or was cut): so does the other, and Postgres ends its session.
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.frozen.clear()
        for each in self.sockets:
            each.close()


@pytest.fixture
def database_behind_a_proxy(postgres, transactional_db) -> Iterator[FreezingProxy]:
    """The test's own connection goes to Postgres through a proxy that can freeze."""
    settings_dict = connection.settings_dict
    previous = dict(settings_dict)
    upstream = (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy = FreezingProxy(upstream)
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    proxy.frozen.clear()
    connection.close()
    settings_dict.clear()
    settings_dict.update(previous)
    proxy.close()


def test_healthz_notices_a_hung_postgres_behind_an_open_connection(
    database_behind_a_proxy: FreezingProxy, client: Client
) -> None:
    """A connection kept from before the hang looks idle and healthy to the socket check,
    so /healthz asks for a new connection, which a hung server cannot give."""
    assert client.get("/healthz").json()["database"] is True
    connection.ensure_connection()

    database_behind_a_proxy.frozen.set()
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] is False
    assert time.monotonic() - started < BUDGET_SECONDS


@pytest.fixture
def web_connection(database_behind_a_proxy: FreezingProxy) -> Iterator[Any]:
    """A connection as the web server makes them (statement timeout 200 ms, the client-side
    bound 0.7 s), through the proxy; the process's breaker closed again afterwards."""
    database = {**connection.settings_dict, "OPTIONS": dict(connection.settings_dict["OPTIONS"])}
    with_statement_timeout(database, 200)
    database[stall.BOUND_KEY] = 0.2 + stall.DEADLINE_GRACE
    web = load_backend(database["ENGINE"]).DatabaseWrapper(database, "web")
    yield web
    database_behind_a_proxy.frozen.clear()
    stall.breaker.answered()
    web.close()


def _one(web: Any) -> None:
    with web.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_query_to_a_frozen_server_is_cut_on_our_side_and_the_server_left_alone(
    database_behind_a_proxy: FreezingProxy, web_connection: Any, monkeypatch
) -> None:
    monkeypatch.setattr(stall, "BREAKER_SECONDS", 1.0)
    _one(web_connection)
    database_behind_a_proxy.frozen.set()

    started = time.monotonic()
    with pytest.raises(OperationalError) as cut:
        _one(web_connection)
    waited = time.monotonic() - started
    assert 0.6 < waited < 2, waited
    assert database_unreachable(cut.value)

    # Left alone for a while: the next request fails at once, without a round trip.
    web_connection.close()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="did not answer a moment ago"):
        _one(web_connection)
    assert time.monotonic() - started < 0.1

    # Running again and the breaker's time over: one query tries, and it answers.
    database_behind_a_proxy.frozen.clear()
    time.sleep(stall.BREAKER_SECONDS)
    _one(web_connection)
    _one(web_connection)


def test_no_query_starts_past_the_request_deadline(web_connection: Any) -> None:
    token = stall.request_deadline.set(time.monotonic() - 0.1)
    try:
        with pytest.raises(OperationalError, match="past its deadline"):
            _one(web_connection)
    finally:
        stall.request_deadline.reset(token)
    _one(web_connection)
