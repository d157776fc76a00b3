"""Calendars keep up with what happens to meetups: a calendar has one UID for good, every
change of time, venue or status raises an entry's SEQUENCE once however it is made, and a
circle that pauses or closes leaves its upcoming meetups cancelled in people's feeds."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import regenerate_calendar_token
from circles.models import Circle
from hosting import services as hosting
from meetups import services
from meetups.models import Meetup
from tests.factories import MeetupFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(member: User) -> User:
    """Milo, who has turned the calendar feed on (new accounts start with it off)."""
    regenerate_calendar_token(user=member)
    return member


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def feed_url(user: User) -> str:
    return reverse("me:calendar", args=[user.calendar_token])


def test_a_calendar_keeps_its_uid_from_one_download_to_the_next(client, member, meetup):
    services.rsvp(user=member, meetup=meetup)
    ics_url = reverse("meetups:ics", args=[meetup.pk])

    file_uids = {str(parse(client.get(ics_url))["UID"]) for _ in range(3)}
    feed_uids = {str(parse(client.get(feed_url(member)))["UID"]) for _ in range(3)}

    assert len(file_uids) == 1
    assert len(feed_uids) == 1
    assert file_uids != feed_uids
    assert member.calendar_token not in feed_uids.pop()


def test_a_new_feed_address_is_a_new_calendar(client, member, meetup):
    services.rsvp(user=member, meetup=meetup)
    before = str(parse(client.get(feed_url(member)))["UID"])

    User.objects.filter(pk=member.pk).update(calendar_token="a-new-token-for-the-feed")
    member.refresh_from_db()
    after = str(parse(client.get(feed_url(member)))["UID"])

    assert before != after


def test_each_meetup_file_has_a_calendar_uid_of_its_own(client, circle):
    one, two = MeetupFactory(circle=circle), MeetupFactory(circle=circle)

    uids = {str(parse(client.get(reverse("meetups:ics", args=[m.pk])))["UID"]) for m in (one, two)}

    assert len(uids) == 2


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_form(meetup: Meetup, **changes: object) -> dict[str, object]:
    """The admin's change form for a meetup, as a moderator submits it: times are read in
    the moderator's own timezone (UserFactory's)."""
    times = {"starts_at": meetup.starts_at, "ends_at": meetup.ends_at}
    times |= {key: value for key, value in changes.items() if key in times}
    tz = zoneinfo.ZoneInfo(UserFactory.timezone)
    local = {key: value.astimezone(tz) for key, value in times.items()}
    return {
        "circle": meetup.circle_id,
        "schedule": meetup.schedule_id or "",
        "venue": meetup.venue_id or "",
        "online_url": meetup.online_url,
        "starts_at_0": f"{local['starts_at']:%Y-%m-%d}",
        "starts_at_1": f"{local['starts_at']:%H:%M:%S}",
        "ends_at_0": f"{local['ends_at']:%Y-%m-%d}",
        "ends_at_1": f"{local['ends_at']:%H:%M:%S}",
        "note": meetup.note,
        "host": meetup.host_id or "",
        "rsvps-TOTAL_FORMS": 0,
        "rsvps-INITIAL_FORMS": 0,
        "rsvps-MIN_NUM_FORMS": 0,
        "rsvps-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    } | {key: value for key, value in changes.items() if key not in local}


def test_moving_a_meetup_in_the_admin_raises_its_sequence_once(admin_client, client, meetup):
    url = reverse("admin:meetups_meetup_change", args=[meetup.pk])
    later = (meetup.starts_at + dt.timedelta(hours=1)).replace(microsecond=0)

    response = admin_client.post(
        url, admin_form(meetup, starts_at=later, ends_at=later + dt.timedelta(minutes=90))
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    meetup.refresh_from_db()
    assert (meetup.starts_at, meetup.sequence) == (later, 1)
    [event] = parse(client.get(reverse("meetups:ics", args=[meetup.pk]))).events
    assert event["SEQUENCE"] == 1

    admin_client.post(url, admin_form(meetup, venue=VenueFactory().pk))
    meetup.refresh_from_db()
    assert meetup.sequence == 2

    admin_client.post(url, admin_form(meetup, note="Bring a friend"))
    meetup.refresh_from_db()
    assert (meetup.note, meetup.sequence) == ("Bring a friend", 2)


def test_a_save_from_anywhere_raises_it_once_and_only_for_a_change_calendars_show(meetup):
    meetup.starts_at += dt.timedelta(days=1)
    meetup.ends_at += dt.timedelta(days=1)
    meetup.save()
    assert meetup.sequence == 1

    meetup.save()
    meetup.capacity = 20
    meetup.save(update_fields=["capacity"])
    meetup.refresh_from_db()
    assert meetup.sequence == 1

    meetup.venue = VenueFactory()
    meetup.save(update_fields=["venue"])
    meetup.refresh_from_db()
    assert meetup.sequence == 2


def test_the_services_raise_it_once(facilitator, meetup):
    later = meetup.starts_at + dt.timedelta(hours=2)

    services.move_meetup(
        meetup=meetup,
        starts_at=later,
        ends_at=later + dt.timedelta(minutes=90),
        venue=meetup.venue,
        by=facilitator,
    )
    meetup.save()
    assert Meetup.objects.get(pk=meetup.pk).sequence == 1

    services.cancel_meetup(meetup=meetup, by=facilitator)
    meetup.save()
    assert Meetup.objects.get(pk=meetup.pk).sequence == 2


@pytest.mark.parametrize("stop", [hosting.pause_circle, hosting.archive_circle])
def test_pausing_or_closing_a_circle_cancels_its_meetups_in_members_calendars(
    stop, client, circle, member, facilitator
):
    soon = timezone.now() + dt.timedelta(days=2)
    upcoming = [
        MeetupFactory(
            circle=circle,
            starts_at=soon + dt.timedelta(weeks=week),
            ends_at=soon + dt.timedelta(weeks=week, minutes=90),
        )
        for week in range(2)
    ]
    for meetup in upcoming:
        services.rsvp(user=member, meetup=meetup)
    before = {str(e["UID"]): e for e in parse(client.get(feed_url(member))).events}

    stop(circle=circle, by=facilitator)

    after = {str(e["UID"]): e for e in parse(client.get(feed_url(member))).events}
    assert set(after) == set(before) and len(after) == 2
    for uid, event in after.items():
        assert str(before[uid]["STATUS"]) == "CONFIRMED"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] > before[uid]["SEQUENCE"]
    assert Circle.objects.get(pk=circle.pk).status != Circle.Status.ACTIVE
