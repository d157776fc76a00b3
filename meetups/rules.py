"""The meetup's permissions (see accounts.rules for the policy as a whole).

Each predicate takes the person and a Meetup and reads their membership and seat as they
are now: a member removed, blocked or gone loses the online link and any hosting at once,
on past and called-off meetups and in calendar feeds too.
"""

from __future__ import annotations

import rules

from accounts.rules import is_signed_in
from circles.rules import meetups_are_open
from meetups import models
from meetups.models import Meetup


@rules.predicate
def circles_meetups_are_open(user: object, meetup: Meetup | None) -> bool:
    """circles.see_meetups, asked of the meetup's circle."""
    return meetup is not None and meetups_are_open.test(user, meetup.circle)


@rules.predicate
def in_meetups_circle(user: object, meetup: Meetup | None) -> bool:
    return meetup is not None and meetup.circle.is_active_member(user)


@rules.predicate
def facilitates_meetups_circle(user: object, meetup: Meetup | None) -> bool:
    return meetup is not None and meetup.circle.is_facilitator(user)


@rules.predicate
def is_meetups_rotating_host(user: object, meetup: Meetup | None) -> bool:
    """The member confirmed to host this meetup in rotation."""
    return (
        meetup is not None
        and meetup.host_id is not None
        and meetup.host_id == getattr(user, "pk", None)
    )


@rules.predicate
def holds_a_seat(user: object, meetup: Meetup | None) -> bool:
    user_id = getattr(user, "pk", None)
    return meetup is not None and user_id is not None and models.holds_a_seat(meetup, user_id)


@rules.predicate
def is_called_off(user: object, meetup: Meetup | None) -> bool:
    return meetup is not None and meetup.is_cancelled


#: The circle's facilitators host every meetup; a member confirmed as its host in rotation
#: hosts this one, while they are in the circle.
hosts_meetup = facilitates_meetups_circle | (is_meetups_rotating_host & in_meetups_circle)


@rules.predicate
def host_is_in_circle(user: object, meetup: Meetup | None) -> bool:
    return (
        meetup is not None
        and meetup.host_id is not None
        and meetup.circle.is_active_member(meetup.host)
    )


# A meetup's page, its .ics file, its RSVP control: as circles.see_meetups for its circle
# (the 404 of a missing id for everyone else).
rules.add_perm("meetups.see_meetup", circles_meetups_are_open)
# Host it: see who is coming, message them, mark attendance.
rules.add_perm("meetups.host_meetup", is_signed_in & hosts_meetup)
# The name of the member hosting it in rotation: it tells who belongs to the circle, so
# only the circle's members see it, and only while the host is still in the circle
# (everyone else reads "hosted by a member").
rules.add_perm("meetups.see_host_name", is_signed_in & in_meetups_circle & host_is_in_circle)
# Offer to host it in rotation: the circle's active members (facilitators host anyway).
rules.add_perm("meetups.offer_to_host", is_signed_in & in_meetups_circle)
# Change it: move, call off, set the seats. The circle's facilitators only.
rules.add_perm("meetups.manage_meetup", is_signed_in & facilitates_meetups_circle)
# The online link and dial-in: for people going who are in the circle now, and for its
# hosts; never on a called-off meetup.
rules.add_perm(
    "meetups.see_online_link",
    is_signed_in & ~is_called_off & ((in_meetups_circle & holds_a_seat) | hosts_meetup),
)
