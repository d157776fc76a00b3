"""What people see on /meetups/<id>/: time, place, seats, and who sees whom."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from circles.models import Circle
from meetups import services
from meetups.models import Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory, VenueFactory

LINK = "https://video.example.org/room-secret-42"


def online_meetup(circle: Circle) -> Meetup:
    return MeetupFactory(circle=circle, online_url=LINK)


def test_anyone_sees_time_place_map_and_seats(client, circle):
    venue = VenueFactory(
        name="Rosie's Coffee", address="12 Oak St", accessibility_notes="Ramp at the side door."
    )
    starts = dt.datetime(2030, 6, 4, 18, 30, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    meetup = MeetupFactory(
        circle=circle, venue=venue, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )

    html = client.get(meetup.get_absolute_url()).content.decode()

    assert "Rosie&#x27;s Coffee" in html
    assert "12 Oak St" in html
    assert "Ramp at the side door." in html
    assert "6:30 pm" in html
    assert 'id="meetup-map"' in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "<strong>12</strong> of 12 seats left" in html
    assert "Log in" in html
    assert "style=" not in html
    assert "<script>" not in html


def test_viewer_in_another_timezone_also_sees_their_own_time(client, circle, member):
    member.timezone = "Europe/London"
    member.save()
    starts = dt.datetime(2030, 6, 4, 18, 30, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    client.force_login(member)

    html = client.get(meetup.get_absolute_url()).content.decode()

    assert "6:30 pm" in html
    assert "12:30 am BST where you are" in html


def test_same_timezone_viewer_sees_one_time(member_client, meetup):
    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert "where you are" not in html


def test_online_link_only_for_people_going(client, member_client, member, outsider_client, circle):
    meetup = online_meetup(circle)

    assert LINK not in client.get(meetup.get_absolute_url()).content.decode()
    assert LINK not in outsider_client.get(meetup.get_absolute_url()).content.decode()
    assert LINK not in member_client.get(meetup.get_absolute_url()).content.decode()

    services.rsvp(user=member, meetup=meetup)

    assert LINK in member_client.get(meetup.get_absolute_url()).content.decode()


def test_waitlisted_member_does_not_see_the_online_link(member_client, member, circle, facilitator):
    meetup = MeetupFactory(circle=circle, online_url=LINK, capacity=1)
    services.rsvp(user=facilitator, meetup=meetup)
    services.rsvp(user=member, meetup=meetup)

    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert "waitlist: number 1" in html
    assert LINK not in html


def test_members_see_seats_not_attendees(member_client, member, facilitator, meetup):
    services.rsvp(user=facilitator, meetup=meetup)

    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert "<strong>11</strong> of 12 seats left" in html
    assert "Fern (host)" not in html.split("<main", 1)[1]
    assert "For facilitators" not in html


def test_facilitators_see_going_list_and_waitlist_by_display_name(
    facilitator_client, member, circle
):
    meetup = MeetupFactory(circle=circle, capacity=1)
    services.rsvp(user=member, meetup=meetup)
    waiting = UserFactory(display_name="Wren")
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=waiting, meetup=meetup)

    public = facilitator_client.get(meetup.get_absolute_url()).content.decode()
    html = facilitator_client.get(
        reverse("hosting:meetup", args=[circle.slug, meetup.pk])
    ).content.decode()

    # The names are on the meetup's manage page, which the public page links to.
    assert "Milo" not in public.split("<main", 1)[1]
    assert reverse("hosting:meetup", args=[circle.slug, meetup.pk]) in public
    assert "Who is coming" in html
    assert "Milo" in html
    assert "Waitlist" in html
    assert "Wren" in html
    assert member.email not in html
    assert waiting.email not in html


def test_add_to_calendar_links_are_neutral(client, circle):
    meetup = MeetupFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))

    html = client.get(meetup.get_absolute_url()).content.decode()

    assert reverse("meetups:ics", args=[meetup.pk]) in html
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "text=Circle+at+Rosie%27s+Coffee" in html
    assert "outlook.live.com/calendar/0/action/compose" in html
    assert "Grief" not in html.split("calendar.google.com", 1)[1].split('"', 1)[0]


def test_unknown_meetup_is_404(client, db):
    assert client.get(reverse("meetups:detail", args=[999999])).status_code == 404
