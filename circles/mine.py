"""A person's own circles as their home page and "My circles" show them: each with their
role, the next meetup, whether they checked in this week and, for the circles they
facilitate, what waits for them (join requests, open reports)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Count, Q

from accounts.models import User
from circles.checkins import current_week
from circles.models import CheckIn, Circle, Membership


@dataclasses.dataclass
class MyCircle:
    circle: Circle
    membership: Membership
    next_meetup: dict[str, Any] | None
    checked_in: bool
    # For facilitators only; None for members.
    requests_waiting: int | None = None
    reports_waiting: int | None = None

    @property
    def is_facilitator(self) -> bool:
        return self.membership.role == Membership.Role.FACILITATOR

    @property
    def is_pending(self) -> bool:
        return self.membership.status == Membership.Status.PENDING

    @property
    def waiting(self) -> int:
        return (self.requests_waiting or 0) + (self.reports_waiting or 0)


def reports_waiting(user: User, circle: Circle) -> int:
    """Open reports in the circle's facilitators' queue, never one about `user` (as the
    manage page shows them). Reports are hosting's rows, read through the circle's
    relation."""
    return circle.reports.for_facilitators().open().exclude(about_user=user).count()


def waiting_for(user: User, circle: Circle) -> int:
    """How many requests to join and reports wait for a facilitator of the circle: the
    count beside its manage link."""
    return circle.memberships.pending().count() + reports_waiting(user, circle)


def my_circles(user: User) -> list[MyCircle]:
    """The circles `user` belongs to or asks to join, not closed ones, by name: a fixed
    handful of queries, and one more for each circle they facilitate."""
    memberships = list(
        Membership.objects.current()
        .filter(user=user)
        .exclude(circle__status=Circle.Status.ARCHIVED)
        .select_related("circle")
        .order_by("circle__name", "pk")
    )
    if not memberships:
        return []
    circle_ids = [m.circle_id for m in memberships]
    next_meetups = Circle.objects.filter(pk__in=circle_ids).next_meetups()
    checked = {
        (circle_id, year * 100 + week)
        for circle_id, year, week in CheckIn.objects.filter(
            user=user, circle_id__in=circle_ids
        ).values_list("circle_id", "iso_year", "iso_week")
    }
    hosted = [
        m.circle_id
        for m in memberships
        if m.role == Membership.Role.FACILITATOR and m.status == Membership.Status.ACTIVE
    ]
    waiting: dict[int, dict[str, int]] = {}
    if hosted:
        rows = Circle.objects.filter(pk__in=hosted).annotate(
            requests=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.PENDING),
                distinct=True,
            ),
        )
        for circle in rows:
            waiting[circle.pk] = {
                "requests": circle.requests,
                "reports": reports_waiting(user, circle),
            }
    mine = []
    for membership in memberships:
        circle = membership.circle
        counts = waiting.get(circle.pk)
        mine.append(
            MyCircle(
                circle=circle,
                membership=membership,
                next_meetup=next_meetups.get(circle.pk),
                checked_in=(circle.pk, current_week(circle)) in checked,
                requests_waiting=counts["requests"] if counts else None,
                reports_waiting=counts["reports"] if counts else None,
            )
        )
    return mine
