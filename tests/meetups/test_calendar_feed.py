"""Meetups in people's calendars: the .ics download and the private per-person feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import regenerate_calendar_token
from meetups import services
from tests.factories import MeetupFactory, ScheduleFactory, VenueFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LINK = "https://video.example.org/room-secret-42"


@pytest.fixture
def member(member: User) -> User:
    """Milo, who has turned the calendar feed on (new accounts start with it off)."""
    regenerate_calendar_token(user=member)
    return member


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def feed_url(user: User) -> str:
    return reverse("me:calendar", args=[user.calendar_token])


def test_meetup_ics_has_stable_uid_times_with_timezone_and_neutral_title(client, circle):
    venue = VenueFactory(name="Rosie's Coffee", address="12 Oak St, Baton Rouge")
    starts = dt.datetime(2030, 6, 4, 18, 30, tzinfo=CHICAGO)
    meetup = MeetupFactory(
        circle=circle, venue=venue, starts_at=starts, ends_at=starts + dt.timedelta(minutes=90)
    )

    cal = parse(client.get(reverse("meetups:ics", args=[meetup.pk])))
    again = parse(client.get(reverse("meetups:ics", args=[meetup.pk])))

    [event] = cal.events
    assert str(event["UID"]) == f"meetup-{meetup.pk}@127.0.0.1"
    assert str(again.events[0]["UID"]) == str(event["UID"])
    assert event.start == starts
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.end == starts + dt.timedelta(minutes=90)
    assert [tz.tz_name for tz in cal.timezones] == ["America/Chicago"]
    assert str(event["SUMMARY"]) == "Circle at Rosie's Coffee"
    assert "Grief" not in cal.to_ical().decode()
    assert str(event["LOCATION"]) == "Rosie's Coffee, 12 Oak St, Baton Rouge"
    assert str(event["URL"]).endswith(meetup.get_absolute_url())
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"


def test_public_ics_never_carries_the_online_link(client, member, circle):
    meetup = MeetupFactory(circle=circle, online_url=LINK)
    services.rsvp(user=member, meetup=meetup)
    client.force_login(member)

    body = client.get(reverse("meetups:ics", args=[meetup.pk])).content.decode()

    assert LINK not in body


def test_cancelled_meetup_has_raised_sequence_and_cancelled_status(client, facilitator, meetup):
    services.cancel_meetup(meetup=meetup, by=facilitator)

    [event] = parse(client.get(reverse("meetups:ics", args=[meetup.pk]))).events

    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"


def test_private_feed_lists_what_i_am_going_to_with_online_link(client, member, circle):
    online = MeetupFactory(circle=circle, online_url=LINK)
    in_person = MeetupFactory(circle=circle)
    not_going = MeetupFactory(circle=circle)
    services.rsvp(user=member, meetup=online)
    services.rsvp(user=member, meetup=in_person)

    cal = parse(client.get(feed_url(member)))

    uids = {str(e["UID"]) for e in cal.events}
    assert uids == {f"meetup-{online.pk}@127.0.0.1", f"meetup-{in_person.pk}@127.0.0.1"}
    assert f"meetup-{not_going.pk}@" not in cal.to_ical().decode()
    online_event = next(e for e in cal.events if str(e["UID"]).startswith(f"meetup-{online.pk}@"))
    assert LINK in str(online_event["DESCRIPTION"])


def test_private_feed_leaves_out_waitlisted_and_cancelled_rsvps(
    client, member, facilitator, circle
):
    full = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=facilitator, meetup=full)
    services.rsvp(user=member, meetup=full)
    dropped = MeetupFactory(circle=circle)
    services.rsvp(user=member, meetup=dropped)
    services.cancel_rsvp(user=member, meetup=dropped)

    cal = parse(client.get(feed_url(member)))

    assert cal.events == []


def test_feed_shows_circle_name_only_when_the_person_chose_it(client, member, circle):
    meetup = MeetupFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))
    services.rsvp(user=member, meetup=meetup)

    discreet = parse(client.get(feed_url(member))).events[0]
    User.objects.filter(pk=member.pk).update(calendar_shows_circle_name=True)
    named = parse(client.get(feed_url(member))).events[0]

    assert str(discreet["SUMMARY"]) == "Circle at Rosie's Coffee"
    assert str(named["SUMMARY"]) == circle.name


def test_revoked_or_unknown_token_is_404(client, member, meetup):
    services.rsvp(user=member, meetup=meetup)
    old = feed_url(member)
    User.objects.filter(pk=member.pk).update(calendar_token=None)

    assert client.get(old).status_code == 404
    assert client.get(reverse("me:calendar", args=["not-a-token"])).status_code == 404


def test_weekly_meetup_stays_at_six_thirty_across_daylight_saving(client, member, circle):
    """US daylight saving ends on Sunday 3 November 2030: 6:30 pm stays 6:30 pm local."""
    schedule = ScheduleFactory(
        circle=circle, weekday=1, start_time=dt.time(18, 30), starts_on=dt.date(2030, 10, 22)
    )
    assert services.extend_schedule(schedule=schedule, until=dt.date(2030, 11, 12)) == 4
    for meetup in schedule.meetups.all():
        services.rsvp(user=member, meetup=meetup)

    cal = parse(client.get(feed_url(member)))

    starts = sorted(e.start for e in cal.events)
    assert [s.date() for s in starts] == [
        dt.date(2030, 10, 22),
        dt.date(2030, 10, 29),
        dt.date(2030, 11, 5),
        dt.date(2030, 11, 12),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(18, 30)}
    assert [s.astimezone(dt.UTC).hour for s in starts] == [23, 23, 0, 0]
    assert {e["DTSTART"].params["TZID"] for e in cal.events} == {"America/Chicago"}
    [vtimezone] = cal.timezones
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
