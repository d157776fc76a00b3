"""Shared personas and the switches for tests that need real services.

Personas: `facilitator`, `member` and `outsider` are verified users; `circle` is an open,
listed circle in Baton Rouge hosted by `facilitator` with `member` in it; `meetup` is its
next meetup. `*_client` fixtures are Django test clients logged in as each persona.

A test that needs Postgres, Redis or Chromium asks for the `postgres`, `redis_url` or
`chromium_path` fixture: it skips with a reason when the service is absent, and fails
instead when REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client

from accounts.models import User
from circles.models import Circle, Membership
from meetups.models import Meetup
from meetups.services import MOVE_NOTICE_WINDOW
from peersupport.celery import app as celery_app
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(reason: str) -> None:
    """Skip, or fail when REQUIRE_SERVICES=1, because a real service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def past_the_move_window() -> Iterator[None]:
    """The clock just past the window in which moves of one meetup make one email
    (meetups.services.MOVE_NOTICE_WINDOW): the move emails held back are due."""
    with time_machine.travel(MOVE_NOTICE_WINDOW + dt.timedelta(seconds=1)):
        yield


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fast hashing; tasks run eagerly except in the real-worker tests (tests/jobs)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with an empty cache: cached pages are invalidated on commit, and
    # most tests never commit (they run inside a transaction that is rolled back).
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = False
    # Per-person limits are tested on their own (tests/accounts/test_person_rate_limits.py).
    settings.PERSON_RATE_LIMITS = {}
    eager = "jobs" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def postgres(db) -> None:
    if connection.vendor != "postgresql":
        need("this test needs Postgres: set DATABASE_URL=postgres://…")


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        need("this test needs Redis: set REDIS_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need(f"Redis at {url} is not reachable: {exc}")
    return url


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (os.path.exists(path) or shutil.which(path)):
        need(f"browser tests need Chromium at {path} (apt-get install chromium)")
    return path


@pytest.fixture
def facilitator(db) -> User:
    return UserFactory(display_name="Fern (host)")


@pytest.fixture
def member(db) -> User:
    return UserFactory(display_name="Milo")


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(display_name="Olive")


@pytest.fixture
def circle(facilitator: User, member: User) -> Circle:
    circle = CircleFactory(name="Grief Circle Mid City", slug="grief-circle-mid-city")
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    return circle


@pytest.fixture
def meetup(circle: Circle) -> Meetup:
    return MeetupFactory(circle=circle)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def facilitator_client(facilitator: User) -> Client:
    return _client_for(facilitator)


@pytest.fixture
def member_client(member: User) -> Client:
    return _client_for(member)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return _client_for(outsider)
