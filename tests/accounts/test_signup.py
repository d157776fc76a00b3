"""Signing up: display name, optional home town, explicit consent, confirmed email."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a quiet cup of tea 42"


def _signup(client: Client, **overrides: str) -> object:
    data = {
        "display_name": "Robin",
        "email": "robin@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "home_place": "Lafayette, LA",
        "health_data_consent": "on",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), {k: v for k, v in data.items() if v is not None})


def _confirmation_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_page_asks_for_display_name_and_unticked_consent(client: Client) -> None:
    response = client.get(reverse("account_signup"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="display_name"' in page
    assert "pseudonym is welcome" in page
    consent = re.search(r'<input[^>]*name="health_data_consent"[^>]*>', page).group(0)
    assert "checked" not in consent
    assert "Which circles I join can say something about my health." in page
    assert f'href="{reverse("privacy")}"' in page


def test_signup_confirm_email_then_logged_in_with_display_name_in_header(
    client: Client, settings, django_capture_on_commit_callbacks
) -> None:
    # The confirmation is queued in the outbox and sent once the sign-up commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client)

    assert response.status_code == 302
    user = User.objects.get(email="robin@example.org")
    assert user.display_name == "Robin"
    assert user.home_place == "Lafayette, LA"
    assert user.home_lat == pytest.approx(30.224, abs=0.01)
    assert user.timezone == "America/Chicago"
    assert user.health_data_consent_at is not None
    assert user.privacy_notice_version == settings.PRIVACY_NOTICE_VERSION
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["robin@example.org"]

    link = _confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    response = client.post(link, follow=True)

    assert EmailAddress.objects.get(user=user).verified
    assert response.wsgi_request.user == user
    page = client.get(reverse("home")).content.decode()
    header = page.split("</header>")[0]
    assert "Robin" in header
    assert "robin@example.org" not in page


def test_home_place_sets_time_zone(client: Client) -> None:
    _signup(client, home_place="Portland, OR")

    user = User.objects.get(email="robin@example.org")
    assert user.home_place == "Portland, OR"
    assert user.timezone == "America/Los_Angeles"


def test_home_place_is_optional(client: Client, settings) -> None:
    _signup(client, home_place="")

    user = User.objects.get(email="robin@example.org")
    assert user.home_place == ""
    assert user.home_lat is None
    assert user.timezone == settings.TIME_ZONE


def test_display_name_is_required(client: Client) -> None:
    response = _signup(client, display_name="   ")

    assert response.status_code == 200
    assert "Please choose a display name" in response.content.decode()
    assert not User.objects.filter(email="robin@example.org").exists()


@pytest.mark.parametrize(
    ("display_name", "error"),
    [
        ("R", "at least 2 characters"),
        ("x" * 41, "40 characters or fewer"),
        ("robin@example.org", "don&#x27;t use an email address"),
        ("Rob\x07in", "letters, numbers and punctuation"),
        ("Rob\u202ein", "letters, numbers and punctuation"),
    ],
)
def test_display_name_rules(client: Client, display_name: str, error: str) -> None:
    response = _signup(client, display_name=display_name)

    assert error in response.content.decode()
    assert not User.objects.exists()


def test_consent_is_required(client: Client) -> None:
    response = _signup(client, health_data_consent=None)

    assert "Please tick this box" in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_ambiguous_home_place_lists_the_choices(client: Client) -> None:
    response = _signup(client, home_place="Springfield")

    page = response.content.decode()
    assert "more than one place called that" in page
    assert 'name="home_place_choice" value="Springfield, IL"' in page
    assert 'name="home_place_choice" value="Springfield, MO"' in page
    assert not User.objects.exists()


def test_picking_one_of_the_choices_signs_up(client: Client) -> None:
    _signup(client, home_place="Springfield", home_place_choice="Springfield, IL")

    user = User.objects.get(email="robin@example.org")
    assert user.home_place == "Springfield, IL"
    assert user.home_lat == pytest.approx(39.8, abs=0.1)


def test_unknown_home_place_is_an_error(client: Client) -> None:
    response = _signup(client, home_place="Qwzxville")

    assert "couldn" in response.content.decode()
    assert not User.objects.exists()


def test_unverified_person_cannot_log_in_until_confirming(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    UserFactory(email="ivy@example.org", display_name="Ivy", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"),
            {"login": "ivy@example.org", "password": "correct horse battery"},
        )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ivy@example.org"]


def test_verified_person_logs_in_with_email(client: Client) -> None:
    person = UserFactory(email="ivy@example.org", display_name="Ivy")

    response = client.post(
        reverse("account_login"),
        {"login": "ivy@example.org", "password": "correct horse battery"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_account_pages_use_the_site_layout(client: Client) -> None:
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = client.get(reverse(name)).content.decode()
        assert 'class="site-header"' in page
        assert "In crisis? Get help now" in page
        assert "style=" not in page
        assert "<script>" not in page


def test_my_account_pages_use_the_site_layout(member_client: Client) -> None:
    for name in ("account_email", "account_change_password", "account_logout"):
        response = member_client.get(reverse(name))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'class="site-header"' in page
        assert "style=" not in page
        assert "data-allauth-onload" not in page


def test_a_new_account_has_no_calendar_feed_until_it_is_turned_on(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    user = User.objects.get(email="robin@example.org")
    assert user.calendar_token is None
    client.post(_confirmation_link(mail.outbox[0]))

    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "Your calendar feed is off" in settings_page
    assert "/me/calendar/" not in settings_page
    assert "/me/calendar/" not in client.get(reverse("me:meetups")).content.decode()

    client.post(reverse("accounts:regenerate_calendar"))

    user.refresh_from_db()
    assert user.calendar_token
    feed = client.get(reverse("me:calendar", args=[user.calendar_token]))
    assert feed.status_code == 200
    assert (
        f"/me/calendar/{user.calendar_token}.ics"
        in client.get(reverse("accounts:settings")).content.decode()
    )
