"""A `redis-server` of a test's own on a spare port, to stop and start at will (the shared
Redis on 6379 is never stopped), and pointing the Celery app's publisher at a broker."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from peersupport.cache import redis_broker_options
from peersupport.celery import app as celery_app


def spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, stopped and started at will, on the same port.

    `persistent`: an append-only file like production's, so a restart brings back what it
    held; without it a restart starts empty (queued tasks and cached pages gone)."""

    def __init__(self, folder: Path, *, persistent: bool = True) -> None:
        self.folder = folder
        self.persistent = persistent
        self.port = spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def start(self) -> None:
        durability = (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.persistent
            else ["--appendonly", "no"]
        )
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.folder),
                *durability,
                "--save", "",
            ],
            stdout=subprocess.DEVNULL,
            # A server keeps the machine's own clock, like Postgres and the browser, when
            # the suite runs under libfaketime (CI's run with the clock a year ahead).
            env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("the private redis-server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Tasks published to the broker at `url` (not run inline), as the web server does."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.broker_transport_options, conf.task_always_eager
    conf.broker_url, conf.broker_transport_options = url, redis_broker_options()
    conf.task_always_eager = False
    celery_app._after_fork()  # forget pooled connections to the usual broker
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = previous
        celery_app._after_fork()
