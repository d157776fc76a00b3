"""Anonymous browse pages are cached, and any change people would see shows at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from circles.cache import browse_version, bump_browse_version
from tests.factories import CircleFactory, MeetupFactory, ScheduleFactory, TopicFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = {"near": "Baton Rouge"}


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.BROWSE_CACHE_SECONDS = 300
    bump_browse_version()


def test_a_repeated_anonymous_search_needs_no_database(client: Client) -> None:
    CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/circles/", SEARCH)

    assert response.status_code == 200
    assert "Downtown" in response.content.decode()
    assert len(queries) == 0


def test_a_change_to_a_circle_shows_at_once(client: Client) -> None:
    circle = CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)

    circle.name = "Downtown Tuesdays"
    circle.save()

    assert "Downtown Tuesdays" in client.get("/circles/", SEARCH).content.decode()


def test_topics_and_schedules_bump_the_version(client: Client) -> None:
    circle = CircleFactory()
    before = browse_version()
    circle.topics.add(TopicFactory())
    after_topic = browse_version()
    ScheduleFactory(circle=circle)

    assert before < after_topic < browse_version()


def test_seats_taken_through_save_show_at_once(client: Client) -> None:
    circle = CircleFactory(name="Downtown")
    meetup = MeetupFactory(circle=circle, capacity=10)
    assert "10 seats left" in client.get("/circles/", SEARCH).content.decode()

    meetup.going_count = 4
    meetup.save()

    assert "6 seats left" in client.get("/circles/", SEARCH).content.decode()


def test_signed_in_people_and_pages_with_messages_are_not_cached(
    member_client: Client, circle
) -> None:
    member_client.get("/circles/", SEARCH)

    with CaptureQueriesContext(connection) as queries:
        member_client.get("/circles/", SEARCH)

    assert len(queries) > 0


def test_htmx_and_full_pages_are_cached_apart(client: Client) -> None:
    CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)

    partial = client.get("/circles/", SEARCH, headers={"HX-Request": "true"})

    assert "<html" not in partial.content.decode()
    assert "Downtown" in partial.content.decode()
