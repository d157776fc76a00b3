"""Every URL with a database id answers 404 for an id the database cannot hold, GET and
POST, instead of the 500 of the database refusing the number (Postgres: DataError).

The sweep walks the resolver, so a new pattern is covered the day it is added; one with
Django's plain `int` converter fails the first test. Run it on Postgres too:
DATABASE_URL=postgres://… REQUIRE_SERVICES=1 pytest tests/test_out_of_range_ids.py
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from circles.converters import MAX_ID, DatabaseIdConverter
from circles.models import Circle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOO_LARGE = "99999999999999999999"
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(
    resolver: URLResolver | None = None, prefix: str = "", converters: dict | None = None
) -> Iterator[tuple[str, dict]]:
    """Every route pattern as (its whole route, the converters of its parameters)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # re_path patterns (the admin's app index) take no ids.
        route = prefix + str(entry.pattern)
        found = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route, found)
        elif isinstance(entry, URLPattern):
            yield route, found


def _id_routes() -> list[tuple[str, dict]]:
    return [
        (route, converters)
        for route, converters in _routes()
        if any(isinstance(c, (IntConverter, DatabaseIdConverter)) for c in converters.values())
    ]


def _url(route: str, converters: dict, circle: Circle) -> str:
    def value(match: re.Match) -> str:
        converter = converters[match["name"]]
        if isinstance(converter, (IntConverter, DatabaseIdConverter)):
            return TOO_LARGE
        if match["converter"] == "slug":
            return circle.slug
        return "x"

    return "/" + PARAMETER.sub(value, route)


def test_every_pattern_with_an_integer_uses_the_id_converter() -> None:
    routes = _id_routes()
    assert len(routes) >= 15  # meetups, hosting and the moderators' report pages
    plain_int = [route for route, c in routes if any(type(v) is IntConverter for v in c.values())]
    assert plain_int == []


def test_the_id_converter_takes_what_the_database_holds_only() -> None:
    converter = DatabaseIdConverter()
    assert converter.to_python("1") == 1
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    for value in (str(MAX_ID + 1), "0", TOO_LARGE):
        with pytest.raises(ValueError):
            converter.to_python(value)


def _matched_route(url: str) -> str | None:
    try:
        return resolve(url).route
    except Resolver404:
        return None


def test_every_url_with_an_id_answers_404_for_an_id_out_of_range(circle: Circle) -> None:
    """Ours answer 404. In the admin, the id no longer matches our pattern and falls to
    the admin's own object URL, which says the object does not exist (a redirect)."""
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    anonymous = Client()
    for route, converters in _id_routes():
        url = _url(route, converters, circle)
        assert _matched_route(url) != route, url
        if url.startswith("/admin/"):
            for method in (staff.get, staff.post):
                assert method(url, follow=True).status_code == 200, (method.__name__, url)
            continue
        for client in (staff, anonymous):
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (method.__name__, url)


def test_rsvp_to_a_meetup_out_of_range_answers_404(member_client: Client) -> None:
    assert member_client.post(f"/meetups/{TOO_LARGE}/rsvp/").status_code == 404
    assert member_client.post(f"/meetups/{TOO_LARGE}/rsvp/", {"join": "1"}).status_code == 404
    assert member_client.get(f"/meetups/{TOO_LARGE}/").status_code == 404
