"""The manage page opens for the circle's facilitators and staff, and nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circles.models import Circle, Membership
from hosting.models import HostOffer, Report
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/circles/grief-circle-mid-city/manage/"


def test_a_facilitator_opens_the_manage_page(facilitator_client: Client, circle) -> None:
    response = facilitator_client.get(URL)

    assert response.status_code == 200
    assert "Hosting Grief Circle Mid City" in response.content.decode()


@pytest.mark.parametrize("second_factor", [False, True])
def test_staff_may_not_open_it(circle, second_factor: bool) -> None:
    """Moderators act on reports in the admin, not as the circle's facilitators."""
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, mfa=second_factor))

    assert client.get(URL).status_code == 403


def test_members_and_outsiders_may_not(
    member_client: Client, outsider_client: Client, client: Client, circle
) -> None:
    assert member_client.get(URL).status_code == 403
    assert outsider_client.get(URL).status_code == 403
    assert client.get(URL).status_code == 302  # to the login page
    assert member_client.get("/circles/no-such-circle/manage/").status_code == 404


def _fill_every_section(circle: Circle, meetups: list[Meetup], *, people: int) -> None:
    """`people` more members, each waiting at every meetup, and for every tenth of them
    (the first included) a request to join, someone blocked, an offer to host and two
    reports (one about a member, one about a meetup): every section grows with people."""
    for number in range(people):
        person = MembershipFactory(circle=circle).user
        for meetup in meetups:
            RSVPFactory(meetup=meetup, user=person, status=RSVP.Status.WAITLISTED)
        if number % 10:
            continue
        MembershipFactory(circle=circle, status=Membership.Status.PENDING, join_answer="Hi.")
        MembershipFactory(circle=circle, status=Membership.Status.REMOVED)
        HostOffer.objects.create(meetup=meetups[number % len(meetups)], user=person)
        for about, meetup in ((person, None), (None, meetups[0])):
            Report.objects.create(
                circle=circle,
                about_user=about,
                meetup=meetup,
                reporter=person,
                reason="Something else",
                routed_to=Report.RoutedTo.FACILITATORS,
            )


def test_the_whole_manage_page_costs_the_same_queries_with_200_members_as_with_5(
    facilitator_client: Client, circle: Circle, django_assert_max_num_queries
) -> None:
    meetups = [
        MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(weeks=week, days=1))
        for week in range(8)
    ]
    _fill_every_section(circle, meetups, people=3)  # 5 members with the facilitator and Milo
    with CaptureQueriesContext(connection) as few:
        assert facilitator_client.get(URL).status_code == 200

    _fill_every_section(circle, meetups, people=195)

    with django_assert_max_num_queries(len(few)):
        page = facilitator_client.get(URL).content.decode()
    assert "Members (200)" in page
    assert page.count('name="decision" value="approve"') == 21
    assert page.count('value="unblock"') == 21
    assert page.count("offers to host.") == 21
    assert page.count('class="card" id="report-') == 42
