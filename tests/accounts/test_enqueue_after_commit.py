"""A task published through accounts.background.after_commit (as the outbox's delivery
hint is) goes out after commit, and a broker that is down never undoes the change that was
committed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import shared_task
from django.db import transaction

from accounts.background import BackgroundTask, after_commit
from accounts.models import User
from peersupport.celery import app as celery_app

ran: list[int] = []


@shared_task(base=BackgroundTask, name="tests.accounts.remember")
def remember(user_id: int) -> None:
    ran.append(user_id)


def _publish(user_ids: list[int]) -> None:
    for user_id in user_ids:
        remember.delay(user_id)


def enqueue(user_id: int) -> None:
    after_commit("tests.accounts.remember", _publish, user_id, robust=True)


@pytest.fixture(autouse=True)
def _nothing_ran() -> Iterator[None]:
    ran.clear()
    yield
    ran.clear()


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Publishing for real (not eagerly) to a port where nothing listens, failing at once."""
    conf = celery_app.conf
    settings = {
        "task_always_eager": False,
        "broker_url": "redis://127.0.0.1:1/0",
        "broker_transport_options": {"max_retries": 0},
        "task_publish_retry": False,
    }
    previous = {name: conf[name] for name in settings}
    conf.update(settings)
    celery_app._after_fork()  # forget pooled connections to the usual broker
    yield
    conf.update(previous)
    celery_app._after_fork()


def test_a_task_runs_only_once_the_change_is_committed(
    member: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(member.pk)
        assert ran == []

    assert ran == [member.pk]


def test_a_change_rolled_back_enqueues_nothing(
    member: User, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(member.pk)
        raise RuntimeError("the change failed")

    assert (callbacks, ran) == ([], [])


def test_a_broker_that_is_down_does_not_fail_the_committed_change(
    member: User, broker_down: None, django_capture_on_commit_callbacks, caplog
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        User.objects.filter(pk=member.pk).update(display_name="Renamed")
        enqueue(member.pk)

    assert len(callbacks) == 1
    assert "Error calling" in caplog.text  # logged, not raised
    assert User.objects.get(pk=member.pk).display_name == "Renamed"
    assert ran == []
