"""accounts.notify.send_once: each message goes out once per key, with an unsubscribe link."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.html import escape

from accounts.models import Notification
from accounts.notify import send_once
from tests.factories import MeetupFactory, VenueFactory


def context(meetup) -> dict:
    from meetups.notifications import meetup_context

    return meetup_context(meetup, going=True)


def test_second_send_with_the_same_key_does_nothing(member, circle):
    meetup = MeetupFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))

    first = send_once(key="k:1", user=member, template="promoted", context=context(meetup))
    second = send_once(key="k:1", user=member, template="promoted", context=context(meetup))

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    note = Notification.objects.get(key="k:1")
    assert (note.user, note.kind) == (member, "promoted")
    assert note.sent_at is not None


def test_a_failed_send_leaves_no_row_and_the_retry_sends(member, circle, settings):
    meetup = MeetupFactory(circle=circle)
    settings.EMAIL_BACKEND = "tests.accounts.failing_mail.Backend"

    with pytest.raises(ConnectionError):
        send_once(key="k:2", user=member, template="promoted", context=context(meetup))

    assert not Notification.objects.filter(key="k:2").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_once(key="k:2", user=member, template="promoted", context=context(meetup))
    assert len(mail.outbox) == 1


def test_a_row_left_unsent_by_a_crash_is_sent_by_the_retry(member, circle):
    Notification.objects.create(key="k:3", user=member, kind="promoted")

    sent = send_once(
        key="k:3", user=member, template="promoted", context=context(MeetupFactory(circle=circle))
    )

    assert sent is True
    assert Notification.objects.get(key="k:3").sent_at is not None
    assert len(mail.outbox) == 1


def test_every_email_has_crisis_footer_and_unsubscribe(member, circle, settings):
    send_once(
        key="k:4", user=member, template="cancelled", context=context(MeetupFactory(circle=circle))
    )

    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert settings.CRISIS_LINE_TEXT in message.body
    assert escape(settings.CRISIS_LINE_TEXT) in message.alternatives[0][0]
    assert "support group" not in message.subject.lower()
