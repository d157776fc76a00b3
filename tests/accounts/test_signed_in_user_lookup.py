"""Every signed-in request finds its person through accounts.backends, which reads the
user row with written SQL: same person, same rules as Django's own lookup."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend
from accounts.models import User
from tests.factories import UserFactory


def test_finds_the_same_user_as_django_does(db) -> None:
    user = UserFactory(display_name="Sam")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - dt.timedelta(days=3))

    ours = ModelBackend().get_user(user.pk)
    django = DjangoModelBackend().get_user(user.pk)

    assert ours is not None and django is not None
    for field in User._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(django, field.attname), field.name
    # Dates come back as aware datetimes on every database, SQLite's text included.
    assert isinstance(ours.last_login, dt.datetime) and ours.last_login.tzinfo is not None
    assert not ours._state.adding
    assert ours._state.db == "default"


def test_inactive_unknown_and_malformed_ids_are_nobody(db) -> None:
    inactive = UserFactory(is_active=False)
    backend = AuthenticationBackend()

    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(10**9) is None
    for bad in ["abc", "1; DROP TABLE accounts_user", "", "0", "-4", str(2**70), None]:
        assert backend.get_user(bad) is None
    assert User.objects.filter(pk=inactive.pk).exists()


def test_a_signed_in_page_shows_the_person_found(db) -> None:
    user = UserFactory(display_name="Robin")
    client = Client()
    client.force_login(user)

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 200
    assert "Robin" in response.content.decode()


def test_a_deactivated_person_is_signed_out_on_the_next_request(db) -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(reverse("accounts:settings"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
