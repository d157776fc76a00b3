"""/healthz: what a load balancer and `docker compose` ask before sending traffic."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import Client

from peersupport.celery import app as celery_app


def test_healthz_says_ok_when_database_and_broker_answer(client: Client, db) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": True, "broker": True}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_broker() -> Iterator[None]:
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    celery_app.conf.broker_url = previous


def test_healthz_answers_503_quickly_when_the_broker_is_down(
    client: Client, db, unreachable_broker: None
) -> None:
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"ok": False, "database": True, "broker": False}
    assert time.monotonic() - started < 2
