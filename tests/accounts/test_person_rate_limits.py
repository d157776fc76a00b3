"""One person doing the same thing over and over (RSVPs, joining, leaving, reports,
downloading their data) is stopped after the limit in PERSON_RATE_LIMITS with a readable
429 page; everyone else, and the first N tries, go through."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from circles.models import Circle, Membership
from meetups.models import RSVP, Meetup
from tests.factories import CircleFactory

LIMIT = 3


def _is_429_page(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 429
        and "Too many requests" in page
        and "988" in page  # the crisis line, as on every page
        and reverse("crisis") in page
    )


def _limit(settings, action: str) -> None:
    settings.PERSON_RATE_LIMITS = {action: f"{LIMIT}/m/user"}


@pytest.fixture
def open_circle(facilitator: User) -> Circle:
    return CircleFactory(name="Caregivers Coffee", slug="caregivers-coffee")


CASES: dict[str, Callable[[Circle, Meetup, Circle], tuple[str, str, dict]]] = {
    "rsvp": lambda circle, meetup, other: ("rsvp", reverse("meetups:rsvp", args=[meetup.pk]), {}),
    "cancel": lambda circle, meetup, other: (
        "rsvp",
        reverse("meetups:cancel", args=[meetup.pk]),
        {},
    ),
    "join": lambda circle, meetup, other: (
        "join",
        reverse("circles:join", args=[other.slug]),
        {"accept_guidelines": "on"},
    ),
    "leave": lambda circle, meetup, other: (
        "leave",
        reverse("hosting:leave", args=[other.slug]),
        {},
    ),
    "report circle": lambda circle, meetup, other: (
        "report",
        reverse("hosting:report_circle", args=[circle.slug]),
        {"reason": "other", "details": "x" * 30},
    ),
    "report meetup": lambda circle, meetup, other: (
        "report",
        reverse("hosting:report_meetup", args=[meetup.pk]),
        {"kind": "concern", "reason": "other", "details": "x" * 30},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_request_after_the_limit_gets_429(
    case: str,
    settings,
    member_client: Client,
    circle: Circle,
    meetup: Meetup,
    open_circle: Circle,
) -> None:
    action, url, data = CASES[case](circle, meetup, open_circle)
    _limit(settings, action)

    for _ in range(LIMIT):
        response = member_client.post(url, data)
        assert response.status_code != 429, response.status_code
    response = member_client.post(url, data)

    assert _is_429_page(response)


def test_a_refused_rsvp_changes_nothing(
    settings, member: User, member_client: Client, meetup: Meetup
) -> None:
    _limit(settings, "rsvp")
    for _ in range(LIMIT):
        member_client.post(reverse("meetups:rsvp", args=[meetup.pk]))
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING

    # Cancelling counts with RSVPs: the same seat, back and forth.
    response = member_client.post(reverse("meetups:cancel", args=[meetup.pk]))

    assert _is_429_page(response)
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING


def test_a_refused_join_changes_nothing(
    settings, outsider: User, outsider_client: Client, open_circle: Circle
) -> None:
    settings.PERSON_RATE_LIMITS = {"join": "0/m/user"}

    response = outsider_client.post(
        reverse("circles:join", args=[open_circle.slug]), {"accept_guidelines": "on"}
    )

    assert _is_429_page(response)
    assert not Membership.objects.filter(user=outsider, circle=open_circle).exists()


def test_each_person_has_their_own_count(
    settings, member_client: Client, facilitator_client: Client, meetup: Meetup
) -> None:
    _limit(settings, "rsvp")
    url = reverse("meetups:rsvp", args=[meetup.pk])
    for _ in range(LIMIT + 1):
        member_client.post(url)

    assert member_client.post(url).status_code == 429
    assert facilitator_client.post(url).status_code != 429


def test_looking_at_the_report_form_does_not_count(
    settings, member_client: Client, circle: Circle
) -> None:
    _limit(settings, "report")
    url = reverse("hosting:report_circle", args=[circle.slug])

    for _ in range(LIMIT + 2):
        assert member_client.get(url).status_code == 200
    assert member_client.post(url, {"reason": "other"}).status_code != 429


def test_downloading_my_data_is_limited(settings, member_client: Client) -> None:
    _limit(settings, "export")
    member_client.post(reverse("account_reauthenticate"), {"password": "correct horse battery"})
    url = reverse("export_data")

    for _ in range(LIMIT):
        assert member_client.get(url).status_code == 200
    response = member_client.get(url)

    assert _is_429_page(response)
    assert "attachment" not in response.get("Content-Disposition", "")


def test_htmx_shows_the_page_in_place_of_the_page(
    settings, member_client: Client, meetup: Meetup
) -> None:
    settings.PERSON_RATE_LIMITS = {"rsvp": "0/m/user"}

    response = member_client.post(reverse("meetups:rsvp", args=[meetup.pk]), HTTP_HX_REQUEST="true")

    assert _is_429_page(response)
    assert response.headers["HX-Retarget"] == "body"
    assert response.headers["HX-Reswap"] == "innerHTML"


def test_no_limits_when_switched_off(settings, member_client: Client, meetup: Meetup) -> None:
    settings.PERSON_RATE_LIMITS = {}
    url = reverse("meetups:rsvp", args=[meetup.pk])

    for _ in range(50):
        assert member_client.post(url).status_code != 429
