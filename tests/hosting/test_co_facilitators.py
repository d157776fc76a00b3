"""A facilitator adds a co-facilitator from the members, steps down (never leaving a
circle with members and no facilitator) or hands the circle over."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from circles.models import Circle, Membership
from hosting.models import ActionLog
from tests.factories import CircleFactory, MembershipFactory, accept_invitation

pytestmark = pytest.mark.django_db

MEMBERS = "/circles/grief-circle-mid-city/manage/members/"
STATE = "/circles/grief-circle-mid-city/manage/state/"


def _membership(user: User, circle: Circle) -> Membership:
    return Membership.objects.get(user=user, circle=circle)


def test_a_member_becomes_a_co_facilitator_once_they_accept(
    facilitator_client: Client, member_client: Client, member: User, circle: Circle
) -> None:
    """The invitation itself: tests/hosting/test_invite_a_co_facilitator.py."""
    facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "co_facilitate"}
    )
    assert _membership(member, circle).role == Membership.Role.MEMBER

    accept_invitation(member, circle)

    assert _membership(member, circle).role == Membership.Role.FACILITATOR
    assert member_client.get(f"/circles/{circle.slug}/manage/").status_code == 200
    assert [e.action for e in ActionLog.objects.order_by("pk")] == [
        "invite co-facilitator",
        "accept co-facilitation",
    ]


def test_someone_only_asking_to_join_cannot_co_facilitate(
    facilitator_client: Client, circle: Circle
) -> None:
    asking = MembershipFactory(circle=circle, status=Membership.Status.PENDING)

    facilitator_client.post(MEMBERS, {"membership": asking.pk, "action": "co_facilitate"})

    asking.refresh_from_db()
    assert asking.role == Membership.Role.MEMBER


def test_the_only_facilitator_of_a_circle_with_members_cannot_step_down(
    facilitator_client: Client, facilitator: User, circle: Circle
) -> None:
    response = facilitator_client.post(STATE, {"action": "step_down"}, follow=True)

    assert "only facilitator" in response.content.decode()
    assert _membership(facilitator, circle).role == Membership.Role.FACILITATOR
    assert not ActionLog.objects.exists()


def test_the_rule_holds_while_the_circle_takes_a_break(
    facilitator_client: Client, facilitator: User, circle: Circle
) -> None:
    circle.status = Circle.Status.PAUSED
    circle.save()

    facilitator_client.post(STATE, {"action": "step_down"})

    assert _membership(facilitator, circle).role == Membership.Role.FACILITATOR


def test_a_facilitator_alone_in_the_circle_archives_it_instead(
    facilitator_client: Client, facilitator: User
) -> None:
    alone = CircleFactory(slug="quiet-circle")
    MembershipFactory(user=facilitator, circle=alone, role=Membership.Role.FACILITATOR)

    response = facilitator_client.post(
        "/circles/quiet-circle/manage/state/", {"action": "step_down"}, follow=True
    )

    assert "Archive the circle instead" in response.content.decode()
    assert _membership(facilitator, alone).role == Membership.Role.FACILITATOR


def test_with_a_co_facilitator_they_step_down_and_stay_a_member(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    Membership.objects.filter(user=member, circle=circle).update(role=Membership.Role.FACILITATOR)

    response = facilitator_client.post(STATE, {"action": "step_down"})

    assert response["Location"] == circle.get_absolute_url()
    membership = _membership(facilitator, circle)
    assert (membership.role, membership.status) == ("member", "active")
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.subject_user) == (
        "step down",
        facilitator,
        facilitator,
    )


def test_handing_over_makes_the_member_the_host(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    response = facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "hand_over"}
    )

    assert response["Location"] == circle.get_absolute_url()
    assert _membership(member, circle).role == Membership.Role.FACILITATOR
    assert _membership(facilitator, circle).role == Membership.Role.MEMBER
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.subject_user) == ("hand over", facilitator, member)


def test_the_circle_page_links_its_facilitators_to_the_manage_page(
    facilitator_client: Client, member_client: Client, client: Client, circle: Circle
) -> None:
    link = f'href="/circles/{circle.slug}/manage/"'

    assert link in facilitator_client.get(circle.get_absolute_url()).content.decode()
    assert link not in member_client.get(circle.get_absolute_url()).content.decode()
    assert link not in client.get(circle.get_absolute_url()).content.decode()
