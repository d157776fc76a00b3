"""An online or hybrid circle can carry a number to join by phone and an access code: the
meetup's page, the emails about it and the private calendar feed show them, like the
online link, only to people going (meetups.see_online_link), with a `tel:` link that dials
the code too. A meetup can have its own number, which then comes with its own code."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle
from meetups import services
from meetups.models import Meetup
from meetups.notifications import meetup_context, send_due_reminders
from tests.factories import MeetupFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+1 (555) 010-4477"
CODE = "918 273 645"
TEL = "tel:+15550104477,,918273645%23"


@pytest.fixture
def hybrid(circle: Circle) -> Circle:
    Circle.objects.filter(pk=circle.pk).update(
        format=Circle.Format.HYBRID,
        online_url="https://video.example.org/room",
        dial_in_phone=PHONE,
        dial_in_code=CODE,
    )
    circle.refresh_from_db()
    return circle


def soon(circle: Circle, **kwargs) -> Meetup:
    starts = timezone.now() + dt.timedelta(minutes=90)
    return MeetupFactory(
        circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **kwargs
    )


def test_people_going_see_the_number_and_code_with_a_link_that_dials_both(
    client, member_client, member, outsider_client, hybrid
):
    meetup = MeetupFactory(circle=hybrid, venue=None)
    url = meetup.get_absolute_url()
    for someone in (client, outsider_client, member_client):
        html = someone.get(url).content.decode()
        assert "010-4477" not in html and "918 273 645" not in html and "tel:+1555" not in html

    assert "Online, or by phone. The link and the number to call are shown here" in html

    services.rsvp(user=member, meetup=meetup)
    html = member_client.get(url).content.decode()

    assert "Join by phone:" in html
    assert f'<a href="{TEL}">{PHONE}</a>' in html
    assert "Access code: 918 273 645" in html


def test_a_member_waiting_for_a_seat_does_not_see_the_number(
    member_client, member, facilitator, hybrid
):
    meetup = MeetupFactory(circle=hybrid, capacity=1)
    services.rsvp(user=facilitator, meetup=meetup)
    services.rsvp(user=member, meetup=meetup)

    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert "waitlist: number 1" in html
    assert "010-4477" not in html and "918 273 645" not in html


def test_no_number_on_a_called_off_meetup(member_client, member, facilitator, hybrid):
    meetup = MeetupFactory(circle=hybrid)
    services.rsvp(user=member, meetup=meetup)
    services.cancel_meetup(meetup=meetup, by=facilitator)

    assert "010-4477" not in member_client.get(meetup.get_absolute_url()).content.decode()
    assert meetup_context(meetup, reader=member)["dial_in"] is None


def test_a_meetup_with_its_own_number_uses_its_own_code(member_client, member, hybrid):
    meetup = MeetupFactory(circle=hybrid, dial_in_phone="+44 20 7946 0011", dial_in_code="")
    services.rsvp(user=member, meetup=meetup)

    html = member_client.get(meetup.get_absolute_url()).content.decode()

    assert '<a href="tel:+442079460011">+44 20 7946 0011</a>' in html
    assert "010-4477" not in html
    assert "918 273 645" not in html  # the circle's code belongs to the circle's number


def test_an_in_person_circle_has_no_number_even_if_one_is_stored(member_client, member, circle):
    Circle.objects.filter(pk=circle.pk).update(dial_in_phone=PHONE)
    meetup = MeetupFactory(circle=circle)
    services.rsvp(user=member, meetup=meetup)

    assert meetup.dial_in is None
    assert "Join by phone" not in member_client.get(meetup.get_absolute_url()).content.decode()


def test_the_reminder_carries_the_number_and_code_to_the_person_going(member, hybrid):
    meetup = soon(hybrid)
    services.rsvp(user=member, meetup=meetup)

    assert send_due_reminders() == 1

    [message] = mail.outbox
    assert f"Join by phone: {PHONE}, access code {CODE}" in message.body
    assert f"One tap from a phone: {TEL}" in message.body
    html = message.alternatives[0][0]
    assert f'<a href="{TEL}">{PHONE}</a>' in html
    assert "access code 918 273 645" in html


def test_emails_leave_the_number_out_for_people_not_going(member, outsider, hybrid):
    meetup = soon(hybrid)
    waiting = UserFactory()

    for reader in (member, outsider, waiting, None):
        context = meetup_context(meetup, reader=reader)
        assert context["dial_in"] is None
        assert context["meeting_link"] == ""


def test_spanish_reminder_says_it_in_spanish(member, hybrid):
    member.language = "es"
    member.save()
    meetup = soon(hybrid)
    services.rsvp(user=member, meetup=meetup)

    send_due_reminders()

    [message] = mail.outbox
    assert f"Únete por teléfono: {PHONE}, código de acceso {CODE}" in message.body


def _event_text(response) -> str:
    [event] = icalendar.Calendar.from_ical(response.content).events
    return str(event["DESCRIPTION"])


def test_the_private_feed_carries_the_number_and_the_download_never(client, member, hybrid):
    member.calendar_token = "feed-token-for-dial-in-test-0001"
    member.save()
    meetup = MeetupFactory(circle=hybrid)
    services.rsvp(user=member, meetup=meetup)

    feed = _event_text(client.get(reverse("me:calendar", args=[member.calendar_token])))
    client.force_login(member)
    download = _event_text(client.get(reverse("meetups:ics", args=[meetup.pk])))

    assert f"Join by phone: {PHONE}, access code {CODE} (one tap: {TEL})" in feed
    assert "010-4477" not in download and "918 273 645" not in download
