"""Reminders sent before reminder keys named the meetup's sequence are not sent again after
the deploy: the data migration meetups 0003 rewrites the old keys of meetups still ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Notification
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from tests.factories import CircleFactory, UserFactory

# Migrating needs a connection outside the test's transaction (SQLite's schema editor).
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("meetups", "0002_meetup_host_in_rotation")
# The deploy migrates to the latest: the data migration under test is 0003, and the code
# that reads the rows afterwards expects every later migration too.
AFTER = ("meetups", None)


def migrate_to(target: tuple[str, str | None]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if target[1] is None:
        target = executor.loader.graph.leaf_nodes(target[0])[0]
    executor.migrate([target])


def old_model(name: str) -> Any:
    """A model of meetups as it was before the deploy, for writing rows as they were."""
    executor = MigrationExecutor(connection)
    return executor.loader.project_state(BEFORE).apps.get_model("meetups", name)


def old_meetup(*, starts_at: dt.datetime) -> Any:
    """A meetup row as the database holds it before the deploy (its model then)."""
    meetup = old_model("Meetup")
    return meetup.objects.create(
        circle_id=CircleFactory().pk,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        capacity=12,
    )


@pytest.fixture
def before_the_deploy() -> Iterator[None]:
    migrate_to(BEFORE)
    yield
    migrate_to(AFTER)  # the next test finds the database as migrate left it


def sent(key: str, user) -> Notification:
    return Notification.objects.create(key=key, user=user, kind=key.split(":")[0])


def test_old_reminder_keys_of_meetups_ahead_name_their_sequence(before_the_deploy) -> None:
    person = UserFactory()
    moved = old_meetup(starts_at=timezone.now() + dt.timedelta(hours=10))
    Meetup.objects.filter(pk=moved.pk).update(sequence=2)
    old_model("RSVP").objects.create(
        meetup_id=moved.pk, user_id=person.pk, status=RSVP.Status.GOING
    )
    Meetup.objects.filter(pk=moved.pk).update(going_count=1)
    over = old_meetup(starts_at=timezone.now() - dt.timedelta(days=2))
    day_before = sent(f"reminder-24h:meetup:{moved.pk}:user:{person.pk}", person)
    two_hours = sent(f"reminder-2h:meetup:{moved.pk}:user:{person.pk}", person)
    past = sent(f"reminder-24h:meetup:{over.pk}:user:{person.pk}", person)
    promoted = sent(f"promoted:meetup:{moved.pk}:user:{person.pk}", person)

    migrate_to(AFTER)

    def key(row: Notification) -> str:
        row.refresh_from_db()
        return row.key

    assert key(day_before) == f"reminder-24h:meetup:{moved.pk}:seq:2:user:{person.pk}"
    assert key(two_hours) == f"reminder-2h:meetup:{moved.pk}:seq:2:user:{person.pk}"
    assert key(past) == f"reminder-24h:meetup:{over.pk}:user:{person.pk}"
    assert key(promoted) == f"promoted:meetup:{moved.pk}:user:{person.pk}"
    # The scan finds the day-before reminder sent: nothing goes out twice.
    assert send_due_reminders() == 0
    assert not mail.outbox

    migrate_to(BEFORE)

    assert key(day_before) == f"reminder-24h:meetup:{moved.pk}:user:{person.pk}"
    assert key(two_hours) == f"reminder-2h:meetup:{moved.pk}:user:{person.pk}"


def test_a_key_already_in_the_new_form_is_left_alone(before_the_deploy) -> None:
    person = UserFactory()
    meetup = old_meetup(starts_at=timezone.now() + dt.timedelta(days=3))
    old = sent(f"reminder-24h:meetup:{meetup.pk}:user:{person.pk}", person)
    new = sent(f"reminder-24h:meetup:{meetup.pk}:seq:0:user:{person.pk}", person)

    migrate_to(AFTER)

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.key == f"reminder-24h:meetup:{meetup.pk}:user:{person.pk}"
    assert new.key == f"reminder-24h:meetup:{meetup.pk}:seq:0:user:{person.pk}"
