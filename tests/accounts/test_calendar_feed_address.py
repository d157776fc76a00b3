"""Making a new private calendar feed address, or turning the feed off, from settings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import regenerate_calendar_token


@pytest.fixture
def member(member: User) -> User:
    """Milo, who has turned the calendar feed on (new accounts start with it off)."""
    regenerate_calendar_token(user=member)
    return member


@pytest.fixture
def outsider(outsider: User) -> User:
    """Olive, whose own feed is on, so that it staying put means something."""
    regenerate_calendar_token(user=outsider)
    return outsider


def _feed(client: Client, token: str) -> int:
    return client.get(reverse("me:calendar", args=[token])).status_code


def test_new_address_replaces_the_old_one(member_client: Client, member: User) -> None:
    old = member.calendar_token
    assert _feed(Client(), old) == 200

    response = member_client.post(reverse("accounts:regenerate_calendar"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.calendar_token and member.calendar_token != old
    assert _feed(Client(), old) == 404
    assert _feed(Client(), member.calendar_token) == 200
    page = member_client.get(reverse("accounts:settings")).content.decode()
    assert f"/me/calendar/{member.calendar_token}.ics" in page
    assert old not in page


def test_turning_the_feed_off_and_on_again(member_client: Client, member: User) -> None:
    old = member.calendar_token

    member_client.post(reverse("accounts:revoke_calendar"))

    member.refresh_from_db()
    assert member.calendar_token is None
    assert _feed(Client(), old) == 404
    assert (
        "Your calendar feed is off"
        in member_client.get(reverse("accounts:settings")).content.decode()
    )

    member_client.post(reverse("accounts:regenerate_calendar"))

    member.refresh_from_db()
    assert member.calendar_token and member.calendar_token != old


def test_feed_controls_need_post_and_my_own_login(
    client: Client, member_client: Client, member: User
) -> None:
    token = member.calendar_token

    assert member_client.get(reverse("accounts:revoke_calendar")).status_code == 405
    anonymous = client.post(reverse("accounts:revoke_calendar"))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    member.refresh_from_db()
    assert member.calendar_token == token


def test_only_my_token_changes(member_client: Client, member: User, outsider: User) -> None:
    theirs = outsider.calendar_token

    member_client.post(reverse("accounts:regenerate_calendar"))
    member_client.post(reverse("accounts:revoke_calendar"))

    outsider.refresh_from_db()
    assert outsider.calendar_token == theirs
