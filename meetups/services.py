"""Every change to meetups and RSVPs that has a rule, one transaction each.

Capacity is kept by the database: every function that can change who is going first
locks the meetup row (`select_for_update`; on SQLite the write transaction itself is the
lock, settings use BEGIN IMMEDIATE). Whoever holds the lock reads the seat count, writes
the RSVP and moves `going_count` with an F() update, so two people pressing RSVP for the
last seat end with one `going` and one `waitlisted`. The waitlist is ordered by
`requested_at`, stamped while holding the lock, then by id (also assigned under the lock).

Emails are enqueued only after commit (`delay_on_commit`). Seats left show on cached
browse and home pages: a change to seats bumps the seats version (meetups.seats), any other
change that browse shows bumps the browse version (circles.cache).
"""

from __future__ import annotations

import datetime as dt

from dateutil import rrule
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from circles import services as circles_services
from circles.cache import bump_browse_version
from circles.models import Circle, Membership, Schedule
from circles.services import CircleError, join_circle
from meetups import notifications
from meetups.models import RSVP, Meetup
from meetups.seats import bump_seats_version

MAX_CAPACITY = 500


class MeetupError(Exception):
    """A rule stopped the change; `message` is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RSVPError(MeetupError):
    """Someone cannot take, keep or give up a seat right now."""


class NotAllowed(MeetupError):
    """Only the circle's facilitators (or moderators) may do this; marking who came, also
    the meetup's host in rotation."""


def _locked(meetup: Meetup) -> Meetup:
    """The meetup row (not its circle's), locked until the surrounding transaction ends."""
    return Meetup.objects.select_for_update(of=("self",)).select_related("circle").get(pk=meetup.pk)


def _refresh(meetup: Meetup) -> None:
    """Bring the caller's instance up to date with what was just written."""
    meetup.refresh_from_db(fields=["going_count", "capacity", "status", "sequence"])


def _ensure_can_manage(*, meetup: Meetup, by: User) -> None:
    if not meetup.circle.can_manage(by):
        raise NotAllowed("Only this circle's facilitators can change its meetups.")


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
    scheduled meetup that has not started. `going` while a seat is left and nobody is
    waiting, otherwise `waitlisted`. Asking again while going or waiting changes nothing
    (a double click makes one RSVP); asking again after cancelling reuses the same row, at
    the back of the queue. A waitlisted seat carries its `position` (1 = first waiting).
    Raises Meetup.DoesNotExist for an unknown meetup.
    """
    with transaction.atomic():
        locked = _locked(meetup)
        # Everything below is read after the lock is held, so it sees what the previous
        # holder committed (a double click's first RSVP, the seat someone just took).
        if not user.has_verified_email():
            raise RSVPError("Please confirm your email address first, then RSVP.")
        if locked.is_cancelled:
            raise RSVPError("This meetup has been cancelled, so it isn't taking RSVPs.")
        if locked.has_started():
            raise RSVPError("RSVPs closed when this meetup started.")
        if not locked.circle.is_active_member(user):
            raise RSVPError("Only members of this circle can RSVP to its meetups.")
        seat = RSVP.objects.filter(meetup=locked, user=user).first()
        if seat is not None and seat.status != RSVP.Status.CANCELLED:
            return seat
        waiting = locked.rsvps.filter(status=RSVP.Status.WAITLISTED).count()
        going = locked.going_count < locked.capacity and not waiting
        status = RSVP.Status.GOING if going else RSVP.Status.WAITLISTED
        # Stamped under the lock: everyone already waiting is ahead.
        now = timezone.now()
        if seat is None:
            seat = RSVP.objects.create(meetup=locked, user=user, status=status, requested_at=now)
        else:
            seat.meetup = locked
            seat.status, seat.requested_at, seat.attended = status, now, None
            seat.save(update_fields=["status", "requested_at", "attended", "updated_at"])
        seat.position = None if going else waiting + 1
        if going:
            Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") + 1)
            locked.going_count += 1
            bump_seats_version()
        for field in ("going_count", "capacity", "status", "sequence"):
            setattr(meetup, field, getattr(locked, field))
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
        try:
            join_circle(user=user, circle=circle, accept_guidelines=accept_guidelines)
        except CircleError as exc:
            raise RSVPError(exc.message) from exc
        return rsvp(user=user, meetup=meetup)


def cancel_rsvp(*, user: User, meetup: Meetup) -> RSVP:
    """Give up a seat or a waitlist place any time before the start. A freed seat goes at
    once to the first person waiting, who is emailed. Cancelling twice is harmless."""
    with transaction.atomic():
        locked = _locked(meetup)
        seat = RSVP.objects.filter(meetup=locked, user=user).first()
        if seat is None:
            raise RSVPError("You don't have an RSVP for this meetup.")
        if seat.status == RSVP.Status.CANCELLED:
            return seat
        if locked.has_started() and not locked.is_cancelled:
            raise RSVPError("This meetup has already started, so the RSVP can't be cancelled.")
        was_going = seat.status == RSVP.Status.GOING
        seat.status = RSVP.Status.CANCELLED
        seat.save(update_fields=["status", "updated_at"])
        if was_going:
            Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") - 1)
            promote_waitlist(meetup=locked)
        _refresh(meetup)
        bump_seats_version()
    return seat


def promote_waitlist(*, meetup: Meetup) -> list[RSVP]:
    """Fill free seats from the front of the waitlist and email each person promoted.
    Nobody is promoted into a cancelled or already started meetup."""
    promoted: list[RSVP] = []
    with transaction.atomic():
        locked = _locked(meetup)
        if locked.is_cancelled or locked.has_started():
            return promoted
        free = locked.capacity - locked.going_count
        if free <= 0:
            return promoted
        queue = locked.rsvps.filter(status=RSVP.Status.WAITLISTED).order_by("requested_at", "pk")
        for seat in queue[:free]:
            seat.status = RSVP.Status.GOING
            seat.save(update_fields=["status", "updated_at"])
            promoted.append(seat)
            notifications.notify_promoted.delay_on_commit(seat.pk)
        if promoted:
            Meetup.objects.filter(pk=locked.pk).update(going_count=F("going_count") + len(promoted))
            bump_seats_version()
        _refresh(meetup)
    return promoted


def set_capacity(*, meetup: Meetup, capacity: int, by: User) -> Meetup:
    """Change how many seats there are. Raising it promotes people from the waitlist;
    lowering it never removes anyone already going (new RSVPs wait until seats free up)."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise MeetupError(f"Capacity must be between 1 and {MAX_CAPACITY}.")
    with transaction.atomic():
        locked = _locked(meetup)
        _ensure_can_manage(meetup=locked, by=by)
        if locked.is_cancelled:
            raise MeetupError("This meetup has been cancelled.")
        Meetup.objects.filter(pk=locked.pk).update(capacity=capacity, updated_at=timezone.now())
        locked.capacity = capacity
        promote_waitlist(meetup=locked)
        _refresh(meetup)
        bump_seats_version()
    return meetup


def cancel_meetup(*, meetup: Meetup, by: User) -> Meetup:
    """Call a meetup off. Everyone going is emailed once; calendars see SEQUENCE raised and
    STATUS:CANCELLED. RSVPs are kept as they were, so people can see what was cancelled."""
    with transaction.atomic():
        locked = _locked(meetup)
        _ensure_can_manage(meetup=locked, by=by)
        if locked.is_cancelled:
            return meetup
        if locked.has_started():
            raise MeetupError("This meetup has already started.")
        Meetup.objects.filter(pk=locked.pk).update(
            status=Meetup.Status.CANCELLED,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
        )
        _refresh(meetup)
        notifications.notify_cancelled.delay_on_commit(locked.pk)
        bump_browse_version()
    return meetup


def mark_attendance(*, meetup: Meetup, user: User, attended: bool, by: User) -> RSVP:
    """Whoever hosts the meetup (its circle's facilitators, or its host in rotation:
    Meetup.can_host) records who came, from the start time on, for people with a seat."""
    with transaction.atomic():
        locked = _locked(meetup)
        if not locked.can_host(by):
            raise NotAllowed("Only the people hosting this meetup can mark who came.")
        if locked.is_cancelled:
            raise MeetupError("This meetup was cancelled.")
        if not locked.has_started():
            raise MeetupError("Attendance can be marked once the meetup has started.")
        seat = RSVP.objects.filter(meetup=locked, user=user, status=RSVP.Status.GOING).first()
        if seat is None:
            raise MeetupError("That person didn't have a seat at this meetup.")
        seat.attended = attended
        seat.save(update_fields=["attended", "updated_at"])
    return seat


def _occurrences(schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.datetime]:
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


def extend_schedule(*, schedule: Schedule, until: dt.date) -> int:
    """Create the missing meetups of a schedule up to `until` (a date in the circle's zone,
    capped by the schedule's own end date) and return how many were made. Past dates are
    skipped. Running it again creates nothing: one meetup per (schedule, start) is a unique
    constraint, and a meetup that was cancelled stays cancelled."""
    circle = schedule.circle
    if circle.status != Circle.Status.ACTIVE:
        return 0
    end = min(until, schedule.until) if schedule.until else until
    now = timezone.now()
    start = max(schedule.starts_on, now.astimezone(circle.tz).date())
    created = 0
    with transaction.atomic():
        for local_start in _occurrences(schedule, start, end):
            starts_at = local_start.astimezone(dt.UTC)
            if starts_at <= now:
                continue
            _, made = Meetup.objects.get_or_create(
                schedule=schedule,
                starts_at=starts_at,
                defaults={
                    "circle": circle,
                    "venue": schedule.venue,
                    "ends_at": starts_at + dt.timedelta(minutes=schedule.duration_minutes),
                    "capacity": schedule.capacity,
                },
            )
            created += made
        if schedule.generated_through is None or schedule.generated_through < end:
            Schedule.objects.filter(pk=schedule.pk).update(generated_through=end)
            schedule.generated_through = end
        if created:
            bump_browse_version()
    return created


def extend_all_schedules(*, weeks: int = 8) -> int:
    """Make sure every active circle's schedules have meetups `weeks` weeks ahead."""
    created = 0
    schedules = Schedule.objects.filter(circle__status=Circle.Status.ACTIVE).select_related(
        "circle", "venue"
    )
    for schedule in schedules:
        until = timezone.now().astimezone(schedule.circle.tz).date() + dt.timedelta(weeks=weeks)
        created += extend_schedule(schedule=schedule, until=until)
    return created


def give_up_seats(*, user: User, circle: Circle) -> list[RSVP]:
    """Cancel `user`'s RSVPs to the circle's upcoming meetups, seats and waitlist places
    alike, through `cancel_rsvp`: each freed seat goes to the first person waiting. Done
    when someone leaves a circle or is removed from it; with no seat left they no longer
    see the online link (shown to people going only)."""
    given_up: list[RSVP] = []
    with transaction.atomic():
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
        try:
            membership = circles_services.leave_circle(user=user, circle=circle)
        except CircleError as exc:
            raise MeetupError(exc.message) from exc
        give_up_seats(user=user, circle=circle)
    return membership


def call_off_upcoming_meetups(*, circle: Circle, by: User) -> list[Meetup]:
    """Cancel every upcoming meetup of a circle that is pausing or closing, each through
    `cancel_meetup` (everyone going is told once; calendars see it cancelled).

    Each one also lets go of its place in its schedule: one meetup per schedule and start
    is a rule (a meetup a facilitator called off is not made again), but these were called
    off because the whole circle stopped, so a circle that resumes meets on those dates
    again, as new meetups with their own RSVPs.
    """
    cancelled: list[Meetup] = []
    with transaction.atomic():
        for meetup in circle.meetups.upcoming().select_related("circle"):
            cancelled.append(cancel_meetup(meetup=meetup, by=by))
        Meetup.objects.filter(pk__in=[m.pk for m in cancelled]).update(schedule=None)
    return cancelled
