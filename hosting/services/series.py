"""One meetup moved, called off or its attendance marked, and a whole series changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from circles import wording
from circles.cache import bump_browse_version
from circles.models import Circle, Schedule, Venue
from hosting.services._common import (
    HostingError,
    _locked_meetup,
    _log,
)
from meetups import services as meetups_services
from meetups.models import RSVP, Meetup

# Meetups


@transaction.atomic
def change_meetup(
    *,
    meetup: Meetup,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None,
    capacity: int,
) -> list[str]:
    """Change one meetup's time, place or capacity, all or nothing; returns what changed
    in words ("time", "place", "capacity"). Only the circle's facilitators (not a host in
    rotation). A new time or place goes through meetups.services.move_meetup (RSVPs kept,
    people going or waitlisted emailed, calendars updated); a new capacity through
    set_capacity (raised seats go to the waitlist). Each change is logged."""
    changed: list[str] = []
    if (starts_at, ends_at) != (meetup.starts_at, meetup.ends_at):
        changed.append("time")
    if (venue.pk if venue else None) != meetup.venue_id:
        changed.append("place")
    if changed:
        was = wording.long_when(meetup.starts_at, meetup.circle.tz)
        meetups_services.move_meetup(
            meetup=meetup, starts_at=starts_at, ends_at=ends_at, venue=venue, by=by
        )
        _log(
            circle=meetup.circle,
            actor=by,
            action="move meetup",
            meetup=meetup,
            note=f"Was {was}; now {wording.long_when(starts_at, meetup.circle.tz)}"
            + (f" at {venue.name}" if venue else ""),
        )
    if capacity != meetup.capacity:
        was_capacity = meetup.capacity
        meetups_services.set_capacity(meetup=meetup, capacity=capacity, by=by)
        changed.append("capacity")
        _log(
            circle=meetup.circle,
            actor=by,
            action="change capacity",
            meetup=meetup,
            note=f"{was_capacity} → {capacity} seats",
        )
    return changed


@transaction.atomic
def cancel_meetup(*, meetup: Meetup, by: User, message: str = "") -> Meetup:
    """Call one meetup off with a message for the people going or waitlisted (emailed
    once, calendars show it cancelled; see meetups.services.cancel_meetup). Only the
    circle's facilitators; logged. Cancelling twice changes and logs nothing."""
    if meetup.is_cancelled:
        return meetup
    meetups_services.cancel_meetup(meetup=meetup, by=by, message=message)
    _log(circle=meetup.circle, actor=by, action="cancel meetup", meetup=meetup, note=message)
    return meetup


@transaction.atomic
def mark_attendance(*, meetup: Meetup, user: User, attended: bool, by: User) -> RSVP:
    """Record whether someone with a seat came (meetups.services.mark_attendance: from the
    start on, by whoever hosts the meetup, its host in rotation too), logged. Marking what
    is already marked changes and logs nothing."""
    # The meetup's row lock first, so two presses at once read and log in turn.
    _locked_meetup(meetup)
    was = RSVP.objects.filter(meetup=meetup, user=user).values_list("attended", flat=True).first()
    seat = meetups_services.mark_attendance(meetup=meetup, user=user, attended=attended, by=by)
    if was != attended:
        _log(
            circle=meetup.circle,
            actor=by,
            action="mark attendance",
            subject_user=user,
            meetup=meetup,
            note="came" if attended else "did not come",
        )
    return seat


# The series

SERIES_CANCEL_MESSAGE = _(
    "The circle's regular schedule changed, so this meetup is off. "
    "The new times are on the circle's page."
)


@dataclass
class SeriesChange:
    """The schedule a series change made (or found, on a retry) and what happened to the
    meetups from that day on (meetups.services.SeriesReplan)."""

    schedule: Schedule
    replan: meetups_services.SeriesReplan
    unchanged: bool = False


def _series_settings(schedule: Schedule) -> dict[str, object]:
    return {
        "frequency": schedule.frequency,
        "weekday": schedule.weekday,
        "week_of_month": schedule.week_of_month,
        "start_time": schedule.start_time,
        "duration_minutes": schedule.duration_minutes,
        "venue_id": schedule.venue_id,
        "capacity": schedule.capacity,
    }


@transaction.atomic
def change_series(
    *,
    meetup: Meetup,
    by: User,
    frequency: str,
    weekday: int,
    week_of_month: int | None,
    start_time: dt.time,
    duration_minutes: int,
    venue: Venue | None,
    capacity: int,
) -> SeriesChange:
    """ "Change this and the following meetups": from this meetup's date (in the circle's
    zone) the series meets on a new rhythm, day, time, venue or capacity.

    The rule:

    - The old schedule ends the day before (`Schedule.until`) and a new schedule starts
      on that date with the new settings (and the old schedule's end date, if it had one).
    - The old schedule's meetups from that date on are handed to the new one
      (meetups.services.replan_series): each is paired with the closest new date less than
      a week away; one whose time and place stay the same is kept with its RSVPs; one whose
      time or place changes is moved and its people (going or waitlisted) are emailed; one
      with no new date is cancelled with notice; a meetup already cancelled stays so.
      New dates without a meetup get one, WEEKS_AHEAD weeks ahead.
    - Pressing it twice changes nothing the second time: when a schedule of the circle
      with exactly these settings already starts on that date, it is the one this change
      made, and it is returned as it is.

    Only the circle's facilitators, on an active circle, from a meetup that has not
    started. Everything is logged (the series change, each move and cancellation).
    """
    circle = meetup.circle
    # The meetup row first, then its schedule: a second press waits here for the first.
    meetup = (
        Meetup.objects.select_for_update(of=("self",))
        .select_related("circle", "schedule", "venue")
        .get(pk=meetup.pk)
    )
    old = meetup.schedule
    if old is None:
        raise HostingError(_("This meetup isn't part of a series."))
    old = Schedule.objects.select_for_update().select_related("circle").get(pk=old.pk)
    day = meetup.local_start.date()
    wanted: dict[str, object] = {
        "frequency": frequency,
        "weekday": weekday,
        "week_of_month": week_of_month if frequency == Schedule.Frequency.MONTHLY else None,
        "start_time": start_time,
        "duration_minutes": duration_minutes,
        "venue_id": venue.pk if venue else None,
        "capacity": capacity,
    }
    done = Schedule.objects.filter(circle=circle, starts_on=day, **wanted).first()
    if done is not None:
        return SeriesChange(schedule=done, replan=meetups_services.SeriesReplan(), unchanged=True)
    if _series_settings(old) == wanted:
        return SeriesChange(schedule=old, replan=meetups_services.SeriesReplan(), unchanged=True)
    if circle.status != Circle.Status.ACTIVE:
        raise HostingError(_("Only an active circle's schedule can change. Resume it first."))
    if meetup.has_started():
        raise HostingError(_("This meetup has started: change the series from the next one."))
    if venue is None and circle.format == Circle.Format.IN_PERSON:
        raise HostingError(_("An in-person circle needs a venue."))
    if frequency == Schedule.Frequency.MONTHLY and week_of_month not in (1, 2, 3, 4, -1):
        raise HostingError(_("Pick which week of the month: first to fourth, or last."))
    ends = day - dt.timedelta(days=1)
    new = Schedule.objects.create(
        circle=circle,
        starts_on=day,
        until=old.until if old.until and old.until >= day else None,
        **wanted,
    )
    Schedule.objects.filter(pk=old.pk).update(
        until=min(old.until, ends) if old.until else ends, updated_at=timezone.now()
    )
    replan = meetups_services.replan_series(old=old, new=new, by=by, message=SERIES_CANCEL_MESSAGE)
    bump_browse_version()
    _log(
        circle=circle,
        actor=by,
        action="change series",
        meetup=meetup,
        note=(
            f"From {day:%Y-%m-%d}: {wording.when_it_meets(new)} (was "
            f"{wording.when_it_meets(old)}); kept {len(replan.kept)}, moved "
            f"{len(replan.moved)}, cancelled {len(replan.cancelled)}, added {len(replan.added)}"
        ),
    )
    for moved in replan.moved:
        _log(circle=circle, actor=by, action="move meetup", meetup=moved, note="Series change")
    for cancelled in replan.cancelled:
        _log(
            circle=circle, actor=by, action="cancel meetup", meetup=cancelled, note="Series change"
        )
    return SeriesChange(schedule=new, replan=replan)
