"""The manage page draws how many were going and how many came at each of the circle's
last 12 past meetups, on the server (an SVG hidden from screen readers), with a table
beside it: counts only, never names."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from hosting.attendance import ATTENDANCE_MEETUPS, attendance_chart
from meetups.models import RSVP
from tests.factories import MeetupFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2031, 6, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _pinned_clock() -> object:
    with time_machine.travel(NOW, tick=False):
        yield


def past_meetup(circle, weeks_ago: int, going: int, came: int, marked: bool = True) -> object:
    starts = NOW - dt.timedelta(weeks=weeks_ago)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    for index in range(going):
        attended = (index < came) if marked else None
        RSVPFactory(
            meetup=meetup,
            user=UserFactory(display_name=f"Zed{weeks_ago}x{index}"),
            attended=attended,
        )
    RSVPFactory(meetup=meetup, user=UserFactory(), status=RSVP.Status.CANCELLED)
    return meetup


def test_the_last_twelve_past_meetups_oldest_first(circle) -> None:
    for weeks_ago in range(1, 15):
        past_meetup(circle, weeks_ago, going=weeks_ago % 5 + 1, came=1)
    MeetupFactory(circle=circle, starts_at=NOW + dt.timedelta(days=2))  # ahead: not drawn
    called_off = past_meetup(circle, 0, going=3, came=3)
    called_off.status = called_off.Status.CANCELLED
    called_off.save()

    chart = attendance_chart(circle)

    assert len(chart.bars) == ATTENDANCE_MEETUPS == 12
    starts = [bar.meetup.starts_at for bar in chart.bars]
    assert starts == sorted(starts)
    assert starts[-1] == NOW - dt.timedelta(weeks=1)
    assert [bar.going for bar in chart.bars] == [w % 5 + 1 for w in range(12, 0, -1)]
    assert all(bar.came == 1 and bar.marked for bar in chart.bars)
    # The tallest bar reaches the top of the plot; none goes below the baseline.
    tallest = max(chart.bars, key=lambda bar: bar.going)
    assert tallest.going_y == chart.top
    assert all(0 <= bar.came_height <= bar.going_height for bar in chart.bars)


def test_the_manage_page_shows_the_chart_and_a_table_without_names(
    facilitator_client: Client, circle
) -> None:
    past_meetup(circle, 2, going=4, came=3)
    past_meetup(circle, 1, going=2, came=0, marked=False)

    page = facilitator_client.get(f"/circles/{circle.slug}/manage/").content.decode()

    assert "Attendance over time" in page
    assert '<svg class="attendance-chart"' in page and 'aria-hidden="true"' in page
    assert "<caption>Going and came at each past meetup, oldest first</caption>" in page
    assert "<td>4</td><td>3</td>" in page
    assert "<td>2</td><td>not marked</td>" in page
    assert "Zed" not in page


def test_a_new_circle_says_what_the_chart_will_show(facilitator_client: Client, circle) -> None:
    page = facilitator_client.get(f"/circles/{circle.slug}/manage/").content.decode()

    assert "Once meetups have taken place" in page
    assert "attendance-chart" not in page


def test_the_chart_is_one_query(circle, django_assert_num_queries) -> None:
    for weeks_ago in range(1, 6):
        past_meetup(circle, weeks_ago, going=3, came=2)

    with django_assert_num_queries(1):
        attendance_chart(circle)
