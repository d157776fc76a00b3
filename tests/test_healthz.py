"""/healthz: what a load balancer and `docker compose` ask before sending traffic."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from accounts.models import Notification
from accounts.notify import queue_once
from peersupport.celery import app as celery_app


def test_healthz_says_ok_when_database_and_broker_answer(client: Client, db) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "database": True,
        "broker": True,
        "outbox_oldest_pending_seconds": None,
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_how_long_the_oldest_email_has_waited(
    client: Client, transactional_db, member, settings
) -> None:
    """Read over the check's own connection, so the rows must be committed. The mail
    server is down: they stay pending."""
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC), tick=False):
        queue_once(key="notice:1:user:1", user=member, template="promoted", context={})
        queue_once(key="notice:2:user:1", user=member, template="promoted", context={})
        Notification.objects.filter(key="notice:1:user:1").update(status="sent")
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 12, tzinfo=dt.UTC), tick=False):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["outbox_oldest_pending_seconds"] == 12 * 60


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    celery_app.conf.broker_url = previous


def test_healthz_says_the_broker_is_down_quickly_and_keeps_the_site_in_service(
    client: Client, db, unreachable_broker: None
) -> None:
    """Every page still works without Redis (tests/test_redis_outage.py), so a load
    balancer must not take the web servers out: 200, with the broker reported down."""
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "database": True,
        "broker": False,
        "outbox_oldest_pending_seconds": None,
    }
    assert time.monotonic() - started < 2


@pytest.fixture
def unreachable_database(transactional_db: None) -> Iterator[None]:
    """The default connection pointed at a database that cannot be reached, then back."""
    from django.db import connection

    settings_dict = connection.settings_dict
    previous = dict(settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        settings_dict["PORT"] = "1"
    else:
        settings_dict["NAME"] = "/nonexistent-folder/peersupport.sqlite3"
    yield
    connection.close()
    settings_dict.clear()
    settings_dict.update(previous)


def test_healthz_answers_503_when_the_database_is_unreachable(
    client: Client, unreachable_database: None
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] is False
