"""Emails about meetups, queued once each through accounts.notify, and the tasks around them.

The shape of background work, imports running one way only:

    views -> services -> notifications -> models, accounts.notify, accounts.background

A change's email is queued in the change's own transaction: `meetups.services` calls
`queue_promoted(seat)` while it promotes, `queue_cancelled(meetup)` while it cancels,
`queue_moved(...)` while it moves, so the email rows commit with the change, or neither
does; accounts.outbox sends them afterwards. This module imports no service and no
`meetups.tasks`, so nothing here can import its way back into the code that calls it.

Reminders are found by a scan (`send_due_reminders`, beat every 5 minutes): one query
finds the due ones and hands them to `queue_reminders` in chunks, so every worker helps;
each chunk renders its messages, inserts the rows in one statement and sends them over one
SMTP connection. Tasks keep the names they had when they lived in `meetups.tasks`
(`name=`): messages already queued under those names and the beat schedule in
`peersupport/celery.py` must still find them.

Keys (unique in accounts.Notification), with when each stops being worth sending:
  promoted:meetup:<id>:user:<id>               a seat opened up; until the start
  offered:meetup:<id>:user:<id>:until:<epoch>  a last-minute seat is offered; until then
  cancelled:meetup:<id>:user:<id>              the meetup was called off; until its start
  moved:meetup:<id>:seq:<n>:user:<id>          its time or place changed; until the start
  reminder-24h:meetup:<id>:seq:<n>:user:<id>   it starts within a day; until the start
  reminder-2h:meetup:<id>:seq:<n>:user:<id>    it starts within two hours; until the start

`seq` is the meetup's SEQUENCE (meetups.Meetup.sequence), raised on every change people
see in their calendars: a second move emails again while a retried task does not, and a
reminder already sent for the old time is due again for the new one.

Moves close together make one email: a move's email waits until
meetups.services.MOVE_NOTICE_WINDOW after the first move of its burst (`move_meetup`);
every later move in that window queues its own (new sequence) for the same moment with
the same "it was on" (the time and place people were last told of), and when the moment
comes only the latest still applies (`_move_applies`): the others are marked obsolete.
A meetup that starts, or started, within meetups.services.MOVE_NOTICE_URGENT of the move
is told at once.

Each kind is checked again just before it is sent (`register_checks` at the end of this
module, through accounts.outbox.register_check): no reminder for a meetup cancelled or
moved since (another sequence), nor for someone no longer going; no promotion for a seat
given up since; no seat offer once it was taken, declined or ended; no "called off" for a
meetup that is not; no "moved" once a later change superseded it.

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
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from accounts import batch, outbox
from accounts.background import BackgroundTask
from accounts.models import Notification, User, wanting_optional_email
from accounts.notify import (
    not_yet_sent,
    notification_key,
    queue_and_send_chunk,
    queue_once,
    unsaved_message,
)
from circles import wording
from circles.models import Membership, Venue
from meetups import cant_make_it
from meetups.models import RSVP, Meetup, remember_seats

# Reminders per chunk task: rendered, inserted and sent together, on one SMTP connection.
REMINDER_CHUNK = 100

# (template and key prefix, user preference, window start, window end) before the start.
# The day-before window stops where the two-hour one begins, so a late RSVP gets one email.
REMINDERS = (
    ("reminder-2h", "remind_2h", dt.timedelta(0), dt.timedelta(hours=2)),
    ("reminder-24h", "remind_24h", dt.timedelta(hours=2), dt.timedelta(hours=24)),
)


def meetup_context(meetup: Meetup, *, reader: User | None = None) -> dict:
    """What every email about `meetup` says; the online link and the dial-in number and
    code only when `reader` may see them (meetups.see_online_link)."""
    venue = meetup.venue
    link = meetup.meeting_link
    dial_in = meetup.dial_in
    sees_link = bool(
        (link or dial_in) and reader and reader.has_perm("meetups.see_online_link", meetup)
    )
    return {
        "meetup": meetup,
        "when": wording.long_when_for_reader(meetup.starts_at, meetup.circle.tz),
        "place": venue.name
        if venue
        else (pgettext_lazy("where", "online") if link or dial_in else ""),
        "address": venue.address if venue else "",
        "circle_name": meetup.circle.name,
        "circle_url": f"{settings.SITE_URL}{meetup.circle.get_absolute_url()}",
        "meetup_url": f"{settings.SITE_URL}{meetup.get_absolute_url()}",
        "meeting_link": link if sees_link else "",
        "dial_in": dial_in if sees_link else None,
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
    context = meetup_context(meetup, reader=seat.user)
    when = wording.long_when_for_reader(meetup.starts_at, zone)
    there = wording.long_when_for_reader(meetup.starts_at, circle.tz)
    place = context["place"]
    return context | {
        "when": when,
        "when_there": there if there != when else "",
        "preheader": format_lazy("{}, {}", when, place) if place else when,
        "map_url": meetup.venue.map_url if meetup.venue else "",
        "ics_url": f"{settings.SITE_URL}{reverse('meetups:ics', args=[meetup.pk])}",
        "cant_make_it_url": cant_make_it.url(seat),
    }


def queue_promoted(seat: RSVP) -> bool:
    """Queue the email telling someone their waitlist place became a seat; called in the
    promotion's transaction (meetups.services.promote_waitlist)."""
    meetup = seat.meetup
    return queue_once(
        key=notification_key("promoted", meetup=meetup.pk, user=seat.user_id),
        user=seat.user,
        template="promoted",
        context=meetup_context(meetup, reader=seat.user),
        expires_at=meetup.starts_at,
    )


def queue_offered(seat: RSVP) -> bool:
    """Queue the email offering a last-minute seat to someone waiting, with the time to
    confirm it by; called in the offer's transaction (meetups.services.promote_waitlist).
    The link opens the meetup's page, whose button confirms (a POST). The key carries the
    offer's end, so a later offer at the same meetup is emailed too."""
    meetup = seat.meetup
    until = seat.offer_expires_at
    assert until is not None
    zone = wording.reader_zone(seat.user.timezone, meetup.circle.timezone)
    return queue_once(
        key=notification_key(
            "offered", meetup=meetup.pk, user=seat.user_id, until=int(until.timestamp())
        ),
        user=seat.user,
        template="offered",
        context=meetup_context(meetup, reader=seat.user)
        | {"until": wording.long_when_for_reader(until, zone)},
        expires_at=until,
    )


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_promoted")
def notify_promoted(rsvp_id: int) -> bool:
    """Queue the promotion email for an RSVP id, if the seat is still theirs (for hints
    queued under this name before promotions queued their email themselves)."""
    seat = (
        RSVP.objects.select_related("user", "meetup__circle", "meetup__venue")
        .filter(pk=rsvp_id, status=RSVP.Status.GOING)
        .first()
    )
    if seat is None or seat.meetup.is_cancelled or not seat.user.is_active:
        return False
    return queue_promoted(seat)


def _going_or_waiting(meetup: Meetup) -> QuerySet[User]:
    """The people a change to the meetup concerns: everyone going or waitlisted."""
    return User.objects.filter(
        rsvps__meetup=meetup,
        rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
        is_active=True,
    ).order_by("pk")


def queue_cancelled(meetup: Meetup) -> int:
    """Queue, for everyone going or waitlisted, the email saying the meetup is called off,
    with the facilitators' message (the meetup's note); returns how many were queued.
    Called in the cancellation's transaction (meetups.services.cancel_meetup)."""
    context = meetup_context(meetup) | {"message": meetup.note}
    queued = 0
    for user in _going_or_waiting(meetup):
        queued += queue_once(
            key=notification_key("cancelled", meetup=meetup.pk, user=user.pk),
            user=user,
            template="cancelled",
            context=context,
            expires_at=meetup.starts_at,
        )
    return queued


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_cancelled")
def notify_cancelled(meetup_id: int) -> int:
    """`queue_cancelled` for a meetup id (for hints queued under this name before)."""
    meetup = Meetup.objects.select_related("circle", "venue").filter(pk=meetup_id).first()
    if meetup is None or not meetup.is_cancelled:
        return 0
    return queue_cancelled(meetup)


def queue_moved(
    meetup: Meetup,
    *,
    was_starts_at: dt.datetime,
    was_venue_id: int | None,
    not_before: dt.datetime | None = None,
) -> int:
    """Queue, for everyone going or waitlisted, the email saying the meetup's time or place
    changed (its current sequence), with where and when it was; returns how many were
    queued. Called in the move's transaction (meetups.services.move_meetup), which holds
    it back until `not_before` so a later move in the same few minutes replaces it."""
    tz = meetup.circle.tz
    old_venue = Venue.objects.filter(pk=was_venue_id).first() if was_venue_id else None
    context = meetup_context(meetup) | {
        "day_was": wording.day_and_date_for_reader(was_starts_at, tz),
        "when_was": wording.long_when_for_reader(was_starts_at, tz),
        "place_was": old_venue.name if old_venue else "",
        "time_changed": was_starts_at != meetup.starts_at,
        "place_changed": was_venue_id != meetup.venue_id,
    }
    queued = 0
    for user in _going_or_waiting(meetup):
        queued += queue_once(
            key=notification_key("moved", meetup=meetup.pk, seq=meetup.sequence, user=user.pk),
            user=user,
            template="moved",
            context=context,
            expires_at=meetup.starts_at,
            not_before=not_before,
        )
    return queued


@shared_task(base=BackgroundTask, name="meetups.tasks.notify_moved")
def notify_moved(
    meetup_id: int, sequence: int, was_starts_at: str, was_venue_id: int | None
) -> int:
    """`queue_moved` for change number `sequence` of a meetup id (for hints queued under
    this name before). Nothing once the meetup was cancelled or changed again: that later
    change sends its own."""
    meetup = (
        Meetup.objects.select_related("circle", "venue")
        .filter(pk=meetup_id, status=Meetup.Status.SCHEDULED, sequence=sequence)
        .first()
    )
    if meetup is None:
        return 0
    return queue_moved(
        meetup, was_starts_at=dt.datetime.fromisoformat(was_starts_at), was_venue_id=was_venue_id
    )


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


@shared_task(
    base=BackgroundTask,
    name="meetups.tasks.send_due_reminders",
    soft_time_limit=50,
    time_limit=60,
)
def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Find every reminder that is due (one query per window) and hand them to
    `queue_reminders` in chunks of REMINDER_CHUNK, so all workers help; returns how many
    were due. Beat runs it every 5 minutes with no arguments (peersupport/celery.py); a
    scan that runs twice or late queues each reminder once (the unique key)."""
    now = now or timezone.now()
    due = 0
    for template, preference, start, end in REMINDERS:
        found = due_reminders(
            template=template, preference=preference, start=start, end=end, now=now
        )
        ids = list(found.values_list("pk", flat=True))
        for chunk in outbox.chunks(ids, REMINDER_CHUNK):
            queue_reminders.delay(template, chunk, now.isoformat())
        due += len(ids)
    return due


@shared_task(
    base=BackgroundTask,
    name="meetups.notifications.queue_reminders",
    soft_time_limit=outbox.DELIVERY_SOFT_TIME_LIMIT,
    time_limit=outbox.DELIVERY_TIME_LIMIT,
)
def queue_reminders(template: str, rsvp_ids: list[int], now: str) -> dict[str, int]:
    """Render the reminders `template` for these RSVPs that are still due as of the scan's
    `now`, insert their rows in one statement (a key that exists is skipped) and send them
    over one SMTP connection. Returns the outbox's counts for the chunk."""
    [(preference, start, end)] = [(p, s, e) for t, p, s, e in REMINDERS if t == template]
    seats = due_reminders(
        template=template,
        preference=preference,
        start=start,
        end=end,
        now=dt.datetime.fromisoformat(now),
    ).filter(pk__in=rsvp_ids)
    with batch.one_batch():
        seats = list(seats)
        # What the permission rules ask of each message (may they see the online link?),
        # read for the whole chunk in one query.
        remember_seats(seats)
        Membership.objects.remember_for((seat.meetup.circle_id, seat.user_id) for seat in seats)
        notes = [
            unsaved_message(
                key=seat.notification_key,
                user=seat.user,
                template=template,
                context=reminder_context(seat),
                expires_at=seat.meetup.starts_at,
            )
            for seat in seats
        ]
    # Just read as due (going, scheduled, this sequence): no need to check each again.
    return dict(queue_and_send_chunk(notes))


# Checked again just before sending (accounts.outbox): does the message still apply?


def _reminder_applies(preference: str) -> outbox.Check:
    def applies(note: Notification) -> bool:
        ids = note.key_parts()
        return RSVP.objects.filter(
            wanting_optional_email(preference, prefix="user__"),
            meetup_id=ids["meetup"],
            user_id=ids["user"],
            status=RSVP.Status.GOING,
            meetup__status=Meetup.Status.SCHEDULED,
            meetup__sequence=ids["seq"],
            meetup__starts_at__gt=timezone.now(),
            user__is_active=True,
        ).exists()

    return applies


def _promotion_applies(note: Notification) -> bool:
    ids = note.key_parts()
    return RSVP.objects.filter(
        meetup_id=ids["meetup"],
        user_id=ids["user"],
        status=RSVP.Status.GOING,
        meetup__status=Meetup.Status.SCHEDULED,
    ).exists()


def _offer_applies(note: Notification) -> bool:
    ids = note.key_parts()
    return RSVP.objects.filter(
        meetup_id=ids["meetup"],
        user_id=ids["user"],
        status=RSVP.Status.WAITLISTED,
        offer_expires_at__gt=timezone.now(),
        meetup__status=Meetup.Status.SCHEDULED,
    ).exists()


def _cancellation_applies(note: Notification) -> bool:
    return Meetup.objects.filter(
        pk=note.key_parts()["meetup"], status=Meetup.Status.CANCELLED
    ).exists()


def _move_applies(note: Notification) -> bool:
    ids = note.key_parts()
    return Meetup.objects.filter(
        pk=ids["meetup"], status=Meetup.Status.SCHEDULED, sequence=ids["seq"]
    ).exists()


def register_checks() -> None:
    """Called once by MeetupsConfig.ready."""
    for template, preference, _start, _end in REMINDERS:
        outbox.register_check(template, _reminder_applies(preference))
    outbox.register_check("promoted", _promotion_applies)
    outbox.register_check("offered", _offer_applies)
    outbox.register_check("cancelled", _cancellation_applies)
    outbox.register_check("moved", _move_applies)
