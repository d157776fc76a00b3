"""Personal pages stay out of the browser's cache: Back after signing out on a shared
computer shows nothing, and no proxy keeps a copy."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from circles.models import Circle
from meetups.models import Meetup

PERSONAL_PAGES = ["/", "/circles/", "/me/meetups/", "/me/settings/", "/circles/{slug}/"]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_every_page_to_a_signed_in_person_is_private_and_not_stored(
    member_client: Client, circle: Circle, meetup: Meetup, path: str
) -> None:
    response = member_client.get(path.format(slug=circle.slug))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_redirects_and_htmx_fragments_to_a_signed_in_person_too(
    member_client: Client, meetup: Meetup
) -> None:
    fragment = member_client.get(
        "/circles/", {"near": "Baton Rouge"}, headers={"HX-Request": "true"}
    )
    redirect = member_client.post(reverse("accounts:regenerate_calendar"))

    assert fragment["Cache-Control"] == "private, no-store"
    assert redirect.status_code == 302
    assert redirect["Cache-Control"] == "private, no-store"


def test_anonymous_pages_are_left_cacheable(client: Client, circle: Circle) -> None:
    for path in ("/", "/circles/", f"/circles/{circle.slug}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")


def test_the_calendar_feed_keeps_its_own_five_minutes(
    client: Client, member_client: Client, member: User, meetup: Meetup
) -> None:
    token = services.regenerate_calendar_token(user=member)
    url = reverse("me:calendar", args=[token])

    # A calendar app fetches it without a session; the person's browser with one.
    assert client.get(url)["Cache-Control"] == "private, max-age=300"
    assert member_client.get(url)["Cache-Control"] == "private, max-age=300"


def test_pages_that_say_how_to_cache_them_keep_it(member_client: Client, db) -> None:
    assert "public" in member_client.get("/circles/feed.json")["Cache-Control"]
    assert "no-store" in member_client.get("/healthz")["Cache-Control"]
