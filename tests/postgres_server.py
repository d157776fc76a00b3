"""A Postgres cluster of a test's own (initdb in a temporary folder, a spare port), to
freeze and thaw at will: the shared server on 5432 is never stopped or frozen."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import need
from tests.redis_server import spare_port


def _binary(name: str) -> str | None:
    """The newest installed Postgres's `name`, else the one on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PrivatePostgres:
    """initdb + postgres on 127.0.0.1:`port`, trust auth, no fsync (a test's data).

    Postgres refuses to run as root: under root it runs as the `postgres` user (setpriv,
    which execs, so `process.pid` is the postmaster's own)."""

    def __init__(self) -> None:
        self.initdb, self.postgres = _binary("initdb"), _binary("postgres")
        if not (self.initdb and self.postgres):
            need("this test starts its own Postgres: install postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="peersupport-pg-"))
        self.port = spare_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.frozen: list[int] = []
        self._as = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        data = self.folder / "data"
        subprocess.run(  # noqa: S603
            [
                *self._as,
                self.initdb,
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.log = (self.folder / "postgres.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [
                *self._as, self.postgres, "-D", str(data), "-p", str(self.port),
                "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the private Postgres did not start:\n{self.output()}")
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def output(self) -> str:
        return (self.folder / "postgres.log").read_text(errors="replace")

    def processes(self) -> list[int]:
        """The postmaster and every process it started (one per connection, and its
        background workers)."""
        assert self.process is not None
        found = [self.process.pid]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.split("/")[2]))
        return found

    def freeze(self) -> None:
        """SIGSTOP the whole server: connections stay open, nothing answers."""
        self.frozen = self.processes()
        for pid in self.frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []

    def stop(self) -> None:
        self.thaw()
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
