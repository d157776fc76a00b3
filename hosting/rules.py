"""The hosting side's permissions (see accounts.rules for the policy as a whole)."""

from __future__ import annotations

import rules

from accounts.rules import is_moderator, is_signed_in
from hosting.models import Report


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
