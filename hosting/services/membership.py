"""Join requests, members, co-facilitators and the invite link."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from accounts.models import User
from circles import services as circles_services
from circles.models import Circle, Membership, new_invite_token
from circles.services import CircleError
from hosting import notifications
from hosting.models import Report
from hosting.services._common import (
    HostingError,
    _log,
)
from hosting.services.reports import reroute_open_reports
from hosting.services.rotation import _withdraw_offers_to_host
from meetups import services as meetups_services
from meetups.services import MeetupError

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
def remove_member(
    *, membership: Membership, by: User, block: bool = False, report: Report | None = None
) -> Membership:
    """Take a member out of the circle (circles.services.remove_member): they may join
    again, unless blocked. Either way their seats at upcoming meetups are given up at once
    (meetups.services.give_up_seats), so the waitlist moves up and they lose the online
    link. A moderator removes someone through the `report` that led to it, logged with it."""
    try:
        membership = circles_services.remove_member(
            membership=membership, by=by, block=block, moderating=report is not None
        )
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
        report=report,
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


# Co-facilitators


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
