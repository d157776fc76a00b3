"""Everything that changes who belongs to a circle, and the rules for it.

Each function is one transaction and raises CircleError with a message fit to show the
person who asked.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership


class CircleError(Exception):
    """A rule said no; `message` is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _locked_membership(*, user: User, circle: Circle) -> Membership | None:
    return Membership.objects.select_for_update().filter(user=user, circle=circle).first()


def _require_facilitator(*, circle: Circle, user: User) -> None:
    if not circle.is_facilitator(user):
        raise CircleError("Only the circle's facilitators can do that.")


@transaction.atomic
def join_circle(
    *, user: User, circle: Circle, accept_guidelines: bool, answer: str = ""
) -> Membership:
    """Join a circle, or ask to join one whose facilitators approve new members.

    Needs a verified email address and the circle's guidelines accepted (their version and
    the moment are recorded). Open circles make an active member at once; approval circles
    a pending one, with the (optional) answer to the join question. Someone who left may come back;
    someone a facilitator removed may not. Archived circles take no one.
    """
    if circle.status != Circle.Status.ACTIVE:
        raise CircleError("This circle has closed and is not taking new members.")
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise CircleError(
            "Please confirm your email address first: follow the link we sent you, "
            "then come back to join."
        )
    if not accept_guidelines:
        raise CircleError("Please read the circle's guidelines and tick that you accept them.")
    membership = _locked_membership(user=user, circle=circle)
    if membership is not None:
        if membership.status == Membership.Status.REMOVED:
            raise CircleError(
                "The facilitators of this circle have removed you from it, so you can't "
                "rejoin. You're welcome to look for another circle."
            )
        if membership.status in (Membership.Status.ACTIVE, Membership.Status.PENDING):
            return membership
    else:
        membership = Membership(user=user, circle=circle)
    membership.role = Membership.Role.MEMBER
    membership.status = (
        Membership.Status.PENDING
        if circle.join_policy == Circle.JoinPolicy.APPROVAL
        else Membership.Status.ACTIVE
    )
    membership.guidelines_version = circle.guidelines_version
    membership.guidelines_accepted_at = timezone.now()
    membership.join_answer = answer.strip()[:1000]
    membership.save()
    return membership


@transaction.atomic
def leave_circle(*, user: User, circle: Circle) -> Membership:
    """Leave a circle (or withdraw a request to join). The last facilitator of a circle
    that still has members hands it over or archives it instead of leaving."""
    membership = _locked_membership(user=user, circle=circle)
    if membership is None or membership.status not in (
        Membership.Status.ACTIVE,
        Membership.Status.PENDING,
    ):
        raise CircleError("You are not a member of this circle.")
    if membership.role == Membership.Role.FACILITATOR and membership.status == (
        Membership.Status.ACTIVE
    ):
        others = circle.memberships.filter(status=Membership.Status.ACTIVE).exclude(
            pk=membership.pk
        )
        if not others.filter(role=Membership.Role.FACILITATOR).exists() and others.exists():
            raise CircleError(
                "You are this circle's only facilitator. Hand it over to a member, "
                "or close the circle, before you leave."
            )
        membership.role = Membership.Role.MEMBER
    membership.status = Membership.Status.LEFT
    membership.save(update_fields=["status", "role", "updated_at"])
    return membership


@transaction.atomic
def approve_member(*, membership: Membership, by: User) -> Membership:
    """A facilitator (or a moderator) welcomes someone who asked to join an approval
    circle."""
    membership = (
        Membership.objects.select_for_update().select_related("circle").get(pk=membership.pk)
    )
    if not by.is_staff:
        _require_facilitator(circle=membership.circle, user=by)
    if membership.status != Membership.Status.PENDING:
        raise CircleError("This person is not waiting for approval.")
    membership.status = Membership.Status.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    return membership


@transaction.atomic
def archive_circle(*, circle: Circle, by: User) -> Circle:
    """A facilitator (or a moderator) closes a circle: it leaves browse, its page says it
    has closed, and it takes no new members. Memberships are kept for people's own history
    and export."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if not by.is_staff:
        _require_facilitator(circle=circle, user=by)
    if circle.status != Circle.Status.ARCHIVED:
        circle.status = Circle.Status.ARCHIVED
        circle.save(update_fields=["status", "updated_at"])
    return circle


@transaction.atomic
def hand_over_circle(*, circle: Circle, from_user: User, to_user: User) -> Membership:
    """A facilitator hands hosting to an active member, who becomes a facilitator; the
    one handing over stays on as a plain member. Returns the new facilitator's membership."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    _require_facilitator(circle=circle, user=from_user)
    if to_user.pk == from_user.pk:
        raise CircleError("Choose another member to hand the circle to.")
    incoming = _locked_membership(user=to_user, circle=circle)
    if incoming is None or incoming.status != Membership.Status.ACTIVE:
        raise CircleError("You can only hand a circle over to one of its active members.")
    incoming.role = Membership.Role.FACILITATOR
    incoming.save(update_fields=["role", "updated_at"])
    outgoing = _locked_membership(user=from_user, circle=circle)
    outgoing.role = Membership.Role.MEMBER
    outgoing.save(update_fields=["role", "updated_at"])
    return incoming
