"""Starting a circle: its slug, its first schedule and the meetups ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from circles.cache import bump_browse_version
from circles.feed import SLUG_MAX_LENGTH
from circles.models import WEEKS_OF_MONTH, Circle, Membership, Schedule, Topic, Venue
from hosting import agreement
from hosting.models import HostingAgreement
from hosting.services._common import (
    HostingError,
    _log,
)
from meetups.services import extend_schedule, occurrences

# Starting a circle

# How far ahead a schedule's first meetup may be, for the "does it ever meet?" check.
FIRST_MEETUP_WITHIN = dt.timedelta(days=400)


def unique_slug(name: str, *, preferred: str = "") -> str:
    """A slug for a new circle from its name (or `preferred`), at most SLUG_MAX_LENGTH
    characters and unused: a second circle with the same name gets "-2", then "-3"…"""
    base = slugify(preferred or name)[:SLUG_MAX_LENGTH].strip("-") or "circle"
    taken = set(Circle.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        slug = f"{base[: SLUG_MAX_LENGTH - len(suffix)].rstrip('-')}{suffix}"
        if slug not in taken:
            return slug
        number += 1


def _first_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        label = field.replace("_", " ")
        return f"{label.capitalize()}: {errors[0]}" if field != "__all__" else errors[0]
    return error.messages[0]


class ScheduleError(HostingError):
    """A schedule that cannot be: `field` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_schedule(schedule: Schedule, *, today: dt.date) -> None:
    """A new schedule starts today or later (`today` in the circle's timezone), ends (if
    it ends) on or after its start, names its week of the month when monthly, and meets at
    least once. `schedule.circle` may be unsaved; it gives the timezone."""
    if schedule.starts_on < today:
        raise ScheduleError(
            _("The first meetup can't be in the past: choose today or a later date."),
            field="starts_on",
        )
    if schedule.until is not None and schedule.until < schedule.starts_on:
        raise ScheduleError(_("The last date is before the first one."), field="until")
    if schedule.frequency == Schedule.Frequency.MONTHLY and schedule.week_of_month not in (
        WEEKS_OF_MONTH
    ):
        raise ScheduleError(
            _("Choose which week of the month: first to fourth, or last."), field="weeks_of_month"
        )
    last = schedule.until or schedule.starts_on + FIRST_MEETUP_WITHIN
    if not occurrences(schedule, schedule.starts_on, last):
        raise ScheduleError(
            _("The circle would never meet between these dates: move the last date later."),
            field="until",
        )


def _check_online_link(url: str) -> None:
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        raise HostingError("The online link must start with https:// (or http://).")


@transaction.atomic
def host_circle(
    *,
    user: User,
    circle: Circle,
    topics: Iterable[Topic],
    schedules: list[Schedule],
    venue: Venue | None = None,
    agreement_version: str,
) -> Circle:
    """Start a circle: `user` becomes its facilitator, and its first WEEKS_AHEAD weeks of
    meetups exist at once.

    `circle`, `schedules` and (for a new venue) `venue` are unsaved instances filled in
    by the caller; an existing venue is passed as it is. Rules: the host has a verified
    email and accepted the current facilitator agreement (`agreement.VERSION`); every field
    passes the models' own validation; an in-person or hybrid circle has an area and a
    venue, an online or hybrid one an http(s) link; each schedule starts today or later in
    the circle's timezone, ends (if it ends) after it starts, and meets at least once. The
    slug comes from the name (or a slug already set) and is made unique.

    Everything is made in one transaction: the circle, its topics, the host's active
    facilitator membership (guidelines accepted), the agreement accepted, the venue, the
    schedules and their meetups, and an ActionLog entry. A broken rule raises HostingError
    and saves nothing.
    """
    if not user.has_verified_email():
        raise HostingError(_("Please confirm your email address first, then start your circle."))
    if agreement_version != agreement.VERSION:
        raise HostingError(_("Please read the facilitator agreement and tick that you accept it."))
    if not schedules:
        raise HostingError(_("Choose when the circle meets."))
    in_person = circle.format != Circle.Format.ONLINE
    if in_person and venue is None:
        raise HostingError(_("Choose where the circle meets: a venue near its area."))
    if in_person and (circle.lat is None or circle.lng is None):
        raise HostingError(_("Choose the circle's area."))
    if circle.format != Circle.Format.IN_PERSON and not circle.online_url:
        raise HostingError(_("Add the link people use to join online."))
    _check_online_link(circle.online_url)
    if not in_person:
        venue = None

    now = timezone.now()
    circle.status = Circle.Status.ACTIVE
    circle.confirmed_active_at = now
    circle.slug = unique_slug(circle.name, preferred=circle.slug)
    new_venue = venue is not None and venue.pk is None
    try:
        circle.full_clean()
        if new_venue:
            venue.created_by = user
            venue.full_clean()
        for schedule in schedules:
            # Its constraints are check_schedule's rules, worded for the host below.
            schedule.full_clean(exclude=["circle", "venue"], validate_constraints=False)
    except ValidationError as error:
        raise HostingError(_first_message(error)) from error
    today = circle.today(now)
    for schedule in schedules:
        schedule.circle = circle
        check_schedule(schedule, today=today)

    if new_venue:
        venue.save()
    # Two people starting circles of the same name at once: the second takes the next slug.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                circle.save()
            break
        except IntegrityError:
            circle.slug = unique_slug(circle.name)
    else:
        raise HostingError(_("Please try again: another circle of that name was just started."))
    circle.topics.set(list(topics))
    Membership.objects.create(
        user=user,
        circle=circle,
        role=Membership.Role.FACILITATOR,
        status=Membership.Status.ACTIVE,
        guidelines_version=circle.guidelines_version,
        guidelines_accepted_at=now,
    )
    HostingAgreement.objects.create(user=user, circle=circle, version=agreement.VERSION)
    until = circle.meetups_made_until(now)
    for schedule in schedules:
        schedule.circle = circle
        schedule.venue = venue
        schedule.save()
        extend_schedule(schedule=schedule, until=until)
    _log(circle=circle, actor=user, action="host circle")
    bump_browse_version()
    return circle
