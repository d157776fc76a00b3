"""Anonymous browse pages are cached, and any change people would see shows at once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from circles.cache import browse_version, bump_browse_version
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
)

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


def _searched_circles(queries: CaptureQueriesContext) -> bool:
    return any("circles_circle" in query["sql"] for query in queries.captured_queries)


def test_signed_in_people_share_results_but_not_pages(member, outsider) -> None:
    CircleFactory(name="Downtown")
    milo, olive = Client(), Client()
    milo.force_login(member)
    olive.force_login(outsider)
    milo.get("/circles/", SEARCH)

    with CaptureQueriesContext(connection) as queries:
        page = olive.get("/circles/", SEARCH)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Downtown" in html
    assert "1 circle found within 15 mi of Baton Rouge, LA" in html
    assert not _searched_circles(queries)
    assert "Olive" in html and "Milo" not in html
    assert str(page.context["csrf_token"]) in html


def test_a_change_shows_at_once_to_signed_in_people(member_client: Client) -> None:
    circle = CircleFactory(name="Downtown")
    member_client.get("/circles/", SEARCH)

    circle.name = "Downtown Tuesdays"
    circle.save()

    assert "Downtown Tuesdays" in member_client.get("/circles/", SEARCH).content.decode()


def test_today_is_each_persons_own_weekday(member, outsider) -> None:
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are always on different weekdays."""
    zones = {member: "Pacific/Kiritimati", outsider: "Pacific/Pago_Pago"}
    for weekday in range(7):
        ScheduleFactory(
            circle=CircleFactory(name=f"Day {weekday}", format="online"),
            weekday=weekday,
            venue=None,
        )
    for person, zone in zones.items():
        person.timezone = zone
        person.save(update_fields=["timezone"])

    for person, zone in zones.items():
        browser = Client()
        browser.force_login(person)
        response = browser.get("/circles/", {"day": "today"})
        today = dt.datetime.now(zoneinfo.ZoneInfo(zone)).weekday()
        assert [c.name for c in response.context["results"]] == [f"Day {today}"]


def test_a_page_with_a_message_is_not_served_from_the_page_cache(client: Client) -> None:
    CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)
    storage = CookieStorage(HttpRequest())
    storage.add(messages.SUCCESS, "You have signed out.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value

    page = client.get("/circles/", SEARCH).content.decode()
    after = client.get("/circles/", SEARCH).content.decode()

    assert "You have signed out." in page and "Downtown" in page
    assert "You have signed out." not in after and "Downtown" in after


def test_signed_in_htmx_searches_come_from_the_cache(member_client: Client) -> None:
    CircleFactory(name="Downtown")
    htmx = {"HX-Request": "true"}
    member_client.get("/circles/", SEARCH, headers=htmx)

    with CaptureQueriesContext(connection) as queries:
        partial = member_client.get("/circles/", SEARCH, headers=htmx).content.decode()

    assert "Downtown" in partial and "<html" not in partial
    assert 'hx-swap-oob="innerHTML">1 circle found' in partial
    assert not _searched_circles(queries)


def test_htmx_and_full_pages_are_cached_apart(client: Client) -> None:
    CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)

    partial = client.get("/circles/", SEARCH, headers={"HX-Request": "true"})

    assert "<html" not in partial.content.decode()
    assert "Downtown" in partial.content.decode()


def test_home_pages_are_shared_by_home_place_and_only_by_it(member, outsider) -> None:
    baton_rouge = CircleFactory(name="Mid City grief")
    seattle = CircleFactory(name="Seattle parents", lat=47.6, lng=-122.3)
    for circle in (baton_rouge, seattle):
        MeetupFactory(circle=circle)
    browsers = {}
    for person, place, lat, lng in [
        (member, "Baton Rouge, LA", 30.44, -91.19),
        (outsider, "Seattle, WA", 47.6, -122.3),
    ]:
        person.home_place, person.home_lat, person.home_lng = place, lat, lng
        person.save()
        browsers[place] = Client()
        browsers[place].force_login(person)
    neighbour = UserFactory(display_name="Nina", home_place="Baton Rouge, LA")
    neighbour.home_lat, neighbour.home_lng = 30.44, -91.19
    neighbour.save()
    nina = Client()
    nina.force_login(neighbour)

    first = browsers["Baton Rouge, LA"].get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        shared = nina.get("/").content.decode()
    seattle_page = browsers["Seattle, WA"].get("/").content.decode()

    assert "Coming up near Baton Rouge, LA" in first and "Mid City grief" in first
    assert "Seattle parents" not in first
    assert not _searched_circles(queries)
    assert "Nina" in shared and "Milo" not in shared and "Mid City grief" in shared
    assert "Coming up near Seattle, WA" in seattle_page and "Seattle parents" in seattle_page
    assert "Mid City grief" not in seattle_page


def test_a_deploy_empties_the_cache(client: Client) -> None:
    """Cached HTML was rendered by the previous release; deploys run `migrate`."""
    CircleFactory(name="Downtown")
    client.get("/circles/", SEARCH)
    before = browse_version()

    call_command("migrate", verbosity=0)

    assert browse_version() > before
    with CaptureQueriesContext(connection) as queries:
        client.get("/circles/", SEARCH)
    assert _searched_circles(queries)
