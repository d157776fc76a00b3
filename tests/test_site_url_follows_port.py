"""A newcomer's run on another port (`PORT=8100 make run`): links in emails, feeds and
calendars point at the port the site is served on, not at 8000, unless SITE_URL says
otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.test_production_settings import BASE_DIR, load

DEVELOPMENT = {"DEBUG": "1"}


def test_site_url_follows_port_unless_set() -> None:
    assert load(DEVELOPMENT, "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8000"}
    assert load(DEVELOPMENT | {"PORT": "8100"}, "SITE_URL") == {"SITE_URL": "http://127.0.0.1:8100"}
    chosen = {"PORT": "8100", "SITE_URL": "https://circles.example.org/"}
    assert load(DEVELOPMENT | chosen, "SITE_URL") == {"SITE_URL": "https://circles.example.org"}


def make_run(**env: str) -> list[str]:
    """The commands `make run` would run (make -n runs none of them)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    environ = {k: v for k, v in os.environ.items() if k not in {"PORT", "SITE_URL", "MAKEFLAGS"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],  # noqa: S607
        cwd=BASE_DIR,
        env=environ | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    commands = result.stdout.replace("\\\n", " ").splitlines()
    return [line for line in commands if "manage.py" in line or "honcho" in line]


def test_make_run_gives_every_process_the_site_url_of_its_port() -> None:
    """honcho hands the worker and beat PORTs of their own (8100, 8200 after 8000), so
    `make run` sets SITE_URL once for the web server, worker and beat alike."""
    for line in make_run(PORT="8100"):
        assert 'SITE_URL="http://127.0.0.1:8100"' in line, line
    for line in make_run():
        assert 'SITE_URL="http://127.0.0.1:8000"' in line, line
    for line in make_run(PORT="8100", SITE_URL="https://circles.example.org"):
        assert 'SITE_URL="https://circles.example.org"' in line, line
    assert any("honcho" in line for line in make_run())
