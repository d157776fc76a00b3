"""Accounts and sessions: one visitor's wrong passwords never lock out the others behind
the same proxy; sessions end when idle and after their absolute limit; the password again
before changing the email address or downloading everything; a notice to the old address;
reset links for an hour; passwords long and hard to guess."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def _client_address() -> str:
    # A fresh address each run: on Redis the counts outlive the test database.
    return f"2001:db8:{secrets.randbelow(65536):x}:{secrets.randbelow(65536):x}::1"


def test_one_visitor_locked_out_behind_the_proxy_leaves_the_others_in(db, settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    guesser = UserFactory(email=f"guessed-{uuid.uuid4().hex}@example.org")
    neighbour = UserFactory(email=f"neighbour-{uuid.uuid4().hex}@example.org")
    # Both arrive from the proxy's address; the proxy names each one's own address.
    attacker = Client(headers={"X-Forwarded-For": _client_address()})
    visitor = Client(headers={"X-Forwarded-For": _client_address()})

    for _ in range(3):
        attacker.post(reverse("account_login"), {"login": guesser.email, "password": "wrong"})
    locked = attacker.post(reverse("account_login"), {"login": guesser.email, "password": PASSWORD})
    signed_in = visitor.post(
        reverse("account_login"), {"login": neighbour.email, "password": PASSWORD}
    )

    assert "Too many" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert signed_in.status_code == 302
    assert visitor.session["_auth_user_id"] == str(neighbour.pk)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The middleware's clock, moved on by hand: `clock[0] += seconds`."""
    now = [time.time()]
    monkeypatch.setattr("accounts.middleware.time.time", lambda: now[0])
    return now


def _signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:settings")).status_code == 200


def test_an_idle_session_ends(member_client: Client, clock: list[float], settings) -> None:
    settings.SESSION_IDLE_MINUTES = 180
    assert _signed_in(member_client)

    clock[0] += 181 * 60

    response = member_client.get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in member_client.session


def test_an_active_session_lives_past_the_idle_limit(
    member_client: Client, clock: list[float], settings
) -> None:
    settings.SESSION_IDLE_MINUTES = 180
    for _ in range(6):
        assert _signed_in(member_client)
        clock[0] += 60 * 60

    assert _signed_in(member_client)


def test_a_session_ends_at_its_absolute_limit_however_active(
    member_client: Client, clock: list[float], settings
) -> None:
    settings.SESSION_IDLE_MINUTES = 180
    settings.SESSION_COOKIE_AGE = 24 * 3600
    for _ in range(12):
        assert _signed_in(member_client)
        clock[0] += 2 * 3600

    assert not _signed_in(member_client)


def test_downloading_everything_asks_for_the_password_again(
    member_client: Client, member: User
) -> None:
    asked = member_client.get(reverse("export_data"))
    assert asked.status_code == 302
    assert asked.url.startswith(reverse("account_reauthenticate"))

    back = member_client.post(
        f"{reverse('account_reauthenticate')}?next={reverse('export_data')}", {"password": PASSWORD}
    )
    assert back.url == reverse("export_data")
    download = member_client.get(reverse("export_data"))
    assert download.status_code == 200
    assert member.email in download.content.decode()


def test_changing_the_email_address_asks_for_the_password_and_tells_the_old_one(
    member_client: Client, member: User, django_capture_on_commit_callbacks
) -> None:
    old = member.email
    EmailAddress.objects.create(user=member, email="milo.new@example.org", verified=True)
    change = {"action_primary": "", "email": "milo.new@example.org"}

    asked = member_client.post(reverse("account_email"), change)
    added = member_client.post(
        reverse("account_email"), {"action_add": "", "email": "x@example.org"}
    )

    assert asked.url.startswith(reverse("account_reauthenticate"))
    assert added.url.startswith(reverse("account_reauthenticate"))
    assert EmailAddress.objects.get_primary(member).email == old
    assert not EmailAddress.objects.filter(email="x@example.org").exists()

    member_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("account_email"), change)

    assert EmailAddress.objects.get_primary(member).email == "milo.new@example.org"
    notices = [m for m in mail.outbox if m.to == [old]]
    assert len(notices) == 1
    assert "milo.new@example.org" in notices[0].body


def test_a_reset_link_works_for_an_hour(
    client: Client,
    member: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link
    later = PasswordResetTokenGenerator()._now() + dt.timedelta(minutes=61)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    page = client.get(link.group(1), follow=True)
    client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.group(1),
        {"password1": "a slow walk by the river 7", "password2": "a slow walk by the river 7"},
    )

    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_passwords_are_at_least_twelve_characters() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Tr0ub4dor&3")


def test_passwords_easy_to_guess_are_refused_offline() -> None:
    with pytest.raises(ValidationError, match="too easy to guess"):
        validate_password("aaaaaaaaaaaa")
    with pytest.raises(ValidationError, match="too easy to guess"):
        validate_password(
            "milo milo milo", user=User(email="milo@example.org", display_name="Milo")
        )
    validate_password("baton rouge 2026 by bike")
