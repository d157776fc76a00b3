"""meetups' personal data (see accounts.my_data for the contract): the person's RSVPs and
the meetups they hosted in rotation.

On deletion every upcoming seat or waitlist place is given up first, so the seat goes to
the next person waiting; then the RSVPs go with the user row by cascade, and meetups they
hosted stay with their circle, hosted by its facilitators again.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.my_data import iso
from meetups import services
from meetups.models import RSVP, Meetup

MODELS = ["meetups.RSVP", "meetups.Meetup"]


def export(user: User) -> dict[str, Any]:
    """The person's RSVPs with their meetup's circle and time; never who else is coming."""
    rsvps = RSVP.objects.filter(user=user).select_related("meetup__circle").order_by("pk")
    return {
        "rsvps": [
            {
                "meetup_id": r.meetup_id,
                "circle": r.meetup.circle.name,
                "circle_slug": r.meetup.circle.slug,
                "starts_at": iso(r.meetup.starts_at),
                "status": r.status,
                "attended": r.attended,
                "requested_at": iso(r.requested_at),
                "taken_as_a_regular": r.regular,
                "seat_offered_until": iso(r.offer_expires_at),
                "created_at": iso(r.created_at),
            }
            for r in rsvps
        ],
        "meetups_hosted": [
            {"meetup_id": m.pk, "circle_slug": m.circle.slug, "starts_at": iso(m.starts_at)}
            for m in Meetup.objects.filter(host=user).select_related("circle").order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """Give up every upcoming seat and waitlist place through `cancel_rsvp`, so whoever
    waits first is promoted (and emailed once the deletion commits)."""
    upcoming = Meetup.objects.upcoming().filter(
        rsvps__user=user, rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
    )
    for meetup in upcoming:
        try:
            services.cancel_rsvp(user=user, meetup=meetup)
        except services.RSVPError:
            # It started a moment ago: its seats are no longer anyone else's to take.
            continue
