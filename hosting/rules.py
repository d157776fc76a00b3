"""The hosting side's permissions (see accounts.rules for the policy as a whole)."""

from __future__ import annotations

import rules

from accounts.rules import is_moderator, is_signed_in
from hosting.models import CoverRequest, HostOffer, Report
from meetups.rules import hosts_meetup


@rules.predicate
def report_is_for_facilitators(user: object, report: Report | None) -> bool:
    return report is not None and report.routed_to == Report.RoutedTo.FACILITATORS


@rules.predicate
def facilitates_reports_circle(user: object, report: Report | None) -> bool:
    return report is not None and report.circle.is_facilitator(user)


@rules.predicate
def is_about_them(user: object, report: Report | None) -> bool:
    return report is not None and report.about_user_id == getattr(user, "pk", None)


# Moderators act on reports (the admin's report pages, which need the second factor too):
# resolve them and hide a circle, each act logged with the report it answers.
rules.add_perm("hosting.moderate", is_moderator)
# Read and resolve one report: the circle's facilitators, for what is routed to them and
# is not about them; moderators, for any report.
rules.add_perm(
    "hosting.handle_report",
    is_moderator
    | (is_signed_in & report_is_for_facilitators & facilitates_reports_circle & ~is_about_them),
)


@rules.predicate
def asked_for_this_cover(user: object, cover: CoverRequest | None) -> bool:
    return cover is not None and cover.asked_by_id == getattr(user, "pk", None)


@rules.predicate
def facilitates_covers_circle(user: object, cover: CoverRequest | None) -> bool:
    return cover is not None and cover.meetup.circle.is_facilitator(user)


@rules.predicate
def offered_to_host_in_covers_circle(user: object, cover: CoverRequest | None) -> bool:
    """An active member of the circle with an offer to host one of its meetups waiting
    or confirmed (offers are withdrawn when someone leaves or is removed)."""
    if cover is None:
        return False
    circle = cover.meetup.circle
    return (
        circle.is_active_member(user)
        and HostOffer.objects.filter(
            user_id=getattr(user, "pk", None),
            meetup__circle=circle,
            status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED],
        ).exists()
    )


# "I can't host this one": whoever hosts the meetup (its facilitators, or its host in
# rotation while in the circle) asks for cover. Which of them may ask for one meetup is a
# state rule (hosting.services.ask_for_cover); settling a request nobody accepted is
# meetups.manage_meetup's.
rules.add_perm("hosting.ask_for_cover", is_signed_in & hosts_meetup)
# Accept to cover (and open the page the email links to): the circle's facilitators and
# the members who have offered to host in it, never the person who asked.
rules.add_perm(
    "hosting.cover_meetup",
    is_signed_in
    & ~asked_for_this_cover
    & (facilitates_covers_circle | offered_to_host_in_covers_circle),
)
