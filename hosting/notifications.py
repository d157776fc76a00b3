"""Emails about hosting and the Celery tasks that send them.

Services enqueue these with `task.delay_on_commit(...)` (accounts.background), so imports
run views → services → notifications → models and a broker outage never fails a committed
change. Every email goes through accounts.notify.send_once with a unique key; subjects and
first lines name the time and place, never the circle or its topic.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from accounts.background import BackgroundTask
from accounts.notify import notification_key, send_once
from hosting.models import ActionLog

# Starting a circle


# Meetups


# The series


# Join requests
#
# Key: join-approved:decision:<ActionLog id>:user:<id> (or join-declined:…): one email per
# decision, so someone declined who asks again and is welcomed hears both times.

# The action logged for a decision, and the email that tells the person.
JOIN_DECISIONS = {"approve": "join-approved", "decline": "join-declined"}


@shared_task(base=BackgroundTask)
def notify_join_decision(entry_id: int) -> bool:
    """Tell the person who asked to join how the facilitators decided (the ActionLog entry
    of an "approve" or "decline"). The subject never names the circle; the body may, as
    the person asked to join it themselves."""
    entry = (
        ActionLog.objects.select_related("circle", "subject_user")
        .filter(pk=entry_id, action__in=JOIN_DECISIONS)
        .first()
    )
    if entry is None or entry.subject_user is None or not entry.subject_user.is_active:
        return False
    template = JOIN_DECISIONS[entry.action]
    circle = entry.circle
    return send_once(
        key=notification_key(template, decision=entry.pk, user=entry.subject_user_id),
        user=entry.subject_user,
        template=template,
        context={
            "circle_name": circle.name,
            "circle_url": f"{settings.SITE_URL}{circle.get_absolute_url()}",
            "browse_url": f"{settings.SITE_URL}{reverse('circles:browse')}",
        },
    )


# Members


# Co-facilitators and the circle's state


# Rotating hosts


# Messages


# Still meeting


# Reports
