"""Who can run a circle: its active facilitators only (circles.manage_circle). The site's
moderators act on reports, not as any circle's facilitator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from circles.models import Circle, Membership
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_facilitators_manage(
    facilitator: User, member: User, outsider: User, circle: Circle
) -> None:
    moderator = UserFactory(is_staff=True, is_superuser=True)
    stepped_back = UserFactory()
    MembershipFactory(
        user=stepped_back,
        circle=circle,
        role=Membership.Role.FACILITATOR,
        status=Membership.Status.LEFT,
    )
    CircleFactory()

    assert facilitator.has_perm("circles.manage_circle", circle)
    for nobody in (moderator, member, outsider, stepped_back, AnonymousUser()):
        assert not nobody.has_perm("circles.manage_circle", circle)
    assert list(Circle.objects.managed_by(facilitator)) == [circle]
    assert list(Circle.objects.managed_by(moderator)) == []
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
