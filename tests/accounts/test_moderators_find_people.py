"""Moderators look people up in the admin by display name or email."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory


def test_moderator_searches_and_opens_a_person(member: User) -> None:
    moderator = UserFactory(display_name="Mod", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(moderator)

    listing = client.get(reverse("admin:accounts_user_changelist"), {"q": "Milo"})
    change = client.get(reverse("admin:accounts_user_change", args=[member.pk]))
    add = client.get(reverse("admin:accounts_user_add"))

    assert listing.status_code == 200
    assert member.email in listing.content.decode()
    assert change.status_code == 200
    assert add.status_code == 200


def test_moderator_adds_a_person(db) -> None:
    moderator = UserFactory(display_name="Mod", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(moderator)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "display_name": "Newt",
            "usable_password": "true",
            "password1": "a quiet cup of tea 42",
            "password2": "a quiet cup of tea 42",
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="new@example.org")
    assert person.display_name == "Newt"
    assert person.check_password("a quiet cup of tea 42")


def test_members_cannot_open_the_admin(member_client: Client) -> None:
    response = member_client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 302
