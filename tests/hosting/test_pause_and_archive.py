"""A facilitator pauses a circle (out of browse, no new members, no new meetups, upcoming
meetups called off with notice, once), resumes it (active and its next eight weeks of
meetups again) or archives it (closed, upcoming meetups called off and cancelled in
people's calendars)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from hosting import services as hosting_services
from hosting.models import ActionLog
from meetups import services as meetups_services
from meetups.models import Meetup
from tests.factories import CircleFactory, MembershipFactory, ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

STATE = "/circles/grief-circle-mid-city/manage/state/"


@pytest.fixture
def weekly(circle: Circle, member: User) -> list[Meetup]:
    """A weekly schedule with its next eight weeks of meetups; `member` going to the first."""
    schedule = ScheduleFactory(circle=circle)
    meetups_services.extend_schedule(
        schedule=schedule, until=timezone.localdate() + dt.timedelta(weeks=8)
    )
    meetups = list(circle.meetups.upcoming())
    meetups_services.rsvp(user=member, meetup=meetups[0])
    return meetups


def test_pausing_calls_off_upcoming_meetups_and_tells_the_people_going_once(
    facilitator_client: Client,
    member: User,
    circle: Circle,
    weekly: list[Meetup],
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(STATE, {"action": "pause"})
        facilitator_client.post(STATE, {"action": "pause"})

    circle.refresh_from_db()
    assert circle.status == Circle.Status.PAUSED
    assert not circle.meetups.upcoming().exists()
    first = Meetup.objects.get(pk=weekly[0].pk)
    assert (first.status, first.sequence) == (Meetup.Status.CANCELLED, 1)
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Grief" not in mail.outbox[0].subject
    assert list(ActionLog.objects.values_list("action", flat=True)) == ["pause"]


def test_a_paused_circle_leaves_browse_takes_no_one_new_and_makes_no_meetups(
    facilitator_client: Client, circle: Circle, weekly: list[Meetup]
) -> None:
    facilitator_client.post(STATE, {"action": "pause"})

    circle.refresh_from_db()
    assert circle not in Circle.objects.listed()
    assert "taking a break" in circle.join_refusal(UserFactory())
    assert meetups_services.extend_all_schedules() == 0
    page = Client().get(circle.get_absolute_url()).content.decode()
    assert "This circle is taking a break" in page


def test_resuming_brings_back_eight_weeks_of_meetups(
    facilitator_client: Client, circle: Circle, weekly: list[Meetup]
) -> None:
    facilitator_client.post(STATE, {"action": "pause"})
    before = timezone.now()

    facilitator_client.post(STATE, {"action": "resume"})

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE
    assert circle.confirmed_active_at >= before
    assert circle in Circle.objects.listed()
    # The dates the pause called off are met again, as new meetups.
    again = list(circle.meetups.upcoming())
    assert [m.starts_at for m in again] == [m.starts_at for m in weekly]
    assert not {m.pk for m in again} & {m.pk for m in weekly}
    assert list(ActionLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "pause",
        "resume",
    ]


def test_archiving_asks_for_a_tick_then_closes_and_calls_off_meetups(
    facilitator_client: Client,
    member: User,
    circle: Circle,
    weekly: list[Meetup],
    django_capture_on_commit_callbacks,
) -> None:
    response = facilitator_client.post(STATE, {"action": "archive"}, follow=True)
    assert "Tick the box" in response.content.decode()
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(STATE, {"action": "archive", "confirm": "on"})

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ARCHIVED
    assert not circle.meetups.upcoming().exists()
    assert [m.to for m in mail.outbox] == [[member.email]]
    # A closed circle's meetups show to its members only (Meetup.visible_to).
    member_client = Client()
    member_client.force_login(member)
    ics = member_client.get(f"/meetups/{weekly[0].pk}.ics").content.decode()
    assert "STATUS:CANCELLED" in ics
    assert ActionLog.objects.get().action == "archive"
    assert Client().get(circle.get_absolute_url()).status_code == 404


def test_members_cannot_pause_or_archive(
    member_client: Client, circle: Circle, weekly: list[Meetup]
) -> None:
    for action in ("pause", "archive"):
        response = member_client.post(STATE, {"action": action, "confirm": "on"})
        assert response.status_code == 403

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE
    assert circle.meetups.upcoming().count() == len(weekly)


def test_a_paused_circle_keeps_its_members_and_they_may_still_leave(
    member_client: Client, member: User, circle: Circle, facilitator_client: Client
) -> None:
    facilitator_client.post(STATE, {"action": "pause"})

    member_client.post(f"/circles/{circle.slug}/leave/")

    assert Membership.objects.get(user=member, circle=circle).status == Membership.Status.LEFT


def test_archiving_with_requests_waiting_erases_what_they_wrote(
    facilitator_client: Client, facilitator: User, circle: Circle
) -> None:
    """Nobody will answer those requests now: they are settled like declined ones, and
    the answers to the join question, written only for deciding, are not kept. The same
    when the last facilitator leaves a circle only they were in."""
    asking = MembershipFactory(
        circle=circle, status=Membership.Status.PENDING, join_answer="My brother died in May."
    )
    alone = CircleFactory(slug="only-me")
    MembershipFactory(circle=alone, user=facilitator, role=Membership.Role.FACILITATOR)
    waiting = MembershipFactory(
        circle=alone, status=Membership.Status.PENDING, join_answer="I lost my mother."
    )

    facilitator_client.post(STATE, {"action": "archive", "confirm": "on"})
    hosting_services.leave_circle(user=facilitator, circle=alone)

    for request in (asking, waiting):
        request.refresh_from_db()
        assert request.circle.status == Circle.Status.ARCHIVED
        assert (request.status, request.join_answer) == (Membership.Status.LEFT, "")
