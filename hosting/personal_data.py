"""hosting's personal data (see accounts.my_data for the contract): the facilitator
agreements a person accepted, their offers to host, the messages they sent to people going
to a meetup, and the reports they filed.

Never exported: reports about the person (the reported person never sees a report, or who
made it) and the action log (a record of what facilitators and moderators did, kept for
moderation; a person's own entries lose their name when the account goes).

On deletion, agreements and offers go with the user row by cascade; reports the person
filed stay for whoever reads them with the reporter removed; messages and log entries stay
with their author removed.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.my_data import iso
from hosting.models import HostingAgreement, HostOffer, MeetupMessage, Report

MODELS = [
    "hosting.HostingAgreement",
    "hosting.HostOffer",
    "hosting.MeetupMessage",
    "hosting.Report",
]
NOT_EXPORTED = {
    "hosting.ActionLog": (
        "What facilitators and moderators did, kept for moderation; the person's own "
        "entries lose their name when the account is deleted."
    ),
}


def export(user: User) -> dict[str, Any]:
    agreements = HostingAgreement.objects.filter(user=user).select_related("circle")
    offers = HostOffer.objects.filter(user=user).select_related("meetup__circle")
    sent = MeetupMessage.objects.filter(sender=user).select_related("meetup__circle")
    reports = Report.objects.filter(reporter=user).select_related("circle")
    return {
        "facilitator_agreements": [
            {"circle_slug": a.circle.slug, "version": a.version, "accepted_at": iso(a.accepted_at)}
            for a in agreements.order_by("pk")
        ],
        "offers_to_host": [
            {
                "meetup_id": o.meetup_id,
                "circle_slug": o.meetup.circle.slug,
                "status": o.status,
                "created_at": iso(o.created_at),
            }
            for o in offers.order_by("pk")
        ],
        "messages_sent": [
            {
                "meetup_id": m.meetup_id,
                "circle_slug": m.meetup.circle.slug,
                "body": m.body,
                "created_at": iso(m.created_at),
            }
            for m in sent.order_by("pk")
        ],
        "reports": [
            {
                "circle": r.circle.name,
                "circle_slug": r.circle.slug,
                "reason": r.reason,
                "details": r.details,
                "status": r.status,
                "created_at": iso(r.created_at),
            }
            for r in reports.order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """Nothing to settle first: see the module docstring for what stays."""
