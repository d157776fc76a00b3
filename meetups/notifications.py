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
  promoted:meetup:<id>:user:<id>               a seat opened up and is now yours
  cancelled:meetup:<id>:user:<id>              the meetup was called off
  moved:meetup:<id>:seq:<n>:user:<id>          its time or place changed (change n)
  reminder-24h:meetup:<id>:seq:<n>:user:<id>   it starts within a day
  reminder-2h:meetup:<id>:seq:<n>:user:<id>    it starts within two hours

`seq` is the meetup's SEQUENCE (meetups.Meetup.sequence), raised on every change people
see in their calendars: a second move emails again while a retried task does not, and a
reminder already sent for the old time is due again for the new one.

Subjects name only the time (reminders: the time and the place): no circle name or
topic, so an inbox preview stays discreet. A reminder's subject and first line add the
circle's name only for someone who chose it (accounts.notify.preview_context).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.background import BackgroundTask
from accounts.models import User, wanting_optional_email
from accounts.notify import not_yet_sent, notification_key, send_once
from circles import wording
from circles.models import Venue
from meetups import cant_make_it
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


def reminder_context(seat: RSVP) -> dict:
    """What a reminder says to the person holding `seat`: when, in their own zone (with the
    circle's local time too when that reads differently); where, with a map link; the
    meetup's calendar file; and their own "I can't make it" link (meetups.cant_make_it).

    The top of the message (subject, first line, preheader) names the time and the place
    only; accounts.notify.preview_context adds the circle's name for people who chose it.
    """
    meetup = seat.meetup
    circle = meetup.circle
    zone = wording.reader_zone(seat.user.timezone, circle.timezone)
    context = meetup_context(meetup, going=True)
    when = wording.long_when(meetup.starts_at, zone)
    there = wording.long_when(meetup.starts_at, circle.tz)
    place = context["place"]
    return context | {
        "when": when,
        "when_there": there if there != when else "",
        "preheader": f"{when}, {place}" if place else when,
        "map_url": meetup.venue.map_url if meetup.venue else "",
        "ics_url": f"{settings.SITE_URL}{reverse('meetups:ics', args=[meetup.pk])}",
        "cant_make_it_url": cant_make_it.url(seat),
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


def _going_or_waiting(meetup: Meetup) -> QuerySet[User]:
    """The people a change to the meetup concerns: everyone going or waitlisted."""
    return User.objects.filter(
        rsvps__meetup=meetup,
        rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
        is_active=True,
    ).order_by("pk")


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_cancelled")
def notify_cancelled(meetup_id: int) -> int:
    """Tell everyone going or waitlisted that the meetup is called off, with the
    facilitators' message (the meetup's note); returns how many were sent."""
    meetup = Meetup.objects.select_related("circle", "venue").filter(pk=meetup_id).first()
    if meetup is None or not meetup.is_cancelled:
        return 0
    context = meetup_context(meetup, going=False) | {"message": meetup.note}
    sent = 0
    for user in _going_or_waiting(meetup):
        sent += send_once(
            key=notification_key("cancelled", meetup=meetup.pk, user=user.pk),
            user=user,
            template="cancelled",
            context=context,
        )
    return sent


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_moved")
def notify_moved(
    meetup_id: int, sequence: int, was_starts_at: str, was_venue_id: int | None
) -> int:
    """Tell everyone going or waitlisted that the meetup's time or place changed (change
    number `sequence`), with where and when it was; returns how many were sent. Nothing is
    sent once the meetup was cancelled or changed again: that later change sends its own."""
    meetup = (
        Meetup.objects.select_related("circle", "venue")
        .filter(pk=meetup_id, status=Meetup.Status.SCHEDULED, sequence=sequence)
        .first()
    )
    if meetup is None:
        return 0
    tz = meetup.circle.tz
    was = dt.datetime.fromisoformat(was_starts_at)
    old_venue = Venue.objects.filter(pk=was_venue_id).first() if was_venue_id else None
    context = meetup_context(meetup, going=False) | {
        "day_was": wording.day_and_date(was, tz),
        "when_was": wording.long_when(was, tz),
        "place_was": old_venue.name if old_venue else "",
        "time_changed": was != meetup.starts_at,
        "place_changed": was_venue_id != meetup.venue_id,
    }
    sent = 0
    for user in _going_or_waiting(meetup):
        sent += send_once(
            key=notification_key("moved", meetup=meetup.pk, seq=sequence, user=user.pk),
            user=user,
            template="moved",
            context=context,
        )
    return sent


def due_reminders(
    *, template: str, preference: str, start: dt.timedelta, end: dt.timedelta, now: dt.datetime
) -> QuerySet[RSVP]:
    """Going RSVPs whose meetup starts in (now + start, now + end], whose person wants this
    reminder and has not been sent it yet for the meetup's current time (the key carries
    its sequence: accounts.notify.not_yet_sent). Whether the person wants it is
    User.wants_optional_email's rule (turned on, consent not withdrawn)."""
    going = RSVP.objects.filter(
        wanting_optional_email(preference, prefix="user__"),
        status=RSVP.Status.GOING,
        meetup__status=Meetup.Status.SCHEDULED,
        meetup__starts_at__gt=now + start,
        meetup__starts_at__lte=now + end,
        user__is_active=True,
    )
    return (
        not_yet_sent(going, template, meetup="meetup_id", seq="meetup__sequence", user="user_id")
        .select_related("user", "meetup__circle", "meetup__venue")
        .order_by("meetup__starts_at", "pk")
    )


def _still_due(seat: RSVP) -> bool:
    """The seat is still going to the scheduled meetup as the scan read it (same
    sequence), read again now."""
    return RSVP.objects.filter(
        pk=seat.pk,
        status=RSVP.Status.GOING,
        meetup__status=Meetup.Status.SCHEDULED,
        meetup__sequence=seat.meetup.sequence,
    ).exists()


@shared_task(base=BackgroundTask, name="meetups.tasks.send_due_reminders")
def send_due_reminders(*, now: dt.datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Send up to `batch` reminders that are due; the next scan picks up the rest.
    Beat runs it every few minutes with no arguments (peersupport/celery.py).

    Each reminder is checked again just before it goes: a meetup cancelled or moved, or
    a seat given up, since the scan read its rows gets no reminder for what it was (a
    moved meetup is due again under its new sequence, with its new time)."""
    now = now or timezone.now()
    sent = 0
    for template, preference, start, end in REMINDERS:
        due = due_reminders(template=template, preference=preference, start=start, end=end, now=now)
        for seat in due[: batch - sent]:
            if not _still_due(seat):
                continue
            sent += send_once(
                key=seat.notification_key,
                user=seat.user,
                template=template,
                context=reminder_context(seat),
                optional=preference,
            )
        if sent >= batch:
            break
    return sent
