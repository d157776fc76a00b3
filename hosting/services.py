"""Everything a facilitator does that changes state, one transaction each.

Hosting changes circles, schedules, meetups and memberships together, so its services
compose the lower rooms' services (circles.services, meetups.services) rather than writing
their rows around them. Each raises HostingError with a message written for the person who
asked, and logs what it did in ActionLog (who, what, when).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from circles.models import Circle
from hosting.models import ActionLog, Report
from meetups.models import Meetup


class HostingError(Exception):
    """A rule said no; `message` is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _log(
    *,
    circle: Circle,
    actor: User | None,
    action: str,
    subject_user: User | None = None,
    meetup: Meetup | None = None,
    report: Report | None = None,
    note: str = "",
) -> ActionLog:
    """Record what a facilitator or moderator did, inside the caller's transaction."""
    return ActionLog.objects.create(
        circle=circle,
        actor=actor,
        action=action,
        subject_user=subject_user,
        meetup=meetup,
        report=report,
        note=note,
    )


# Starting a circle


# Meetups


# The series


# Join requests


# Members


# Co-facilitators and the circle's state


# Rotating hosts


# Messages


# Still meeting


# Reports


@transaction.atomic
def resolve_report(*, report: Report, by: User, note: str = "") -> Report:
    """Close a report with a note. The circle's facilitators resolve what is routed to them
    (never a report about themselves); moderators resolve anything."""
    report = Report.objects.select_for_update().select_related("circle").get(pk=report.pk)
    if not by.is_staff:
        if report.routed_to != Report.RoutedTo.FACILITATORS or not report.circle.can_manage(by):
            raise HostingError("Only the circle's facilitators or a moderator can resolve this.")
        if report.about_user_id == by.pk:
            raise HostingError("A report about you goes to the site's moderators.")
    if report.status == Report.Status.RESOLVED:
        return report
    report.status = Report.Status.RESOLVED
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    _log(circle=report.circle, actor=by, action="resolve report", report=report, note=note)
    return report
