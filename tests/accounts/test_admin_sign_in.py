"""The admin is behind allauth's login (its rate limits and its two-step sign-in), and
staff need two-step sign-in to open it; members may turn it on too."""

from __future__ import annotations

import time
import uuid

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def test_the_admins_own_login_form_is_gone(client: Client, db) -> None:
    response = client.get("/admin/login/?next=/admin/circles/circle/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/circles/circle/"


def test_wrong_passwords_to_the_admin_meet_allauths_rate_limit(
    client: Client, settings, db
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    # A fresh address each run: on Redis the counts outlive the test database.
    staff = UserFactory(
        is_staff=True, is_superuser=True, email=f"mod-{uuid.uuid4().hex}@example.org"
    )

    for _ in range(5):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        client.post(reverse("account_login"), {"login": staff.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert "Too many" in response.content.decode()


def test_staff_without_two_step_sign_in_are_sent_to_set_it_up(db) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, mfa=False))

    listing = client.get("/admin/circles/circle/")
    login = client.get(listing.url)

    assert listing.status_code == 302
    assert login.status_code == 302
    assert login.url == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200


def test_staff_with_two_step_sign_in_open_the_admin(db) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/circles/").url == "/admin/circles/"


def test_members_get_no_admin(member_client: Client) -> None:
    assert member_client.get("/admin/login/").status_code == 403


def test_signing_in_asks_for_the_code_from_the_app(client: Client, db) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True, mfa=False, email="mod@example.org")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


def test_members_turn_it_on_from_their_settings(member_client: Client, member: User) -> None:
    settings_page = member_client.get(reverse("accounts:settings")).content.decode()

    assert reverse("mfa_index") in settings_page
    assert member_client.get(reverse("mfa_index")).status_code == 200
