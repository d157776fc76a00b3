"""Guessing passwords is slowed down by allauth's rate limits, kept in the shared cache."""

from __future__ import annotations

import uuid

from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory


def test_repeated_wrong_passwords_are_stopped(db, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    # A fresh address each run: on Redis the counts outlive the test database.
    email = f"guess-{uuid.uuid4().hex}@example.org"
    UserFactory(email=email)
    client = Client()

    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
        assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": email, "password": "correct horse battery"}
    )

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert "Too many" in response.content.decode()
