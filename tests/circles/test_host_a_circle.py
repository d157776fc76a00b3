"""Facilitators approve new members, hand a circle over, and close it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from circles.models import Circle, Membership
from circles.services import (
    CircleError,
    approve_member,
    archive_circle,
    hand_over_circle,
    join_circle,
    leave_circle,
)
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval_circle(facilitator, member) -> Circle:
    circle = CircleFactory(join_policy=Circle.JoinPolicy.APPROVAL)
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    return circle


def test_facilitator_approves_a_request(facilitator, outsider, approval_circle) -> None:
    request = join_circle(user=outsider, circle=approval_circle, accept_guidelines=True)
    assert request.status == Membership.Status.PENDING

    approve_member(membership=request, by=facilitator)

    request.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE
    assert approval_circle.is_active_member(outsider)


def test_only_facilitators_approve(member, outsider, approval_circle, member_client) -> None:
    """Who may approve is the policy's (circles.manage_circle), asked by the view."""
    request = join_circle(user=outsider, circle=approval_circle, accept_guidelines=True)

    response = member_client.post(
        reverse("hosting:answer_request", args=[approval_circle.slug]),
        {"membership": request.pk, "decision": "approve"},
    )

    assert response.status_code == 403
    assert not member.has_perm("circles.manage_circle", approval_circle)
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


def test_approving_someone_already_in_is_refused(facilitator, member, approval_circle) -> None:
    membership = Membership.objects.get(user=member, circle=approval_circle)

    with pytest.raises(CircleError, match="not waiting for approval"):
        approve_member(membership=membership, by=facilitator)


def test_hand_over_makes_the_member_the_facilitator(facilitator, member, circle) -> None:
    hand_over_circle(circle=circle, from_user=facilitator, to_user=member)

    assert circle.is_facilitator(member)
    assert not circle.is_facilitator(facilitator)
    assert Membership.objects.get(user=facilitator, circle=circle).status == "active"


def test_hand_over_only_to_an_active_member(facilitator, outsider, circle) -> None:
    pending = UserFactory()
    MembershipFactory(user=pending, circle=circle, status=Membership.Status.PENDING)

    for someone in (outsider, pending):
        with pytest.raises(CircleError, match="active members"):
            hand_over_circle(circle=circle, from_user=facilitator, to_user=someone)

    assert list(circle.facilitators().values_list("user", flat=True)) == [facilitator.pk]


def test_only_a_facilitator_hands_over(member, outsider, circle) -> None:
    with pytest.raises(CircleError):
        hand_over_circle(circle=circle, from_user=member, to_user=member)
    assert not circle.is_facilitator(member)


def test_archiving_closes_the_circle_for_browse_and_joining(
    facilitator, outsider, circle, client: Client
) -> None:
    archive_circle(circle=circle, by=facilitator)

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ARCHIVED
    assert client.get("/circles/").context["results"] == []
    with pytest.raises(CircleError, match="has closed"):
        join_circle(user=outsider, circle=circle, accept_guidelines=True)


def test_only_a_facilitator_archives(member, circle, member_client) -> None:
    response = member_client.post(
        reverse("hosting:circle_state", args=[circle.slug]), {"action": "archive", "confirm": "on"}
    )

    assert response.status_code == 403

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE


def test_a_facilitator_may_leave_once_another_facilitator_is_there(
    facilitator, member, circle
) -> None:
    Membership.objects.filter(user=member).update(role=Membership.Role.FACILITATOR)

    leave_circle(user=facilitator, circle=circle)

    membership = Membership.objects.get(user=facilitator, circle=circle)
    assert (membership.status, membership.role) == ("left", "member")
