"""accounts.notify.queue_once: each message is queued once per key, in the caller's
transaction, with an unsubscribe link, and sent by the outbox after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils.html import escape

from accounts.models import Notification
from accounts.notify import queue_once
from tests.factories import MeetupFactory, VenueFactory


def context(meetup) -> dict:
    from meetups.notifications import meetup_context

    return meetup_context(meetup)


def test_second_queue_with_the_same_key_does_nothing(
    member, circle, django_capture_on_commit_callbacks
):
    meetup = MeetupFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))

    with django_capture_on_commit_callbacks(execute=True):
        first = queue_once(key="k:1", user=member, template="promoted", context=context(meetup))
        second = queue_once(key="k:1", user=member, template="promoted", context=context(meetup))

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    note = Notification.objects.get(key="k:1")
    assert (note.user, note.kind, note.status) == (member, "promoted", "sent")
    assert note.sent_at is not None
    assert note.recipient == member.email
    assert note.subject == mail.outbox[0].subject


def test_the_row_is_written_with_the_callers_transaction_and_nothing_is_sent_before_commit(
    member, circle, django_capture_on_commit_callbacks
):
    meetup = MeetupFactory(circle=circle)

    with django_capture_on_commit_callbacks() as hints:
        queue_once(key="k:2", user=member, template="promoted", context=context(meetup))
        note = Notification.objects.get(key="k:2")

    assert note.status == "pending"
    assert "Rosie" not in note.subject
    assert note.headers["Message-ID"].startswith("<")
    assert mail.outbox == []
    assert len(hints) == 1


def test_a_change_rolled_back_leaves_no_message(member, circle):
    meetup = MeetupFactory(circle=circle)

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_once(key="k:3", user=member, template="promoted", context=context(meetup))
        raise RuntimeError("the change failed")

    assert not Notification.objects.filter(key="k:3").exists()
    assert mail.outbox == []


def test_every_email_has_crisis_footer_and_unsubscribe(
    member, circle, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_once(
            key="k:4",
            user=member,
            template="cancelled",
            context=context(MeetupFactory(circle=circle)),
        )

    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert settings.CRISIS_LINE_TEXT in message.body
    assert escape(settings.CRISIS_LINE_TEXT) in message.alternatives[0][0]
    assert "support group" not in message.subject.lower()
    note = Notification.objects.get(key="k:4")
    assert message.extra_headers["Message-ID"] == note.headers["Message-ID"]


def test_key_parts_name_the_ids_of_a_key(member):
    moved = Notification(key="moved:meetup:4:seq:2:user:9", user=member)
    monthly = Notification(key="still-meeting:2026-03:circle:5:user:9", user=member)

    assert moved.purpose == "moved"
    assert moved.key_parts() == {"meetup": "4", "seq": "2", "user": "9"}
    assert monthly.purpose == "still-meeting"
    assert monthly.key_parts() == {"circle": "5", "user": "9"}
