"""allauth's emails (confirmation, password reset, notices) are rows of the outbox: the
page answers at once whatever the mail server does, and the email follows when it can
take it. They are about the person's own account: no unsubscribe header."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import outbox
from accounts.models import Notification, User

PASSWORD = "a long walk by the quiet river"


def sign_up(client: Client) -> object:
    return client.post(
        reverse("account_signup"),
        {
            "display_name": "Robin",
            "email": "robin@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "health_data_consent": "on",
        },
    )


def test_sign_up_with_the_mail_server_down_answers_and_the_confirmation_follows(
    client: Client, db, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)

    assert response.status_code == 302
    note = Notification.objects.get()
    assert (note.status, note.attempts, note.kind) == ("pending", 1, "email_confirmation_signup")
    assert note.user == User.objects.get(email="robin@example.org")
    assert note.key.startswith("account:mail:email_confirmation_signup:id:")
    assert note.expires_at > timezone.now() + dt.timedelta(days=2)
    assert "List-Unsubscribe" not in note.headers
    assert "Message-ID" in note.headers

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(claimed_until=None)
    assert outbox.deliver() == {"sent": 1}
    [message] = mail.outbox
    assert message.to == ["robin@example.org"]
    assert "/accounts/confirm-email/" in message.body
    assert "List-Unsubscribe" not in message.message()


def test_a_reset_for_an_unknown_address_waits_in_the_outbox_as_long_as_a_link_would(
    client: Client, db, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    note = Notification.objects.get()
    assert (note.kind, note.user, note.recipient) == (
        "unknown_account",
        None,
        "nobody@example.org",
    )
    lifetime = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    assert timezone.now() + lifetime - dt.timedelta(minutes=1) < note.expires_at
    assert note.expires_at <= timezone.now() + lifetime


def test_two_reset_requests_queue_two_emails(
    client: Client, member: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})
        client.post(reverse("account_reset_password"), {"email": member.email})

    assert list(Notification.objects.values_list("kind", "user", "status")) == [
        ("password_reset_key", member.pk, "sent"),
        ("password_reset_key", member.pk, "sent"),
    ]
    assert len(mail.outbox) == 2
