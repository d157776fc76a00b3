"""Emails about meetups and the Celery tasks that send them, each once through accounts.notify.

The shape of background work, imports running one way only:

    views -> services -> notifications -> models, accounts.notify, accounts.background

`meetups.services` changes rows and enqueues a notice here after commit
(`notify_promoted.delay_on_commit(seat.pk)`); this module reads the rows again on the
worker and sends. It imports no service and no `meetups.tasks`, so nothing here can
import its way back into the code that enqueues it. `meetups.tasks` keeps only the
periodic wrappers over services (extending schedules).

Each task is the function that does the work: the worker calls it with ids, a test or a
shell may call it directly. The tasks keep the names they had when they lived in
`meetups.tasks` (`name=`): messages already queued under those names and the beat
schedule in `peersupport/celery.py` must still find them.

Keys (unique in accounts.Notification):
  promoted:meetup:<id>:user:<id>       a seat opened up and is now yours
  cancelled:meetup:<id>:user:<id>      the meetup was called off
  reminder-24h:meetup:<id>:user:<id>   it starts within a day
  reminder-2h:meetup:<id>:user:<id>    it starts within two hours

Subjects name only the time: no circle name or topic, so an inbox preview stays discreet.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.background import BackgroundTask
from accounts.models import User
from accounts.notify import not_yet_sent, notification_key, send_once
from circles import wording
from meetups.models import RSVP, Meetup

REMINDER_BATCH = 200

# (template and key prefix, user preference, window start, window end) before the start.
# The day-before window stops where the two-hour one begins, so a late RSVP gets one email.
REMINDERS = (
    ("reminder-2h", "remind_2h", dt.timedelta(0), dt.timedelta(hours=2)),
    ("reminder-24h", "remind_24h", dt.timedelta(hours=2), dt.timedelta(hours=24)),
)


def meetup_context(meetup: Meetup, *, going: bool) -> dict:
    venue = meetup.venue
    return {
        "meetup": meetup,
        "when": wording.long_when(meetup.starts_at, meetup.circle.tz),
        "place": venue.name if venue else ("online" if meetup.meeting_link else ""),
        "address": venue.address if venue else "",
        "circle_name": meetup.circle.name,
        "circle_url": f"{settings.SITE_URL}{meetup.circle.get_absolute_url()}",
        "meetup_url": f"{settings.SITE_URL}{meetup.get_absolute_url()}",
        "meeting_link": meetup.meeting_link if going else "",
    }


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_promoted")
def notify_promoted(rsvp_id: int) -> bool:
    """Tell someone their waitlist place became a seat, if they still have it."""
    seat = (
        RSVP.objects.select_related("user", "meetup__circle", "meetup__venue")
        .filter(pk=rsvp_id, status=RSVP.Status.GOING)
        .first()
    )
    if seat is None or seat.meetup.is_cancelled or not seat.user.is_active:
        return False
    return send_once(
        key=notification_key("promoted", meetup=seat.meetup_id, user=seat.user_id),
        user=seat.user,
        template="promoted",
        context=meetup_context(seat.meetup, going=True),
    )


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_cancelled")
def notify_cancelled(meetup_id: int) -> int:
    """Tell everyone who was going that the meetup is called off; returns how many sent."""
    meetup = Meetup.objects.select_related("circle", "venue").filter(pk=meetup_id).first()
    if meetup is None or not meetup.is_cancelled:
        return 0
    context = meetup_context(meetup, going=False)
    sent = 0
    going = User.objects.filter(
        rsvps__meetup=meetup, rsvps__status=RSVP.Status.GOING, is_active=True
    )
    for user in going:
        sent += send_once(
            key=notification_key("cancelled", meetup=meetup.pk, user=user.pk),
            user=user,
            template="cancelled",
            context=context,
        )
    return sent


def due_reminders(
    *, template: str, preference: str, start: dt.timedelta, end: dt.timedelta, now: dt.datetime
) -> QuerySet[RSVP]:
    """Going RSVPs whose meetup starts in (now + start, now + end], whose person wants this
    reminder and has not been sent it yet (accounts.notify.not_yet_sent)."""
    going = RSVP.objects.filter(
        status=RSVP.Status.GOING,
        meetup__status=Meetup.Status.SCHEDULED,
        meetup__starts_at__gt=now + start,
        meetup__starts_at__lte=now + end,
        user__is_active=True,
        **{f"user__{preference}": True},
    )
    return (
        not_yet_sent(going, template, meetup="meetup_id", user="user_id")
        .select_related("user", "meetup__circle", "meetup__venue")
        .order_by("meetup__starts_at", "pk")
    )


@shared_task(base=BackgroundTask, name="meetups.tasks.send_due_reminders")
def send_due_reminders(*, now: dt.datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Send up to `batch` reminders that are due; the next scan picks up the rest.
    Beat runs it every few minutes with no arguments (peersupport/celery.py)."""
    now = now or timezone.now()
    sent = 0
    for template, preference, start, end in REMINDERS:
        due = due_reminders(template=template, preference=preference, start=start, end=end, now=now)
        for seat in due[: batch - sent]:
            sent += send_once(
                key=seat.notification_key,
                user=seat.user,
                template=template,
                context=meetup_context(seat.meetup, going=True),
            )
        if sent >= batch:
            break
    return sent
