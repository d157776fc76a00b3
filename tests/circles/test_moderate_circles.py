"""Moderators look after circles from the admin; closing one goes through the service."""

from __future__ import annotations

import pytest
from django.test import Client

from circles.models import Circle, Membership
from hosting.models import Report
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_moderators_see_circles_and_their_members(moderator_client: Client, circle) -> None:
    listing = moderator_client.get("/admin/circles/circle/")
    change = moderator_client.get(f"/admin/circles/circle/{circle.pk}/change/")

    assert listing.status_code == 200
    assert "Grief Circle Mid City" in listing.content.decode()
    assert change.status_code == 200
    assert "Fern (host)" in change.content.decode()
    assert moderator_client.get("/admin/circles/checkin/").status_code == 404


def test_moderators_close_a_circle(moderator_client: Client, circle) -> None:
    response = moderator_client.post(
        "/admin/circles/circle/", {"action": "close_circles", "_selected_action": [circle.pk]}
    )

    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ARCHIVED


def test_moderators_resolve_reports(moderator_client: Client, circle) -> None:
    report = Report.objects.create(circle=circle, reason="Someone was unkind")

    moderator_client.post(
        "/admin/hosting/report/", {"action": "resolve", "_selected_action": [report.pk]}
    )

    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED


def test_moderators_approve_join_requests(
    moderator_client: Client, circle, outsider, member
) -> None:
    request = MembershipFactory(
        circle=circle, user=outsider, status=Membership.Status.PENDING, join_answer="Hi"
    )
    active = Membership.objects.get(circle=circle, user=member)
    left = MembershipFactory(circle=circle, status=Membership.Status.LEFT)

    listing = moderator_client.get("/admin/circles/membership/?status__exact=pending")
    response = moderator_client.post(
        "/admin/circles/membership/",
        {"action": "approve_requests", "_selected_action": [request.pk, active.pk, left.pk]},
    )

    assert listing.status_code == 200
    assert response.status_code == 302
    request.refresh_from_db()
    left.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE
    assert left.status == Membership.Status.LEFT
