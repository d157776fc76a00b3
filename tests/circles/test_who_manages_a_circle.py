"""Who can run a circle: its active facilitators and the site's moderators (staff)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from circles.models import Circle, Membership
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_facilitators_and_moderators_manage(
    facilitator: User, member: User, outsider: User, circle: Circle
) -> None:
    moderator = UserFactory(is_staff=True)
    stepped_back = UserFactory()
    MembershipFactory(
        user=stepped_back,
        circle=circle,
        role=Membership.Role.FACILITATOR,
        status=Membership.Status.LEFT,
    )
    other = CircleFactory()

    assert circle.can_manage(facilitator)
    assert circle.can_manage(moderator)
    for nobody in (member, outsider, stepped_back, AnonymousUser(), None):
        assert not circle.can_manage(nobody)
    assert list(Circle.objects.managed_by(facilitator)) == [circle]
    assert set(Circle.objects.managed_by(moderator)) == {circle, other}
    assert list(Circle.objects.managed_by(member)) == []
    assert list(Circle.objects.managed_by(AnonymousUser())) == []


def test_membership_vocabulary(facilitator: User, member: User, circle: Circle) -> None:
    asking = MembershipFactory(circle=circle, status=Membership.Status.PENDING)

    assert set(circle.memberships.active().values_list("user", flat=True)) == {
        facilitator.pk,
        member.pk,
    }
    assert list(circle.memberships.pending()) == [asking]
    assert list(circle.memberships.facilitators().values_list("user", flat=True)) == [
        facilitator.pk
    ]
    assert circle.is_active_member(member)
    assert not circle.is_active_member(asking.user)
