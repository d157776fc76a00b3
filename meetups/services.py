"""Every change to meetups and RSVPs that has a rule, one transaction each.

Capacity is kept by the database: every function that can change who is going first
locks the meetup row (`select_for_update`; on SQLite the write transaction itself is the
lock, settings use BEGIN IMMEDIATE). Whoever holds the lock reads the seat count, writes
the RSVP and moves `going_count` with an F() update, so two people pressing RSVP for the
last seat end with one `going` and one `waitlisted`. The waitlist is ordered by
`requested_at`, stamped while holding the lock, then by id (also assigned under the lock).

Regulars ("I come every week", `become_regular`) ask for a seat at every meetup ahead and
at each one made later (`seat_regulars`), each under that meetup's lock like any RSVP;
they hold at most the circle's share of seats (Circle.regular_seats), and a regular past
it waits in line for a seat within that share while the seats kept open go to the
people behind (`_next_in_line`). A seat freed less than a day before the start is
offered rather than given (`promote_waitlist`): `seats_offered` holds it for the person
until they confirm it or the offer lapses (`pass_on_lapsed_offers`), so an offered seat
is never free for anyone else.

Emails are queued in the same transaction as the change (`notifications.queue_*`, rows of
the outbox in accounts.outbox) and sent after it commits. Seats left show on cached
browse and home pages: a change to seats bumps the seats version (meetups.seats), any other
change that browse shows bumps the browse version (circles.cache).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil import rrule
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.errors import RuleError
from accounts.models import User
from circles import services as circles_services
from circles.cache import bump_browse_version
from circles.models import (
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    WEEKS_AHEAD,
    Circle,
    Membership,
    Schedule,
    Venue,
)
from circles.services import join_circle
from meetups import notifications
from meetups.models import RSVP, Meetup
from meetups.seats import bump_seats_version

NOTE_MAX_LENGTH = Meetup._meta.get_field("note").max_length
# How long one meetup may last (the same bounds as a schedule's duration).
MIN_LENGTH = dt.timedelta(minutes=MIN_DURATION_MINUTES)
MAX_LENGTH = dt.timedelta(minutes=MAX_DURATION_MINUTES)


class MeetupError(RuleError):
    """A rule about meetups or seats stopped the change."""


class RSVPError(MeetupError):
    """Someone cannot take, keep or give up a seat right now."""


def _locked(meetup: Meetup) -> Meetup:
    """The meetup row (not its circle's), locked until the surrounding transaction ends."""
    return Meetup.objects.select_for_update(of=("self",)).select_related("circle").get(pk=meetup.pk)


def _refresh(meetup: Meetup) -> None:
    """Bring the caller's instance up to date with what was just written."""
    meetup.refresh_from_db(
        fields=["going_count", "seats_offered", "capacity", "status", "sequence"]
    )


def waitlist_position(rsvp: RSVP) -> int | None:
    """1 for the first person waiting; None when the person is not on the waitlist."""
    if rsvp.status != RSVP.Status.WAITLISTED:
        return None
    ahead = RSVP.objects.filter(
        meetup_id=rsvp.meetup_id, status=RSVP.Status.WAITLISTED, requested_at__lt=rsvp.requested_at
    ).count()
    ties_ahead = RSVP.objects.filter(
        meetup_id=rsvp.meetup_id,
        status=RSVP.Status.WAITLISTED,
        requested_at=rsvp.requested_at,
        pk__lt=rsvp.pk,
    ).count()
    return ahead + ties_ahead + 1


def rsvp(*, user: User, meetup: Meetup) -> RSVP:
    """Ask for a seat. Rules: a verified email, an active membership of the circle, a
    scheduled meetup that has not started. `going` while a seat is free that nobody
    waiting may take first (`_ask_for_seat`), otherwise `waitlisted`. Asking again while
    going or waiting changes nothing (a double click makes one RSVP); asking again after
    cancelling reuses the same row, at the back of the queue. A waitlisted seat carries
    its `position` (1 = first waiting). Raises Meetup.DoesNotExist for an unknown meetup.
    """
    with transaction.atomic():
        locked = _locked(meetup)
        # Everything below is read after the lock is held, so it sees what the previous
        # holder committed (a double click's first RSVP, the seat someone just took).
        if not user.has_verified_email():
            raise RSVPError(_("Please confirm your email address first, then RSVP."))
        if locked.is_cancelled:
            raise RSVPError(_("This meetup has been cancelled, so it isn't taking RSVPs."))
        if locked.has_started():
            raise RSVPError(_("RSVPs closed when this meetup started."))
        if not locked.circle.is_active_member(user):
            raise RSVPError(_("Only members of this circle can RSVP to its meetups."))
        seat = _ask_for_seat(user=user, locked=locked, regular=False)
        for field in ("going_count", "seats_offered", "capacity", "status", "sequence"):
            setattr(meetup, field, getattr(locked, field))
    return seat


def _free_seats(meetup: Meetup) -> int:
    """Seats nobody holds: not taken, not offered (possibly negative after capacity was
    lowered)."""
    return meetup.capacity - meetup.going_count - meetup.seats_offered


def _regular_room(locked: Meetup) -> int:
    """How many more seats regulars may hold at the meetup (Circle.regular_seats): seats
    they hold and seats offered to them count."""
    held = locked.rsvps.filter(regular=True).filter(
        Q(status=RSVP.Status.GOING)
        | Q(status=RSVP.Status.WAITLISTED, offer_expires_at__isnull=False)
    )
    return locked.circle.regular_seats(locked.capacity) - held.count()


def _next_in_line(locked: Meetup, seats: int) -> list[RSVP]:
    """Who the next `seats` free seats go to: people waiting with no offer, in the order
    they asked, except regulars while regulars already hold their share (they stay in line
    for a seat within it, and the seats kept open go to the people behind them)."""
    if seats <= 0:
        return []
    queue = locked.rsvps.filter(
        status=RSVP.Status.WAITLISTED, offer_expires_at__isnull=True
    ).order_by("requested_at", "pk")
    room: int | None = None
    chosen: list[RSVP] = []
    for seat in queue.select_related("user"):
        if seat.regular:
            room = _regular_room(locked) if room is None else room
            if room <= 0:
                continue
            room -= 1
        chosen.append(seat)
        if len(chosen) == seats:
            break
    return chosen


def _ask_for_seat(*, user: User, locked: Meetup, regular: bool) -> RSVP:
    """`user` asks for a seat at `locked` (a meetup whose row lock is held; the caller
    checked who may ask). Going while a seat is free that nobody waiting may take before
    them, and, for a seat taken as a regular, while regulars hold fewer than their share;
    otherwise waitlisted. A seat or place held already is kept as it is; a cancelled RSVP
    is reused, at the back of the queue."""
    seat = RSVP.objects.filter(meetup=locked, user=user).first()
    if seat is not None and seat.status != RSVP.Status.CANCELLED:
        return seat
    # Nobody who could take a free seat is passed over (a regular past the share cannot).
    going = _free_seats(locked) > 0 and not _next_in_line(locked, 1)
    if going and regular:
        going = _regular_room(locked) > 0
    status = RSVP.Status.GOING if going else RSVP.Status.WAITLISTED
    # Stamped under the lock: everyone already waiting is ahead.
    now = timezone.now()
    if seat is None:
        seat = RSVP.objects.create(
            meetup=locked, user=user, status=status, requested_at=now, regular=regular
        )
    else:
        seat.meetup = locked
        seat.status, seat.requested_at, seat.attended = status, now, None
        seat.regular, seat.offer_expires_at = regular, None
        seat.save(
            update_fields=[
                "status",
                "requested_at",
                "attended",
                "regular",
                "offer_expires_at",
                "updated_at",
            ]
        )
    seat.position = None if going else waitlist_position(seat)
    if going:
        Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") + 1)
        locked.going_count += 1
        bump_seats_version()
    return seat


def join_and_rsvp(*, user: User, meetup: Meetup, accept_guidelines: bool) -> RSVP:
    """A visitor to an open circle joins it (accepting its guidelines) and asks for a seat
    in one step; if the RSVP is refused, the joining is undone too. Who may join this way
    is `Circle.join_refusal(at_once=True)`: approval circles need an active membership
    first."""
    circle = meetup.circle
    if circle.is_active_member(user):
        return rsvp(user=user, meetup=meetup)
    refusal = circle.join_refusal(user, at_once=True)
    if refusal is not None:
        raise RSVPError(refusal)
    with transaction.atomic():
        join_circle(user=user, circle=circle, accept_guidelines=accept_guidelines)
        return rsvp(user=user, meetup=meetup)


def cancel_rsvp(*, user: User, meetup: Meetup) -> RSVP:
    """Give up a seat or a waitlist place any time before the start. A freed seat goes at
    once to the first person waiting, who is emailed. Cancelling twice is harmless."""
    with transaction.atomic():
        locked = _locked(meetup)
        seat = RSVP.objects.filter(meetup=locked, user=user).first()
        if seat is None:
            raise RSVPError(_("You don't have an RSVP for this meetup."))
        if seat.status == RSVP.Status.CANCELLED:
            return seat
        if locked.has_started() and not locked.is_cancelled:
            raise RSVPError(_("This meetup has already started, so the RSVP can't be cancelled."))
        was_going = seat.status == RSVP.Status.GOING
        was_offered = seat.status == RSVP.Status.WAITLISTED and seat.offer_expires_at is not None
        seat.status, seat.offer_expires_at = RSVP.Status.CANCELLED, None
        seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
        if was_going:
            Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") - 1)
        if was_offered:
            Meetup.objects.filter(pk=locked.pk).update(seats_offered=F("seats_offered") - 1)
        if was_going or was_offered:
            promote_waitlist(meetup=locked)
        _refresh(meetup)
        bump_seats_version()
    return seat


# A seat that frees this close to the start is offered to the first person waiting, who
# confirms it, rather than given at once (when the circle has an offer window).
LAST_MINUTE = dt.timedelta(hours=24)


def promote_waitlist(*, meetup: Meetup) -> list[RSVP]:
    """Fill free seats from the front of the waitlist (`_next_in_line`) and email each
    person chosen. Nobody is chosen for a cancelled or already started meetup.

    Earlier than LAST_MINUTE before the start, or in a circle that gives seats at once
    (`offer_window_minutes` 0), each person chosen is going at once. Later, each is
    offered the seat: it is held for them (`seats_offered`, counted as taken) until they
    confirm it (`claim_offered_seat`) or the circle's offer window ends, never past the
    start; an offer not confirmed passes on (`pass_on_lapsed_offers`)."""
    promoted: list[RSVP] = []
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled or locked.has_started():
            return promoted
        chosen = _next_in_line(locked, _free_seats(locked))
        if not chosen:
            return promoted
        now = timezone.now()
        window = dt.timedelta(minutes=locked.circle.offer_window_minutes)
        offering = window > dt.timedelta(0) and locked.starts_at - now < LAST_MINUTE
        for seat in chosen:
            seat.meetup = locked
            if offering:
                seat.offer_expires_at = min(now + window, locked.starts_at)
                seat.save(update_fields=["offer_expires_at", "updated_at"])
                notifications.queue_offered(seat)
            else:
                seat.status = RSVP.Status.GOING
                seat.save(update_fields=["status", "updated_at"])
                notifications.queue_promoted(seat)
            promoted.append(seat)
        if offering:
            Meetup.objects.filter(pk=locked.pk).update(
                seats_offered=F("seats_offered") + len(chosen)
            )
        else:
            Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") + len(chosen))
        bump_seats_version()
        _refresh(meetup)
    return promoted


def claim_offered_seat(*, user: User, meetup: Meetup) -> RSVP:
    """Confirm a last-minute seat offered to `user` (`promote_waitlist`): going, while the
    offer stands (not past its time, the meetup scheduled and not started) and they are in
    the circle. Confirming twice changes nothing. Raises Meetup.DoesNotExist for an
    unknown meetup."""
    with transaction.atomic():
        locked = _locked(meetup)
        seat = RSVP.objects.filter(meetup=locked, user=user).first()
        if seat is not None and seat.status == RSVP.Status.GOING:
            return seat
        if (
            seat is None
            or not seat.has_open_offer()
            or locked.is_cancelled
            or locked.has_started()
            or not locked.circle.is_active_member(user)
        ):
            raise RSVPError(
                _("This seat offer has passed, so the seat went to the next person waiting.")
            )
        seat.status, seat.offer_expires_at = RSVP.Status.GOING, None
        seat.save(update_fields=["status", "offer_expires_at", "updated_at"])
        Meetup.objects.filter(pk=locked.pk).update(
            going_count=F("going_count") + 1, seats_offered=F("seats_offered") - 1
        )
        _refresh(meetup)
        bump_seats_version()
    return seat


def pass_on_lapsed_offers(*, now: dt.datetime | None = None) -> int:
    """End every seat offer not confirmed by its time and offer the seat to the next
    person waiting (`promote_waitlist`); returns how many offers ended. Whoever let an
    offer lapse leaves that meetup's waitlist (they may RSVP again, at the back).

    All state is in the database: this only looks for offers whose time has passed, each
    meetup's under its row lock, so running it twice, late, or after a worker died halfway
    ends each offer once and never gives a seat twice."""
    now = now or timezone.now()
    lapsed_at = (
        RSVP.objects.filter(status=RSVP.Status.WAITLISTED, offer_expires_at__lte=now)
        .values_list("meetup_id", flat=True)
        .distinct()
    )
    ended = 0
    for meetup_id in list(lapsed_at):
        with transaction.atomic():
            locked = _locked(Meetup(pk=meetup_id))
            lapsed = list(
                locked.rsvps.filter(status=RSVP.Status.WAITLISTED, offer_expires_at__lte=now)
            )
            if not lapsed:
                continue
            RSVP.objects.filter(pk__in=[seat.pk for seat in lapsed]).update(
                status=RSVP.Status.CANCELLED, offer_expires_at=None, updated_at=timezone.now()
            )
            Meetup.objects.filter(pk=locked.pk).update(
                seats_offered=F("seats_offered") - len(lapsed)
            )
            locked.seats_offered -= len(lapsed)
            promote_waitlist(meetup=locked)
            bump_seats_version()
            ended += len(lapsed)
    return ended


def set_capacity(*, meetup: Meetup, capacity: int, by: User) -> Meetup:
    """Change how many seats there are. Raising it promotes people from the waitlist;
    lowering it never removes anyone already going (new RSVPs wait until seats free up)."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise MeetupError(
            gettext("Capacity must be between 1 and {most}.").format(most=MAX_CAPACITY)
        )
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled:
            raise MeetupError(_("This meetup has been cancelled."))
        Meetup.objects.filter(pk=locked.pk).update(capacity=capacity, updated_at=timezone.now())
        locked.capacity = capacity
        promote_waitlist(meetup=locked)
        _refresh(meetup)
        bump_seats_version()
    return meetup


def cancel_meetup(*, meetup: Meetup, by: User, message: str = "") -> Meetup:
    """Call a meetup off, with an optional message from the facilitators (kept as the
    meetup's note and shown on its page). Everyone going or waitlisted is emailed once,
    with the message; calendars see SEQUENCE raised and STATUS:CANCELLED. RSVPs are kept
    as they were, so people can see what was cancelled. Cancelling twice changes nothing."""
    message = message.strip()
    if len(message) > NOTE_MAX_LENGTH:
        raise MeetupError(
            gettext("Please keep the message under {count} characters.").format(
                count=NOTE_MAX_LENGTH
            )
        )
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled:
            return meetup
        if locked.has_started():
            raise MeetupError(_("This meetup has already started."))
        changes: dict[str, object] = {"note": message} if message else {}
        Meetup.objects.filter(pk=locked.pk).update(
            status=Meetup.Status.CANCELLED,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
            **changes,
        )
        _refresh(meetup)
        if message:
            meetup.note = message
        notifications.queue_cancelled(meetup)
        bump_browse_version()
    return meetup


def move_meetup(
    *,
    meetup: Meetup,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None,
    by: User,
) -> Meetup:
    """Change when or where one meetup happens.

    Rules: only the circle's facilitators; never a cancelled meetup or one that has
    started; the new start is in the future, the end comes 15 minutes to 8 hours after
    it; an in-person meetup keeps a venue; two meetups of one schedule never start at the
    same moment. RSVPs are kept as they are (going stays going, the waitlist keeps its
    order): everyone going or waitlisted is emailed once for this change, and may cancel
    if the new time does not suit them. SEQUENCE rises, so calendars update the entry
    they already have and reminders are due again for the new time (their keys carry the
    sequence). Moving a meetup to the time and place it already has changes nothing and
    sends nothing, so pressing the button twice emails once.
    """
    if ends_at <= starts_at:
        raise MeetupError(_("A meetup has to end after it starts."))
    if not MIN_LENGTH <= ends_at - starts_at <= MAX_LENGTH:
        raise MeetupError(
            gettext("A meetup lasts between %(least)d minutes and %(most)d hours.")
            % {"least": MIN_DURATION_MINUTES, "most": MAX_DURATION_MINUTES // 60}
        )
    if starts_at <= timezone.now():
        raise MeetupError(_("Please pick a time in the future."))
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled:
            raise MeetupError(_("This meetup has been cancelled."))
        if locked.has_started():
            raise MeetupError(_("This meetup has already started."))
        if venue is None and locked.circle.format == Circle.Format.IN_PERSON:
            raise MeetupError(_("An in-person meetup needs a venue."))
        venue_id = venue.pk if venue else None
        if (locked.starts_at, locked.ends_at, locked.venue_id) == (starts_at, ends_at, venue_id):
            return meetup
        if (
            locked.schedule_id is not None
            and Meetup.objects.filter(schedule_id=locked.schedule_id, starts_at=starts_at)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise MeetupError(_("Another meetup of this series already starts at that time."))
        notice = _move_notice(locked, starts_at=starts_at)
        Meetup.objects.filter(pk=locked.pk).update(
            starts_at=starts_at,
            ends_at=ends_at,
            venue=venue,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
            move_notice_at=notice.at,
            move_notice_was_starts_at=notice.was_starts_at,
            move_notice_was_venue_id=notice.was_venue_id,
        )
        meetup.refresh_from_db(fields=["starts_at", "ends_at", "venue", "sequence", "updated_at"])
        # Moved back to what people were last told: the emails waiting say nothing new.
        if (notice.was_starts_at, notice.was_venue_id) != (starts_at, venue_id):
            notifications.queue_moved(
                meetup,
                was_starts_at=notice.was_starts_at,
                was_venue_id=notice.was_venue_id,
                not_before=notice.at if notice.at > timezone.now() else None,
            )
        bump_browse_version()
    return meetup


# Moves of one meetup within this long of the first make one email, sent when it ends
# with the latest time and place (meetups.notifications).
MOVE_NOTICE_WINDOW = dt.timedelta(minutes=5)
# A meetup starting (before or after the move) within this long is told at once.
MOVE_NOTICE_URGENT = dt.timedelta(hours=2)


@dataclass(frozen=True)
class MoveNotice:
    at: dt.datetime
    was_starts_at: dt.datetime
    was_venue_id: int | None


def _move_notice(meetup: Meetup, *, starts_at: dt.datetime) -> MoveNotice:
    """When the email about moving `meetup` (locked, not yet moved) to `starts_at` goes
    out, and what it says the meetup was: a move within the window of an earlier one
    joins its email (same moment, same "was"); otherwise a new window opens now, unless
    the meetup is close, when it is told at once."""
    now = timezone.now()
    if meetup.move_notice_at is not None and meetup.move_notice_at > now:
        return MoveNotice(
            at=meetup.move_notice_at,
            was_starts_at=meetup.move_notice_was_starts_at or meetup.starts_at,
            was_venue_id=meetup.move_notice_was_venue_id,
        )
    soon = min(meetup.starts_at, starts_at) - now < MOVE_NOTICE_URGENT
    return MoveNotice(
        at=now if soon else now + MOVE_NOTICE_WINDOW,
        was_starts_at=meetup.starts_at,
        was_venue_id=meetup.venue_id,
    )


def mark_attendance(*, meetup: Meetup, user: User, attended: bool, by: User) -> RSVP:
    """Whoever hosts the meetup (meetups.host_meetup, checked by the caller) records who
    came, from the start time on, for people with a seat."""
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled:
            raise MeetupError(_("This meetup was cancelled."))
        if not locked.has_started():
            raise MeetupError(_("Attendance can be marked once the meetup has started."))
        seat = RSVP.objects.filter(meetup=locked, user=user, status=RSVP.Status.GOING).first()
        if seat is None:
            raise MeetupError(_("That person didn't have a seat at this meetup."))
        seat.attended = attended
        seat.save(update_fields=["attended", "updated_at"])
    return seat


def occurrences(schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """Local wall-clock start times from `start` to `end` inclusive, in the circle's zone.

    The rule runs on naive local times and each result is given the zone afterwards, so
    6:30 pm stays 6:30 pm on both sides of a daylight-saving change.
    """
    weekday = rrule.weekday(schedule.weekday)
    anchor = dt.datetime.combine(schedule.starts_on, schedule.start_time)
    if schedule.frequency == Schedule.Frequency.MONTHLY:
        rule = rrule.rrule(
            rrule.MONTHLY, dtstart=anchor, byweekday=weekday(schedule.week_of_month or 1)
        )
    else:
        interval = 2 if schedule.frequency == Schedule.Frequency.BIWEEKLY else 1
        rule = rrule.rrule(rrule.WEEKLY, dtstart=anchor, interval=interval, byweekday=weekday)
    window_start = dt.datetime.combine(start, dt.time.min)
    window_end = dt.datetime.combine(end, dt.time.max)
    tz = schedule.circle.tz
    return [when.replace(tzinfo=tz) for when in rule.between(window_start, window_end, inc=True)]


def _make_meetup(schedule: Schedule, starts_at: dt.datetime, *, regulars: bool = True) -> bool:
    """The schedule's meetup at `starts_at`, made from its venue, length and capacity
    unless it exists already, with a seat for each of the circle's regulars
    (`seat_regulars`; `regulars=False`: the caller read that the circle has none); True
    when it was made."""
    meetup, made = Meetup.objects.get_or_create(
        schedule=schedule,
        starts_at=starts_at,
        defaults={
            "circle": schedule.circle,
            "venue": schedule.venue,
            "ends_at": starts_at + dt.timedelta(minutes=schedule.duration_minutes),
            "capacity": schedule.capacity,
        },
    )
    if made and regulars:
        seat_regulars(meetup=meetup)
    return made


def extend_schedule(*, schedule: Schedule, until: dt.date) -> int:
    """Create the missing meetups of a schedule up to `until` (a date in the circle's zone,
    capped by the schedule's own end date) and return how many were made. Past dates are
    skipped. Each date is made once: a run starts after the schedule's `generated_through`,
    so a meetup that was moved to another time is not made again at its first time, and
    running it again creates nothing (one meetup per (schedule, start) is also a unique
    constraint). A meetup that was cancelled stays cancelled."""
    circle = schedule.circle
    if circle.status != Circle.Status.ACTIVE:
        return 0
    end = min(until, schedule.until) if schedule.until else until
    now = timezone.now()
    start = max(schedule.starts_on, circle.today(now))
    if schedule.generated_through is not None:
        start = max(start, schedule.generated_through + dt.timedelta(days=1))
    created = 0
    with transaction.atomic():
        # Read once for the whole run: most circles have no regulars (a new one never).
        regulars = circle.memberships.regulars().exists()
        for local_start in occurrences(schedule, start, end):
            starts_at = local_start.astimezone(dt.UTC)
            if starts_at <= now:
                continue
            created += _make_meetup(schedule, starts_at, regulars=regulars)
        if schedule.generated_through is None or schedule.generated_through < end:
            Schedule.objects.filter(pk=schedule.pk).update(generated_through=end)
            schedule.generated_through = end
        if created:
            bump_browse_version()
    return created


# Two meetups in a series change pair up only when less than a week apart.
PAIR_WITHIN = dt.timedelta(days=7)


@dataclass
class SeriesReplan:
    """What happened to the meetups of a series from the day it changed."""

    kept: list[Meetup] = field(default_factory=list)
    moved: list[Meetup] = field(default_factory=list)
    cancelled: list[Meetup] = field(default_factory=list)
    added: list[Meetup] = field(default_factory=list)


def _pair(meetups: list[Meetup], starts: list[dt.datetime]) -> dict[int, dt.datetime]:
    """Old meetups paired with new start times, closest pairs first, each used once, never
    a week or more apart: {meetup id: new start}. Ties go to the earlier meetup."""
    candidates = sorted(
        (abs(m.starts_at - start), m.starts_at, start, m.pk)
        for m in meetups
        for start in starts
        if abs(m.starts_at - start) < PAIR_WITHIN
    )
    paired: dict[int, dt.datetime] = {}
    taken: set[dt.datetime] = set()
    for _distance, _starts_at, start, pk in candidates:
        if pk in paired or start in taken:
            continue
        paired[pk] = start
        taken.add(start)
    return paired


def replan_series(
    *, old: Schedule, new: Schedule, weeks: int = WEEKS_AHEAD, by: User, message: str
) -> SeriesReplan:
    """Hand the meetups of `old` from `new.starts_on` on over to `new`, its replacement
    (made by hosting's "change this and the following meetups").

    The rule, for the meetups of the old schedule on or after that date:

    - The new schedule's start times up to `weeks` weeks ahead are paired with the old
      meetups, closest first, never a week or more apart (weekly Tuesday to weekly
      Wednesday pairs each Tuesday with the next day; weekly to every other week leaves
      every second week unpaired).
    - An old meetup at exactly its new start, length and venue is kept as it is, with its
      RSVPs; it now belongs to the new schedule (capacity follows the new schedule:
      raised seats go to the waitlist, lowered ones never remove anyone going).
    - An old meetup paired with another start, length or venue is moved there
      (`move_meetup`: RSVPs kept, everyone going or waitlisted emailed, calendars updated).
    - An old meetup with no pair is cancelled with `message` (`cancel_meetup`: everyone
      going or waitlisted emailed, calendars show it cancelled).
    - An old meetup that was already cancelled stays cancelled, and the start it pairs
      with stays free: a week that was called off is not brought back.
    - A new start left without a pair gets a new meetup.

    The new schedule then counts as made through the window, so the daily extension goes
    on after it.
    """
    circle = new.circle
    tz = circle.tz
    now = timezone.now()
    replan = SeriesReplan()
    with transaction.atomic():
        day_start = dt.datetime.combine(new.starts_on, dt.time.min, tzinfo=tz)
        meetups = list(
            Meetup.objects.select_for_update(of=("self",))
            .select_related("circle", "venue")
            .filter(schedule=old, starts_at__gte=day_start)
            .order_by("starts_at")
        )
        end = circle.today(now) + dt.timedelta(weeks=weeks)
        if meetups:
            # Far enough that the last old meetup can find its pair.
            end = max(end, meetups[-1].local_start.date() + PAIR_WITHIN)
        if new.until:
            end = min(end, new.until)
        starts = [
            local.astimezone(dt.UTC)
            for local in occurrences(new, new.starts_on, end)
            if local > now
        ]
        paired = _pair(meetups, starts)
        length = dt.timedelta(minutes=new.duration_minutes)
        for meetup in meetups:
            start = paired.get(meetup.pk)
            if meetup.is_cancelled:
                continue
            if start is None:
                cancel_meetup(meetup=meetup, by=by, message=message)
                replan.cancelled.append(meetup)
                continue
            Meetup.objects.filter(pk=meetup.pk).update(schedule=new)
            meetup.schedule = new
            if (meetup.starts_at, meetup.ends_at, meetup.venue_id) == (
                start,
                start + length,
                new.venue_id,
            ):
                replan.kept.append(meetup)
            else:
                move_meetup(
                    meetup=meetup, starts_at=start, ends_at=start + length, venue=new.venue, by=by
                )
                replan.moved.append(meetup)
            if meetup.capacity != new.capacity:
                set_capacity(meetup=meetup, capacity=new.capacity, by=by)
        for start in sorted(set(starts) - set(paired.values())):
            if _make_meetup(new, start):
                replan.added.append(Meetup.objects.get(schedule=new, starts_at=start))
        Schedule.objects.filter(pk=new.pk).update(generated_through=end)
        new.generated_through = end
        bump_browse_version()
    return replan


def extend_all_schedules(*, weeks: int = WEEKS_AHEAD) -> int:
    """Make sure every active circle's current schedules have meetups `weeks` weeks
    ahead."""
    created = 0
    # Ended schedules make no more meetups (extend_schedule stops at `until`): skipped.
    schedules = (
        Schedule.objects.current()
        .filter(circle__status=Circle.Status.ACTIVE)
        .select_related("circle", "venue")
    )
    for schedule in schedules:
        until = schedule.circle.today() + dt.timedelta(weeks=weeks)
        created += extend_schedule(schedule=schedule, until=until)
    return created


# Regulars: "I come every week"


def seat_regulars(*, meetup: Meetup) -> list[RSVP]:
    """Ask for a seat at `meetup` for each regular of its circle (Membership.is_regular),
    the longest-standing first: going while regulars hold fewer than their share
    (Circle.regular_seats) and a seat is free, waitlisted otherwise. A regular who already
    has an RSVP there keeps it as it is. Nothing for a meetup that is cancelled or has
    started."""
    seats: list[RSVP] = []
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled or locked.has_started():
            return seats
        regulars = (
            locked.circle.memberships.regulars()
            .filter(user__is_active=True)
            .select_related("user")
            .order_by("regular_since", "pk")
        )
        for membership in regulars:
            seats.append(_ask_for_seat(user=membership.user, locked=locked, regular=True))
        _refresh(meetup)
    return seats


def _locked_membership(*, user: User, circle: Circle) -> Membership | None:
    return Membership.objects.select_for_update().filter(user=user, circle=circle).first()


def become_regular(*, user: User, circle: Circle) -> Membership:
    """ "I come every week": an active member with a verified email holds a seat at every
    upcoming meetup of the circle (`seat_regulars` does the same for each meetup made
    later), each taken as a one-off RSVP is, under the meetup's lock: going while
    regulars hold fewer than their share and a seat is free, waitlisted otherwise. Seats
    and places they already hold are kept as they are. Pressing it twice changes nothing.
    It lasts until they stop (`stop_being_regular`), leave or are removed
    (`give_up_seats`)."""
    with transaction.atomic():
        membership = _locked_membership(user=user, circle=circle)
        if not user.has_verified_email():
            raise RSVPError(_("Please confirm your email address first, then RSVP."))
        if membership is None or membership.status != Membership.Status.ACTIVE:
            raise RSVPError(_("Only members of this circle can come every week."))
        if membership.regular_since is not None:
            return membership
        membership.regular_since = timezone.now()
        membership.save(update_fields=["regular_since", "updated_at"])
        # In start order, as every lock of several meetups is taken, so two at once never
        # wait for each other.
        for meetup in circle.meetups.upcoming():
            locked = _locked(meetup)
            if not locked.is_cancelled and not locked.has_started():
                _ask_for_seat(user=user, locked=locked, regular=True)
    return membership


def stop_being_regular(*, user: User, circle: Circle) -> Membership | None:
    """Stop coming every week: no seat is taken at new meetups, and the seats and places
    taken as a regular at upcoming meetups are given up (`cancel_rsvp`, so each freed seat
    goes to the next person waiting); RSVPs made one by one are kept. Stopping twice
    changes nothing."""
    with transaction.atomic():
        membership = _locked_membership(user=user, circle=circle)
        if membership is None or membership.regular_since is None:
            return membership
        membership.regular_since = None
        membership.save(update_fields=["regular_since", "updated_at"])
        upcoming = circle.meetups.upcoming().filter(
            rsvps__user=user,
            rsvps__regular=True,
            rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
        )
        for meetup in upcoming:
            cancel_rsvp(user=user, meetup=meetup)
    return membership


def give_up_seats(*, user: User, circle: Circle) -> list[RSVP]:
    """Cancel `user`'s RSVPs to the circle's upcoming meetups, seats and waitlist places
    alike, through `cancel_rsvp`: each freed seat goes to the first person waiting, and
    they stop being a regular. Done when someone leaves a circle or is removed from it;
    with no seat left they no longer see the online link (shown to people going only).
    Someone no longer in the circle hosts none of its meetups ahead either: those go back
    to its facilitators (`Meetup.host` cleared on the meetups ahead; meetups.host_meetup
    asks for an active membership too, so past ones are closed to them as well)."""
    given_up: list[RSVP] = []
    with transaction.atomic():
        # No longer a regular either.
        Membership.objects.filter(user=user, circle=circle).update(regular_since=None)
        circle.meetups.upcoming().filter(host=user).update(host=None, updated_at=timezone.now())
        upcoming = circle.meetups.upcoming().filter(
            rsvps__user=user, rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
        )
        for meetup in upcoming:
            given_up.append(cancel_rsvp(user=user, meetup=meetup))
    return given_up


def leave_circle(*, user: User, circle: Circle) -> Membership:
    """Leave a circle (circles.services.leave_circle and its rules) and give up every seat
    at its upcoming meetups (`give_up_seats`), both or neither."""
    with transaction.atomic():
        membership = circles_services.leave_circle(user=user, circle=circle)
        give_up_seats(user=user, circle=circle)
    return membership


def call_off_upcoming_meetups(*, circle: Circle, by: User) -> list[Meetup]:
    """Cancel every upcoming meetup of a circle that is pausing or closing, each through
    `cancel_meetup` (everyone going is told once; calendars see it cancelled).

    Each one also lets go of its place in its schedule: one meetup per schedule and start
    is a rule (a meetup a facilitator called off is not made again), but these were called
    off because the whole circle stopped, so a circle that resumes meets on those dates
    again, as new meetups with their own RSVPs: its schedules count as generated only up to
    yesterday (see `extend_schedule`).
    """
    cancelled: list[Meetup] = []
    yesterday = circle.today() - dt.timedelta(days=1)
    with transaction.atomic():
        for meetup in circle.meetups.upcoming().select_related("circle"):
            cancelled.append(cancel_meetup(meetup=meetup, by=by))
        Meetup.objects.filter(pk__in=[m.pk for m in cancelled]).update(schedule=None)
        circle.schedules.filter(generated_through__gt=yesterday).update(generated_through=yesterday)
    return cancelled
