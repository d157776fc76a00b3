"""The weekly check-in prompt: each circle's own day and hour in its own zone, once per
member, circle and ISO week, to active members who want it, with five mood links that
only open the check-in page."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification, User
from circles.checkins import read_link
from circles.models import CheckIn, Circle, Membership, next_checkin_at
from circles.notifications import due_prompts, prompt_due_checkins
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


def circle_at(weekday: int, hour: int, *, now: dt.datetime, members: int = 2, **extra) -> Circle:
    circle = CircleFactory(
        timezone="America/Chicago", checkin_weekday=weekday, checkin_time=dt.time(hour), **extra
    )
    # As if it had been saved at `now` (saving sets the slot from the real clock).
    circle.schedule_checkin(after=now)
    circle.save(update_fields=["checkin_due_at", "checkin_week"])
    for _ in range(members):
        MembershipFactory(circle=circle)
    return circle


def test_the_slot_is_the_next_local_day_and_hour() -> None:
    # Wednesday 2 December 2026, 10:00 in Chicago; check-ins on Mondays at 18:00.
    due = next_checkin_at(
        weekday=1, at=dt.time(18), tz=CHICAGO, after=chicago(2026, 12, 2, 10).astimezone(dt.UTC)
    )
    assert due == chicago(2026, 12, 7, 18)
    # The same day, before and after the hour.
    assert next_checkin_at(
        weekday=3, at=dt.time(18), tz=CHICAGO, after=chicago(2026, 12, 2, 10)
    ) == chicago(2026, 12, 2, 18)
    assert next_checkin_at(
        weekday=3, at=dt.time(9), tz=CHICAGO, after=chicago(2026, 12, 2, 10)
    ) == chicago(2026, 12, 9, 9)


def test_saving_a_new_day_or_time_moves_the_slot() -> None:
    circle = CircleFactory(timezone="America/Chicago")
    assert circle.checkin_due_at is not None  # every new circle has one
    before = circle.checkin_due_at
    circle.checkin_weekday = (circle.checkin_weekday % 7) + 1
    circle.save(update_fields=["checkin_weekday"])
    circle.refresh_from_db()
    assert circle.checkin_due_at != before
    assert circle.checkin_due_at.astimezone(CHICAGO).isoweekday() == circle.checkin_weekday
    # Saving something else leaves it alone.
    circle.name = "Renamed"
    circle.save(update_fields=["name"])
    circle.refresh_from_db()
    assert circle.checkin_due_at.astimezone(CHICAGO).isoweekday() == circle.checkin_weekday


def test_each_member_is_prompted_once_a_week(mailoutbox: list) -> None:
    monday_morning = chicago(2026, 11, 30, 8).astimezone(dt.UTC)
    circle = circle_at(1, 9, now=monday_morning)
    members = list(User.objects.filter(memberships__circle=circle))

    assert prompt_due_checkins(now=monday_morning) == 0  # not yet 9:00
    at_nine = chicago(2026, 11, 30, 9, 5)
    assert prompt_due_checkins(now=at_nine) == 2
    # A second scan, a second beat, the next scan: nothing more.
    assert prompt_due_checkins(now=at_nine) == 0
    assert prompt_due_checkins(now=at_nine + dt.timedelta(minutes=15)) == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in members)
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {f"checkin-prompt:circle:{circle.pk}:week:202649:user:{u.pk}" for u in members}
    circle.refresh_from_db()
    assert circle.checkin_due_at == chicago(2026, 12, 7, 9)
    assert circle.checkin_week == 202650

    # Next week's hour prompts them again.
    assert prompt_due_checkins(now=chicago(2026, 12, 7, 9, 1)) == 2
    assert len(mailoutbox) == 4


def test_dst_keeps_the_local_hour_on_both_sides_of_the_change(mailoutbox: list) -> None:
    """9:00 in Chicago is 15:00 UTC before clocks spring forward on Sunday 8 March 2026
    and 14:00 UTC after it; and back again on 1 November."""
    circle = circle_at(7, 9, now=chicago(2026, 2, 28, 12), members=1)  # Sundays at 9:00
    assert circle.checkin_due_at == dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC)

    assert prompt_due_checkins(now=dt.datetime(2026, 3, 1, 14, 59, tzinfo=dt.UTC)) == 0
    assert prompt_due_checkins(now=dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)) == 1
    circle.refresh_from_db()
    # The first Sunday of daylight time: 9:00 CDT is 14:00 UTC.
    assert circle.checkin_due_at == dt.datetime(2026, 3, 8, 14, tzinfo=dt.UTC)
    assert prompt_due_checkins(now=dt.datetime(2026, 3, 8, 13, 59, tzinfo=dt.UTC)) == 0
    assert prompt_due_checkins(now=dt.datetime(2026, 3, 8, 14, 0, tzinfo=dt.UTC)) == 1
    assert len(mailoutbox) == 2

    # And in autumn: 25 October is daylight time (14:00 UTC), 1 November standard (15:00).
    circle.schedule_checkin(after=chicago(2026, 10, 24, 12))
    circle.save(update_fields=["checkin_due_at", "checkin_week"])
    assert circle.checkin_due_at == dt.datetime(2026, 10, 25, 14, tzinfo=dt.UTC)
    assert prompt_due_checkins(now=dt.datetime(2026, 10, 25, 14, 0, tzinfo=dt.UTC)) == 1
    circle.refresh_from_db()
    assert circle.checkin_due_at == dt.datetime(2026, 11, 1, 15, tzinfo=dt.UTC)
    assert circle.checkin_due_at.astimezone(CHICAGO).hour == 9


def test_dst_with_the_real_clock(mailoutbox: list) -> None:
    """The same, with the clock itself moved (time-machine), so nothing depends on the
    scan being handed `now`."""
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False) as clock:
        circle = circle_at(7, 9, now=dt.datetime.now(dt.UTC), members=1)
        clock.move_to(dt.datetime(2026, 3, 1, 15, 1, tzinfo=dt.UTC))
        assert prompt_due_checkins() == 1
        clock.move_to(dt.datetime(2026, 3, 8, 14, 1, tzinfo=dt.UTC))  # 9:01 CDT
        assert prompt_due_checkins() == 1
    circle.refresh_from_db()
    assert circle.checkin_due_at.astimezone(CHICAGO) == chicago(2026, 3, 15, 9)
    assert len(mailoutbox) == 2


def test_only_active_members_who_want_it_in_active_circles(mailoutbox: list) -> None:
    now = chicago(2026, 11, 30, 8)
    circle = circle_at(1, 9, now=now, members=0)
    wants = MembershipFactory(circle=circle).user
    MembershipFactory(circle=circle, user=UserFactory(weekly_checkin=False))
    MembershipFactory(circle=circle, status=Membership.Status.PENDING)
    MembershipFactory(circle=circle, status=Membership.Status.LEFT)
    MembershipFactory(circle=circle, user=UserFactory(is_active=False))
    paused = circle_at(1, 9, now=now, status=Circle.Status.PAUSED)

    assert prompt_due_checkins(now=chicago(2026, 11, 30, 9, 1)) == 1
    assert [m.to for m in mailoutbox] == [[wants.email]]
    paused.refresh_from_db()
    assert paused.checkin_due_at == chicago(2026, 11, 30, 9)  # untouched while paused


def test_a_slot_long_past_is_moved_on_without_prompting(mailoutbox: list) -> None:
    """A circle back from a break does not send last week's prompt."""
    circle = circle_at(1, 9, now=chicago(2026, 11, 20, 8))
    assert prompt_due_checkins(now=chicago(2026, 12, 2, 9)) == 0
    assert mailoutbox == []
    circle.refresh_from_db()
    assert circle.checkin_due_at == chicago(2026, 12, 7, 9)


def test_prompts_fan_out_in_chunks(mailoutbox: list) -> None:
    circle = circle_at(1, 9, now=chicago(2026, 11, 30, 8), members=5)
    assert prompt_due_checkins(now=chicago(2026, 11, 30, 9, 1), chunk=2) == 5
    assert len(mailoutbox) == 5
    assert Notification.objects.filter(key__contains=f"circle:{circle.pk}:").count() == 5


def test_the_scan_is_two_reads_when_nothing_is_due() -> None:
    for weekday in range(1, 8):
        circle_at(weekday, 12, now=chicago(2026, 11, 30, 0), members=2)
    with CaptureQueriesContext(connection) as queries:
        assert prompt_due_checkins(now=chicago(2026, 11, 30, 0, 1)) == 0
    # The due memberships, and the circles whose week is done: two reads, no loop.
    assert len(queries) == 2
    assert "checkin_due_at" in queries[0]["sql"]


def test_the_prompt_email(mailoutbox: list) -> None:
    circle = circle_at(1, 9, now=chicago(2026, 11, 30, 8), members=0, name="Grief Circle")
    person = MembershipFactory(circle=circle, user=UserFactory(display_name="Robin")).user
    prompt_due_checkins(now=chicago(2026, 11, 30, 9, 1))

    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert message.subject == "How are you doing this week?"
    assert message.body.startswith("How are you doing this week?\n")
    assert "Grief Circle" not in message.subject + message.body.split("\n")[0]
    for word in ("really low", "low", "okay", "good", "really good"):
        assert f"{word}: http" in message.body
        assert f">{word}</a>" in html
    assert "988" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "weekly check-in emails" in message.body
    links = [unquote(t) for t in re.findall(r"http://\S+/check-in/\?t=(\S+)", message.body)]
    assert len(links) == 6  # five moods and the page itself
    moods = [read_link(token).mood for token in links]
    assert moods == [1, 2, 3, 4, 5, None]
    assert {read_link(t).user_id for t in links} == {person.pk}
    assert {read_link(t).week for t in links} == {202649}
    assert CheckIn.objects.count() == 0


def test_the_circle_is_named_for_those_who_asked(mailoutbox: list) -> None:
    circle = circle_at(1, 9, now=chicago(2026, 11, 30, 8), members=0, name="Grief Circle")
    MembershipFactory(circle=circle, user=UserFactory(emails_show_circle_name=True))
    prompt_due_checkins(now=chicago(2026, 11, 30, 9, 1))
    assert mailoutbox[0].subject == "How are you doing this week? · Grief Circle"


def test_due_prompts_is_found_again_after_a_lost_chunk() -> None:
    """A chunk lost on the way leaves its keys unsent; the circle stays due and the next
    scan hands them out again."""
    circle = circle_at(1, 9, now=chicago(2026, 11, 30, 8))
    at_nine = chicago(2026, 11, 30, 9, 1)
    assert due_prompts(at_nine).count() == 2
    Notification.objects.create(
        key=due_prompts(at_nine).first().notification_key, user=UserFactory(), kind="x"
    )
    assert due_prompts(at_nine).count() == 1
    assert prompt_due_checkins(now=at_nine) == 1
    assert mail.outbox and due_prompts(at_nine).count() == 0
    circle.refresh_from_db()
    assert circle.checkin_due_at > at_nine
