"""The "I can't make it" link in every reminder: a signed link that frees a seat.

In mental-health services the main value of a reminder has been found to be an easy way
to cancel, which gives the seat to someone waiting. So each reminder carries a link that
works without signing in: the link itself is the credential. It is signed with
`django.core.signing` under a salt of its own (an unsubscribe or any other signed value of
the site never passes for it) and carries the ids of the RSVP, its meetup and its person,
which must all still belong together.

The link only opens a page: mail security scanners open every link in a message, so a GET
never changes anything. The page's button POSTs (with a CSRF token, like every form) and
gives the seat up through `meetups.services.cancel_rsvp`, which promotes the first person
waiting and emails them.

A link works until the meetup starts: the start is read from the meetup when the link is
used, not written into the link, so a meetup moved later still honours it and one moved
earlier stops it earlier. What a link can no longer do is told plainly (`Refusal`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from circles.converters import MAX_ID
from meetups.models import RSVP

SALT = "meetups.cant_make_it"


class Refusal(enum.Enum):
    """Why a link cannot free a seat."""

    INVALID = "invalid"  # cut short, changed, not ours, or the seat no longer exists
    STARTED = "started"  # the meetup has started (or ended): too late to give it away
    MEETUP_CANCELLED = "meetup-cancelled"  # the facilitators called the meetup off
    ALREADY_CANCELLED = "already-cancelled"  # the seat was given up already

    @property
    def status_code(self) -> int:
        """400 for a link that was never good; 410 (Gone) for one that was and no longer
        can be used."""
        return 400 if self is Refusal.INVALID else 410


@dataclass(frozen=True)
class Reading:
    """What a link points at: the seat, or why it cannot be given up (`refusal`), with the
    seat too when the link itself was good."""

    seat: RSVP | None
    refusal: Refusal | None = None


def token(seat: RSVP) -> str:
    return signing.dumps({"r": seat.pk, "m": seat.meetup_id, "u": seat.user_id}, salt=SALT)


def url(seat: RSVP) -> str:
    """The absolute link for a seat, as emails carry it."""
    path = reverse("meetups:cant_make_it", args=[seat.meetup_id, token(seat)])
    return f"{settings.SITE_URL}{path}"


def _ids(value: str, meetup_id: int) -> tuple[int, int, int] | None:
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    ids = (data.get("r"), data.get("m"), data.get("u"))
    if not all(type(i) is int and 0 < i <= MAX_ID for i in ids):
        return None
    if ids[1] != meetup_id:
        return None  # a good link pasted onto another meetup's address
    return ids  # type: ignore[return-value]


def read(value: str, *, meetup_id: int) -> Reading:
    """The seat a link (found at /meetups/<meetup_id>/cant-make-it/<value>/) may free, read
    now; or why not. Never raises for anything a visitor can type."""
    ids = _ids(value, meetup_id)
    if ids is None:
        return Reading(None, Refusal.INVALID)
    rsvp_id, meetup_id, user_id = ids
    seat = (
        RSVP.objects.select_related("user", "meetup__circle", "meetup__venue")
        .filter(pk=rsvp_id, meetup_id=meetup_id, user_id=user_id, user__is_active=True)
        .first()
    )
    if seat is None:
        return Reading(None, Refusal.INVALID)
    return Reading(seat, refusal_for(seat))


def refusal_for(seat: RSVP) -> Refusal | None:
    """Why this seat cannot be given up from a link now, or None when it can."""
    if seat.meetup.is_cancelled:
        return Refusal.MEETUP_CANCELLED
    if seat.meetup.has_started(timezone.now()):
        return Refusal.STARTED
    if seat.status == RSVP.Status.CANCELLED:
        return Refusal.ALREADY_CANCELLED
    return None
