"""Production settings come from the environment: HTTPS (HSTS, the redirect), the proxies
trusted for the client's address, and no start without the shared cache.

Each case loads the settings in a fresh interpreter with only the environment given, as a
server would start (the test suite itself runs with a per-process cache on purpose).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "SITE_URL": "https://circles.example.org",
    "BEHIND_TLS_PROXY": "1",
}
READ = """
import json
from django.conf import settings
names = %r
print(json.dumps({name: getattr(settings, name, None) for name in names}))
"""


def _run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "peersupport.settings"}
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load(env: dict[str, str], *names: str) -> dict[str, object]:
    result = _run(READ % (names,), env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_https_sites_send_hsts_for_a_year_and_redirect_to_https() -> None:
    found = load(PRODUCTION, "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")

    assert found["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert found["SECURE_SSL_REDIRECT"] is True
    # The load balancer checks /healthz over plain http.
    assert found["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]


def test_hsts_can_be_turned_off_and_is_off_for_http_sites() -> None:
    assert load(PRODUCTION | {"HSTS_SECONDS": "0"}, "SECURE_HSTS_SECONDS") == {
        "SECURE_HSTS_SECONDS": 0
    }
    plain = load(PRODUCTION | {"SITE_URL": "http://127.0.0.1:8000"}, "SECURE_HSTS_SECONDS")
    assert plain == {"SECURE_HSTS_SECONDS": 0}


def test_production_settings_pass_the_deploy_check_at_warning_level() -> None:
    result = _run("", PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_trusted_proxy_count_comes_from_the_environment() -> None:
    found = load(
        PRODUCTION | {"TRUSTED_PROXY_COUNT": "1"},
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
    )
    assert found == {"ALLAUTH_TRUSTED_PROXY_COUNT": 1, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": None}
    assert load(PRODUCTION, "ALLAUTH_TRUSTED_PROXY_COUNT") == {"ALLAUTH_TRUSTED_PROXY_COUNT": 0}


SERVE = "import peersupport.wsgi"


def test_a_server_without_the_shared_cache_refuses_to_start() -> None:
    result = _run(SERVE, PRODUCTION | {"REDIS_URL": ""})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REDIS_URL must be set when DEBUG is off" in result.stderr


def test_development_and_commands_that_serve_no_one_start_without_it() -> None:
    for extra in ({"DEBUG": "1"}, {"RATE_LIMITS_ENABLED": "0"}):
        result = _run(SERVE, PRODUCTION | {"REDIS_URL": ""} | extra)
        assert result.returncode == 0, result.stderr


def test_a_server_without_a_secret_key_refuses_to_start() -> None:
    result = _run(SERVE, PRODUCTION | {"SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_commands_that_serve_no_one_need_neither_a_key_nor_the_shared_cache() -> None:
    bare = {"DATABASE_URL": "sqlite:///:memory:"}
    result = _run("", bare, "manage.py", "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stdout + result.stderr


def test_session_and_password_limits() -> None:
    found = load(
        PRODUCTION | {"SESSION_IDLE_MINUTES": "30", "SESSION_MAX_DAYS": "2"},
        "SESSION_IDLE_MINUTES",
        "SESSION_COOKIE_AGE",
        "PASSWORD_RESET_TIMEOUT",
    )
    assert found == {
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_COOKIE_AGE": 2 * 24 * 3600,
        "PASSWORD_RESET_TIMEOUT": 3600,
    }
