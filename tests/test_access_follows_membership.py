"""Access follows a person's state now, everywhere it shows (the permission policy, see
accounts.rules): a removed, blocked or departed member loses the online link and the
dial-in number on every meetup and in every feed; a removed rotating host hosts nothing any
more; a rotating host's name shows to the circle's members only; staff are moderators only
with a second factor, and act through the report they handle.
tests/test_permission_matrix.py walks the same rules for every person on every page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle, Membership
from circles.services import leave_circle
from hosting import services
from hosting.models import ActionLog, Report
from meetups import services as meetups_services
from meetups.models import RSVP, Meetup
from meetups.notifications import meetup_context
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = "https://video.example.org/circle-room"
NEW_LINK = "https://video.example.org/new-room"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _unfolded(response) -> str:
    return response.content.decode().replace("\r\n ", "")


@pytest.fixture
def online_circle(circle: Circle) -> Circle:
    Circle.objects.filter(pk=circle.pk).update(format=Circle.Format.HYBRID, online_url=LINK)
    circle.refresh_from_db()
    return circle


def _going(user, meetup: Meetup) -> None:
    RSVP.objects.create(meetup=meetup, user=user, status=RSVP.Status.GOING)
    Meetup.objects.filter(pk=meetup.pk).update(
        going_count=meetup.rsvps.filter(status="going").count()
    )


@pytest.mark.parametrize("block", [False, True], ids=["removed", "blocked"])
def test_a_removed_member_loses_the_online_link_on_every_meetup_and_feed(
    online_circle: Circle, facilitator, block: bool
) -> None:
    person = UserFactory(calendar_feed=True)
    MembershipFactory(circle=online_circle, user=person)
    now = timezone.now()
    upcoming = MeetupFactory(circle=online_circle)
    past = MeetupFactory(circle=online_circle, starts_at=now - dt.timedelta(days=2))
    called_off = MeetupFactory(circle=online_circle, starts_at=now + dt.timedelta(days=5))
    for meetup in (upcoming, past, called_off):
        _going(person, meetup)
    client = _client(person)
    feed = reverse("me:calendar", args=[person.calendar_token])
    assert LINK in client.get(past.get_absolute_url()).content.decode()
    assert LINK in _unfolded(client.get(feed))

    meetups_services.cancel_meetup(meetup=called_off, by=facilitator)
    services.remove_member(
        membership=online_circle.memberships.get(user=person), by=facilitator, block=block
    )
    Circle.objects.filter(pk=online_circle.pk).update(online_url=NEW_LINK)

    for meetup in (upcoming, past, called_off):
        page = client.get(meetup.get_absolute_url()).content.decode()
        assert LINK not in page and NEW_LINK not in page
    calendar = _unfolded(Client().get(feed))
    assert LINK not in calendar and NEW_LINK not in calendar


PHONE = "+15550142233"
CODE = "40917263"


@pytest.mark.parametrize("how", ["removed", "blocked", "left"])
def test_a_member_who_is_gone_loses_the_dial_in_everywhere(
    online_circle: Circle, facilitator, how: str
) -> None:
    """The dial-in number and code follow the link: the meetup's page, the private feed
    and every email lose them the moment the person is no longer in the circle."""
    Circle.objects.filter(pk=online_circle.pk).update(dial_in_phone=PHONE, dial_in_code=CODE)
    online_circle.refresh_from_db()
    person = UserFactory(calendar_feed=True)
    MembershipFactory(circle=online_circle, user=person)
    now = timezone.now()
    upcoming = MeetupFactory(circle=online_circle)
    past = MeetupFactory(circle=online_circle, starts_at=now - dt.timedelta(days=2))
    for meetup in (upcoming, past):
        _going(person, meetup)
    client = _client(person)
    feed = reverse("me:calendar", args=[person.calendar_token])
    assert PHONE in client.get(upcoming.get_absolute_url()).content.decode()
    assert CODE in _unfolded(client.get(feed))
    assert meetup_context(past, reader=person)["dial_in"] is not None

    membership = online_circle.memberships.get(user=person)
    if how == "left":
        leave_circle(user=person, circle=online_circle)
    else:
        services.remove_member(membership=membership, by=facilitator, block=how == "blocked")

    for meetup in (upcoming, past):
        page = client.get(meetup.get_absolute_url()).content.decode()
        assert PHONE not in page and CODE not in page
        assert meetup_context(meetup, reader=person)["dial_in"] is None
    calendar = _unfolded(Client().get(feed))
    assert PHONE not in calendar and CODE not in calendar


def test_a_member_who_gave_up_their_seat_no_longer_sees_the_dial_in(
    online_circle: Circle, member
) -> None:
    Circle.objects.filter(pk=online_circle.pk).update(dial_in_phone=PHONE, dial_in_code=CODE)
    meetup = MeetupFactory(circle=online_circle)
    meetups_services.rsvp(user=member, meetup=meetup)
    assert PHONE in _client(member).get(meetup.get_absolute_url()).content.decode()

    meetups_services.cancel_rsvp(user=member, meetup=meetup)

    assert PHONE not in _client(member).get(meetup.get_absolute_url()).content.decode()
    assert meetup_context(meetup, reader=member)["dial_in"] is None


def test_a_member_going_to_a_past_meetup_still_sees_its_link(online_circle: Circle, member) -> None:
    past = MeetupFactory(circle=online_circle, starts_at=timezone.now() - dt.timedelta(days=2))
    _going(member, past)

    assert LINK in _client(member).get(past.get_absolute_url()).content.decode()


@pytest.fixture
def past_hosted(circle: Circle, facilitator):
    """A meetup that started an hour ago, hosted in rotation by a member who is going."""
    host = MembershipFactory(circle=circle, user=UserFactory(display_name="Hana")).user
    meetup = MeetupFactory(
        circle=circle, starts_at=timezone.now() - dt.timedelta(hours=1), host=host
    )
    _going(host, meetup)
    return meetup, host


def test_a_removed_rotating_host_hosts_no_meetup_any_more(
    circle: Circle, facilitator, member, past_hosted
) -> None:
    meetup, host = past_hosted
    _going(member, meetup)
    client = _client(host)
    host_page = reverse("hosting:meetup", args=[circle.slug, meetup.pk])
    assert client.get(host_page).status_code == 200

    services.remove_member(membership=circle.memberships.get(user=host), by=facilitator)

    assert client.get(host_page).status_code in (403, 404)
    attendance = client.post(
        reverse("hosting:attendance", args=[circle.slug, meetup.pk]),
        {"user": member.pk, "attended": "1"},
    )
    assert attendance.status_code in (403, 404)
    assert RSVP.objects.get(meetup=meetup, user=member).attended is None
    message = client.post(
        reverse("hosting:message_people_going", args=[circle.slug, meetup.pk]),
        {"body": "Running late."},
    )
    assert message.status_code in (403, 404)
    assert "Milo" not in client.get(meetup.get_absolute_url()).content.decode()


def test_a_rotating_hosts_name_shows_to_the_circles_members_only(
    circle: Circle, member, outsider, past_hosted
) -> None:
    meetup, host = past_hosted
    page = meetup.get_absolute_url()

    assert "Hosted by Hana" in _client(member).get(page).content.decode()
    for client in (Client(), _client(outsider)):
        body = client.get(page).content.decode()
        assert "Hana" not in body
        assert "Hosted by a member" in body

    services.leave_circle(user=host, circle=circle)

    body = _client(member).get(page).content.decode()
    assert "Hana" not in body
    assert "Hosted by a member" in body


@pytest.mark.parametrize("second_factor", [False, True], ids=["one factor", "two factors"])
def test_staff_do_not_manage_circles_on_the_site(circle: Circle, second_factor: bool) -> None:
    """Staff without a second factor are ordinary members; moderators (with one) act
    through the reports they handle, never as a circle's facilitator."""
    staff = UserFactory(is_staff=True, mfa=second_factor)
    pending = MembershipFactory(
        circle=circle, status=Membership.Status.PENDING, join_answer="Lost my brother."
    )
    client = _client(staff)

    assert client.get(reverse("hosting:manage", args=[circle.slug])).status_code == 403
    response = client.post(
        reverse("hosting:answer_request", args=[circle.slug]),
        {"membership": pending.pk, "decision": "approve"},
    )
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Membership.Status.PENDING
    assert "Manage this circle" not in client.get(circle.get_absolute_url()).content.decode()


def test_staff_without_a_second_factor_get_no_report_emails_and_no_admin(
    circle: Circle, member, mailoutbox
) -> None:
    staff = UserFactory(is_staff=True, mfa=False, email="staff@example.org")
    moderator = UserFactory(is_staff=True, mfa=True, email="moderator@example.org")

    from hosting.notifications import report_readers

    report = services.report_concern(
        reporter=member, circle=circle, about=None, reason="Other", details="Worried."
    )
    assert report.routed_to == Report.RoutedTo.MODERATORS
    assert report_readers(report) == [moderator]
    assert _client(staff).get(reverse("admin:hosting_report_changelist")).status_code == 302


def test_a_moderator_removes_someone_through_the_report_and_it_is_logged(
    circle: Circle, member, facilitator
) -> None:
    reporter = MembershipFactory(circle=circle).user
    report = services.report_concern(
        reporter=reporter, circle=circle, about=facilitator, reason="Other", details="Unsafe."
    )
    assert report.routed_to == Report.RoutedTo.MODERATORS
    MembershipFactory(circle=circle, user=UserFactory(), role=Membership.Role.FACILITATOR)
    moderator = UserFactory(is_staff=True, is_superuser=True, mfa=True)
    url = reverse("admin:hosting_report_remove_member", args=[report.pk])

    one_factor = _client(UserFactory(is_staff=True, is_superuser=True, mfa=False))
    assert one_factor.post(url, {"confirm": "on"}).status_code in (302, 403)
    assert circle.memberships.get(user=facilitator).status == Membership.Status.ACTIVE

    response = _client(moderator).post(url, {"confirm": "on", "block": "on"})

    assert response.status_code == 302
    assert circle.memberships.get(user=facilitator).status == Membership.Status.REMOVED
    entry = ActionLog.objects.get(action="block")
    assert (entry.actor, entry.report, entry.subject_user) == (moderator, report, facilitator)
