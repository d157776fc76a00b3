"""A facilitator runs the circle's meetups from the manage page: sees the next 8 weeks with
who is going and waiting, moves one (time, place), changes its seats or cancels it with a
message. Everyone going or waitlisted is emailed once per change, calendars update, and
reminders follow the new time and never come for a cancelled meetup."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import icalendar
import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Notification
from accounts.services import regenerate_calendar_token
from accounts.tasks import sweep_outbox
from circles import wording
from circles.models import Membership
from hosting import services
from hosting.models import ActionLog
from meetups import notifications
from meetups import services as meetup_services
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from meetups.services import MOVE_NOTICE_WINDOW
from tests.conftest import past_the_move_window
from tests.factories import (
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

MANAGE = "/circles/grief-circle-mid-city/manage/"


def page(meetup: Meetup, action: str = "") -> str:
    return f"{MANAGE}meetups/{meetup.pk}/{action + '/' if action else ''}"


def member_of(circle, **kwargs) -> object:
    person = UserFactory(**kwargs)
    MembershipFactory(user=person, circle=circle)
    return person


def full_meetup(circle, member, *, capacity: int = 1, **kwargs) -> tuple[Meetup, object]:
    """A meetup with `member` going and one more person on the waitlist."""
    meetup = MeetupFactory(circle=circle, capacity=capacity, **kwargs)
    waiting = member_of(circle, display_name="Wren")
    meetup_services.rsvp(user=member, meetup=meetup)
    meetup_services.rsvp(user=waiting, meetup=meetup)
    return meetup, waiting


def change_data(meetup: Meetup, **changes) -> dict[str, object]:
    local = meetup.local_start
    data = {
        "date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "duration_minutes": int((meetup.ends_at - meetup.starts_at).total_seconds() // 60),
        "venue": meetup.venue_id or "",
        "capacity": meetup.capacity,
    }
    return data | changes


def a_day_later(meetup: Meetup) -> str:
    return (meetup.local_start.date() + dt.timedelta(days=1)).isoformat()


# The list on the manage page


def test_the_manage_page_lists_eight_weeks_with_going_and_waitlist_counts(
    facilitator_client: Client, member, circle
) -> None:
    meetup, _ = full_meetup(circle, member, venue=VenueFactory(name="Rosie's Coffee"))
    later = MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(weeks=9))
    cancelled = MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(days=9))
    Meetup.objects.filter(pk=cancelled.pk).update(status=Meetup.Status.CANCELLED)

    html = facilitator_client.get(MANAGE).content.decode()

    assert "Rosie&#x27;s Coffee" in html
    assert "1 of 1" in html
    assert '<td data-label="Waitlist">1</td>' in html  # one person waiting
    assert f'href="{page(meetup)}"' in html
    assert f'href="{page(cancelled)}"' in html and "Cancelled" in html
    assert page(later) not in html


def test_the_manage_page_makes_as_many_queries_for_200_members_as_for_5(
    facilitator_client: Client, circle, django_assert_max_num_queries
) -> None:
    meetups = [
        MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(days=1 + 7 * week))
        for week in range(8)
    ]

    def add_members(count: int) -> None:
        for _ in range(count):
            person = member_of(circle)
            for meetup in meetups:
                RSVP.objects.create(meetup=meetup, user=person, status=RSVP.Status.WAITLISTED)

    add_members(3)  # 5 members with the facilitator and `member`
    with CaptureQueriesContext(connection) as small:
        assert facilitator_client.get(MANAGE).status_code == 200
    add_members(195)
    assert Membership.objects.filter(circle=circle).count() == 200

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = facilitator_client.get(MANAGE)

    assert response.content.decode().count('<td data-label="Waitlist">198</td>') == 8


# Moving one meetup


def test_moving_a_meetup_keeps_rsvps_and_emails_everyone_once(
    facilitator_client: Client, facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    meetup, waiting = full_meetup(circle, member, venue=VenueFactory(name="Corner Coffee"))
    old_day = meetup.local_start.strftime("%a %-d %b")
    other = VenueFactory(name="Rosie's Coffee")
    data = change_data(meetup, date=a_day_later(meetup), start_time="19:15", venue=other.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(page(meetup, "change"), data, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(page(meetup, "change"), data)  # pressed twice
    assert mail.outbox == []  # held back a few minutes, in case it moves again
    with past_the_move_window():
        sweep_outbox()

    meetup.refresh_from_db()
    local = meetup.local_start
    assert (local.hour, local.minute, meetup.venue) == (19, 15, other)
    assert meetup.sequence == 1
    assert meetup.ends_at - meetup.starts_at == dt.timedelta(minutes=90)
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING
    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.WAITLISTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, waiting.email])
    message = mail.outbox[0]
    assert message.subject == f"A change to your meetup on {old_day}"
    assert circle.name not in message.subject
    assert message.body.startswith("Now: ")
    assert "7:15 pm" in message.body.splitlines()[0]
    assert "Rosie's Coffee" in message.body.splitlines()[0]
    assert "Corner Coffee" in message.body
    assert Notification.objects.filter(
        key=f"moved:meetup:{meetup.pk}:seq:1:user:{member.pk}"
    ).exists()
    log = ActionLog.objects.get(action="move meetup")
    assert (log.actor, log.meetup, log.circle) == (facilitator, meetup, circle)
    assert "Saved" in response.content.decode()


def test_a_second_move_emails_again(
    facilitator, member, circle, django_capture_on_commit_callbacks
):
    """Once the first move's email went (moves within a few minutes make one:
    tests/meetups/test_moves_make_one_email.py)."""
    meetup = MeetupFactory(circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)
    with time_machine.travel(timezone.now()) as clock:
        for hours in (1, 2):
            with django_capture_on_commit_callbacks(execute=True):
                services.change_meetup(
                    meetup=meetup,
                    by=facilitator,
                    starts_at=meetup.starts_at + dt.timedelta(hours=hours),
                    ends_at=meetup.ends_at + dt.timedelta(hours=hours),
                    venue=meetup.venue,
                    capacity=meetup.capacity,
                )
            # A retried task sends nothing more.
            notifications.notify_moved(
                meetup.pk, meetup.sequence, meetup.starts_at.isoformat(), meetup.venue_id
            )
            clock.shift(MOVE_NOTICE_WINDOW + dt.timedelta(seconds=1))
            sweep_outbox()

    assert meetup.sequence == 2
    assert len(mail.outbox) == 2
    assert ActionLog.objects.filter(action="move meetup").count() == 2


def test_calendar_entries_keep_their_uid_and_raise_the_sequence(
    facilitator_client: Client, member, circle
) -> None:
    meetup = MeetupFactory(circle=circle)
    before = icalendar.Calendar.from_ical(
        facilitator_client.get(f"/meetups/{meetup.pk}.ics").content
    ).events[0]

    facilitator_client.post(page(meetup, "change"), change_data(meetup, start_time="20:00"))
    moved = icalendar.Calendar.from_ical(
        facilitator_client.get(f"/meetups/{meetup.pk}.ics").content
    ).events[0]
    facilitator_client.post(page(meetup, "cancel"), {"confirm": "on", "message": "Sorry!"})
    cancelled = icalendar.Calendar.from_ical(
        facilitator_client.get(f"/meetups/{meetup.pk}.ics").content
    ).events[0]

    assert before["UID"] == moved["UID"] == cancelled["UID"]
    assert (before["SEQUENCE"], moved["SEQUENCE"], cancelled["SEQUENCE"]) == (0, 1, 2)
    assert moved.start.hour == 20
    assert moved["STATUS"] == "CONFIRMED"
    assert cancelled["STATUS"] == "CANCELLED"


def test_the_private_feed_follows_a_move_and_a_cancellation(
    facilitator_client: Client,
    member_client: Client,
    member,
    circle,
    django_capture_on_commit_callbacks,
) -> None:
    regenerate_calendar_token(user=member)  # the feed is off until turned on
    moved, cancelled = MeetupFactory(circle=circle), MeetupFactory(circle=circle)
    wren = member_of(circle, display_name="Wren")
    for person in (member, wren):
        for meetup in (moved, cancelled):
            meetup_services.rsvp(user=person, meetup=meetup)
    feed_url = f"/me/calendar/{member.calendar_token}.ics"

    def feed() -> dict[str, icalendar.Event]:
        events = icalendar.Calendar.from_ical(member_client.get(feed_url).content).events
        return {str(event["UID"]): event for event in events}

    before = feed()
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(page(moved, "change"), change_data(moved, start_time="20:00"))
        facilitator_client.post(page(cancelled, "cancel"), {"confirm": "on", "message": "Sorry"})
    with past_the_move_window():
        sweep_outbox()
    after = feed()

    moved.refresh_from_db()
    assert after.keys() == before.keys() and len(after) == 2
    for uid, event in after.items():
        assert event["SEQUENCE"] == before[uid]["SEQUENCE"] + 1
    moved_uid = next(uid for uid, e in after.items() if e["URL"].endswith(f"/{moved.pk}/"))
    [cancelled_uid] = after.keys() - {moved_uid}
    assert after[moved_uid].decoded("DTSTART") == moved.starts_at
    assert moved.local_start.hour == 20
    assert after[moved_uid]["STATUS"] == "CONFIRMED"
    assert after[cancelled_uid]["STATUS"] == "CANCELLED"
    # One email to each person going, for each meetup.
    tz = circle.tz
    moved_subject = f"A change to your meetup on {wording.day_and_date(moved.starts_at, tz)}"
    cancelled_subject = f"Called off: {wording.long_when(cancelled.starts_at, tz)}"
    assert Counter((m.to[0], m.subject) for m in mail.outbox) == {
        (member.email, moved_subject): 1,
        (wren.email, moved_subject): 1,
        (member.email, cancelled_subject): 1,
        (wren.email, cancelled_subject): 1,
    }


def test_changing_only_the_seats_sends_no_email(
    facilitator_client: Client, facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    meetup, waiting = full_meetup(circle, member)

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(page(meetup, "change"), change_data(meetup, capacity=2))

    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.going_count, meetup.sequence) == (2, 2, 0)
    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.GOING
    assert [m.subject.startswith("A seat opened up") for m in mail.outbox] == [True]
    assert ActionLog.objects.get().action == "change capacity"


def test_nothing_changed_is_nothing_done(facilitator_client: Client, member, meetup) -> None:
    response = facilitator_client.post(page(meetup, "change"), change_data(meetup), follow=True)

    meetup.refresh_from_db()
    assert meetup.sequence == 0
    assert not ActionLog.objects.exists()
    assert "Nothing changed" in response.content.decode()


# Cancelling


def test_cancelling_with_a_message_emails_going_and_waitlisted_once(
    facilitator_client: Client, facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    meetup, waiting = full_meetup(circle, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            page(meetup, "cancel"),
            {"confirm": "on", "message": "The café floods. <b>Next week</b> as usual."},
            follow=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(page(meetup, "cancel"), {"confirm": "on"})

    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.CANCELLED
    assert meetup.note == "The café floods. <b>Next week</b> as usual."
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, waiting.email])
    assert all("The café floods. <b>Next week</b>" in m.body for m in mail.outbox)
    assert "&lt;b&gt;Next week&lt;/b&gt;" in mail.outbox[0].alternatives[0][0]
    log = ActionLog.objects.get()
    assert (log.action, log.actor, log.meetup) == ("cancel meetup", facilitator, meetup)
    assert response.redirect_chain[-1][0] == MANAGE
    detail = facilitator_client.get(meetup.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Next week&lt;/b&gt;" in detail


def test_cancelling_needs_the_confirm_box(facilitator_client: Client, meetup) -> None:
    response = facilitator_client.post(page(meetup, "cancel"), {"message": "Off"})

    meetup.refresh_from_db()
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert meetup.status == Meetup.Status.SCHEDULED


# Reminders follow the change


def test_no_reminder_for_a_meetup_cancelled_after_the_scan_read_it(
    member, facilitator, circle
) -> None:
    starts = timezone.now() + dt.timedelta(hours=20)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    meetup_services.rsvp(user=member, meetup=meetup)
    now = timezone.now()
    ids = list(
        notifications.due_reminders(
            template="reminder-24h",
            preference="remind_24h",
            start=dt.timedelta(hours=2),
            end=dt.timedelta(hours=24),
            now=now,
        ).values_list("pk", flat=True)
    )
    assert len(ids) == 1

    meetup_services.cancel_meetup(meetup=meetup, by=facilitator)
    counts = notifications.queue_reminders("reminder-24h", ids, now.isoformat())

    assert counts == {}
    assert not Notification.objects.filter(key__startswith="reminder-").exists()
    assert mail.outbox == []


def test_a_moved_meetup_is_reminded_again_at_its_new_time(
    member, facilitator, circle, django_capture_on_commit_callbacks
) -> None:
    starts = timezone.now() + dt.timedelta(hours=20)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    meetup_services.rsvp(user=member, meetup=meetup)
    assert send_due_reminders() == 1

    later = starts + dt.timedelta(days=2, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        meetup_services.move_meetup(
            meetup=meetup,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
            venue=meetup.venue,
            by=facilitator,
        )
    mail.outbox.clear()

    assert send_due_reminders() == 0  # the new time is not within a day yet
    assert send_due_reminders(now=later - dt.timedelta(hours=20)) == 1
    [reminder] = mail.outbox
    assert reminder.subject.startswith("Reminder:")
    assert meetup.local_start.strftime("%A") in reminder.subject
    assert Notification.objects.filter(
        key=f"reminder-24h:meetup:{meetup.pk}:seq:1:user:{member.pk}"
    ).exists()


# Bad input: a message beside the field, never a 500, nothing half-saved


LONG = "x" * 100_000


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date": "2020-01-07"}, "date", "in the future"),
        ({"duration_minutes": "0"}, "duration_minutes", "ends after it starts"),
        ({"duration_minutes": "-30"}, "duration_minutes", "ends after it starts"),
        ({"capacity": "0"}, "capacity", "Between 1 and 500"),
        ({"capacity": "1000000"}, "capacity", "Between 1 and 500"),
        ({"venue": "999999"}, "venue", "venues in the list"),
        ({"date": LONG}, "date", "Enter a date"),
        ({"start_time": LONG}, "start_time", "Enter a time"),
        ({"start_time": "<script>alert(1)</script>"}, "start_time", "Enter a time"),
        ({"venue": ""}, "venue", "Pick where it meets"),
    ],
)
def test_bad_changes_are_refused_beside_the_field(
    facilitator_client: Client, member, circle, changes, field, words
) -> None:
    meetup = MeetupFactory(circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)
    before = Meetup.objects.values().get(pk=meetup.pk)

    response = facilitator_client.post(page(meetup, "change"), change_data(meetup, **changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html
    assert words in html
    assert "<script>alert" not in html
    assert Meetup.objects.values().get(pk=meetup.pk) == before
    assert not ActionLog.objects.exists()
    assert mail.outbox == []


def test_a_venue_far_away_is_not_offered_or_accepted(facilitator_client: Client, meetup) -> None:
    seattle = VenueFactory(name="Far Away Coffee", lat=47.61, lng=-122.33)

    form = facilitator_client.get(page(meetup)).content.decode()
    response = facilitator_client.post(
        page(meetup, "change"), change_data(meetup, venue=seattle.pk)
    )

    assert "Far Away Coffee" not in form
    assert response.status_code == 400
    assert "venues in the list" in response.content.decode()
    meetup.refresh_from_db()
    assert meetup.venue != seattle


def test_a_cancel_message_of_100000_characters_is_refused(
    facilitator_client: Client, meetup
) -> None:
    response = facilitator_client.post(page(meetup, "cancel"), {"confirm": "on", "message": LONG})

    assert response.status_code == 400
    assert 'id="id_message_error"' in response.content.decode()
    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.SCHEDULED


def test_a_failed_capacity_change_undoes_the_move(facilitator, member, circle, monkeypatch):
    meetup = MeetupFactory(circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)
    starts_at = meetup.starts_at

    def refuse(**_: object) -> None:
        raise meetup_services.MeetupError("No.")

    monkeypatch.setattr(meetup_services, "set_capacity", refuse)
    with pytest.raises(meetup_services.MeetupError):
        services.change_meetup(
            meetup=meetup,
            by=facilitator,
            starts_at=meetup.starts_at + dt.timedelta(hours=1),
            ends_at=meetup.ends_at + dt.timedelta(hours=1),
            venue=meetup.venue,
            capacity=5,
        )

    fresh = Meetup.objects.get(pk=meetup.pk)
    assert (fresh.starts_at, fresh.sequence, fresh.capacity) == (starts_at, 0, 12)
    assert not ActionLog.objects.exists()


# Who may


def test_only_the_circles_facilitators_change_or_cancel(
    member_client: Client, outsider_client: Client, client: Client, member, circle
) -> None:
    meetup = MeetupFactory(circle=circle)
    other_host = UserFactory()
    MembershipFactory(user=other_host, role=Membership.Role.FACILITATOR)
    other_client = Client()
    other_client.force_login(other_host)
    data = change_data(meetup, start_time="21:00")

    for who in (member_client, outsider_client, other_client):
        assert who.get(page(meetup)).status_code == 403
        assert who.post(page(meetup, "change"), data).status_code == 403
        assert who.post(page(meetup, "cancel"), {"confirm": "on"}).status_code == 403
    assert client.post(page(meetup, "change"), data).status_code == 302

    meetup.refresh_from_db()
    assert (meetup.sequence, meetup.status) == (0, Meetup.Status.SCHEDULED)


def test_a_host_in_rotation_sees_who_is_coming_but_cannot_move_or_cancel(
    member_client: Client, member, circle
) -> None:
    meetup = MeetupFactory(circle=circle, host=member)

    seen = member_client.get(page(meetup))
    moved = member_client.post(page(meetup, "change"), change_data(meetup, start_time="21:00"))
    cancelled = member_client.post(page(meetup, "cancel"), {"confirm": "on"})

    assert seen.status_code == 200
    assert "Who is coming" in seen.content.decode()
    assert "Save changes" not in seen.content.decode()
    assert (moved.status_code, cancelled.status_code) == (403, 403)


def test_a_meetup_of_another_circle_is_not_found_here(facilitator_client: Client, circle) -> None:
    elsewhere = MeetupFactory()

    assert facilitator_client.get(page(elsewhere)).status_code == 404
    assert facilitator_client.post(page(elsewhere, "cancel"), {"confirm": "on"}).status_code == 404
