"""Join requests, members, co-facilitators and the invite link."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from circles import services as circles_services
from circles.models import Circle, Membership, new_invite_token
from circles.services import CircleError
from hosting import agreement, notifications
from hosting.models import CoFacilitatorInvitation, HostingAgreement, Report
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
    _close_invitations(user=membership.user, circle=membership.circle)
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
    _close_invitations(user=user, circle=circle)
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
def invite_co_facilitator(*, membership: Membership, by: User) -> CoFacilitatorInvitation:
    """Invite an active member to co-facilitate. Nothing changes for them until they
    accept the invitation and the facilitator agreement (`accept_co_facilitation`): till
    then they are an ordinary member on every page, feed and email. They are emailed a
    discreet link to the invitation's page. Inviting someone already invited returns the
    invitation waiting; the caller checked that `by` manages the circle."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("circle", "user")
        .get(pk=membership.pk)
    )
    circle = membership.circle
    if membership.status != Membership.Status.ACTIVE:
        raise HostingError(gettext("Only an active member of the circle can co-facilitate it."))
    if membership.role == Membership.Role.FACILITATOR:
        raise HostingError(gettext("They co-facilitate the circle already."))
    waiting = circle.co_facilitator_invitations.open().filter(user=membership.user).first()
    if waiting is not None:
        return waiting
    invitation = CoFacilitatorInvitation.objects.create(
        circle=circle, user=membership.user, invited_by=by
    )
    _log(circle=circle, actor=by, action="invite co-facilitator", subject_user=membership.user)
    notifications.notify_co_facilitator_invitation(invitation.pk)
    return invitation


def _open_invitation(invitation: CoFacilitatorInvitation) -> CoFacilitatorInvitation:
    """The invitation's row, locked, while it still waits for an answer."""
    locked = (
        CoFacilitatorInvitation.objects.select_for_update()
        .select_related("circle", "user")
        .get(pk=invitation.pk)
    )
    if locked.status != CoFacilitatorInvitation.Status.INVITED:
        raise HostingError(gettext("This invitation is no longer open."))
    return locked


def _answer(invitation: CoFacilitatorInvitation, status: str) -> None:
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])


@transaction.atomic
def accept_co_facilitation(
    *, invitation: CoFacilitatorInvitation, agreement_version: str
) -> Membership:
    """The invited member accepts: they accept the facilitator agreement they were shown
    (`agreement_version`, which must be the current agreement.VERSION), as someone
    starting a circle does, and only then become a co-facilitator
    (circles.services.make_facilitator). Open reports about them move to the moderators
    (reroute_open_reports). The caller checked that the invitation is theirs."""
    invitation = _open_invitation(invitation)
    circle, user = invitation.circle, invitation.user
    if agreement_version != agreement.VERSION:
        raise HostingError(
            gettext(
                "The facilitator agreement has changed since this page opened: please read "
                "it again and tick that you accept it."
            )
        )
    if circle.status == Circle.Status.ARCHIVED:
        raise HostingError(gettext("This circle has closed."))
    membership = circle.memberships.active().filter(user=user).first()
    if membership is None:
        raise HostingError(gettext("Only an active member of the circle can co-facilitate it."))
    HostingAgreement.objects.get_or_create(user=user, circle=circle, version=agreement.VERSION)
    membership = circles_services.make_facilitator(membership=membership)
    _answer(invitation, CoFacilitatorInvitation.Status.ACCEPTED)
    _log(circle=circle, actor=user, action="accept co-facilitation", subject_user=user)
    reroute_open_reports(circle=circle, about=user, by=user)
    return membership


@transaction.atomic
def decline_co_facilitation(*, invitation: CoFacilitatorInvitation) -> CoFacilitatorInvitation:
    """The invited member says no, thank you; nothing else changes for them."""
    invitation = _open_invitation(invitation)
    _answer(invitation, CoFacilitatorInvitation.Status.DECLINED)
    _log(
        circle=invitation.circle,
        actor=invitation.user,
        action="decline co-facilitation",
        subject_user=invitation.user,
    )
    return invitation


@transaction.atomic
def withdraw_co_facilitator_invitation(
    *, invitation: CoFacilitatorInvitation, by: User
) -> CoFacilitatorInvitation:
    """Whoever manages the circle takes back an invitation still waiting; its email, if
    not sent yet, is not sent (hosting.notifications checks it just before sending)."""
    invitation = _open_invitation(invitation)
    _answer(invitation, CoFacilitatorInvitation.Status.WITHDRAWN)
    _log(
        circle=invitation.circle,
        actor=by,
        action="withdraw co-facilitator invitation",
        subject_user=invitation.user,
    )
    return invitation


def _close_invitations(*, user: User, circle: Circle) -> None:
    """Someone who leaves the circle or is removed is no longer invited to host it."""
    circle.co_facilitator_invitations.open().filter(user=user).update(
        status=CoFacilitatorInvitation.Status.WITHDRAWN, answered_at=timezone.now()
    )


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
