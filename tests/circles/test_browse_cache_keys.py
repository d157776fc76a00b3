"""A browse page is cached by what the search means, never by how its query was typed:
a crafted query cannot plant a page under another search's key, and one search written
differently shares one page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from circles.cache import bump_browse_version, page_key
from circles.forms import CircleSearchForm
from circles.models import Circle
from tests.factories import CircleFactory, TopicFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.BROWSE_CACHE_SECONDS = 300
    bump_browse_version()


def _key(query: str) -> str:
    from django.http import QueryDict

    form = CircleSearchForm(QueryDict(query))
    assert form.is_valid(), form.errors
    return page_key("browse", form.cleaned_data, partial=False)


def test_a_null_byte_in_a_name_is_not_a_second_filter(db) -> None:
    TopicFactory(slug="grief", name="Grief")

    assert _key("format%3Donline%00topic=grief") != _key("format=online&topic=grief")


def test_the_same_search_written_differently_has_one_key(db) -> None:
    TopicFactory(slug="grief", name="Grief")
    TopicFactory(slug="loss", name="Loss")

    assert _key("format=online&topic=grief") == _key("topic=grief&format=online")
    assert _key("topic=grief&topic=loss") == _key("topic=loss&topic=grief")
    assert _key("near=Baton%20%20Rouge") == _key("near=Baton+Rouge&utm_source=x")


def test_a_crafted_query_cannot_drop_the_filters_of_another_search(client: Client) -> None:
    grief = TopicFactory(slug="grief", name="Grief")
    CircleFactory(name="Online Grief Circle", format=Circle.Format.ONLINE, topics=[grief])
    CircleFactory(name="Knitting Together", format=Circle.Format.IN_PERSON)

    client.get("/circles/?format%3Donline%00topic=grief")
    page = client.get("/circles/?format=online&topic=grief").content.decode()

    assert "Online Grief Circle" in page
    assert "Knitting Together" not in page


def test_a_search_written_differently_is_served_from_the_cache(client: Client) -> None:
    CircleFactory(name="Downtown")
    client.get("/circles/?near=Baton+Rouge&radius=25")

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/circles/?radius=25.0&near=Baton%20%20Rouge&utm_source=x")

    assert page.status_code == 200
    assert "Downtown" in page.content.decode()
    assert len(queries) == 0


def test_links_on_a_cached_page_carry_only_the_search(client: Client, settings) -> None:
    settings.BROWSE_PAGE_SIZE = 1
    CircleFactory(name="First")
    CircleFactory(name="Second")

    page = client.get("/circles/?near=Baton+Rouge&planted=elsewhere").content.decode()

    assert "page=2" in page
    assert "planted" not in page


def test_whole_pages_are_keyed_by_the_query_as_given_without_collisions() -> None:
    from django.http import QueryDict

    from circles.cache import query_key

    def key(query: str) -> str:
        return query_key("browse", QueryDict(query), partial=False)

    assert key("format%3Donline%00topic=grief") != key("format=online&topic=grief")
    assert key("a=b%26c%3Dd") != key("a=b&c=d")
    assert key("format=online&topic=grief") == key("topic=grief&format=online")
