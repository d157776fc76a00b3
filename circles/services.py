"""Everything that changes who belongs to a circle, and the rules for it.

Each function is one transaction and raises CircleError with a message fit to show the
person who asked. Who may ask is the policy's to say (circles.rules), checked once by the
caller before a service runs; these functions enforce the rules about the circle's state
(who may join it, when it needs a host), which are small truths on the models.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.errors import RuleError
from accounts.models import User
from circles import facilitator_news, notifications
from circles.checkins import current_week, previous_week
from circles.models import CheckIn, CheckInReply, Circle, CircleQuerySet, Membership


class CircleError(RuleError):
    """A rule about circles, memberships or check-ins said no."""


def _locked_membership(*, user: User, circle: Circle) -> Membership | None:
    return Membership.objects.select_for_update().filter(user=user, circle=circle).first()


def _step_down(*, circle: Circle, membership: Membership) -> None:
    """Make a facilitator a plain member (saved by the caller), unless the circle would be
    left without a host (CircleQuerySet.left_without_a_host_by)."""
    if Circle.objects.left_without_a_host_by(membership.user).filter(pk=circle.pk).exists():
        raise CircleError(
            _(
                "You are this circle's only facilitator. Hand it over to a member, "
                "or close the circle, before you leave."
            )
        )
    membership.role = Membership.Role.MEMBER


def archive_circles_hosted_alone_by(
    *, user: User, circles: CircleQuerySet | None = None
) -> list[Circle]:
    """Archive the running circles (of `circles`, or all) whose only active member is
    `user`, a facilitator who is going: nobody is left to host them. Call it while `user`
    is still a member, inside the transaction that takes them out (leaving a circle,
    deleting the account)."""
    closing = list(
        (circles if circles is not None else Circle.objects.all())
        .hosted_alone_by(user)
        .select_for_update()
    )
    for circle in closing:
        circle.status = Circle.Status.ARCHIVED
        circle.save(update_fields=["status", "updated_at"])
        _settle_requests_of_closed(circle)
    return closing


def _settle_requests_of_closed(circle: Circle) -> None:
    """An archived circle's waiting requests to join will never be answered: they are
    settled like declined ones (status left), and the answers to the join question, which
    were written only for deciding, are not kept."""
    circle.memberships.pending().update(
        status=Membership.Status.LEFT, join_answer="", updated_at=timezone.now()
    )


@transaction.atomic
def join_circle(
    *, user: User, circle: Circle, accept_guidelines: bool, answer: str = ""
) -> Membership:
    """Join a circle, or ask to join one whose facilitators approve new members.

    Who may join is `Circle.join_refusal`; the circle's guidelines must be accepted too
    (their version and the moment are recorded). Open circles make an active member at
    once; approval circles a pending one, with the (optional) answer to the join question.
    Joining again while in, or while asking, changes nothing.
    """
    membership = _locked_membership(user=user, circle=circle)
    refusal = circle.join_refusal(user)
    if refusal is not None:
        raise CircleError(refusal)
    if not accept_guidelines:
        raise CircleError(_("Please read the circle's guidelines and tick that you accept them."))
    if membership is not None:
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
    membership.join_answer = answer.strip()[: Membership._meta.get_field("join_answer").max_length]
    membership.save()
    if membership.status == Membership.Status.PENDING:
        facilitator_news.queue_request_notices(membership)
    return membership


@transaction.atomic
def accept_guidelines(*, user: User, circle: Circle) -> Membership:
    """A member accepts the circle's guidelines as they are now (their version and the
    moment are recorded), after the facilitators changed them. Only someone in the circle
    or asking to join it; accepting again changes nothing."""
    membership = _locked_membership(user=user, circle=circle)
    if membership is None or membership.status not in (
        Membership.Status.ACTIVE,
        Membership.Status.PENDING,
    ):
        raise CircleError(gettext("Only the circle's members accept its guidelines."))
    version = Circle.objects.values_list("guidelines_version", flat=True).get(pk=circle.pk)
    if membership.guidelines_version != version:
        membership.guidelines_version = version
        membership.guidelines_accepted_at = timezone.now()
        membership.save(
            update_fields=["guidelines_version", "guidelines_accepted_at", "updated_at"]
        )
    return membership


@transaction.atomic
def leave_circle(*, user: User, circle: Circle) -> Membership:
    """Leave a circle (or withdraw a request to join, whose answer goes with it).

    An active circle with other active members always keeps an active facilitator: its
    last one hands it over or archives it instead of leaving. A facilitator who is the
    circle's only active member may leave, and the circle is archived with nobody left
    to host it.
    """
    # The circle's row lock makes two facilitators leaving at once take turns, so they
    # cannot both leave on the strength of the other staying.
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    membership = _locked_membership(user=user, circle=circle)
    if membership is None or membership.status not in Membership.CURRENT:
        raise CircleError(_("You are not a member of this circle."))
    if membership.role == Membership.Role.FACILITATOR and membership.status == (
        Membership.Status.ACTIVE
    ):
        _step_down(circle=circle, membership=membership)
        archive_circles_hosted_alone_by(user=user, circles=Circle.objects.filter(pk=circle.pk))
    membership.status = Membership.Status.LEFT
    # A withdrawn request is settled like a decided one: its answer is not kept.
    membership.join_answer = ""
    membership.save(update_fields=["status", "role", "join_answer", "updated_at"])
    return membership


def _answer_request(*, membership: Membership, by: User, status: str) -> Membership:
    """Decide a request to join: the circle's managers only, a pending request only. The
    answer to the join question was for deciding; once decided it is not kept."""
    membership = (
        Membership.objects.select_for_update().select_related("circle").get(pk=membership.pk)
    )
    if membership.status != Membership.Status.PENDING:
        raise CircleError(_("This person is not waiting for approval."))
    membership.status = status
    membership.join_answer = ""
    membership.save(update_fields=["status", "join_answer", "updated_at"])
    return membership


@transaction.atomic
def approve_member(*, membership: Membership, by: User) -> Membership:
    """A facilitator (or a moderator) welcomes someone who asked to join an approval
    circle."""
    return _answer_request(membership=membership, by=by, status=Membership.Status.ACTIVE)


@transaction.atomic
def decline_member(*, membership: Membership, by: User) -> Membership:
    """A facilitator (or a moderator) says no to a request to join. The person may ask
    again later (status left, not removed)."""
    return _answer_request(membership=membership, by=by, status=Membership.Status.LEFT)


@transaction.atomic
def remove_member(
    *, membership: Membership, by: User, block: bool, moderating: bool = False
) -> Membership:
    """A facilitator (or a moderator acting on a report: `moderating`) takes a member out
    of the circle.

    Removed without blocking, the person has left and may join again; blocked
    (status removed) they may not (`Circle.join_refusal`). A circle's facilitators remove
    plain members only: a facilitator steps down first, and nobody removes themselves
    (they leave). A moderator may remove a facilitator too, while the circle keeps another
    one (CircleQuerySet.left_without_a_host_by). Someone already removed can still be
    blocked. Their seats at meetups are the meetups room's business
    (meetups.services.give_up_seats).
    """
    membership = (
        Membership.objects.select_for_update().select_related("circle").get(pk=membership.pk)
    )
    if membership.user_id == by.pk:
        raise CircleError(_("To go yourself, leave the circle from its page."))
    is_facilitator = membership.role == Membership.Role.FACILITATOR and (
        membership.status == Membership.Status.ACTIVE
    )
    circle = membership.circle
    if is_facilitator and moderating:
        if Circle.objects.left_without_a_host_by(membership.user).filter(pk=circle.pk).exists():
            raise CircleError(
                _(
                    "They are this circle's only facilitator: hide the circle, or close it in "
                    "the circles admin, instead."
                )
            )
    elif is_facilitator:
        raise CircleError(
            _(
                "A facilitator steps down before they can be removed. If you're worried about "
                "a facilitator, report it and the site's moderators will look into it."
            )
        )
    removable = [Membership.Status.ACTIVE] + ([Membership.Status.LEFT] if block else [])
    if membership.status not in removable:
        raise CircleError(_("This person is not a member of the circle."))
    membership.status = Membership.Status.REMOVED if block else Membership.Status.LEFT
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["status", "role", "updated_at"])
    return membership


@transaction.atomic
def unblock_member(*, membership: Membership, by: User) -> Membership:
    """Let someone who was removed and blocked join again: they become someone who has
    left the circle (not a member again until they rejoin)."""
    membership = (
        Membership.objects.select_for_update().select_related("circle").get(pk=membership.pk)
    )
    if membership.status != Membership.Status.REMOVED:
        raise CircleError(_("This person is not blocked from the circle."))
    membership.status = Membership.Status.LEFT
    membership.save(update_fields=["status", "updated_at"])
    return membership


@transaction.atomic
def make_facilitator(*, membership: Membership) -> Membership:
    """An active member becomes a co-facilitator. Making a facilitator one again changes
    nothing. Who decided was checked by the caller: hosting.services.accept_co_facilitation,
    once the member accepted a facilitator's invitation and the facilitator agreement."""
    membership = (
        Membership.objects.select_for_update().select_related("circle").get(pk=membership.pk)
    )
    if membership.status != Membership.Status.ACTIVE:
        raise CircleError(_("Only an active member of the circle can co-facilitate it."))
    if membership.role != Membership.Role.FACILITATOR:
        membership.role = Membership.Role.FACILITATOR
        membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def step_down(*, user: User, circle: Circle) -> Membership:
    """A facilitator stops hosting and stays on as a plain member.

    A running circle always keeps a facilitator while anyone is in it: the last one hands
    it over or makes someone a co-facilitator first (CircleQuerySet.left_without_a_host_by),
    and one alone in their circle archives it (or leaves, which archives it) instead.
    """
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    membership = _locked_membership(user=user, circle=circle)
    if membership is None or not (
        membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.FACILITATOR
    ):
        raise CircleError(_("You are not a facilitator of this circle."))
    if Circle.objects.hosted_alone_by(user).filter(pk=circle.pk).exists():
        raise CircleError(
            _(
                "You're the only one in this circle, so nobody would be left to host it. "
                "Archive the circle instead if you want to close it."
            )
        )
    _step_down(circle=circle, membership=membership)
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def pause_circle(*, circle: Circle, by: User) -> Circle:
    """A facilitator (or a moderator) pauses a running circle: it leaves browse, takes no
    new members and its schedules stop making meetups (meetups.services.extend_schedule)
    until it resumes. Pausing a paused circle changes nothing; an archived one has closed.
    Its upcoming meetups are the meetups room's business."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status == Circle.Status.ARCHIVED:
        raise CircleError(_("This circle has closed."))
    if circle.status != Circle.Status.PAUSED:
        circle.status = Circle.Status.PAUSED
        circle.save(update_fields=["status", "updated_at"])
    return circle


@transaction.atomic
def resume_circle(*, circle: Circle, by: User) -> Circle:
    """A facilitator (or a moderator) brings a paused circle back: active again, and
    counted as confirmed still meeting from now (Circle.confirmed_active_at)."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status != Circle.Status.PAUSED:
        raise CircleError(_("This circle is not taking a break."))
    circle.status = Circle.Status.ACTIVE
    circle.confirmed_active_at = timezone.now()
    circle.save(update_fields=["status", "confirmed_active_at", "updated_at"])
    return circle


@transaction.atomic
def archive_circle(*, circle: Circle, by: User) -> Circle:
    """A facilitator (or a moderator) closes a circle: it leaves browse, its page says it
    has closed, and it takes no new members. Memberships are kept for people's own history
    and export; requests still waiting are settled (`_settle_requests_of_closed`)."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status != Circle.Status.ARCHIVED:
        circle.status = Circle.Status.ARCHIVED
        circle.save(update_fields=["status", "updated_at"])
    _settle_requests_of_closed(circle)
    return circle


@transaction.atomic
def hand_over_circle(*, circle: Circle, from_user: User, to_user: User) -> Membership:
    """A facilitator hands hosting to an active member, who becomes a facilitator; the
    one handing over steps down and stays on as a plain member. Returns the new
    facilitator's membership."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if to_user.pk == from_user.pk:
        raise CircleError(_("Choose another member to hand the circle to."))
    incoming = _locked_membership(user=to_user, circle=circle)
    if incoming is None or incoming.status != Membership.Status.ACTIVE:
        raise CircleError(_("You can only hand a circle over to one of its active members."))
    incoming.role = Membership.Role.FACILITATOR
    incoming.save(update_fields=["role", "updated_at"])
    outgoing = _locked_membership(user=from_user, circle=circle)
    _step_down(circle=circle, membership=outgoing)
    outgoing.save(update_fields=["role", "updated_at"])
    return incoming


def save_checkin(
    *,
    user: User,
    circle: Circle,
    week: int,
    mood: int,
    note: str,
    visibility: str,
    wants_support: bool,
) -> CheckIn:
    """Record the person's check-in for `week` in `circle`, or change the one they made
    that week (one per member, circle and week). Only active members of an active circle
    check in. Asking for support tells the facilitators once per check-in: their emails
    are queued in the same transaction (circles.notifications.queue_support_wanted)."""
    values = {
        "mood": mood,
        "note": note.strip(),
        "visibility": visibility,
        "wants_support": wants_support,
    }
    where = {"user": user, "circle": circle, "iso_year": week // 100, "iso_week": week % 100}
    for attempt in range(2):
        try:
            with transaction.atomic():
                checkin, _created = CheckIn.objects.update_or_create(**where, defaults=values)
                if wants_support:
                    notifications.queue_support_wanted(checkin)
                return checkin
        except IntegrityError:
            # Two first check-ins at once (two tabs): the other one won; change it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def reply_to_checkin(*, user: User, checkin: CheckIn, body: str) -> CheckInReply:
    """A note of support on a check-in shared with the circle, from another active member
    of it. The author hears of it in the next daily digest."""
    return CheckInReply.objects.create(checkin=checkin, user=user, body=body.strip())


# At most this many private notes in any 24 hours: to one person who asked for support
# (from all their facilitators together), and from one facilitator. Enough to reach out,
# too few to become a stream.
SUPPORT_NOTE_LIMITS = {"recipient": 3, "sender": 10}
SUPPORT_NOTE_WINDOW = dt.timedelta(days=1)


@transaction.atomic
def send_support_note(*, sender: User, checkin: CheckIn, body: str) -> None:
    """A facilitator writes privately to someone who asked for support in their check-in
    (circles.send_support_note, checked by the caller). The note goes through the outbox
    only: the email is all there is of it, kept as long as the outbox keeps its rows.

    Rules: the check-in is this week's or last week's (what the support page shows); its
    author is still an active member with an active account; the note is not empty; at
    most SUPPORT_NOTE_LIMITS["recipient"] notes to one person and ["sender"] from one
    facilitator in any 24 hours (counted while holding the check-in's row lock, so two
    clicks at once cannot both pass)."""
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("user", "circle")
        .get(pk=checkin.pk)
    )
    body = body.strip()
    if not body:
        raise CircleError(_("Write a few words first."))
    circle = checkin.circle
    this_week = current_week(circle)
    if checkin.week not in (this_week, previous_week(this_week)):
        raise CircleError(_("This check-in is more than two weeks old: talk at the next meetup."))
    if not checkin.user.is_active or not circle.is_active_member(checkin.user):
        raise CircleError(_("This person is no longer in the circle."))
    since = timezone.now() - SUPPORT_NOTE_WINDOW
    if (
        notifications.support_notes_to(checkin.user, since=since)
        >= SUPPORT_NOTE_LIMITS["recipient"]
    ):
        raise CircleError(
            gettext(
                "This person has had {count} notes from their facilitators in the last 24 "
                "hours, the most we send. Please try again tomorrow."
            ).format(count=SUPPORT_NOTE_LIMITS["recipient"])
        )
    if notifications.support_notes_from(sender, since=since) >= SUPPORT_NOTE_LIMITS["sender"]:
        raise CircleError(
            gettext(
                "You have sent {count} notes in the last 24 hours, the most we send for one "
                "person. Please try again tomorrow."
            ).format(count=SUPPORT_NOTE_LIMITS["sender"])
        )
    notifications.queue_support_note(checkin=checkin, sender=sender, body=body)


def delete_checkin(*, user: User, checkin: CheckIn) -> None:
    """Authors delete their own check-ins, with the replies on them."""
    if checkin.user_id != user.pk:
        raise CircleError(_("Only the person who wrote a check-in can delete it."))
    checkin.delete()


def delete_reply(*, user: User, reply: CheckInReply) -> None:
    """Authors delete their own notes of support."""
    if reply.user_id != user.pk:
        raise CircleError(_("Only the person who wrote a note can delete it."))
    reply.delete()


def hide_reply(*, by: User, reply: CheckInReply) -> None:
    """A facilitator of the circle hides a note of support: nobody sees it any more."""
    CheckInReply.objects.filter(pk=reply.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now()
    )


def set_checkin_time(*, circle: Circle, by: User, weekday: int, at: object) -> Circle:
    """Change when the circle's weekly check-in prompt goes out (the slot moves with it:
    Circle.save)."""
    circle.checkin_weekday = weekday
    circle.checkin_time = at
    circle.save(update_fields=["checkin_weekday", "checkin_time", "updated_at"])
    return circle
