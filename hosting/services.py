"""Everything a facilitator does that changes state, one transaction each.

Hosting changes circles, schedules, meetups and memberships together, so its services
compose the lower rooms' services (circles.services, meetups.services) rather than writing
their rows around them. Each raises HostingError with a message written for the person who
asked, and logs what it did in ActionLog (who, what, when).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from circles import services as circles_services
from circles.models import Circle, Membership
from circles.services import CircleError
from hosting import notifications
from hosting.models import ActionLog, Report
from meetups import services as meetups_services
from meetups.models import Meetup
from meetups.services import MeetupError


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


# Meetups


# The series


# Join requests


@transaction.atomic
def approve_request(*, membership: Membership, by: User) -> Membership:
    """Welcome someone who asked to join (circles.services.approve_member: their answer
    to the join question is deleted); they are emailed."""
    try:
        membership = circles_services.approve_member(membership=membership, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    entry = _log(circle=membership.circle, actor=by, action="approve", subject_user=membership.user)
    notifications.notify_join_decision.delay_on_commit(entry.pk)
    return membership


@transaction.atomic
def decline_request(*, membership: Membership, by: User) -> Membership:
    """Say no to a request to join (circles.services.decline_member: they may ask again,
    their answer is deleted); they are emailed, kindly."""
    try:
        membership = circles_services.decline_member(membership=membership, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    entry = _log(circle=membership.circle, actor=by, action="decline", subject_user=membership.user)
    notifications.notify_join_decision.delay_on_commit(entry.pk)
    return membership


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
    meetups_services.give_up_seats(user=membership.user, circle=membership.circle)
    _log(
        circle=membership.circle,
        actor=by,
        action="block" if block else "remove",
        subject_user=membership.user,
    )
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
    return membership


def _locked_circle(circle: Circle) -> Circle:
    """The circle's row, locked until the transaction ends: a double click pauses or
    archives it once."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


@transaction.atomic
def pause_circle(*, circle: Circle, by: User) -> Circle:
    """Take a break (circles.services.pause_circle): out of browse, no new members, no new
    meetups, and every upcoming meetup called off with notice to the people going
    (meetups.services.call_off_upcoming_meetups). Pausing twice does it once."""
    was_paused = _locked_circle(circle).status == Circle.Status.PAUSED
    try:
        paused = circles_services.pause_circle(circle=circle, by=by)
        if was_paused:
            return paused
        cancelled = meetups_services.call_off_upcoming_meetups(circle=paused, by=by)
    except (CircleError, MeetupError) as exc:
        raise HostingError(exc.message) from exc
    _log(circle=paused, actor=by, action="pause", note=_called_off(cancelled))
    return paused


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
    called off with notice and cancelled in people's calendars
    (meetups.services.call_off_upcoming_meetups). Archiving twice does it once."""
    was_archived = _locked_circle(circle).status == Circle.Status.ARCHIVED
    try:
        archived = circles_services.archive_circle(circle=circle, by=by)
        if was_archived:
            return archived
        cancelled = meetups_services.call_off_upcoming_meetups(circle=archived, by=by)
    except (CircleError, MeetupError) as exc:
        raise HostingError(exc.message) from exc
    _log(circle=archived, actor=by, action="archive", note=_called_off(cancelled))
    return archived


def _called_off(cancelled: list[Meetup]) -> str:
    return f"{len(cancelled)} upcoming meetup(s) called off."


# Rotating hosts


# Messages


# Still meeting


# Reports


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
    report.status = Report.Status.RESOLVED
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    _log(circle=report.circle, actor=by, action="resolve report", report=report, note=note)
    return report
