"""A facilitator sees who is in the circle (display names only), removes someone (they may
join again) or removes and blocks them (they may not, until unblocked). Being removed, and
leaving, gives up the person's seats at upcoming meetups at once: the waitlist moves up and
the online link is gone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.services import regenerate_calendar_token
from circles.models import Circle, Membership
from hosting.models import ActionLog
from meetups import services as meetups_services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGE = "/circles/grief-circle-mid-city/manage/"
MEMBERS = "/circles/grief-circle-mid-city/manage/members/"
LEAVE = "/circles/grief-circle-mid-city/leave/"
LINK = "https://meet.example.org/grief-circle"


@pytest.fixture
def full_meetup(circle: Circle, member: User) -> Meetup:
    """One seat, taken by `member`, with Wren waiting for it; online."""
    meetup = MeetupFactory(circle=circle, capacity=1, online_url=LINK)
    meetups_services.rsvp(user=member, meetup=meetup)
    wren = UserFactory(display_name="Wren")
    MembershipFactory(user=wren, circle=circle)
    meetups_services.rsvp(user=wren, meetup=meetup)
    return meetup


def _membership(user: User, circle: Circle) -> Membership:
    return Membership.objects.get(user=user, circle=circle)


def _seats(meetup: Meetup) -> dict[str, str]:
    return {r.user.display_name: r.status for r in meetup.rsvps.select_related("user")}


def test_the_list_shows_display_names_roles_and_never_emails(
    facilitator_client: Client, member: User, circle: Circle
) -> None:
    page = facilitator_client.get(MANAGE).content.decode()

    assert "Members (2)" in page
    assert "Milo" in page and "Fern (host)" in page
    assert "Facilitator" in page
    assert member.email not in page


def test_removing_someone_lets_them_join_again(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    response = facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "remove"}
    )

    assert response["Location"] == MANAGE + "#members"
    assert _membership(member, circle).status == Membership.Status.LEFT
    assert circle.join_refusal(member) is None
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.subject_user) == ("remove", facilitator, member)


def test_blocking_someone_keeps_them_out_until_unblocked(
    facilitator_client: Client, member_client: Client, member: User, circle: Circle
) -> None:
    membership = _membership(member, circle)
    facilitator_client.post(MEMBERS, {"membership": membership.pk, "action": "block"})

    assert _membership(member, circle).status == Membership.Status.REMOVED
    member_client.post(f"/circles/{circle.slug}/join/", {"accept_guidelines": "on"})
    assert _membership(member, circle).status == Membership.Status.REMOVED
    assert "Blocked from rejoining" in facilitator_client.get(MANAGE).content.decode()

    facilitator_client.post(MEMBERS, {"membership": membership.pk, "action": "unblock"})

    assert _membership(member, circle).status == Membership.Status.LEFT
    member_client.post(f"/circles/{circle.slug}/join/", {"accept_guidelines": "on"})
    assert _membership(member, circle).status == Membership.Status.ACTIVE
    assert list(ActionLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "block",
        "unblock",
    ]


@pytest.mark.parametrize("action", ["remove", "block"])
def test_removing_gives_their_seat_to_the_next_person_waiting(
    facilitator_client: Client,
    member_client: Client,
    member: User,
    circle: Circle,
    full_meetup: Meetup,
    action: str,
    django_capture_on_commit_callbacks,
) -> None:
    regenerate_calendar_token(user=member)  # the feed is off until turned on
    feed_url = f"/me/calendar/{member.calendar_token}.ics"
    assert LINK in member_client.get(full_meetup.get_absolute_url()).content.decode()
    assert full_meetup.get_absolute_url() in member_client.get(feed_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(
            MEMBERS, {"membership": _membership(member, circle).pk, "action": action}
        )

    assert _seats(full_meetup) == {"Milo": RSVP.Status.CANCELLED, "Wren": RSVP.Status.GOING}
    full_meetup.refresh_from_db()
    assert full_meetup.going_count == 1
    assert [m.to for m in mail.outbox] == [[User.objects.get(display_name="Wren").email]]
    # The online link shows with a seat only: it is gone at once from the page, and the
    # meetup (with its link) from the private calendar feed.
    assert LINK not in member_client.get(full_meetup.get_absolute_url()).content.decode()
    assert full_meetup.get_absolute_url() not in member_client.get(feed_url).content.decode()


def test_leaving_gives_up_seats_too(
    member_client: Client, member: User, circle: Circle, full_meetup: Meetup
) -> None:
    response = member_client.post(LEAVE)

    assert response.status_code == 302
    assert _membership(member, circle).status == Membership.Status.LEFT
    assert _seats(full_meetup) == {"Milo": RSVP.Status.CANCELLED, "Wren": RSVP.Status.GOING}
    assert LINK not in member_client.get(full_meetup.get_absolute_url()).content.decode()


def test_seats_at_past_meetups_and_other_circles_are_kept(
    facilitator_client: Client, member: User, circle: Circle, full_meetup: Meetup
) -> None:
    elsewhere = MeetupFactory()
    MembershipFactory(user=member, circle=elsewhere.circle)
    meetups_services.rsvp(user=member, meetup=elsewhere)
    last_week = timezone.now() - dt.timedelta(days=7)
    past = MeetupFactory(circle=circle, starts_at=last_week, going_count=1)
    RSVPFactory(meetup=past, user=member, attended=True)

    facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "remove"}
    )

    assert RSVP.objects.get(user=member, meetup=elsewhere).status == RSVP.Status.GOING
    assert RSVP.objects.get(user=member, meetup=past).status == RSVP.Status.GOING


def test_a_facilitator_is_not_removed_and_nobody_removes_themselves(
    facilitator_client: Client, facilitator: User, circle: Circle
) -> None:
    co_host = MembershipFactory(circle=circle, role=Membership.Role.FACILITATOR)

    response = facilitator_client.post(
        MEMBERS, {"membership": co_host.pk, "action": "block"}, follow=True
    )
    assert "A facilitator steps down before they can be removed." in response.content.decode()
    response = facilitator_client.post(
        MEMBERS,
        {"membership": _membership(facilitator, circle).pk, "action": "remove"},
        follow=True,
    )
    assert "leave the circle from its page" in response.content.decode()

    assert circle.memberships.facilitators().count() == 2
    assert not ActionLog.objects.exists()


def test_members_and_other_circles_facilitators_cannot_remove_anyone(
    member_client: Client, member: User, circle: Circle
) -> None:
    other_host = UserFactory()
    MembershipFactory(user=other_host, role=Membership.Role.FACILITATOR)
    other_client = Client()
    other_client.force_login(other_host)
    wren = MembershipFactory(circle=circle)

    for client in (member_client, other_client):
        response = client.post(MEMBERS, {"membership": wren.pk, "action": "block"})
        assert response.status_code == 403

    wren.refresh_from_db()
    assert wren.status == Membership.Status.ACTIVE


def test_the_leave_address_is_the_circles_own(member_client: Client, circle: Circle) -> None:
    page = member_client.get(circle.get_absolute_url()).content.decode()

    assert f'action="{LEAVE}"' in page


def _add_people(circle: Circle, *, members: int, requests: int) -> None:
    for _ in range(members):
        MembershipFactory(circle=circle)
    for _ in range(requests):
        MembershipFactory(circle=circle, status=Membership.Status.PENDING, join_answer="Hi.")


def test_the_manage_page_costs_the_same_queries_with_200_members(
    facilitator_client: Client, circle: Circle, django_assert_max_num_queries
) -> None:
    for week in range(8):
        MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(weeks=week, days=1))
    _add_people(circle, members=3, requests=2)  # 5 members with the facilitator and Milo
    with CaptureQueriesContext(connection) as few:
        assert facilitator_client.get(MANAGE).status_code == 200

    _add_people(circle, members=195, requests=40)

    with django_assert_max_num_queries(len(few)):
        page = facilitator_client.get(MANAGE).content.decode()
    assert "Members (200)" in page
    assert page.count('name="decision" value="approve"') == 42
