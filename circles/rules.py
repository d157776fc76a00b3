"""The circle's permissions (see accounts.rules for the policy as a whole).

Each predicate takes the person and a Circle (or, where named, a CheckIn) and reads the
person's membership as it is now.
"""

from __future__ import annotations

import rules

from accounts.rules import is_signed_in
from circles.models import CheckIn, Circle, Membership


@rules.predicate
def is_active_member(user: object, circle: Circle | None) -> bool:
    """In the circle now (facilitators included): not pending, left, removed or blocked."""
    return circle is not None and circle.is_active_member(user)


@rules.predicate
def is_circle_facilitator(user: object, circle: Circle | None) -> bool:
    """An active facilitator of the circle (an invited co-facilitator is not one yet)."""
    return circle is not None and circle.is_facilitator(user)


@rules.predicate
def is_in_circle_or_asking(user: object, circle: Circle | None) -> bool:
    """An active member, or someone whose request to join waits for an answer."""
    if circle is None:
        return False
    membership = circle.membership_of(user)
    return membership is not None and membership.status in Membership.CURRENT


@rules.predicate
def is_listed(user: object, circle: Circle | None) -> bool:
    return circle is not None and not circle.is_unlisted


@rules.predicate
def is_running(user: object, circle: Circle | None) -> bool:
    """Active: not paused, dormant or archived."""
    return circle is not None and circle.status == Circle.Status.ACTIVE


@rules.predicate
def is_archived(user: object, circle: Circle | None) -> bool:
    return circle is not None and circle.status == Circle.Status.ARCHIVED


#: A circle's meetups (their pages, calendar files and RSVPs) are public while the circle is
#: listed and not archived; otherwise they are for its active members and facilitators.
#: An invite token opens the circle's page, not its meetups: people join there first.
meetups_are_open = (is_listed & ~is_archived) | is_active_member | is_circle_facilitator

# A circle's page: a listed circle's is open to anyone; an unlisted circle's only to the
# people in it or asking to join (an invite token opens it too: see circles.views, which
# checks the token beside this permission). Everyone else gets the 404 of a missing slug.
rules.add_perm("circles.see_circle", is_listed | is_in_circle_or_asking | is_circle_facilitator)
rules.add_perm("circles.see_meetups", meetups_are_open)
# Run the circle: approve and remove members, change and cancel its meetups, see who is
# coming, answer reports routed to its facilitators. Staff do not: moderators act on
# reports through hosting.handle_report.
rules.add_perm("circles.manage_circle", is_signed_in & is_circle_facilitator)
# This week's check-in, and the circle's shared check-ins on its page.
rules.add_perm("circles.check_in", is_signed_in & is_running & is_active_member)
rules.add_perm("circles.see_checkins", is_signed_in & is_active_member)
# Who asked for support this week, and hiding a note of support.
rules.add_perm("circles.see_support_requests", is_signed_in & is_circle_facilitator)
# "I come every week" (a seat at every meetup ahead) and stopping it: active members.
rules.add_perm("circles.come_every_week", is_signed_in & is_active_member)
# Leave the circle, or withdraw a request to join it.
rules.add_perm("circles.leave_circle", is_signed_in & is_in_circle_or_asking)
# Report a concern about the circle, a meetup or a person in it.
rules.add_perm("circles.report_concern", is_signed_in & is_active_member)


@rules.predicate
def is_checkin_author(user: object, checkin: CheckIn | None) -> bool:
    return checkin is not None and getattr(user, "pk", None) == checkin.user_id


@rules.predicate
def checkin_reaches_facilitators(user: object, checkin: CheckIn | None) -> bool:
    return (
        checkin is not None
        and checkin.visibility != CheckIn.Visibility.PRIVATE
        and checkin.circle.is_facilitator(user)
    )


@rules.predicate
def checkin_shared_with_circle(user: object, checkin: CheckIn | None) -> bool:
    return (
        checkin is not None
        and checkin.visibility == CheckIn.Visibility.CIRCLE
        and checkin.circle.is_active_member(user)
    )


# A check-in is its author's; the facilitators read it when it is for them or the circle;
# the circle's active members when it is shared with the circle. Nobody else, staff
# included: check-ins are not for moderators.
rules.add_perm(
    "circles.read_checkin",
    is_signed_in & (is_checkin_author | checkin_reaches_facilitators | checkin_shared_with_circle),
)


@rules.predicate
def checkin_asks_facilitators_for_support(user: object, checkin: CheckIn | None) -> bool:
    """The check-in asks for support and `user` facilitates its circle now."""
    return checkin is not None and checkin.wants_support and checkin.circle.is_facilitator(user)


# A private note to someone who asked for support: from a facilitator of that circle only,
# never to themselves, and only about a check-in that asked for support.
rules.add_perm(
    "circles.send_support_note",
    is_signed_in & ~is_checkin_author & checkin_asks_facilitators_for_support,
)
# A note of support: on a check-in shared with the circle, by another active member.
rules.add_perm(
    "circles.reply_to_checkin", is_signed_in & ~is_checkin_author & checkin_shared_with_circle
)
