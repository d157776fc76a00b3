"""A message from a host to the people going to a meetup, within daily limits."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hosting import notifications
from hosting.models import MeetupMessage
from hosting.services._common import (
    HostingError,
    _locked_meetup,
    _log,
)
from meetups.models import Meetup

# Messages

# At most this many messages in any 24 hours: to the people going to one meetup, and from
# one sender across all meetups. Enough for "running late" and "we moved tables", too few
# to turn the feature into a mailing list.
MESSAGE_LIMITS = {"meetup": 3, "sender": 10}
MESSAGE_WINDOW = dt.timedelta(days=1)


@transaction.atomic
def message_people_going(*, meetup: Meetup, sender: User, body: str) -> MeetupMessage:
    """Send a message to everyone going to a meetup, one email each, through Celery.

    Rules: the sender hosts the meetup (meetups.host_meetup, checked by the caller); the
    meetup is not cancelled or over; somebody is going; at most
    MESSAGE_LIMITS["meetup"] messages for one meetup and MESSAGE_LIMITS["sender"] from one
    sender in any 24 hours (counted while holding the meetup's row lock, so two clicks at
    once cannot both pass). The message is kept (MeetupMessage) and logged.
    """
    meetup = _locked_meetup(meetup)
    body = body.strip()
    if not body:
        raise HostingError("Please write a message.")
    if meetup.is_cancelled:
        raise HostingError("This meetup has been cancelled.")
    if timezone.now() >= meetup.ends_at:
        raise HostingError("This meetup is over.")
    since = timezone.now() - MESSAGE_WINDOW
    recent = MeetupMessage.objects.filter(created_at__gte=since)
    if recent.filter(meetup=meetup).count() >= MESSAGE_LIMITS["meetup"]:
        raise HostingError(
            f"This meetup has had {MESSAGE_LIMITS['meetup']} messages in the last 24 hours, "
            "the most we send. Please try again tomorrow."
        )
    if recent.filter(sender=sender).count() >= MESSAGE_LIMITS["sender"]:
        raise HostingError(
            f"You have sent {MESSAGE_LIMITS['sender']} messages in the last 24 hours, the "
            "most we send for one person. Please try again tomorrow."
        )
    count = notifications.people_going(meetup, sender=sender).count()
    if not count:
        raise HostingError("Nobody else is going yet, so there's nobody to message.")
    message = MeetupMessage.objects.create(
        meetup=meetup, sender=sender, body=body, recipient_count=count
    )
    _log(
        circle=meetup.circle,
        actor=sender,
        action="message",
        meetup=meetup,
        note=f"Message #{message.pk} to {count} people going.",
    )
    notifications.send_meetup_message(message.pk)
    return message
