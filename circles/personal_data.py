"""circles' personal data (see accounts.my_data for the contract): memberships, check-ins
and venues added; and the circles a person must not leave without a host.

On deletion, memberships, check-ins (with the notes of support on them) and the notes of
support the person wrote go with the user row by cascade; venues they added
stay for their circles with the creator removed. A circle the person is the last host of while
other members remain blocks the deletion until it is handed over or archived (the delete
page offers both, through hosting.personal_data.SettleCircles, the facilitator's side); a
circle they host with no other member is archived with the account.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.my_data import AccountDeletionBlocked, iso
from circles import notifications, services
from circles.models import CheckIn, CheckInReply, Circle, Membership, Venue

MODELS = ["circles.Membership", "circles.CheckIn", "circles.CheckInReply", "circles.Venue"]


def export(user: User) -> dict[str, Any]:
    """The person's memberships (with their join answer and guidelines accepted), their own
    check-ins (with the notes of support they received, without who wrote them: that is
    the other member's), the notes of support they wrote, and the venues they added."""
    memberships = Membership.objects.filter(user=user).select_related("circle").order_by("pk")
    checkins = (
        CheckIn.objects.filter(user=user)
        .select_related("circle")
        .prefetch_related("replies")
        .order_by("pk")
    )
    replies = CheckInReply.objects.filter(user=user).select_related("checkin__circle")
    return {
        "memberships": [
            {
                "circle": m.circle.name,
                "circle_slug": m.circle.slug,
                "role": m.role,
                "status": m.status,
                "joined_at": iso(m.created_at),
                "updated_at": iso(m.updated_at),
                "join_answer": m.join_answer,
                "guidelines_version": m.guidelines_version,
                "guidelines_accepted_at": iso(m.guidelines_accepted_at),
                "comes_every_week_since": iso(m.regular_since),
            }
            for m in memberships
        ],
        "checkins": [
            {
                "circle": c.circle.name,
                "circle_slug": c.circle.slug,
                "iso_year": c.iso_year,
                "iso_week": c.iso_week,
                "mood": c.mood,
                "note": c.note,
                "visibility": c.visibility,
                "wants_support": c.wants_support,
                "created_at": iso(c.created_at),
                "updated_at": iso(c.updated_at),
                "notes_of_support_received": [
                    {"note": r.body, "at": iso(r.created_at), "hidden": r.hidden_at is not None}
                    for r in c.replies.all()
                ],
            }
            for c in checkins
        ],
        "checkin_replies_written": [
            {
                "circle": r.checkin.circle.name,
                "note": r.body,
                "at": iso(r.created_at),
                "hidden_by_facilitators": r.hidden_at is not None,
            }
            for r in replies.order_by("pk")
        ],
        "venues_added": [
            {"name": v.name, "address": v.address}
            for v in Venue.objects.filter(created_by=user).order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """Refuse while the person is the last host of a circle that still has members (see
    `Circle.objects.left_without_a_host_by`); archive the circles they host alone."""
    blocking = list(Circle.objects.left_without_a_host_by(user).select_for_update())
    if blocking:
        raise AccountDeletionBlocked(
            _(
                "You are the only facilitator of a circle. Hand it over to another member or "
                "archive it first, so its members are not left without a host."
            ),
            blocking,
        )
    services.archive_circles_hosted_alone_by(user=user)
    notifications.withdraw_support_notes_from(user)
