"""Forgetting a password: a reset link by email, a new password, logged in again."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User

NEW_PASSWORD = "a slow walk by the river 7"


def test_reset_by_email_link(
    client: Client, member: User, django_capture_on_commit_callbacks
) -> None:
    # The link is queued in the outbox and sent once the request's writes commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": member.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert 'class="site-header"' in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert Client().login(email=member.email, password=NEW_PASSWORD)


def test_unknown_address_gets_no_hint(client: Client, db) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
