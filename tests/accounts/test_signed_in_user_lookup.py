"""Every signed-in request finds its person through Django's and allauth's own
authentication backends: an unknown id or an inactive person is nobody."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory


def test_the_site_uses_the_stock_backends(settings) -> None:
    """People are found by Django's and allauth's backends; the rules backend answers
    permissions only (its get_user is Django's default: nobody)."""
    assert settings.AUTHENTICATION_BACKENDS == [
        "rules.permissions.ObjectPermissionBackend",
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ]


def test_inactive_and_unknown_ids_are_nobody(db) -> None:
    inactive = UserFactory(is_active=False)

    for backend in (ModelBackend(), AuthenticationBackend()):
        assert backend.get_user(inactive.pk) is None
        assert backend.get_user(10**9) is None
        for unknown in [0, -4, 2**70, None]:
            assert backend.get_user(unknown) is None
    assert User.objects.filter(pk=inactive.pk).exists()


def test_a_signed_in_page_shows_the_person_found(db) -> None:
    user = UserFactory(display_name="Robin")
    client = Client()
    client.force_login(user)

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 200
    assert "Robin" in response.content.decode()


def test_a_session_of_someone_unknown_is_signed_out(db) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = str(10**9)
    session.save()

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_deactivated_person_is_signed_out_on_the_next_request(db) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
