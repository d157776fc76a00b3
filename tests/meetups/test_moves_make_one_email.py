"""A meetup moved several times within a few minutes makes one email per person, with
the latest time and place and the one they were last told of; a move after the window
emails again; a meetup close to its start is told at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from accounts.models import Notification, User
from accounts.tasks import sweep_outbox
from circles import wording
from circles.models import Circle
from meetups import services
from meetups.models import Meetup
from meetups.services import MOVE_NOTICE_WINDOW
from tests.factories import MeetupFactory, VenueFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)


def _move(meetup: Meetup, by: User, hours: int, venue=None) -> None:
    meetup.refresh_from_db()
    start = NOW + dt.timedelta(days=3, hours=hours)
    services.move_meetup(
        meetup=meetup,
        by=by,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        venue=venue or meetup.venue,
    )


@pytest.fixture
def meetup(circle: Circle, member: User) -> Meetup:
    with time_machine.travel(NOW, tick=False):
        start = NOW + dt.timedelta(days=3)
        meetup = MeetupFactory(
            circle=circle,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            venue=VenueFactory(name="Corner Coffee"),
        )
        services.rsvp(user=member, meetup=meetup)
    return meetup


def test_six_moves_in_a_few_minutes_send_one_email_with_the_latest(
    meetup: Meetup, member: User, facilitator: User, circle: Circle
) -> None:
    first_day = wording.day_and_date(meetup.starts_at, circle.tz)
    rosie = VenueFactory(name="Rosie's Coffee")
    with time_machine.travel(NOW, tick=False) as clock:
        for hours in (1, 2, 3, 4, 5):
            _move(meetup, facilitator, hours)
            clock.shift(dt.timedelta(seconds=50))
        _move(meetup, facilitator, 6, venue=rosie)
        sweep_outbox()
        assert mail.outbox == []  # held back while more moves may come

        clock.shift(MOVE_NOTICE_WINDOW)
        sweep_outbox()

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == f"A change to your meetup on {first_day}"
    meetup.refresh_from_db()
    assert wording.long_when(meetup.starts_at, circle.tz) in message.body.splitlines()[0]
    assert "Rosie's Coffee" in message.body.splitlines()[0]
    assert "Corner Coffee" in message.body  # where it was, as they last heard
    moves = Notification.objects.filter(key__startswith=f"moved:meetup:{meetup.pk}:")
    assert sorted(moves.values_list("status", flat=True)) == ["obsolete"] * 5 + ["sent"]


def test_a_move_after_the_window_emails_again_from_what_they_were_told(
    meetup: Meetup, member: User, facilitator: User, circle: Circle
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        _move(meetup, facilitator, 1)
        clock.shift(MOVE_NOTICE_WINDOW + dt.timedelta(minutes=1))
        sweep_outbox()
        meetup.refresh_from_db()
        told = meetup.starts_at
        _move(meetup, facilitator, 2)
        clock.shift(MOVE_NOTICE_WINDOW + dt.timedelta(minutes=1))
        sweep_outbox()

    assert len(mail.outbox) == 2
    assert wording.long_when(told, circle.tz) in mail.outbox[1].body


def test_moved_and_moved_back_within_the_window_sends_nothing(
    meetup: Meetup, facilitator: User
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        _move(meetup, facilitator, 1)
        _move(meetup, facilitator, 0)
        clock.shift(MOVE_NOTICE_WINDOW)
        sweep_outbox()

    assert mail.outbox == []


def test_a_meetup_starting_soon_is_told_at_once(
    circle: Circle, member: User, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False):
        start = NOW + dt.timedelta(hours=1)
        soon = MeetupFactory(circle=circle, starts_at=start, ends_at=start + dt.timedelta(hours=1))
        services.rsvp(user=member, meetup=soon)
        with django_capture_on_commit_callbacks(execute=True):
            services.move_meetup(
                meetup=soon,
                by=facilitator,
                starts_at=start + dt.timedelta(days=1),
                ends_at=start + dt.timedelta(days=1, hours=1),
                venue=soon.venue,
            )

    [message] = mail.outbox
    assert message.to == [member.email]
