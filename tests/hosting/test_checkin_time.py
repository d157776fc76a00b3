"""Facilitators choose when the weekly check-in goes out; the circle's page says it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from circles.models import Circle

pytestmark = pytest.mark.django_db


def test_the_facilitator_moves_the_checkin_and_the_slot_follows(
    facilitator_client: Client, circle: Circle
) -> None:
    url = reverse("hosting:checkin_time", args=[circle.slug])

    response = facilitator_client.post(url, {"checkin_weekday": 5, "checkin_time": "09:30"})

    assert response.status_code == 302
    circle.refresh_from_db()
    assert (circle.checkin_weekday, circle.checkin_time) == (5, dt.time(9, 30))
    local = circle.checkin_due_at.astimezone(circle.tz)
    assert (local.isoweekday(), local.time()) == (5, dt.time(9, 30))
    page = facilitator_client.get(circle.get_absolute_url()).content.decode()
    assert "every Friday at 9:30 am (Chicago time)" in page
    manage = facilitator_client.get(reverse("hosting:manage", args=[circle.slug]))
    assert 'id="checkin-time"' in manage.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"checkin_weekday": 8, "checkin_time": "09:00"}, "Choose a day of the week."),
        ({"checkin_weekday": 1, "checkin_time": "25:00"}, "Enter a time such as 18:00."),
        ({"checkin_weekday": 1}, "This field is required."),
    ],
)
def test_bad_input_says_what_is_wrong(
    facilitator_client: Client, circle: Circle, data: dict, message: str
) -> None:
    before = circle.checkin_due_at
    response = facilitator_client.post(
        reverse("hosting:checkin_time", args=[circle.slug]), data, follow=True
    )
    assert message in response.content.decode()
    circle.refresh_from_db()
    assert circle.checkin_due_at == before
