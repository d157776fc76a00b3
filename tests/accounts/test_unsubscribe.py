"""One-click unsubscribe from an email: signed per person and kind of email."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.notify import queue_once, unsubscribe_token
from meetups.notifications import meetup_context
from tests.factories import MeetupFactory
from tests.jobs.mail import SMTPSink, text_body


def url(user: User, kind: str) -> str:
    return reverse("accounts:unsubscribe", args=[unsubscribe_token(user, kind)])


def prefs(user: User) -> tuple[bool, bool, bool]:
    user.refresh_from_db()
    return (user.remind_24h, user.remind_2h, user.weekly_checkin)


def test_get_asks_first_and_changes_nothing(client, member):
    response = client.get(url(member, "remind_24h"))

    assert response.status_code == 200
    assert "Unsubscribe" in response.content.decode()
    assert prefs(member) == (True, True, True)


def test_post_turns_that_preference_off(client, member):
    response = client.post(url(member, "remind_24h"))

    assert response.status_code == 200
    assert "unsubscribed" in response.content.decode()
    assert prefs(member) == (False, True, True)


def test_rfc8058_one_click_post_without_csrf_token(member):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        url(member, "remind_2h"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert prefs(member) == (True, False, True)


def test_link_in_the_header_of_a_real_email_works(
    client, member, circle, django_capture_on_commit_callbacks
):
    meetup = MeetupFactory(circle=circle)
    with django_capture_on_commit_callbacks(execute=True):
        queue_once(
            key="message:test:user:1",
            user=member,
            template="reminder-2h",
            context=meetup_context(meetup),
        )
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    client.post(urlsplit(link).path)

    assert prefs(member) == (True, False, True)


def test_transactional_email_link_stops_all_optional_emails(client, member):
    client.post(url(member, "all"))

    assert prefs(member) == (False, False, False)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoicmVtaW5kXzJoIn0:forged:sig"])
def test_bad_or_forged_token_is_400_with_a_clear_message(client, member, token):
    response = client.post(reverse("accounts:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "This unsubscribe link doesn't work" in response.content.decode()
    assert prefs(member) == (True, True, True)


def test_token_for_one_person_cannot_be_edited_to_another(client, member, outsider):
    token = unsubscribe_token(member, "remind_24h")
    rest = token.split(":", 1)[1]
    other = unsubscribe_token(outsider, "remind_24h").split(":", 1)[0]

    response = client.post(reverse("accounts:unsubscribe", args=[f"{other}:{rest}"]))

    assert response.status_code == 400
    assert prefs(outsider) == (True, True, True)


def test_header_reaches_the_mail_server_as_one_plain_url(
    member, circle, django_capture_on_commit_callbacks
):
    """Mail clients read List-Unsubscribe as `<URL>` and do not decode RFC 2047 words in
    it: a header folded at 78 characters into `=?utf-8?q?=3Chttp…?=` breaks one-click
    unsubscribe (accounts.mime)."""
    meetup = MeetupFactory(circle=circle)
    with django_capture_on_commit_callbacks():
        queue_once(
            key="test:header",
            user=member,
            template="reminder-2h",
            context=meetup_context(meetup),
        )
    stored = Notification.objects.get(key="test:header")
    link = stored.headers["List-Unsubscribe"]
    assert len(link) > 78

    sink = SMTPSink()
    try:
        host, port = sink.server_address[:2]
        backend = SMTPBackend(host=host, port=port, timeout=5, alias="test-sink")
        assert backend.send_messages([stored.email_message()]) == 1
    finally:
        sink.close()

    [received] = sink.messages
    assert received["List-Unsubscribe"] == link
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.strip("<>").rsplit("/unsubscribe/", 1)[1]
    assert token.rstrip("/") in text_body(received)
