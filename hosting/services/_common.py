"""What every hosting service shares: the error a broken rule raises, the action log,
and the locks that make a double click act once."""

from __future__ import annotations

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


def _locked_circle(circle: Circle) -> Circle:
    """The circle's row, locked until the transaction ends: a double click pauses or
    archives it once."""
    return Circle.objects.select_for_update().get(pk=circle.pk)


def _locked_meetup(meetup: Meetup) -> Meetup:
    """The meetup row (not its circle's), locked until the surrounding transaction ends."""
    return Meetup.objects.select_for_update(of=("self",)).select_related("circle").get(pk=meetup.pk)
