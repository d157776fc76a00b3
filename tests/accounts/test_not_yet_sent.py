"""accounts.notify.not_yet_sent: a scan finds exactly the messages whose key has no row yet."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Notification, User
from accounts.notify import not_yet_sent, notification_key, queue_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_key_names_the_purpose_then_each_part_in_order() -> None:
    assert notification_key("reminder-24h", meetup=412, user=9) == "reminder-24h:meetup:412:user:9"


def test_rows_whose_message_went_out_are_left_out_and_the_rest_carry_their_key() -> None:
    sent, waiting, other = UserFactory(), UserFactory(), UserFactory()
    Notification.objects.create(key=notification_key("welcome", user=sent.pk), user=sent)
    # The same person under another purpose does not count as sent.
    Notification.objects.create(key=notification_key("goodbye", user=other.pk), user=other)

    due = not_yet_sent(User.objects.order_by("pk"), "welcome", user="pk")

    assert [(u, u.notification_key) for u in due] == [
        (waiting, notification_key("welcome", user=waiting.pk)),
        (other, notification_key("welcome", user=other.pk)),
    ]


def test_what_queue_once_queued_is_no_longer_due(
    member: User, django_capture_on_commit_callbacks
) -> None:
    people = User.objects.filter(pk=member.pk)
    [row] = not_yet_sent(people, "promoted", user="pk")

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_once(key=row.notification_key, user=member, template="promoted", context={})
    assert not not_yet_sent(people, "promoted", user="pk").exists()
    assert len(mail.outbox) == 1
