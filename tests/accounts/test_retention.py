"""What happened is kept for RETENTION_MONTHS, then purged daily: records of emails sent,
and who came to a meetup. A join request's answer goes as soon as it is settled."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts import tasks as accounts_tasks
from accounts.models import Notification, User
from accounts.retention import (
    clear_old_message_texts,
    purge_old_notifications,
    retention_cutoff,
)
from circles import services as circle_services
from circles.models import Circle, Membership
from meetups import tasks as meetups_tasks
from meetups.models import RSVP
from meetups.retention import forget_old_attendance
from peersupport.celery import app
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

NOW = dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC)


def test_the_cutoff_is_retention_months_of_calendar_before(settings) -> None:
    assert retention_cutoff(NOW) == dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    settings.RETENTION_MONTHS = 1
    assert retention_cutoff(NOW) == dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
    settings.RETENTION_MONTHS = 27
    assert retention_cutoff(NOW) == dt.datetime(2024, 12, 31, 12, tzinfo=dt.UTC)


def test_records_of_emails_older_than_the_period_are_purged(member: User, settings) -> None:
    settings.RETENTION_MONTHS = 6
    old = Notification.objects.create(key="old", user=member, kind="promoted")
    recent = Notification.objects.create(key="recent", user=member, kind="promoted")
    Notification.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=190))
    Notification.objects.filter(pk=recent.pk).update(created_at=NOW - dt.timedelta(days=170))

    assert purge_old_notifications(now=NOW) == 1

    assert list(Notification.objects.values_list("key", flat=True)) == ["recent"]


def test_the_text_of_a_finished_message_is_cleared_after_a_week(member: User) -> None:
    text = {"body": "See you at Rosie's", "html": "<p>See you</p>", "headers": {"X": "1"}}
    sent_long_ago = Notification.objects.create(key="a", user=member, status="sent", **text)
    sent_lately = Notification.objects.create(key="b", user=member, status="sent", **text)
    waiting_long = Notification.objects.create(key="c", user=member, **text)
    Notification.objects.filter(pk__in=[sent_long_ago.pk, waiting_long.pk]).update(
        updated_at=timezone.now() - dt.timedelta(days=8)
    )

    assert clear_old_message_texts() == 1

    sent_long_ago.refresh_from_db()
    assert (sent_long_ago.body, sent_long_ago.html, sent_long_ago.headers) == ("", "", {})
    for kept in (sent_lately, waiting_long):
        kept.refresh_from_db()
        assert kept.body == text["body"]


def test_attendance_at_meetups_older_than_the_period_is_forgotten(
    member: User, circle: Circle
) -> None:
    now = timezone.now()
    long_ago = MeetupFactory(circle=circle, starts_at=now - dt.timedelta(days=400))
    lately = MeetupFactory(circle=circle, starts_at=now - dt.timedelta(days=300))
    came = RSVP.objects.create(meetup=long_ago, user=member, attended=True)
    missed = RSVP.objects.create(
        meetup=long_ago, user=UserFactory(), attended=False, status=RSVP.Status.GOING
    )
    recent = RSVP.objects.create(meetup=lately, user=member, attended=True)

    assert forget_old_attendance() == 2

    for seat, attended in ((came, None), (missed, None), (recent, True)):
        seat.refresh_from_db()
        assert seat.attended is attended
    assert RSVP.objects.filter(pk=came.pk).exists()  # the seat stays, who came does not


def test_beat_runs_both_purges_daily() -> None:
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert accounts_tasks.purge_old_notifications.name in scheduled
    assert meetups_tasks.forget_old_attendance.name in scheduled


def test_a_withdrawn_request_to_join_keeps_no_answer(circle: Circle) -> None:
    asking = MembershipFactory(
        circle=circle, status=Membership.Status.PENDING, join_answer="My mum died in spring."
    )

    circle_services.leave_circle(user=asking.user, circle=circle)

    asking.refresh_from_db()
    assert (asking.status, asking.join_answer) == (Membership.Status.LEFT, "")
