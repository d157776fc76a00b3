"""A real `celery worker` process against the test database and a real broker.

The worker is started as a subprocess with the live test database in DATABASE_URL
(Postgres, or the SQLite test file), the broker of this run (Redis on a database of its
own when REDIS_URL is set, otherwise Celery's filesystem transport in a temporary folder)
and an EMAIL_URL whose messages the test can read back. Data is committed for real
(`transactional_db`), so the worker sees it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from peersupport.celery import app as celery_app
from tests.jobs.mail import SMTPSink

TIMEOUT = 60.0
# The default queue and the mail queue (settings.CELERY_TASK_ROUTES): a test's worker
# consumes both unless the test says otherwise.
BOTH_QUEUES = f"default,{settings.MAIL_QUEUE}"


def wait_until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Poll `condition` every 50 ms until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def _test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        pytest.skip(f"no worker database URL for {connection.vendor}")
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Broker:
    url: str
    transport_options: dict[str, object]
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """Redis (a database apart from the app's, emptied first) or the filesystem transport.

    The test process publishes to it too: the Celery app is pointed at it for the test.
    """
    if os.environ.get("REDIS_URL"):
        import redis

        parts = urlsplit(request.getfixturevalue("redis_url"))
        app_db = int(parts.path.strip("/") or 0)
        # Beside the app's own database, so runs that each use their own REDIS_URL database
        # do not empty each other's broker.
        jobs_db = (app_db + 8) % 16
        url = urlunsplit(parts._replace(path=f"/{jobs_db}"))
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
        found = Broker(url=url, transport_options={"visibility_timeout": 3600})
    else:
        folder = tmp_path / "broker"
        (folder / "control").mkdir(parents=True)
        found = Broker(
            url="filesystem://",
            transport_options={
                "data_folder_in": str(folder),
                "data_folder_out": str(folder),
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
            env={"CELERY_BROKER_DIR": str(folder)},
        )
    found.env["CELERY_BROKER_URL"] = found.url
    previous = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    celery_app.conf.broker_url = found.url
    celery_app.conf.broker_transport_options = found.transport_options
    # Forget pooled connections to the previous broker (the same reset Celery does after fork).
    celery_app._after_fork()
    yield found
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = previous
    celery_app._after_fork()


class Worker:
    """One `celery -A peersupport worker` process; its output goes to a log file."""

    def __init__(self, env: dict[str, str], log: Path, queues: str = BOTH_QUEUES) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "peersupport",
                "worker",
                "-Q",
                queues,
                "--pool",
                "solo",
                "--loglevel",
                "info",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--hostname",
                f"jobs-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            return " ready." in self.output()

        wait_until(ready, "the worker to start")

    def _count(self, task_name: str, event: str) -> int:
        return sum(
            f"Task {task_name}[" in line and f"] {event}" in line
            for line in self.output().splitlines()
        )

    def received(self, task_name: str) -> int:
        """How many runs of `task_name` this worker has taken from the queue."""
        return self._count(task_name, "received")

    def succeeded(self, task_name: str) -> int:
        """How many runs of `task_name` this worker finished without error."""
        return self._count(task_name, "succeeded in ")

    def results(self, task_name: str) -> list[int]:
        """What each finished run of `task_name` here returned, for tasks returning a
        number (Celery logs "Task name[id] succeeded in 0.01s: 5")."""
        found = re.compile(rf"Task {re.escape(task_name)}\[[^]]+\] succeeded in [\d.]+s: (\d+)$")
        return [int(m[1]) for line in self.output().splitlines() if (m := found.search(line))]

    def retried(self, task_name: str) -> int:
        """How many runs of `task_name` failed here and were put back for a later try."""
        return self._count(task_name, "retry:")

    def wait_succeeded(self, task_name: str, times: int = 1) -> None:
        def done() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            return self.succeeded(task_name) >= times

        wait_until(done, f"{times} × {task_name} on the worker")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log_file.close()


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    sink = SMTPSink()
    yield sink
    sink.close()


@pytest.fixture
def start_worker(
    transactional_db: None, broker: Broker, mail_dir: Path, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start a ready worker; `email_url` defaults to files in `mail_dir`, keyword arguments
    are more settings for it. Stopped at teardown.

    Failure reports include every worker's output.
    """
    workers: list[Worker] = []

    # django-environ drops the first slash after "filemail://": four make an absolute path.
    def start(
        email_url: str = f"filemail:///{mail_dir}",
        *,
        queues: str = BOTH_QUEUES,
        **extra_env: str,
    ) -> Worker:
        """`queues`: the queues it consumes, comma-separated; `extra_env`: more environment
        variables for the worker (EMAIL_TIMEOUT="2")."""
        env = {
            **os.environ,
            **broker.env,
            "DATABASE_URL": _test_database_url(),
            "EMAIL_URL": email_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            # A worker answers no logins: without REDIS_URL (the filesystem broker) it
            # would otherwise refuse to start for want of the shared cache.
            "RATE_LIMITS_ENABLED": "0",
            **extra_env,
        }
        worker = Worker(env, tmp_path / f"worker-{len(workers)}.log", queues)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()
        sys.stdout.write(f"--- {worker.log.name} ---\n{worker.output()}\n")
