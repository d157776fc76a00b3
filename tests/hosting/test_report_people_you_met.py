"""Reporting a person names only people the reporter met: members of the circle who were
going to a meetup of it, with them, once it had started (and was not called off, and
neither was marked absent), and the circle's facilitators, whose names its page shows.
Anyone else is described in words. Members never get the list of everyone in the circle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from hosting.models import Report
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REPORT_URL = "/circles/grief-circle-mid-city/report/"


def _member(circle: Circle, name: str) -> User:
    user = UserFactory(display_name=name)
    MembershipFactory(user=user, circle=circle)
    return user


def _meetup(circle: Circle, hours_from_now: int, **kwargs: object) -> Meetup:
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return MeetupFactory(
        circle=circle, starts_at=start, ends_at=start + dt.timedelta(hours=1), **kwargs
    )


def _going(meetup: Meetup, *people: User, **kwargs: object) -> None:
    for person in people:
        RSVP.objects.create(meetup=meetup, user=person, status=RSVP.Status.GOING, **kwargs)


def _options(page: str) -> str:
    return page[page.index('name="about"') : page.index("</select>", page.index('name="about"'))]


@pytest.fixture
def people(circle: Circle, member: User) -> dict[str, User]:
    """Who Milo (`member`) met and who he did not."""
    people = {
        name: _member(circle, name) for name in ("Met", "Future", "Absent", "Stranger", "OffDay")
    }
    past = _meetup(circle, -24)
    _going(past, member, people["Met"])
    _going(past, people["Absent"], attended=False)
    _going(_meetup(circle, 24), member, people["Future"])
    _going(_meetup(circle, -48, status=Meetup.Status.CANCELLED), member, people["OffDay"])
    return people


def test_the_picker_names_only_people_you_met_and_the_facilitators(
    member_client: Client, people: dict[str, User]
) -> None:
    options = _options(member_client.get(REPORT_URL).content.decode())

    assert ">Met</option>" in options
    assert ">Fern (host)</option>" in options  # facilitators are named on the circle's page
    for unmet in ("Future", "Absent", "Stranger", "OffDay"):
        assert unmet not in options, unmet


def test_a_person_you_did_not_meet_cannot_be_picked_by_forging_the_form(
    member_client: Client, circle: Circle, people: dict[str, User]
) -> None:
    stranger = Membership.objects.get(circle=circle, user=people["Stranger"])

    response = member_client.post(REPORT_URL, {"about": stranger.pk, "reason": "Something else"})

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_someone_else_is_described_in_words_and_the_facilitators_read_it(
    member_client: Client, facilitator_client: Client, people: dict[str, User]
) -> None:
    response = member_client.post(
        REPORT_URL,
        {
            "someone": "The tall man in the green coat, last Tuesday",
            "reason": "Someone was unkind, disrespectful or harassing",
        },
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.about_user is None
    assert report.about_description == "The tall man in the green coat, last Tuesday"
    assert report.routed_to == Report.RoutedTo.FACILITATORS
    queue = facilitator_client.get("/circles/grief-circle-mid-city/manage/").content.decode()
    assert "The tall man in the green coat, last Tuesday" in queue


def test_a_name_and_a_description_together_are_refused(
    member_client: Client, circle: Circle, people: dict[str, User]
) -> None:
    met = Membership.objects.get(circle=circle, user=people["Met"])

    response = member_client.post(
        REPORT_URL, {"about": met.pk, "someone": "Also someone", "reason": "Something else"}
    )

    assert response.status_code == 400
    assert not Report.objects.exists()
