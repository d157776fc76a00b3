"""Editing a circle after it started: what it says about itself, who may join and find it,
where it meets and how many seats its meetups have."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from circles.cache import bump_browse_version
from circles.models import Circle, Schedule, Topic, Venue
from hosting.services._common import _locked_circle, _log
from meetups import services as meetups_services
from meetups.models import Meetup

# What the edit page changes on the circle row itself, in the order a change is named.
EDITABLE_CIRCLE_FIELDS = (
    "name",
    "description",
    "guidelines",
    "join_policy",
    "join_question",
    "visibility",
    "step_free",
    "sign_language",
    "fragrance_free",
    "hearing_support",
    "accessibility_notes",
    "online_url",
    "dial_in_phone",
    "dial_in_code",
    "dial_in_public",
    "seats_kept_open",
    "offer_window_minutes",
)


@dataclass
class CircleEdit:
    """What an edit changed (field names, plus "topics", "venue", "seats"), and how many
    upcoming meetups moved to the new venue or took the new number of seats."""

    changed: list[str]
    meetups_moved: int = 0
    meetups_reseated: int = 0


def circle_venue(circle: Circle) -> Venue | None:
    """Where the circle meets: the venue of its current schedules (the first, when a
    monthly rhythm has several rows)."""
    schedule = circle.schedules.current().select_related("venue").order_by("pk").first()
    return schedule.venue if schedule else None


def default_seats(circle: Circle) -> int | None:
    """How many seats a new meetup of the circle has: its current schedules' capacity."""
    schedule = circle.schedules.current().order_by("pk").first()
    return schedule.capacity if schedule else None


@transaction.atomic
def edit_circle(
    *,
    circle: Circle,
    by: User,
    values: dict[str, object],
    topics: Iterable[Topic],
    venue: Venue | None,
    seats: int | None,
) -> CircleEdit:
    """Change what the circle says and how it meets, all or nothing, logged once.

    Rules, beyond the form's: a new text of the guidelines is a new version
    (`guidelines_version` rises), so members are asked to accept it again (the circle's
    page asks those whose accepted version is older). A new venue (saved when it is new)
    becomes the venue of the current schedules, and each upcoming meetup still at the old
    one moves there through meetups.services.move_meetup: its RSVPs stay, and everyone
    going or waitlisted gets the existing "moved" email saying from where to where. A
    meetup a facilitator had already moved elsewhere stays where it is. New default seats
    become the current schedules' capacity, and each upcoming meetup that still had the
    old number takes the new one (meetups.services.set_capacity: more seats go to the
    waitlist first, fewer never remove anyone going). Requests waiting when joining
    becomes open stay for the facilitators to answer. Saving what is already there
    changes and logs nothing.
    """
    locked = _locked_circle(circle)
    changed: list[str] = []
    updates: dict[str, object] = {}
    for field in EDITABLE_CIRCLE_FIELDS:
        if field in values and getattr(locked, field) != values[field]:
            updates[field] = values[field]
            changed.append(field)
    if "guidelines" in updates:
        updates["guidelines_version"] = F("guidelines_version") + 1
    if updates:
        Circle.objects.filter(pk=locked.pk).update(**updates, updated_at=timezone.now())
    new_topics = {topic.pk for topic in topics}
    if new_topics != set(locked.topics.values_list("pk", flat=True)):
        locked.topics.set(new_topics)
        changed.append("topics")

    edit = CircleEdit(changed=changed)
    schedules = list(locked.schedules.current().select_related("venue").order_by("pk"))
    if venue is not None and schedules and venue != schedules[0].venue:
        if venue.pk is None:
            venue.save()
        edit.meetups_moved = _move_to(venue, schedules=schedules, by=by)
        changed.append("venue")
    if seats is not None and schedules and any(s.capacity != seats for s in schedules):
        edit.meetups_reseated = _reseat(seats, schedules=schedules, by=by)
        changed.append("seats")

    if changed:
        circle.refresh_from_db()
        _log(circle=circle, actor=by, action="edit circle", note=", ".join(changed))
        bump_browse_version()
    return edit


def _upcoming_of(schedules: list[Schedule]) -> list[Meetup]:
    return list(
        Meetup.objects.upcoming()
        .filter(schedule__in=schedules)
        .select_related("circle", "venue", "schedule")
    )


def _move_to(venue: Venue, *, schedules: list[Schedule], by: User) -> int:
    """Point the schedules at `venue` and move their upcoming meetups still at a
    schedule's old venue; returns how many moved."""
    was = {schedule.pk: schedule.venue_id for schedule in schedules}
    Schedule.objects.filter(pk__in=was).update(venue=venue)
    moved = 0
    for meetup in _upcoming_of(schedules):
        if meetup.venue_id != was[meetup.schedule_id]:
            continue
        meetups_services.move_meetup(
            meetup=meetup,
            starts_at=meetup.starts_at,
            ends_at=meetup.ends_at,
            venue=venue,
            by=by,
        )
        moved += 1
    return moved


def _reseat(seats: int, *, schedules: list[Schedule], by: User) -> int:
    """New default seats for the schedules and their upcoming meetups that kept the old
    number; returns how many meetups changed."""
    was = {schedule.pk: schedule.capacity for schedule in schedules}
    Schedule.objects.filter(pk__in=was).update(capacity=seats)
    reseated = 0
    for meetup in _upcoming_of(schedules):
        if meetup.capacity != was[meetup.schedule_id] or meetup.capacity == seats:
            continue
        meetups_services.set_capacity(meetup=meetup, capacity=seats, by=by)
        reseated += 1
    return reseated
