"""Everything a facilitator does that changes state, one transaction each.

Hosting changes circles, schedules, meetups and memberships together, so its services
compose the lower rooms' services (circles.services, meetups.services) rather than writing
their rows around them. Each raises HostingError with a message written for the person who
asked, and logs what it did in ActionLog (who, what, when).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from circles import services as circles_services
from circles import wording
from circles.cache import bump_browse_version
from circles.models import Circle, Membership, Schedule, Topic, Venue, new_invite_token
from circles.services import CircleError
from hosting import agreement, notifications
from hosting.models import ActionLog, HostingAgreement, HostOffer, MeetupMessage, Report
from meetups import services as meetups_services
from meetups.models import Meetup
from meetups.services import MeetupError, extend_schedule, occurrences


class HostingError(Exception):
    """A rule said no; `message` is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _log(
    *,
    circle: Circle,
    actor: User | None,
    action: str,
    subject_user: User | None = None,
    meetup: Meetup | None = None,
    report: Report | None = None,
    note: str = "",
) -> ActionLog:
    """Record what a facilitator or moderator did, inside the caller's transaction."""
    return ActionLog.objects.create(
        circle=circle,
        actor=actor,
        action=action,
        subject_user=subject_user,
        meetup=meetup,
        report=report,
        note=note,
    )


# Starting a circle

# Meetups exist this far ahead from the start, as the daily job keeps them
# (meetups.services.extend_all_schedules).
WEEKS_AHEAD = 8
# A circle's slug is also the start of its Meeting Guide entries' slugs ("<slug>-<id>"),
# which feed readers show in links: kept short.
SLUG_MAX_LENGTH = 64
# How far ahead a schedule's first meetup may be, for the "does it ever meet?" check.
FIRST_MEETUP_WITHIN = dt.timedelta(days=400)


def unique_slug(name: str, *, preferred: str = "") -> str:
    """A slug for a new circle from its name (or `preferred`), at most SLUG_MAX_LENGTH
    characters and unused: a second circle with the same name gets "-2", then "-3"…"""
    base = slugify(preferred or name)[:SLUG_MAX_LENGTH].strip("-") or "circle"
    taken = set(Circle.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        slug = f"{base[: SLUG_MAX_LENGTH - len(suffix)].rstrip('-')}{suffix}"
        if slug not in taken:
            return slug
        number += 1


def _first_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        label = field.replace("_", " ")
        return f"{label.capitalize()}: {errors[0]}" if field != "__all__" else errors[0]
    return error.messages[0]


class ScheduleError(HostingError):
    """A schedule that cannot be: `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_schedule(schedule: Schedule, *, today: dt.date) -> None:
    """A new schedule starts today or later (`today` in the circle's timezone), ends (if
    it ends) on or after its start, names its week of the month when monthly, and meets at
    least once. `schedule.circle` may be unsaved; it gives the timezone."""
    if schedule.starts_on < today:
        raise ScheduleError(
            "The first meetup can't be in the past: choose today or a later date.",
            field="starts_on",
        )
    if schedule.until is not None and schedule.until < schedule.starts_on:
        raise ScheduleError("The last date is before the first one.", field="until")
    if schedule.frequency == Schedule.Frequency.MONTHLY and schedule.week_of_month not in (
        1,
        2,
        3,
        4,
        -1,
    ):
        raise ScheduleError(
            "Choose which week of the month: first to fourth, or last.", field="weeks_of_month"
        )
    last = schedule.until or schedule.starts_on + FIRST_MEETUP_WITHIN
    if not occurrences(schedule, schedule.starts_on, last):
        raise ScheduleError(
            "The circle would never meet between these dates: move the last date later.",
            field="until",
        )


def _check_online_link(url: str) -> None:
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        raise HostingError("The online link must start with https:// (or http://).")


@transaction.atomic
def host_circle(
    *,
    user: User,
    circle: Circle,
    topics: Iterable[Topic],
    schedules: list[Schedule],
    venue: Venue | None = None,
    agreement_version: str,
) -> Circle:
    """Start a circle: `user` becomes its facilitator, and its first WEEKS_AHEAD weeks of
    meetups exist at once.

    `circle`, `schedules` and (for a new venue) `venue` are unsaved instances filled in
    by the caller; an existing venue is passed as it is. Rules: the host has a verified
    email and accepted the current facilitator agreement (`agreement.VERSION`); every field
    passes the models' own validation; an in-person or hybrid circle has an area and a
    venue, an online or hybrid one an http(s) link; each schedule starts today or later in
    the circle's timezone, ends (if it ends) after it starts, and meets at least once. The
    slug comes from the name (or a slug already set) and is made unique.

    Everything is made in one transaction: the circle, its topics, the host's active
    facilitator membership (guidelines accepted), the agreement accepted, the venue, the
    schedules and their meetups, and an ActionLog entry. A broken rule raises HostingError
    and saves nothing.
    """
    if not user.has_verified_email():
        raise HostingError("Please confirm your email address first, then start your circle.")
    if agreement_version != agreement.VERSION:
        raise HostingError("Please read the facilitator agreement and tick that you accept it.")
    if not schedules:
        raise HostingError("Choose when the circle meets.")
    in_person = circle.format != Circle.Format.ONLINE
    if in_person and venue is None:
        raise HostingError("Choose where the circle meets: a venue near its area.")
    if in_person and (circle.lat is None or circle.lng is None):
        raise HostingError("Choose the circle's area.")
    if circle.format != Circle.Format.IN_PERSON and not circle.online_url:
        raise HostingError("Add the link people use to join online.")
    _check_online_link(circle.online_url)
    if not in_person:
        venue = None

    now = timezone.now()
    circle.status = Circle.Status.ACTIVE
    circle.confirmed_active_at = now
    circle.slug = unique_slug(circle.name, preferred=circle.slug)
    new_venue = venue is not None and venue.pk is None
    try:
        circle.full_clean()
        if new_venue:
            venue.created_by = user
            venue.full_clean()
        for schedule in schedules:
            # Its constraints are check_schedule's rules, worded for the host below.
            schedule.full_clean(exclude=["circle", "venue"], validate_constraints=False)
    except ValidationError as error:
        raise HostingError(_first_message(error)) from error
    today = now.astimezone(circle.tz).date()
    for schedule in schedules:
        schedule.circle = circle
        check_schedule(schedule, today=today)

    if new_venue:
        venue.save()
    # Two people starting circles of the same name at once: the second takes the next slug.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                circle.save()
            break
        except IntegrityError:
            circle.slug = unique_slug(circle.name)
    else:
        raise HostingError("Please try again: another circle of that name was just started.")
    circle.topics.set(list(topics))
    Membership.objects.create(
        user=user,
        circle=circle,
        role=Membership.Role.FACILITATOR,
        status=Membership.Status.ACTIVE,
        guidelines_version=circle.guidelines_version,
        guidelines_accepted_at=now,
    )
    HostingAgreement.objects.create(user=user, circle=circle, version=agreement.VERSION)
    until = today + dt.timedelta(weeks=WEEKS_AHEAD)
    for schedule in schedules:
        schedule.circle = circle
        schedule.venue = venue
        schedule.save()
        extend_schedule(schedule=schedule, until=until)
    _log(circle=circle, actor=user, action="host circle")
    bump_browse_version()
    return circle


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
    _require_can_manage(circle=meetup.circle, user=by)
    changed: list[str] = []
    try:
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
    except meetups_services.MeetupError as exc:
        raise HostingError(exc.message) from exc
    return changed


@transaction.atomic
def cancel_meetup(*, meetup: Meetup, by: User, message: str = "") -> Meetup:
    """Call one meetup off with a message for the people going or waitlisted (emailed
    once, calendars show it cancelled; see meetups.services.cancel_meetup). Only the
    circle's facilitators; logged. Cancelling twice changes and logs nothing."""
    _require_can_manage(circle=meetup.circle, user=by)
    if meetup.is_cancelled:
        return meetup
    try:
        meetups_services.cancel_meetup(meetup=meetup, by=by, message=message)
    except meetups_services.MeetupError as exc:
        raise HostingError(exc.message) from exc
    _log(circle=meetup.circle, actor=by, action="cancel meetup", meetup=meetup, note=message)
    return meetup


def _require_can_manage(*, circle: Circle, user: User) -> None:
    if not circle.can_manage(user):
        raise HostingError("Only this circle's facilitators can change its meetups.")


# The series

SERIES_CANCEL_MESSAGE = (
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
      New dates without a meetup get one, 8 weeks ahead.
    - Pressing it twice changes nothing the second time: when a schedule of the circle
      with exactly these settings already starts on that date, it is the one this change
      made, and it is returned as it is.

    Only the circle's facilitators, on an active circle, from a meetup that has not
    started. Everything is logged (the series change, each move and cancellation).
    """
    circle = meetup.circle
    _require_can_manage(circle=circle, user=by)
    # The meetup row first, then its schedule: a second press waits here for the first.
    meetup = (
        Meetup.objects.select_for_update(of=("self",))
        .select_related("circle", "schedule", "venue")
        .get(pk=meetup.pk)
    )
    old = meetup.schedule
    if old is None:
        raise HostingError("This meetup isn't part of a series.")
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
        raise HostingError("Only an active circle's schedule can change. Resume it first.")
    if meetup.has_started():
        raise HostingError("This meetup has started: change the series from the next one.")
    if venue is None and circle.format == Circle.Format.IN_PERSON:
        raise HostingError("An in-person circle needs a venue.")
    if frequency == Schedule.Frequency.MONTHLY and week_of_month not in (1, 2, 3, 4, -1):
        raise HostingError("Pick which week of the month: first to fourth, or last.")
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
    try:
        replan = meetups_services.replan_series(
            old=old, new=new, by=by, message=SERIES_CANCEL_MESSAGE
        )
    except meetups_services.MeetupError as exc:
        raise HostingError(exc.message) from exc
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


# Join requests


def _answer_request(
    *, membership: Membership, by: User, decide: Callable[..., Membership], action: str
) -> Membership:
    """Decide a request to join through `decide` (a circles service, which deletes the
    answer to the join question), log it and email the person."""
    try:
        membership = decide(membership=membership, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    entry = _log(circle=membership.circle, actor=by, action=action, subject_user=membership.user)
    notifications.notify_join_decision(entry.pk)
    return membership


@transaction.atomic
def approve_request(*, membership: Membership, by: User) -> Membership:
    """Welcome someone who asked to join; they are emailed."""
    return _answer_request(
        membership=membership, by=by, decide=circles_services.approve_member, action="approve"
    )


@transaction.atomic
def decline_request(*, membership: Membership, by: User) -> Membership:
    """Say no to a request to join (they may ask again); they are emailed, kindly."""
    return _answer_request(
        membership=membership, by=by, decide=circles_services.decline_member, action="decline"
    )


# Members


@transaction.atomic
def remove_member(*, membership: Membership, by: User, block: bool = False) -> Membership:
    """Take a member out of the circle (circles.services.remove_member): they may join
    again, unless blocked. Either way their seats at upcoming meetups are given up at once
    (meetups.services.give_up_seats), so the waitlist moves up and they lose the online
    link."""
    try:
        membership = circles_services.remove_member(membership=membership, by=by, block=block)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    _withdraw_offers_to_host(
        user=membership.user, circle=membership.circle, by=by, note="Removed from the circle."
    )
    meetups_services.give_up_seats(user=membership.user, circle=membership.circle)
    _log(
        circle=membership.circle,
        actor=by,
        action="block" if block else "remove",
        subject_user=membership.user,
    )
    return membership


@transaction.atomic
def leave_circle(*, user: User, circle: Circle) -> Membership:
    """A member leaves (meetups.services.leave_circle: its rules, and their seats given
    up), and any meetup ahead they offered to host or were confirmed to host goes back
    to the facilitators, logged."""
    try:
        membership = meetups_services.leave_circle(user=user, circle=circle)
    except MeetupError as exc:
        raise HostingError(exc.message) from exc
    _withdraw_offers_to_host(user=user, circle=circle, by=user, note="Left the circle.")
    return membership


@transaction.atomic
def unblock_member(*, membership: Membership, by: User) -> Membership:
    """Let someone who was blocked join the circle again (they do not become a member
    until they do)."""
    try:
        membership = circles_services.unblock_member(membership=membership, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    _log(circle=membership.circle, actor=by, action="unblock", subject_user=membership.user)
    return membership


# Co-facilitators and the circle's state

# How far ahead a resumed circle's schedules make meetups again, as the daily job does.
RESUME_WEEKS_AHEAD = 8


@transaction.atomic
def make_co_facilitator(*, membership: Membership, by: User) -> Membership:
    """Make an active member a co-facilitator (circles.services.make_facilitator)."""
    try:
        membership = circles_services.make_facilitator(membership=membership, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    _log(
        circle=membership.circle,
        actor=by,
        action="make co-facilitator",
        subject_user=membership.user,
    )
    reroute_open_reports(circle=membership.circle, about=membership.user, by=by)
    return membership


@transaction.atomic
def step_down(*, circle: Circle, by: User) -> Membership:
    """A facilitator becomes a plain member, never leaving the circle without a host
    (circles.services.step_down)."""
    try:
        membership = circles_services.step_down(user=by, circle=circle)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    _log(circle=circle, actor=by, action="step down", subject_user=by)
    return membership


@transaction.atomic
def hand_over(*, circle: Circle, by: User, to: Membership) -> Membership:
    """A facilitator hands the circle to one of its members and stays on as a plain
    member (circles.services.hand_over_circle)."""
    if to.circle_id != circle.pk:
        raise HostingError("You can only hand a circle over to one of its active members.")
    try:
        membership = circles_services.hand_over_circle(circle=circle, from_user=by, to_user=to.user)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    _log(circle=circle, actor=by, action="hand over", subject_user=to.user)
    reroute_open_reports(circle=circle, about=to.user, by=by)
    return membership


def _locked_circle(circle: Circle) -> Circle:
    """The circle's row, locked until the transaction ends: a double click pauses or
    archives it once."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _stop_circle(
    *, circle: Circle, by: User, stopped: str, stop: Callable[..., Circle], action: str
) -> Circle:
    """Pause or archive a circle through `stop` (a circles service) and call off its
    upcoming meetups with notice to the people going and cancelled calendar entries
    (meetups.services.call_off_upcoming_meetups). Doing it twice does it once."""
    already = _locked_circle(circle).status == stopped
    try:
        result = stop(circle=circle, by=by)
        if already:
            return result
        cancelled = meetups_services.call_off_upcoming_meetups(circle=result, by=by)
    except (CircleError, MeetupError) as exc:
        raise HostingError(exc.message) from exc
    _log(circle=result, actor=by, action=action, note=_called_off(cancelled))
    return result


@transaction.atomic
def pause_circle(*, circle: Circle, by: User) -> Circle:
    """Take a break (circles.services.pause_circle): out of browse, no new members, no new
    meetups, and every upcoming meetup called off."""
    return _stop_circle(
        circle=circle,
        by=by,
        stopped=Circle.Status.PAUSED,
        stop=circles_services.pause_circle,
        action="pause",
    )


@transaction.atomic
def resume_circle(*, circle: Circle, by: User) -> Circle:
    """Bring a paused circle back (circles.services.resume_circle: active, confirmed still
    meeting from now) and make its schedules' meetups for the next eight weeks again."""
    try:
        resumed = circles_services.resume_circle(circle=circle, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    until = timezone.localdate(timezone=resumed.tz) + dt.timedelta(weeks=RESUME_WEEKS_AHEAD)
    made = 0
    for schedule in resumed.schedules.select_related("circle", "venue"):
        made += meetups_services.extend_schedule(schedule=schedule, until=until)
    _log(circle=resumed, actor=by, action="resume", note=f"{made} meetup(s) scheduled.")
    return resumed


@transaction.atomic
def archive_circle(*, circle: Circle, by: User) -> Circle:
    """Close the circle for good (circles.services.archive_circle), its upcoming meetups
    called off."""
    return _stop_circle(
        circle=circle,
        by=by,
        stopped=Circle.Status.ARCHIVED,
        stop=circles_services.archive_circle,
        action="archive",
    )


def _called_off(cancelled: list[Meetup]) -> str:
    return f"{len(cancelled)} upcoming meetup(s) called off."


@transaction.atomic
def new_invite_link(*, circle: Circle, by: User) -> Circle:
    """Give an unlisted circle a new invite token: the link shared so far stops working
    at once (for a link passed on further than meant). Its members keep their place."""
    locked = Circle.objects.select_for_update().get(pk=circle.pk)
    if not locked.is_unlisted:
        raise HostingError("Only an unlisted circle has an invite link.")
    locked.invite_token = new_invite_token()
    locked.save(update_fields=["invite_token"])
    _log(circle=locked, actor=by, action="new_invite_link")
    return locked


# Rotating hosts


def _locked_meetup(meetup: Meetup) -> Meetup:
    """The meetup row (not its circle's), locked until the surrounding transaction ends."""
    return Meetup.objects.select_for_update(of=("self",)).select_related("circle").get(pk=meetup.pk)


def _open_for_hosting(meetup: Meetup) -> None:
    if meetup.is_cancelled:
        raise HostingError("This meetup has been cancelled.")
    if meetup.has_started():
        raise HostingError("This meetup has already started.")


def _withdraw_offers_to_host(*, user: User, circle: Circle, by: User, note: str) -> None:
    """Someone leaving the circle (or removed from it) hosts none of its meetups ahead:
    their offers to host them, waiting or confirmed, are withdrawn, each logged (`by`:
    who ended the membership). Their `Meetup.host` is cleared with their seats
    (meetups.services.give_up_seats). Call inside the transaction that ends it."""
    offers = list(
        HostOffer.objects.filter(
            user=user,
            meetup__in=circle.meetups.upcoming(),
            status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED],
        )
        .select_for_update(of=("self",))
        .select_related("meetup")
    )
    for offer in offers:
        hosting = offer.status == HostOffer.Status.CONFIRMED
        _log(
            circle=circle,
            actor=by,
            action="host stepped back" if hosting else "offer to host withdrawn",
            subject_user=user,
            meetup=offer.meetup,
            note=note,
        )
    HostOffer.objects.filter(pk__in=[offer.pk for offer in offers]).update(
        status=HostOffer.Status.WITHDRAWN, updated_at=timezone.now()
    )


@transaction.atomic
def offer_to_host(*, user: User, meetup: Meetup) -> HostOffer:
    """A member volunteers to host one meetup in rotation. Rules: an active member of the
    circle who is not already one of its facilitators (they host every meetup), a meetup
    still ahead and not cancelled, and nobody confirmed as its host yet. Offering twice
    changes nothing; an offer withdrawn may be made again; a declined one stays declined
    (the facilitators have answered)."""
    meetup = _locked_meetup(meetup)
    circle = meetup.circle
    if not circle.is_active_member(user):
        raise HostingError("Only members of this circle can offer to host its meetups.")
    if circle.is_facilitator(user):
        raise HostingError("As a facilitator you already host every meetup of this circle.")
    _open_for_hosting(meetup)
    offer = HostOffer.objects.filter(meetup=meetup, user=user).first()
    if offer is not None and offer.status in (HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED):
        return offer
    if offer is not None and offer.status == HostOffer.Status.DECLINED:
        raise HostingError("The facilitators have already answered your offer for this meetup.")
    if meetup.host_id is not None:
        raise HostingError("Someone is already hosting this meetup.")
    if offer is None:
        return HostOffer.objects.create(meetup=meetup, user=user)
    offer.status, offer.decided_by = HostOffer.Status.OFFERED, None
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    return offer


@transaction.atomic
def withdraw_host_offer(*, user: User, meetup: Meetup) -> HostOffer:
    """A member takes back their offer to host, before the meetup starts. If they were
    confirmed, the meetup goes back to the facilitators (logged, so they can see why)."""
    meetup = _locked_meetup(meetup)
    offer = HostOffer.objects.filter(meetup=meetup, user=user).first()
    if offer is None or offer.status not in (
        HostOffer.Status.OFFERED,
        HostOffer.Status.CONFIRMED,
    ):
        raise HostingError("You haven't offered to host this meetup.")
    if meetup.has_started():
        raise HostingError("This meetup has already started.")
    was_host = offer.status == HostOffer.Status.CONFIRMED
    offer.status = HostOffer.Status.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    if was_host and meetup.host_id == user.pk:
        meetup.host = None
        meetup.save(update_fields=["host", "updated_at"])
        _log(
            circle=meetup.circle,
            actor=user,
            action="host stepped back",
            subject_user=user,
            meetup=meetup,
        )
    return offer


@transaction.atomic
def confirm_host(*, offer: HostOffer, by: User) -> HostOffer:
    """A facilitator confirms a member's offer: the member becomes `Meetup.host` (one
    confirmed host per meetup, a database constraint) and sees who is coming and marks
    attendance for that meetup only. The member must still belong to the circle and the
    meetup must be ahead. A host is coming too: they get a seat through the RSVP service
    like anyone else (their RSVP stands if they already had one). The member is emailed."""
    meetup = _locked_meetup(offer.meetup)
    offer = HostOffer.objects.select_related("user").get(pk=offer.pk, meetup=meetup)
    if not meetup.circle.can_manage(by):
        raise HostingError("Only this circle's facilitators can confirm a host.")
    if offer.status == HostOffer.Status.CONFIRMED:
        return offer
    if offer.status != HostOffer.Status.OFFERED:
        raise HostingError("This offer was withdrawn or already answered.")
    _open_for_hosting(meetup)
    if meetup.host_id is not None:
        raise HostingError("Someone is already hosting this meetup: decline their offer first.")
    if not meetup.circle.is_active_member(offer.user):
        raise HostingError("That person is no longer a member of this circle.")
    offer.status, offer.decided_by = HostOffer.Status.CONFIRMED, by
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    meetup.host = offer.user
    meetup.save(update_fields=["host", "updated_at"])
    try:
        meetups_services.rsvp(user=offer.user, meetup=meetup)
    except MeetupError as exc:
        raise HostingError(exc.message) from exc
    _log(
        circle=meetup.circle,
        actor=by,
        action="confirm host",
        subject_user=offer.user,
        meetup=meetup,
    )
    notifications.notify_host_decision(offer.pk)
    return offer


@transaction.atomic
def decline_host(*, offer: HostOffer, by: User) -> HostOffer:
    """A facilitator declines an offer to host, or takes a confirmed one back (the meetup
    goes back to the facilitators). The member is emailed."""
    meetup = _locked_meetup(offer.meetup)
    offer = HostOffer.objects.select_related("user").get(pk=offer.pk, meetup=meetup)
    if not meetup.circle.can_manage(by):
        raise HostingError("Only this circle's facilitators can decline a host.")
    if offer.status == HostOffer.Status.DECLINED:
        return offer
    if offer.status == HostOffer.Status.WITHDRAWN:
        raise HostingError("This offer was withdrawn.")
    offer.status, offer.decided_by = HostOffer.Status.DECLINED, by
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    if meetup.host_id == offer.user_id:
        meetup.host = None
        meetup.save(update_fields=["host", "updated_at"])
    _log(
        circle=meetup.circle,
        actor=by,
        action="decline host",
        subject_user=offer.user,
        meetup=meetup,
    )
    notifications.notify_host_decision(offer.pk)
    return offer


# Messages

# At most this many messages in any 24 hours: to the people going to one meetup, and from
# one sender across all meetups. Enough for "running late" and "we moved tables", too few
# to turn the feature into a mailing list.
MESSAGE_LIMITS = {"meetup": 3, "sender": 10}
MESSAGE_WINDOW = dt.timedelta(days=1)


@transaction.atomic
def message_people_going(*, meetup: Meetup, sender: User, body: str) -> MeetupMessage:
    """Send a message to everyone going to a meetup, one email each, through Celery.

    Rules: the sender hosts the meetup (its circle's facilitators, or its rotating host:
    Meetup.can_host); the meetup is not cancelled or over; somebody is going; at most
    MESSAGE_LIMITS["meetup"] messages for one meetup and MESSAGE_LIMITS["sender"] from one
    sender in any 24 hours (counted while holding the meetup's row lock, so two clicks at
    once cannot both pass). The message is kept (MeetupMessage) and logged.
    """
    meetup = _locked_meetup(meetup)
    if not meetup.can_host(sender):
        raise HostingError("Only the people hosting this meetup can message those going.")
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


# Still meeting

# How long without a "yes, we're still meeting" (and with no meetup ahead) before a
# circle goes dormant; facilitators are asked monthly (hosting.notifications).
STILL_MEETING_DAYS = 60
STILL_MEETING_WEEKS_AHEAD = 8


def unconfirmed_since(cutoff: dt.datetime) -> Q:
    """Circles nobody has said still meet since `cutoff`: confirmed before it, or never
    confirmed and created before it."""
    return Q(confirmed_active_at__lt=cutoff) | Q(
        confirmed_active_at__isnull=True, created_at__lt=cutoff
    )


@transaction.atomic
def confirm_still_meeting(*, circle: Circle, by: User) -> Circle:
    """A facilitator says the circle still meets: `confirmed_active_at` becomes now. A
    dormant circle becomes active again (back in browse) and its schedules get their
    meetups STILL_MEETING_WEEKS_AHEAD weeks ahead. A paused or archived circle stays as it
    is (resuming is its own action)."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if not circle.can_manage(by):
        raise HostingError("Only this circle's facilitators can confirm it still meets.")
    if circle.status == Circle.Status.ARCHIVED:
        raise HostingError("This circle is archived.")
    woke = circle.status == Circle.Status.DORMANT
    circle.confirmed_active_at = timezone.now()
    fields = ["confirmed_active_at", "updated_at"]
    if woke:
        circle.status = Circle.Status.ACTIVE
        fields.append("status")
    circle.save(update_fields=fields)
    _log(circle=circle, actor=by, action="reactivate" if woke else "still meeting")
    if woke:
        until = timezone.now().astimezone(circle.tz).date() + dt.timedelta(
            weeks=STILL_MEETING_WEEKS_AHEAD
        )
        for schedule in circle.schedules.select_related("circle", "venue"):
            extend_schedule(schedule=schedule, until=until)
    return circle


def circles_gone_quiet(now: dt.datetime | None = None) -> QuerySet[Circle]:
    """Active circles with no confirmation for STILL_MEETING_DAYS and no scheduled meetup
    ahead: one query (the meetups' (circle, starts_at) index answers the Exists)."""
    now = now or timezone.now()
    ahead = Meetup.objects.filter(
        circle=OuterRef("pk"), status=Meetup.Status.SCHEDULED, starts_at__gt=now
    )
    return Circle.objects.active().filter(
        unconfirmed_since(now - dt.timedelta(days=STILL_MEETING_DAYS)), ~Exists(ahead)
    )


def mark_dormant_circles(now: dt.datetime | None = None) -> int:
    """Make every circle gone quiet (circles_gone_quiet) dormant: it leaves browse
    (listed() is active circles only), its facilitators are emailed how to bring it back,
    and it is logged. Each circle in its own transaction, re-checked under its row lock, so
    a facilitator confirming at the same moment wins. Returns how many went dormant."""
    now = now or timezone.now()
    dormant = 0
    for pk in circles_gone_quiet(now).values_list("pk", flat=True):
        with transaction.atomic():
            circle = circles_gone_quiet(now).select_for_update().filter(pk=pk).first()
            if circle is None:
                continue
            circle.status = Circle.Status.DORMANT
            circle.save(update_fields=["status", "updated_at"])
            _log(
                circle=circle,
                actor=None,
                action="dormant",
                note=f"No confirmation for {STILL_MEETING_DAYS} days and no meetup ahead.",
            )
            notifications.notify_dormant(circle.pk, now.date().isoformat())
        dormant += 1
    return dormant


# Reports

# A member may file this many reports a day: enough for any real trouble, and a ceiling on
# the emails one person can send to facilitators and moderators.
REPORTS_PER_DAY = 10
REASON_MAX = 200
DETAILS_MAX = 4000
NOTE_MAX = 2000


@transaction.atomic
def report_concern(
    *,
    reporter: User,
    circle: Circle,
    reason: str,
    details: str = "",
    meetup: Meetup | None = None,
    about: User | None = None,
    kind: str = Report.Kind.CONCERN,
) -> Report:
    """A member privately reports a concern about their circle, one of its meetups or one
    of its members, or says nobody was there for a meetup that has started.

    Who may report: an active member of the circle (facilitators included) with a verified
    email, up to REPORTS_PER_DAY a day. The person reported must be an active member of
    the same circle, and not the reporter. "Nobody was there" is about a meetup that has
    started and was not called off, once per person per meetup (also a constraint).

    The report goes where `Report.route` says (the circle's facilitators, or the site's
    moderators for a facilitator or the whole circle). The reporter gets an
    acknowledgement and the readers a discreet notice, both after commit. The person
    reported is told nothing.
    """
    if not reporter.has_verified_email():
        raise HostingError("Please confirm your email address first, then send your report.")
    if not circle.is_active_member(reporter):
        raise HostingError("Only members of this circle can report a concern about it.")
    if meetup is not None and meetup.circle_id != circle.pk:
        raise HostingError("That meetup is not one of this circle's.")
    if about is not None:
        if about.pk == reporter.pk:
            raise HostingError("Choose someone else, or tell us about the circle as a whole.")
        if not circle.is_active_member(about):
            raise HostingError("That person is not a member of this circle now.")
    if kind == Report.Kind.NOBODY_THERE:
        if meetup is None or about is not None:
            raise HostingError("Say which meetup nobody was at.")
        if meetup.is_cancelled:
            raise HostingError("This meetup was called off, so nobody was expected there.")
        if not meetup.has_started():
            raise HostingError("You can tell us nobody was there once the meetup has started.")
        if Report.objects.filter(kind=kind, meetup=meetup, reporter=reporter).exists():
            raise HostingError("You have already told us nobody was there. Thank you.")
        reason = reason or Report.Kind.NOBODY_THERE.label
    elif kind != Report.Kind.CONCERN:
        raise HostingError("Choose what you are telling us about.")
    reason, details = reason.strip(), details.strip()
    if not reason:
        raise HostingError("Please say what the concern is.")
    if len(reason) > REASON_MAX:
        raise HostingError(f"Please keep the reason under {REASON_MAX} characters.")
    if len(details) > DETAILS_MAX:
        raise HostingError(f"Please keep the details under {DETAILS_MAX} characters.")
    since = timezone.now() - dt.timedelta(days=1)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= REPORTS_PER_DAY:
        raise HostingError(
            "You have sent several reports today. If someone is in danger, call your local "
            "emergency number; otherwise please write again tomorrow."
        )
    report = Report(
        circle=circle,
        meetup=meetup,
        about_user=about,
        reporter=reporter,
        kind=kind,
        reason=reason,
        details=details,
    )
    report.routed_to = report.route()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two "nobody was there" at once from the same person: the constraint kept one.
        raise HostingError("You have already told us nobody was there. Thank you.") from None
    notifications.notify_report_received(report.pk)
    notifications.notify_report_readers(report.pk)
    return report


def reroute_open_reports(*, circle: Circle, about: User, by: User) -> list[Report]:
    """Send the circle's open reports about `about` where `Report.route` says now: called
    when they become one of its facilitators, so reports about them leave the
    facilitators' queue for the moderators' (never judged by the person reported or by
    their co-facilitators). Each move is logged and the new readers are told once. Call
    inside the transaction that changed their role."""
    moved = []
    reports = circle.reports.open().filter(about_user=about).select_for_update()
    for report in reports.select_related("circle"):
        routed_to = report.route()
        if routed_to == report.routed_to:
            continue
        report.routed_to = routed_to
        report.save(update_fields=["routed_to"])
        _log(
            circle=circle,
            actor=by,
            action="re-route report",
            subject_user=about,
            report=report,
            note=f"Now read by: {report.get_routed_to_display()}.",
        )
        notifications.notify_report_readers(report.pk)
        moved.append(report)
    return moved


@transaction.atomic
def resolve_report(*, report: Report, by: User, note: str = "") -> Report:
    """Close a report with a note. The circle's facilitators resolve what is routed to them
    (never a report about themselves); moderators resolve anything."""
    report = Report.objects.select_for_update().select_related("circle").get(pk=report.pk)
    if not by.is_staff:
        if report.routed_to != Report.RoutedTo.FACILITATORS or not report.circle.can_manage(by):
            raise HostingError("Only the circle's facilitators or a moderator can resolve this.")
        if report.about_user_id == by.pk:
            raise HostingError("A report about you goes to the site's moderators.")
    if report.status == Report.Status.RESOLVED:
        return report
    if len(note.strip()) > NOTE_MAX:
        raise HostingError(f"Please keep the note under {NOTE_MAX} characters.")
    report.status = Report.Status.RESOLVED
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    _log(
        circle=report.circle,
        actor=by,
        action="resolve report",
        subject_user=report.about_user,
        meetup=report.meetup,
        report=report,
        note=report.resolution_note,
    )
    return report


@transaction.atomic
def hide_circle(
    *, circle: Circle, by: User, report: Report | None = None, note: str = ""
) -> Circle:
    """A moderator hides a circle: it becomes unlisted, so it leaves browse, search, the
    home page and the open-data feed at once, while its members keep it (page, meetups,
    RSVPs) and nothing is cancelled. It is the step short of closing: a moderator undoes
    it by listing the circle again in the circles admin, and closes a circle for good
    with "Close (archive)" there. Only moderators (staff) hide circles, and it is logged
    (with the report that led to it) when it changes something."""
    if not by.is_staff:
        raise HostingError("Only the site's moderators can hide a circle.")
    if len(note.strip()) > NOTE_MAX:
        raise HostingError(f"Please keep the note under {NOTE_MAX} characters.")
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.visibility == Circle.Visibility.UNLISTED:
        return circle
    circle.visibility = Circle.Visibility.UNLISTED
    circle.save(update_fields=["visibility", "updated_at"])
    _log(circle=circle, actor=by, action="hide circle", report=report, note=note.strip())
    return circle
