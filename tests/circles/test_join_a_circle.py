"""People join open circles at once, ask to join approval circles, and may leave."""

from __future__ import annotations

import pytest
from django.test import Client

from circles.models import Circle, Membership
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_joining_an_open_circle_makes_an_active_member(outsider_client, outsider, circle) -> None:
    circle.guidelines_version = 3
    circle.save()

    response = outsider_client.post(
        circle.get_absolute_url() + "join/", {"accept_guidelines": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == circle.get_absolute_url()
    membership = Membership.objects.get(user=outsider, circle=circle)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.guidelines_version == 3
    assert membership.guidelines_accepted_at is not None
    assert (
        "Welcome to Grief Circle Mid City"
        in outsider_client.get(response["Location"]).content.decode()
    )


def test_joining_needs_the_guidelines_accepted(outsider_client, outsider, circle) -> None:
    response = outsider_client.post(circle.get_absolute_url() + "join/", {})

    assert response.status_code == 400
    assert "Please tick that you accept the guidelines" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, circle=circle).exists()


def test_asking_to_join_an_approval_circle_leaves_a_pending_request(
    outsider_client, outsider
) -> None:
    circle = CircleFactory(
        slug="parents",
        join_policy=Circle.JoinPolicy.APPROVAL,
        join_question="What brings you here?",
    )
    form = outsider_client.get("/circles/parents/").content.decode()

    response = outsider_client.post(
        "/circles/parents/join/", {"accept_guidelines": "on", "answer": "New dad, tired."}
    )

    assert "What brings you here? (optional)" in form
    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, circle=circle)
    assert membership.status == Membership.Status.PENDING
    assert membership.join_answer == "New dad, tired."
    page = outsider_client.get("/circles/parents/").content.decode()
    assert "Your request is with the facilitators" in page


def test_the_join_question_may_be_left_blank(outsider_client, outsider) -> None:
    circle = CircleFactory(
        slug="parents", join_policy=Circle.JoinPolicy.APPROVAL, join_question="Anything?"
    )

    outsider_client.post("/circles/parents/join/", {"accept_guidelines": "on"})

    membership = Membership.objects.get(user=outsider, circle=circle)
    assert (membership.status, membership.join_answer) == ("pending", "")


def test_removed_members_cannot_rejoin(circle) -> None:
    removed = UserFactory()
    MembershipFactory(user=removed, circle=circle, status=Membership.Status.REMOVED)
    client = Client()
    client.force_login(removed)

    response = client.post(
        circle.get_absolute_url() + "join/", {"accept_guidelines": "on"}, follow=True
    )

    assert "removed you from it, so you can&#x27;t rejoin" in response.content.decode()
    assert Membership.objects.get(user=removed, circle=circle).status == Membership.Status.REMOVED


def test_unverified_email_is_asked_to_confirm_first(circle) -> None:
    unverified = UserFactory(verified=False)
    client = Client()
    client.force_login(unverified)

    response = client.post(
        circle.get_absolute_url() + "join/", {"accept_guidelines": "on"}, follow=True
    )

    assert "Please confirm your email address first" in response.content.decode()
    assert not Membership.objects.filter(user=unverified, circle=circle).exists()


def test_anonymous_visitor_is_sent_to_log_in_and_back(client: Client, circle) -> None:
    response = client.post(circle.get_absolute_url() + "join/", {"accept_guidelines": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/circles/grief-circle-mid-city/"
    assert circle.memberships.count() == 2


def test_archived_circles_take_no_one(outsider_client, outsider) -> None:
    CircleFactory(slug="old", status=Circle.Status.ARCHIVED)

    response = outsider_client.post("/circles/old/join/", {"accept_guidelines": "on"})

    assert response.status_code == 404
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_member_leaves_and_may_come_back(member_client, member, circle) -> None:
    left = member_client.post(circle.get_absolute_url() + "leave/")
    assert left.status_code == 302
    assert Membership.objects.get(user=member, circle=circle).status == Membership.Status.LEFT

    member_client.post(circle.get_absolute_url() + "join/", {"accept_guidelines": "on"})

    assert Membership.objects.get(user=member, circle=circle).status == Membership.Status.ACTIVE


def test_the_only_facilitator_cannot_just_leave(facilitator_client, facilitator, circle) -> None:
    response = facilitator_client.post(circle.get_absolute_url() + "leave/", follow=True)

    assert "only facilitator" in response.content.decode()
    membership = Membership.objects.get(user=facilitator, circle=circle)
    assert (membership.status, membership.role) == ("active", "facilitator")


def test_leaving_needs_a_post(member_client, member, circle) -> None:
    assert member_client.get(circle.get_absolute_url() + "leave/").status_code == 405
    assert Membership.objects.get(user=member, circle=circle).status == Membership.Status.ACTIVE
