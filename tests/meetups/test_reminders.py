"""Members going to a meetup get a reminder a day before and two hours before, once each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification, User
from accounts.notify import queue_once
from circles import wording
from meetups import cant_make_it, notifications, services
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from tests.conftest import past_the_move_window
from tests.factories import MeetupFactory, MembershipFactory, UserFactory, VenueFactory

LINK = "https://video.example.org/room-secret-42"


def meetup_in(circle, delta: dt.timedelta, **kwargs) -> Meetup:
    starts = timezone.now() + delta
    return MeetupFactory(
        circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **kwargs
    )


def test_day_before_reminder_is_sent_once(member, circle, settings):
    meetup = meetup_in(circle, dt.timedelta(hours=20), venue=VenueFactory(name="Rosie's Coffee"))
    services.rsvp(user=member, meetup=meetup)

    first = send_due_reminders.delay().get()
    second = send_due_reminders.delay().get()

    assert (first, second) == (1, 0)
    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject.startswith("Reminder:")
    assert circle.name not in message.subject
    assert "Grief" not in message.subject
    assert "Rosie's Coffee" in message.body
    assert "Milo" in message.body
    assert settings.CRISIS_LINE_TEXT in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/me/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "Rosie&#x27;s Coffee" in html
    key = f"reminder-24h:meetup:{meetup.pk}:seq:0:user:{member.pk}"
    assert Notification.objects.get(key=key).sent_at is not None


def test_two_hour_reminder_carries_the_online_link_for_people_going(member, circle):
    meetup = meetup_in(circle, dt.timedelta(minutes=90), online_url=LINK)
    services.rsvp(user=member, meetup=meetup)

    assert send_due_reminders() == 1

    [message] = mail.outbox
    assert LINK in message.body
    assert Notification.objects.filter(
        key=f"reminder-2h:meetup:{meetup.pk}:seq:0:user:{member.pk}"
    ).exists()
    assert not Notification.objects.filter(key__startswith="reminder-24h").exists()


def test_both_reminders_over_time(member, circle):
    meetup = meetup_in(circle, dt.timedelta(hours=23))
    services.rsvp(user=member, meetup=meetup)

    day_before = send_due_reminders()
    two_hours_before = send_due_reminders(now=meetup.starts_at - dt.timedelta(hours=1))

    assert (day_before, two_hours_before) == (1, 1)
    assert set(Notification.objects.values_list("key", flat=True)) == {
        f"reminder-24h:meetup:{meetup.pk}:seq:0:user:{member.pk}",
        f"reminder-2h:meetup:{meetup.pk}:seq:0:user:{member.pk}",
    }
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("preference", ["remind_24h", "remind_2h"])
def test_reminders_respect_preferences(member, circle, preference):
    User.objects.filter(pk=member.pk).update(**{preference: False})
    delta = dt.timedelta(hours=20) if preference == "remind_24h" else dt.timedelta(hours=1)
    services.rsvp(user=member, meetup=meetup_in(circle, delta))

    assert send_due_reminders() == 0
    assert mail.outbox == []


def test_no_reminders_for_waitlisted_cancelled_or_far_off(member, facilitator, circle):
    full = meetup_in(circle, dt.timedelta(hours=5), capacity=1)
    services.rsvp(user=facilitator, meetup=full)
    services.rsvp(user=member, meetup=full)
    dropped = meetup_in(circle, dt.timedelta(hours=5))
    services.rsvp(user=member, meetup=dropped)
    services.cancel_rsvp(user=member, meetup=dropped)
    called_off = meetup_in(circle, dt.timedelta(hours=5))
    services.rsvp(user=member, meetup=called_off)
    services.cancel_meetup(meetup=called_off, by=facilitator)
    services.rsvp(user=member, meetup=meetup_in(circle, dt.timedelta(days=3)))

    send_due_reminders()

    assert [m.to for m in mail.outbox] == [[facilitator.email]]


def test_a_scan_fans_out_in_chunks_and_the_next_scan_finds_nothing(circle, monkeypatch):
    monkeypatch.setattr(notifications, "REMINDER_CHUNK", 2)
    meetup = meetup_in(circle, dt.timedelta(hours=10))
    for _ in range(5):
        person = UserFactory()
        MembershipFactory(user=person, circle=circle)
        services.rsvp(user=person, meetup=meetup)

    assert send_due_reminders() == 5
    assert send_due_reminders() == 0
    assert len(mail.outbox) == 5
    assert RSVP.objects.filter(meetup=meetup).count() == 5
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def _day_before_reminder(member, circle, **venue) -> tuple[Meetup, object]:
    meetup = meetup_in(
        circle,
        dt.timedelta(hours=20),
        venue=VenueFactory(name="Rosie's Coffee", address="12 Main St, Baton Rouge, LA", **venue),
    )
    services.rsvp(user=member, meetup=meetup)
    assert send_due_reminders() == 1
    [message] = mail.outbox
    return meetup, message


def test_a_reminder_says_when_in_my_zone_where_with_a_map_the_calendar_and_cant_make_it(
    member, circle, settings
):
    User.objects.filter(pk=member.pk).update(timezone="America/New_York")
    member.refresh_from_db()

    meetup, message = _day_before_reminder(member, circle)

    seat = RSVP.objects.get(meetup=meetup, user=member)
    mine = wording.long_when(meetup.starts_at, "America/New_York")
    theirs = wording.long_when(meetup.starts_at, "America/Chicago")
    map_url = "https://www.openstreetmap.org/search?query=12+Main+St%2C+Baton+Rouge%2C+LA"
    ics_url = f"{settings.SITE_URL}/meetups/{meetup.pk}.ics"
    html = message.alternatives[0][0]
    assert message.subject == f"Reminder: {mine}, Rosie's Coffee"
    assert f"When: {mine}" in message.body
    assert f"({theirs} where the circle meets)" in message.body
    assert "Where: Rosie's Coffee, 12 Main St, Baton Rouge, LA" in message.body
    assert f"Map: {map_url}" in message.body
    assert f"Add it to your calendar: {ics_url}" in message.body
    assert f"I can't make it: {cant_make_it.url(seat)}" in message.body
    for url in (map_url, ics_url, cant_make_it.url(seat)):
        assert f'href="{url}"' in html
    assert "Nothing changes until you press it" in message.body


def test_a_reminder_in_the_circles_own_zone_says_the_time_once(member, circle):
    _, message = _day_before_reminder(member, circle)

    assert "where the circle meets" not in message.body


def test_a_person_without_a_valid_zone_reads_the_circles(member, circle):
    User.objects.filter(pk=member.pk).update(timezone="")

    meetup, message = _day_before_reminder(member, circle)

    assert f"When: {wording.long_when(meetup.starts_at, circle.tz)}" in message.body


# Checked again when the reminder's turn comes to be sent (accounts.outbox)


def queued_reminder(member, meetup: Meetup) -> Notification:
    """The day-before reminder, queued as the scan queues it, not sent yet."""
    meetup.refresh_from_db()
    queue_once(
        key=f"reminder-24h:meetup:{meetup.pk}:seq:{meetup.sequence}:user:{member.pk}",
        user=member,
        template="reminder-24h",
        context=notifications.meetup_context(meetup),
        expires_at=meetup.starts_at,
    )
    return Notification.objects.get(key__startswith="reminder-24h")


def test_no_reminder_once_the_meetup_is_cancelled(member, facilitator, circle):
    meetup = meetup_in(circle, dt.timedelta(hours=20))
    services.rsvp(user=member, meetup=meetup)
    note = queued_reminder(member, meetup)

    services.cancel_meetup(meetup=meetup, by=facilitator)
    counts = outbox.deliver()

    assert counts == {"obsolete": 1, "sent": 1}  # the "called off" email goes
    note.refresh_from_db()
    assert (note.status, note.sent_at) == ("obsolete", None)
    assert [m.subject for m in mail.outbox if m.subject.startswith("Reminder")] == []


def test_no_reminder_for_someone_no_longer_going(member, circle):
    meetup = meetup_in(circle, dt.timedelta(hours=20))
    services.rsvp(user=member, meetup=meetup)
    note = queued_reminder(member, meetup)

    services.cancel_rsvp(user=member, meetup=meetup)

    assert outbox.deliver() == {"obsolete": 1}
    note.refresh_from_db()
    assert note.status == "obsolete"
    assert mail.outbox == []


def test_no_reminder_with_the_old_time_after_a_move(member, facilitator, circle):
    meetup = meetup_in(circle, dt.timedelta(hours=20))
    services.rsvp(user=member, meetup=meetup)
    stale = queued_reminder(member, meetup)

    later = meetup.starts_at + dt.timedelta(hours=1)
    services.move_meetup(
        meetup=meetup,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
        venue=meetup.venue,
        by=facilitator,
    )
    with past_the_move_window():
        counts = outbox.deliver()

    stale.refresh_from_db()
    assert stale.status == "obsolete"
    # Only the "moved" email goes; the reminder for the new time is due on the next scan.
    assert counts == {"obsolete": 1, "sent": 1}
    assert [m.subject.startswith("Reminder") for m in mail.outbox] == [False]
    assert send_due_reminders() == 1
    assert (
        Notification.objects.get(key__startswith="reminder-24h:", key__contains=":seq:1:").status
        == "sent"
    )


def test_a_reminder_past_the_start_is_dropped_and_counted(member, circle):
    meetup = meetup_in(circle, dt.timedelta(hours=20))
    services.rsvp(user=member, meetup=meetup)
    note = queued_reminder(member, meetup)
    Notification.objects.filter(pk=note.pk).update(expires_at=timezone.now())

    assert outbox.deliver() == {"expired": 1}
    note.refresh_from_db()
    assert (note.status, note.sent_at) == ("expired", None)
    assert mail.outbox == []


def test_a_chunk_asks_the_rules_about_its_people_in_one_read(circle, django_assert_max_num_queries):
    """Whether each person may see the online link is read for the whole chunk at once
    (accounts.batch): the queries do not grow with the people in it, and each person's
    own state still decides (a removed member going gets no link)."""
    meetups = [meetup_in(circle, dt.timedelta(minutes=90), online_url=LINK) for _ in range(3)]
    people = []
    for meetup in meetups:
        for _ in range(4):
            person = UserFactory()
            MembershipFactory(user=person, circle=circle)
            services.rsvp(user=person, meetup=meetup)
            people.append(person)
    removed = people[0]
    circle.memberships.filter(user=removed).update(status="removed")
    ids = list(RSVP.objects.filter(meetup__in=meetups).values_list("pk", flat=True))

    # The chunk's own reads, one per new row, and nothing per permission asked.
    with django_assert_max_num_queries(12 + len(ids)):
        counts = notifications.queue_reminders("reminder-2h", ids, timezone.now().isoformat())

    assert counts == {"sent": 12}
    links = {message.to[0]: LINK in message.body for message in mail.outbox}
    assert links.pop(removed.email) is False
    assert set(links.values()) == {True}
