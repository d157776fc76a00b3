"""A circle paused, resumed or archived, and circles that have gone quiet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from circles import services as circles_services
from circles.models import Circle
from circles.services import CircleError
from hosting import notifications
from hosting.services._common import (
    HostingError,
    _locked_circle,
    _log,
)
from meetups import services as meetups_services
from meetups.models import Meetup
from meetups.services import MeetupError, extend_schedule

# How far ahead a resumed circle's schedules make meetups again, as the daily job does.
RESUME_WEEKS_AHEAD = 8


def _stop_circle(
    *, circle: Circle, by: User, stopped: str, stop: Callable[..., Circle], action: str
) -> Circle:
    """Pause or archive a circle through `stop` (a circles service) and call off its
    upcoming meetups with notice to the people going and cancelled calendar entries
    (meetups.services.call_off_upcoming_meetups). Doing it twice does it once."""
    already = _locked_circle(circle).status == stopped
    try:
        result = stop(circle=circle, by=by)
        if already:
            return result
        cancelled = meetups_services.call_off_upcoming_meetups(circle=result, by=by)
    except (CircleError, MeetupError) as exc:
        raise HostingError(exc.message) from exc
    _log(circle=result, actor=by, action=action, note=_called_off(cancelled))
    return result


@transaction.atomic
def pause_circle(*, circle: Circle, by: User) -> Circle:
    """Take a break (circles.services.pause_circle): out of browse, no new members, no new
    meetups, and every upcoming meetup called off."""
    return _stop_circle(
        circle=circle,
        by=by,
        stopped=Circle.Status.PAUSED,
        stop=circles_services.pause_circle,
        action="pause",
    )


@transaction.atomic
def resume_circle(*, circle: Circle, by: User) -> Circle:
    """Bring a paused circle back (circles.services.resume_circle: active, confirmed still
    meeting from now) and make its schedules' meetups for the next eight weeks again."""
    try:
        resumed = circles_services.resume_circle(circle=circle, by=by)
    except CircleError as exc:
        raise HostingError(exc.message) from exc
    until = timezone.localdate(timezone=resumed.tz) + dt.timedelta(weeks=RESUME_WEEKS_AHEAD)
    made = 0
    for schedule in resumed.schedules.select_related("circle", "venue"):
        made += meetups_services.extend_schedule(schedule=schedule, until=until)
    _log(circle=resumed, actor=by, action="resume", note=f"{made} meetup(s) scheduled.")
    return resumed


@transaction.atomic
def archive_circle(*, circle: Circle, by: User) -> Circle:
    """Close the circle for good (circles.services.archive_circle), its upcoming meetups
    called off."""
    return _stop_circle(
        circle=circle,
        by=by,
        stopped=Circle.Status.ARCHIVED,
        stop=circles_services.archive_circle,
        action="archive",
    )


def _called_off(cancelled: list[Meetup]) -> str:
    return f"{len(cancelled)} upcoming meetup(s) called off."


# Still meeting

# How long without a "yes, we're still meeting" (and with no meetup ahead) before a
# circle goes dormant; facilitators are asked monthly (hosting.notifications).
STILL_MEETING_DAYS = 60
STILL_MEETING_WEEKS_AHEAD = 8


def unconfirmed_since(cutoff: dt.datetime) -> Q:
    """Circles nobody has said still meet since `cutoff`: confirmed before it, or never
    confirmed and created before it."""
    return Q(confirmed_active_at__lt=cutoff) | Q(
        confirmed_active_at__isnull=True, created_at__lt=cutoff
    )


@transaction.atomic
def confirm_still_meeting(*, circle: Circle, by: User) -> Circle:
    """A facilitator says the circle still meets: `confirmed_active_at` becomes now. A
    dormant circle becomes active again (back in browse) and its schedules get their
    meetups STILL_MEETING_WEEKS_AHEAD weeks ahead. A paused or archived circle stays as it
    is (resuming is its own action)."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status == Circle.Status.ARCHIVED:
        raise HostingError("This circle is archived.")
    woke = circle.status == Circle.Status.DORMANT
    circle.confirmed_active_at = timezone.now()
    fields = ["confirmed_active_at", "updated_at"]
    if woke:
        circle.status = Circle.Status.ACTIVE
        fields.append("status")
    circle.save(update_fields=fields)
    _log(circle=circle, actor=by, action="reactivate" if woke else "still meeting")
    if woke:
        until = timezone.now().astimezone(circle.tz).date() + dt.timedelta(
            weeks=STILL_MEETING_WEEKS_AHEAD
        )
        for schedule in circle.schedules.select_related("circle", "venue"):
            extend_schedule(schedule=schedule, until=until)
    return circle


def circles_gone_quiet(now: dt.datetime | None = None) -> QuerySet[Circle]:
    """Active circles with no confirmation for STILL_MEETING_DAYS and no scheduled meetup
    ahead: one query (the meetups' (circle, starts_at) index answers the Exists)."""
    now = now or timezone.now()
    ahead = Meetup.objects.filter(
        circle=OuterRef("pk"), status=Meetup.Status.SCHEDULED, starts_at__gt=now
    )
    return Circle.objects.active().filter(
        unconfirmed_since(now - dt.timedelta(days=STILL_MEETING_DAYS)), ~Exists(ahead)
    )


def mark_dormant_circles(now: dt.datetime | None = None) -> int:
    """Make every circle gone quiet (circles_gone_quiet) dormant: it leaves browse
    (listed() is active circles only), its facilitators are emailed how to bring it back,
    and it is logged. Each circle in its own transaction, re-checked under its row lock, so
    a facilitator confirming at the same moment wins. Returns how many went dormant."""
    now = now or timezone.now()
    dormant = 0
    for pk in circles_gone_quiet(now).values_list("pk", flat=True):
        with transaction.atomic():
            circle = circles_gone_quiet(now).select_for_update().filter(pk=pk).first()
            if circle is None:
                continue
            circle.status = Circle.Status.DORMANT
            circle.save(update_fields=["status", "updated_at"])
            _log(
                circle=circle,
                actor=None,
                action="dormant",
                note=f"No confirmation for {STILL_MEETING_DAYS} days and no meetup ahead.",
            )
            notifications.notify_dormant(circle.pk, now.date().isoformat())
        dormant += 1
    return dormant
