"""meetups.seats: seats left on cached pages are marks that are always filled in on the
way out, with seats read since the last seat change, without rendering the page again."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from circles.cache import browse_version, bump_browse_version
from meetups import services
from meetups.models import Meetup
from meetups.seats import SeatsMiddleware, bump_seats_version, mark
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = {"near": "Baton Rouge"}


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.BROWSE_CACHE_SECONDS = 300
    bump_browse_version()


def _served(content: object, response_class: type = HttpResponse, **kwargs: str) -> HttpResponse:
    """A response as it leaves the site, through the middleware alone."""
    request = RequestFactory().get("/somewhere/")
    return SeatsMiddleware(lambda request: response_class(content, **kwargs))(request)


def test_an_rsvp_updates_the_seats_on_cached_pages_without_rendering_them_again(
    client: Client, member_client: Client, member
) -> None:
    circle = CircleFactory(name="Downtown")
    meetup = MeetupFactory(circle=circle, capacity=3)
    MembershipFactory(user=member, circle=circle)
    pages = [
        ("/circles/", SEARCH, {}),
        ("/circles/", SEARCH, {"HX-Request": "true"}),
        ("/", {}, {}),
    ]
    for path, params, headers in pages:
        assert "3 seats left" in client.get(path, params, headers=headers).content.decode()
    before = browse_version()

    services.rsvp(user=member, meetup=meetup)

    assert browse_version() == before
    for path, params, headers in pages:
        with CaptureQueriesContext(connection) as refill:
            page = client.get(path, params, headers=headers).content.decode()
        with CaptureQueriesContext(connection) as again:
            client.get(path, params, headers=headers)
        assert "2 seats left" in page and "3 seats left" not in page
        assert [q["sql"] for q in refill.captured_queries if "circles_circle" in q["sql"]] == []
        assert len(refill) == 1  # the seats of the meetups on the page
        assert len(again) == 0
    assert "2 seats left" in member_client.get("/circles/", SEARCH).content.decode()


def test_seat_marks_never_reach_the_browser(client: Client, member_client: Client) -> None:
    circle = CircleFactory(name="Downtown")
    MeetupFactory(circle=circle, capacity=1)
    for browser in (client, member_client):
        for headers in ({}, {"HX-Request": "true"}):
            for path, params in (("/circles/", SEARCH), ("/", {}), ("/circles/", {})):
                for _ in range(2):  # rendered, then from the cache
                    content = browser.get(path, params, headers=headers).content
                    assert b"\x00" not in content
                    assert b"seat left" in content


def test_seat_marks_are_filled_in_with_the_page_cache_off(
    settings, client: Client, member_client: Client
) -> None:
    settings.BROWSE_CACHE_SECONDS = 0
    circle = CircleFactory(name="Downtown")
    meetup = MeetupFactory(circle=circle, capacity=4)
    for browser in (client, member_client):
        for path, params in (("/circles/", SEARCH), ("/", {})):
            assert "4 seats left" in browser.get(path, params).content.decode()

    Meetup.objects.filter(pk=meetup.pk).update(going_count=1)

    for browser in (client, member_client):
        for path, params in (("/circles/", SEARCH), ("/", {})):
            content = browser.get(path, params).content
            assert b"3 seats left" in content and b"\x00" not in content


def test_signed_in_pages_from_the_cache_read_no_seats(member_client: Client) -> None:
    circle = CircleFactory(name="Downtown")
    MeetupFactory(circle=circle, capacity=5)
    for path, params in (("/circles/", SEARCH), ("/", {})):
        member_client.get(path, params)

        with CaptureQueriesContext(connection) as queries:
            page = member_client.get(path, params).content.decode()

        assert "5 seats left" in page
        # The person's own next meetups lead their home page, read for them alone.
        own = '"meetups_rsvp"."user_id" ='
        assert [
            q["sql"]
            for q in queries.captured_queries
            if "meetups_" in q["sql"] and own not in q["sql"]
        ] == []


def test_the_seats_kept_for_a_page_are_used_until_the_seats_version_moves(
    client: Client,
) -> None:
    meetup = MeetupFactory(circle=CircleFactory(name="Downtown"), capacity=8)
    assert "8 seats left" in client.get("/circles/", SEARCH).content.decode()
    # Behind the services' back: nothing bumps, so the seats kept for the page still hold.
    Meetup.objects.filter(pk=meetup.pk).update(going_count=3)

    with CaptureQueriesContext(connection) as kept:
        before_bump = client.get("/circles/", SEARCH).content.decode()
    bump_seats_version()
    with CaptureQueriesContext(connection) as read_again:
        after_bump = client.get("/circles/", SEARCH).content.decode()

    assert "8 seats left" in before_bump and len(kept) == 0
    assert "5 seats left" in after_bump and len(read_again) == 1


def test_a_bump_inside_a_transaction_waits_for_the_commit(client: Client) -> None:
    meetup = MeetupFactory(circle=CircleFactory(name="Downtown"), capacity=8)
    client.get("/circles/", SEARCH)

    with transaction.atomic():
        Meetup.objects.filter(pk=meetup.pk).update(going_count=2)
        bump_seats_version()
        assert "8 seats left" in client.get("/circles/", SEARCH).content.decode()

    assert "6 seats left" in client.get("/circles/", SEARCH).content.decode()


def test_a_page_without_marks_is_left_untouched() -> None:
    content = b"<p>No meetups here, and a \x00 that is no mark.</p>"

    with CaptureQueriesContext(connection) as queries:
        response = _served(content)

    assert response.content == content
    assert len(queries) == 0


def test_only_html_that_is_not_streamed_is_filled() -> None:
    marked = f"<p>{mark(1)}</p>".encode()

    as_text = _served(marked, content_type="text/plain")
    streamed = _served([marked], StreamingHttpResponse)

    assert as_text.content == marked
    assert b"".join(streamed.streaming_content) == marked


def test_marks_read_as_seats_left_and_a_gone_meetup_as_nothing() -> None:
    roomy = MeetupFactory(capacity=3)
    full = MeetupFactory(capacity=1, going_count=1)
    gone = MeetupFactory()
    gone_id = gone.pk
    gone.delete()

    response = _served(f"<p>{mark(roomy.pk)}|{mark(full.pk)}|{mark(gone_id)}|{mark(roomy.pk)}</p>")

    assert response.content == b"<p>3 seats left|full, waitlist open||3 seats left</p>"


def test_content_length_counts_the_filled_page() -> None:
    meetup = MeetupFactory(capacity=12)

    def view(request) -> HttpResponse:
        response = HttpResponse(f"<p>{mark(meetup.pk)}</p>")
        response["Content-Length"] = str(len(response.content))
        return response

    response = SeatsMiddleware(view)(RequestFactory().get("/"))

    assert response.content == b"<p>12 seats left</p>"
    assert response["Content-Length"] == str(len(b"<p>12 seats left</p>"))


def test_a_visitors_page_is_kept_filled_until_a_seat_or_the_page_changes(
    client: Client, member, monkeypatch
) -> None:
    """Once a visitor's page has left the site with its seats, the next visitor gets that
    copy from one read of the cache, with nothing to fill in; an RSVP or a change to the
    page makes it stale, and the next visitor reads the new seats."""
    from django.core.cache import cache

    circle = CircleFactory(name="Downtown")
    meetup = MeetupFactory(circle=circle, capacity=3)
    MembershipFactory(user=member, circle=circle)
    assert "3 seats left" in client.get("/circles/", SEARCH).content.decode()

    reads: list[list[str]] = []
    get_many = cache.get_many

    def counting_get_many(keys, *args, **kwargs):
        reads.append(list(keys))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counting_get_many)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/circles/", SEARCH).content.decode()
    assert "3 seats left" in page and "\x00" not in page
    assert len(queries) == 0 and len(reads) == 1

    services.rsvp(user=member, meetup=meetup)
    reads.clear()
    page = client.get("/circles/", SEARCH).content.decode()
    assert "2 seats left" in page and "3 seats left" not in page
    assert len(reads) == 2  # the page, then its seats read again

    reads.clear()
    assert "2 seats left" in client.get("/circles/", SEARCH).content.decode()
    assert len(reads) == 1

    Meetup.objects.filter(pk=meetup.pk).update(capacity=5, going_count=0)
    bump_browse_version()
    assert "5 seats left" in client.get("/circles/", SEARCH).content.decode()
