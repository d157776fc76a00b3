"""Facilitators of an unlisted circle make a new invite link from the manage page, for a
link passed on further than they meant: the old link stops working at once, the new one
opens the circle, and the change is in the circle's action log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from circles.models import Circle, Membership
from hosting.models import ActionLog
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet(facilitator: User, member: User) -> Circle:
    circle = CircleFactory(
        name="Quiet Recovery Tuesdays", slug="quiet", visibility=Circle.Visibility.UNLISTED
    )
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    return circle


def _url(circle: Circle) -> str:
    return reverse("hosting:new_invite_link", args=[circle.slug])


def test_a_new_link_replaces_the_old_one(
    quiet: Circle, facilitator: User, facilitator_client: Client, outsider_client: Client
) -> None:
    old_link = quiet.invite_url()
    manage = facilitator_client.get(reverse("hosting:manage", args=[quiet.slug]))
    assert _url(quiet) in manage.content.decode()
    assert outsider_client.get(old_link).status_code == 200

    response = facilitator_client.post(_url(quiet), {"confirm": "on"}, follow=True)

    assert response.redirect_chain[-1][0].endswith("#invite")
    quiet.refresh_from_db()
    assert quiet.invite_url() != old_link
    assert quiet.invite_url() in response.content.decode().replace("&amp;", "&")
    assert "The old one no longer works" in response.content.decode()
    assert outsider_client.get(old_link).status_code == 404
    assert outsider_client.get(quiet.invite_url()).status_code == 200
    joined = outsider_client.post(
        f"/circles/{quiet.slug}/join/",
        {"invite": old_link.rsplit("=", 1)[1], "accept_guidelines": "on"},
    )
    assert joined.status_code == 404
    [entry] = ActionLog.objects.filter(circle=quiet)
    assert (entry.action, entry.actor) == ("new_invite_link", facilitator)


def test_members_keep_their_place(quiet: Circle, member: User, facilitator_client: Client) -> None:
    facilitator_client.post(_url(quiet), {"confirm": "on"})

    assert quiet.memberships.get(user=member).status == Membership.Status.ACTIVE
    member_client = Client()
    member_client.force_login(member)
    assert member_client.get(quiet.get_absolute_url()).status_code == 200


def test_it_asks_for_a_tick_first(quiet: Circle, facilitator_client: Client) -> None:
    token = quiet.invite_token

    response = facilitator_client.post(_url(quiet), {}, follow=True)

    assert "Tick the box" in response.content.decode()
    quiet.refresh_from_db()
    assert quiet.invite_token == token
    assert not ActionLog.objects.exists()


def test_a_get_changes_nothing(quiet: Circle, facilitator_client: Client) -> None:
    token = quiet.invite_token

    assert facilitator_client.get(_url(quiet), {"confirm": "on"}).status_code == 405
    quiet.refresh_from_db()
    assert quiet.invite_token == token


def test_a_listed_circle_has_no_invite_link_to_renew(
    circle: Circle, facilitator_client: Client
) -> None:
    token = circle.invite_token

    response = facilitator_client.post(_url(circle), {"confirm": "on"}, follow=True)

    assert "Only an unlisted circle has an invite link." in response.content.decode()
    circle.refresh_from_db()
    assert circle.invite_token == token
    assert not ActionLog.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider", "other", "removed"])
def test_nobody_else_makes_a_new_link(who: str, quiet: Circle, member: User) -> None:
    removed = UserFactory()
    MembershipFactory(user=removed, circle=quiet, status=Membership.Status.REMOVED)
    other = MembershipFactory(circle=CircleFactory(), role=Membership.Role.FACILITATOR).user
    users = {"member": member, "outsider": UserFactory(), "other": other, "removed": removed}
    client = Client()
    if who in users:
        client.force_login(users[who])
    token = quiet.invite_token

    response = client.post(_url(quiet), {"confirm": "on"})

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert who == "anonymous" and response["Location"].startswith("/accounts/login/")
    quiet.refresh_from_db()
    assert quiet.invite_token == token
    assert not ActionLog.objects.exists()
