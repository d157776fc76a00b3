"""Attendance over time, for the circle's manage page: how many were going and how many
came at each of the circle's last past meetups, drawn on the server as a small SVG bar
chart (like the check-in mood chart), with a table beside it that screen readers read.
Counts only, never names."""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Q
from django.utils import timezone

from circles.models import Circle
from meetups.models import RSVP, Meetup

# How many past meetups the chart shows.
ATTENDANCE_MEETUPS = 12


@dataclasses.dataclass
class Bar:
    meetup: Meetup
    going: int
    came: int
    # Whether anyone's attendance was marked: "came" means nothing otherwise.
    marked: bool
    x: float = 0
    came_x: float = 0
    going_y: float = 0
    going_height: float = 0
    came_y: float = 0
    came_height: float = 0


@dataclasses.dataclass
class AttendanceChart:
    bars: list[Bar]
    width: int = 360
    height: int = 140
    # Room at the left for the scale's numbers, at the bottom for nothing but air.
    gutter: int = 28
    top: int = 10
    bottom: int = 10
    top_value: int = 0

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> int:
        return self.height - self.bottom

    @property
    def bar_width(self) -> float:
        return round((self.width - self.gutter) / ATTENDANCE_MEETUPS * 0.4, 1)

    @property
    def gridlines(self) -> list[dict[str, float]]:
        """Lines at 0, half and the top of the scale, each with its number."""
        values = sorted({0, self.top_value // 2, self.top_value})
        return [
            {"value": value, "y": self._y(value), "label_y": self._y(value) + 4} for value in values
        ]

    def _y(self, value: int) -> float:
        if not self.top_value:
            return float(self.baseline)
        return round(self.baseline - value * self.plot_height / self.top_value, 1)

    def lay_out(self) -> AttendanceChart:
        self.top_value = max(
            [bar.going for bar in self.bars] + [bar.came for bar in self.bars] + [1]
        )
        slot = (self.width - self.gutter) / ATTENDANCE_MEETUPS
        for index, bar in enumerate(self.bars):
            bar.x = round(self.gutter + index * slot + slot * 0.1, 1)
            bar.came_x = round(bar.x + self.bar_width, 1)
            bar.going_y = self._y(bar.going)
            bar.going_height = round(self.baseline - bar.going_y, 1)
            bar.came_y = self._y(bar.came)
            bar.came_height = round(self.baseline - bar.came_y, 1)
        return self


def attendance_chart(circle: Circle) -> AttendanceChart:
    """The circle's last ATTENDANCE_MEETUPS meetups that have started and were not called
    off, oldest first, with their counts: one query."""
    meetups = (
        circle.meetups.filter(status=Meetup.Status.SCHEDULED, starts_at__lte=timezone.now())
        .annotate(
            going_total=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING)),
            came_total=Count(
                "rsvps", filter=Q(rsvps__status=RSVP.Status.GOING, rsvps__attended=True)
            ),
            marked_total=Count(
                "rsvps", filter=Q(rsvps__status=RSVP.Status.GOING, rsvps__attended__isnull=False)
            ),
        )
        .order_by("-starts_at")[:ATTENDANCE_MEETUPS]
    )
    bars = [
        Bar(meetup=m, going=m.going_total, came=m.came_total, marked=m.marked_total > 0)
        for m in reversed(meetups)
    ]
    return AttendanceChart(bars=bars).lay_out()
