"""A circle with members always keeps a host: its last facilitator hands it over or
archives it before leaving or deleting their account; a facilitator alone in a circle may
go, and the circle closes with them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from circles.models import Circle, Membership
from circles.services import CircleError, hand_over_circle, leave_circle
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def hosted_alone(facilitator: User) -> Circle:
    circle = CircleFactory(name="Quiet Circle", slug="quiet-circle")
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    return circle


def test_the_facilitator_alone_in_a_circle_leaves_and_it_closes(
    facilitator_client: Client, facilitator: User, hosted_alone: Circle
) -> None:
    response = facilitator_client.post(reverse("hosting:leave", args=[hosted_alone.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You have left Quiet Circle. Nobody else was in it, so the circle is now closed."
    ]
    hosted_alone.refresh_from_db()
    assert hosted_alone.status == Circle.Status.ARCHIVED
    membership = Membership.objects.get(user=facilitator, circle=hosted_alone)
    assert (membership.status, membership.role) == ("left", "member")


def test_people_only_asking_to_join_do_not_keep_the_circle_open(
    facilitator: User, hosted_alone: Circle
) -> None:
    MembershipFactory(user=UserFactory(), circle=hosted_alone, status=Membership.Status.PENDING)

    leave_circle(user=facilitator, circle=hosted_alone)

    hosted_alone.refresh_from_db()
    assert hosted_alone.status == Circle.Status.ARCHIVED


def test_a_plain_member_leaving_closes_nothing(member: User, circle: Circle) -> None:
    leave_circle(user=member, circle=circle)

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE


def test_handing_over_keeps_a_host(facilitator: User, member: User, circle: Circle) -> None:
    hand_over_circle(circle=circle, from_user=facilitator, to_user=member)

    assert list(Circle.objects.left_without_a_host_by(facilitator)) == []
    assert list(Circle.objects.left_without_a_host_by(member)) == [circle]


def _may_leave(user: User, circle: Circle) -> bool:
    """Whether leaving would be allowed, leaving nothing changed."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            leave_circle(user=user, circle=circle)
            raise Undo
    except CircleError:
        return False
    except Undo:
        return True


@pytest.mark.parametrize(
    ("someone_else", "may_go"),
    [
        (None, True),
        (Membership.Status.ACTIVE, False),
        (Membership.Status.PENDING, True),
        (Membership.Status.LEFT, True),
        ("co-facilitator", True),
    ],
)
def test_leaving_and_deleting_the_account_follow_the_same_rule(
    facilitator: User, hosted_alone: Circle, someone_else: str | None, may_go: bool
) -> None:
    if someone_else == "co-facilitator":
        MembershipFactory(circle=hosted_alone, role=Membership.Role.FACILITATOR)
    elif someone_else is not None:
        MembershipFactory(circle=hosted_alone, status=someone_else)
    client = Client()
    client.force_login(facilitator)

    may_leave = _may_leave(facilitator, hosted_alone)
    client.post(reverse("delete_account"), {"action": "delete", "password": PASSWORD})
    deleted = not User.objects.filter(pk=facilitator.pk).exists()

    assert may_leave == deleted == may_go
