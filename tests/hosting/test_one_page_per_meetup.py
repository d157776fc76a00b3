"""A meetup's hosts act on it from one page, its manage page: who is coming and who came,
a message to the people going, the host in rotation, seats, a new time or place, and
calling it off with a message. The public meetup page links there and holds no second set
of controls; each control has one path, one service and one line in the action log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from hosting.models import ActionLog, HostOffer
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def manage(meetup: Meetup, action: str = "") -> str:
    url = reverse("hosting:meetup", args=[meetup.circle.slug, meetup.pk])
    return f"{url}{action}/" if action else url


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


def started_meetup(circle, **kwargs) -> Meetup:
    starts = timezone.now() - dt.timedelta(minutes=10)
    return MeetupFactory(
        circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **kwargs
    )


def seat_at_started(meetup: Meetup, user) -> RSVP:
    """An RSVP made before the start (the service refuses RSVPs after it)."""
    Meetup.objects.filter(pk=meetup.pk).update(going_count=meetup.going_count + 1)
    return RSVP.objects.create(meetup=meetup, user=user, status=RSVP.Status.GOING)


# The public page links to the one page


def test_the_public_page_links_the_hosts_to_the_manage_page_and_holds_no_controls(
    facilitator_client: Client, member_client: Client, meetup
) -> None:
    public = facilitator_client.get(meetup.get_absolute_url()).content.decode()
    as_member = member_client.get(meetup.get_absolute_url()).content.decode()

    assert f'href="{manage(meetup)}"' in public
    assert 'name="capacity"' not in public
    assert 'name="confirm"' not in public
    assert "Manage this meetup" in public
    assert manage(meetup) not in as_member


def test_the_old_second_paths_are_gone(facilitator_client: Client, meetup) -> None:
    for old in ("capacity", "cancel-meetup", "attendance"):
        response = facilitator_client.post(f"/meetups/{meetup.pk}/{old}/", {"confirm": "on"})
        assert response.status_code == 404, old
    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.SCHEDULED


def test_the_manage_page_holds_every_control(facilitator_client: Client, member, meetup) -> None:
    services.rsvp(user=member, meetup=meetup)

    html = facilitator_client.get(manage(meetup)).content.decode()

    assert member.display_name in html
    assert f'action="{manage(meetup, "message")}"' in html
    assert f'action="{manage(meetup, "change")}"' in html
    assert f'action="{manage(meetup, "cancel")}"' in html
    assert 'name="capacity"' in html and 'name="message"' in html
    assert "Host in rotation" in html


# Seats


def test_raising_the_seats_promotes_the_waitlist_and_logs_one_line(
    facilitator_client: Client, facilitator, member, circle
) -> None:
    meetup = MeetupFactory(circle=circle, capacity=1)
    waiting = UserFactory()
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=waiting, meetup=meetup)

    response = facilitator_client.post(
        manage(meetup, "change"), change_data(meetup, capacity=4), follow=True
    )

    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.going_count) == (4, 2)
    assert RSVP.objects.get(meetup=meetup, user=waiting).status == RSVP.Status.GOING
    assert "Saved: 4 seats." in response.content.decode()
    log = ActionLog.objects.get()
    assert (log.action, log.actor, log.meetup) == ("change capacity", facilitator, meetup)


@pytest.mark.parametrize("value", ["0", "501", "lots", ""])
def test_seats_must_be_sensible(facilitator_client: Client, meetup, value) -> None:
    response = facilitator_client.post(
        manage(meetup, "change"), change_data(meetup, capacity=value)
    )

    meetup.refresh_from_db()
    assert meetup.capacity == 12
    assert response.status_code == 400
    assert not ActionLog.objects.exists()


def test_a_member_cannot_change_seats_or_cancel(member_client: Client, meetup) -> None:
    seats = member_client.post(manage(meetup, "change"), change_data(meetup, capacity=2))
    cancel = member_client.post(manage(meetup, "cancel"), {"confirm": "on"})

    assert (seats.status_code, cancel.status_code) == (403, 403)
    meetup.refresh_from_db()
    assert (meetup.capacity, meetup.status) == (12, Meetup.Status.SCHEDULED)


# Cancelling


def test_cancelling_emails_everyone_once_raises_the_sequence_and_logs_one_line(
    facilitator_client: Client, facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    meetup = MeetupFactory(circle=circle, capacity=1)
    waiting = UserFactory()
    MembershipFactory(user=waiting, circle=circle)
    services.rsvp(user=member, meetup=meetup)
    services.rsvp(user=waiting, meetup=meetup)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            manage(meetup, "cancel"),
            {"confirm": "on", "message": "The café is closed; see you next week."},
            follow=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(manage(meetup, "cancel"), {"confirm": "on"})

    meetup.refresh_from_db()
    assert meetup.status == Meetup.Status.CANCELLED
    assert meetup.sequence == 1
    # The person on the waitlist had plans for it too.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, waiting.email])
    assert all("The café is closed" in m.body for m in mail.outbox)
    assert "Called off" in mail.outbox[0].subject
    assert circle.name not in mail.outbox[0].subject
    assert Notification.objects.filter(
        key=f"cancelled:meetup:{meetup.pk}:user:{member.pk}"
    ).exists()
    assert "The meetup is cancelled" in response.content.decode()
    log = ActionLog.objects.get()
    assert (log.action, log.actor, log.meetup) == ("cancel meetup", facilitator, meetup)


def test_cancel_needs_the_confirm_box(facilitator_client: Client, meetup) -> None:
    response = facilitator_client.post(manage(meetup, "cancel"))

    meetup.refresh_from_db()
    assert response.status_code == 400
    assert meetup.status == Meetup.Status.SCHEDULED


# Attendance


def test_a_facilitator_marks_attendance_with_htmx_and_it_is_logged(
    facilitator_client: Client, facilitator, member, circle
) -> None:
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)

    html_page = facilitator_client.get(manage(meetup)).content.decode()
    response = facilitator_client.post(
        manage(meetup, "attendance"),
        {"user": member.pk, "attended": "1"},
        headers={"HX-Request": "true"},
    )
    again = facilitator_client.post(
        manage(meetup, "attendance"), {"user": member.pk, "attended": "1"}
    )

    assert "Mark as came" in html_page
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="attendee-{member.pk}"')
    assert 'aria-pressed="true" autofocus>' in html  # the new toggle keeps the focus
    assert "autofocus" not in html_page
    assert again.status_code == 302
    assert RSVP.objects.get(meetup=meetup, user=member).attended is True
    log = ActionLog.objects.get()  # marking it twice is logged once
    assert (log.action, log.actor, log.subject_user) == ("mark attendance", facilitator, member)


def test_a_facilitator_marks_attendance_without_javascript(
    facilitator_client: Client, member, circle
) -> None:
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)
    RSVP.objects.filter(meetup=meetup).update(attended=True)

    response = facilitator_client.post(
        manage(meetup, "attendance"), {"user": member.pk, "attended": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{manage(meetup)}#coming"
    assert RSVP.objects.get(meetup=meetup, user=member).attended is False


def test_attendance_opens_at_the_start_time(facilitator_client: Client, member, meetup) -> None:
    services.rsvp(user=member, meetup=meetup)

    html_page = facilitator_client.get(manage(meetup)).content.decode()
    response = facilitator_client.post(
        manage(meetup, "attendance"), {"user": member.pk, "attended": "1"}, follow=True
    )

    assert "Mark as came" not in html_page
    assert "once the meetup has started" in response.content.decode()
    assert RSVP.objects.get(meetup=meetup, user=member).attended is None
    assert not ActionLog.objects.exists()


def test_a_member_cannot_mark_attendance(member_client: Client, member, circle) -> None:
    meetup = started_meetup(circle)
    seat_at_started(meetup, member)

    response = member_client.post(
        manage(meetup, "attendance"), {"user": member.pk, "attended": "1"}
    )

    assert response.status_code == 403
    assert RSVP.objects.get(meetup=meetup, user=member).attended is None


# Messages and the host in rotation


def test_a_message_is_written_on_the_manage_page_and_its_errors_shown_there(
    facilitator_client: Client, member, meetup
) -> None:
    services.rsvp(user=member, meetup=meetup)

    old_link = facilitator_client.get(manage(meetup, "message"))
    empty = facilitator_client.post(manage(meetup, "message"), {"body": "   "})
    sent = facilitator_client.post(manage(meetup, "message"), {"body": "Back table."})

    assert old_link.status_code == 302
    assert old_link["Location"] == f"{manage(meetup)}#message"
    assert empty.status_code == 400
    assert 'id="message-heading"' in empty.content.decode()
    assert sent["Location"] == f"{manage(meetup)}#message"
    after = facilitator_client.get(manage(meetup)).content.decode()
    assert "on its way to 1 person going" in after
    assert "Back table." in after


def test_an_offer_to_host_is_decided_on_the_meetup_page(
    facilitator_client: Client, facilitator, member, meetup
) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)

    html = facilitator_client.get(manage(meetup)).content.decode()
    response = facilitator_client.post(
        reverse("hosting:decide_host_offer", args=[meetup.circle.slug, offer.pk]),
        {"decision": "confirm", "back": "meetup"},
    )

    assert member.display_name in html and 'value="confirm"' in html
    assert response["Location"] == f"{manage(meetup)}#host"
    meetup.refresh_from_db()
    assert meetup.host == member
