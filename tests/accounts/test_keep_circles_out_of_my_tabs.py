"""A person who is not "out" keeps circle names and searches out of their browser: neutral
tab titles (a setting), no history entries for searches, and a quick way off the site."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from circles.models import Circle
from meetups.models import Meetup
from tests.factories import TopicFactory


def _title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has a <title>"
    return match.group(1)


@pytest.fixture
def grief(circle: Circle):
    topic = TopicFactory(name="Grief", slug="grief")
    circle.topics.add(topic)
    return topic


def _pages(circle: Circle, meetup: Meetup) -> list[str]:
    return [
        "/",
        "/circles/?topic=grief&near=Baton+Rouge",
        circle.get_absolute_url(),
        meetup.get_absolute_url(),
        reverse("me:meetups"),
        reverse("accounts:settings"),
        reverse("hosting:manage", args=[circle.slug]),
        reverse("crisis"),
    ]


def test_titles_name_the_circle_by_default(
    facilitator_client: Client, circle: Circle, meetup: Meetup, grief
) -> None:
    assert "Grief Circle Mid City" in _title(facilitator_client.get(circle.get_absolute_url()))
    assert "Grief Circle Mid City" in _title(facilitator_client.get(meetup.get_absolute_url()))


def test_neutral_titles_name_no_circle_topic_or_place(
    facilitator: User, facilitator_client: Client, circle: Circle, meetup: Meetup, grief
) -> None:
    User.objects.filter(pk=facilitator.pk).update(neutral_titles=True)

    for url in _pages(circle, meetup):
        response = facilitator_client.get(url)
        assert response.status_code == 200, url
        title = _title(response)
        for word in ("Grief", "grief", "Mid City", "Baton Rouge"):
            assert word not in title, (url, title)


def test_neutral_titles_still_say_what_kind_of_page(
    member: User, member_client: Client, circle: Circle, meetup: Meetup
) -> None:
    User.objects.filter(pk=member.pk).update(neutral_titles=True)
    day = meetup.starts_at.astimezone(circle.tz).strftime("%a %-d %b")

    assert _title(member_client.get(meetup.get_absolute_url())).startswith(f"Meetup · {day} ·")
    assert _title(member_client.get(circle.get_absolute_url())).startswith("Circle ·")
    assert _title(member_client.get("/circles/?topic=grief")).startswith("Find a circle ·")


def test_turn_neutral_titles_on_in_settings(member: User, member_client: Client) -> None:
    page = member_client.get(reverse("accounts:settings")).content.decode()
    assert 'name="neutral_titles"' in page

    response = member_client.post(
        reverse("accounts:settings"),
        {
            "display_name": member.display_name,
            "timezone": member.timezone,
            "neutral_titles": "on",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.neutral_titles is True


def test_searches_stay_out_of_history_with_neutral_titles(
    member: User, member_client: Client, grief
) -> None:
    htmx = {"HTTP_HX_REQUEST": "true"}
    before = member_client.get("/circles/?topic=grief", **htmx)
    assert "HX-Push-Url" not in before.headers

    User.objects.filter(pk=member.pk).update(neutral_titles=True)
    after = member_client.get("/circles/?topic=grief", **htmx)

    assert after.status_code == 200
    assert after.headers["HX-Push-Url"] == "false"


def test_every_page_has_a_quick_exit(client: Client, member_client: Client, settings, db) -> None:
    settings.QUICK_EXIT_URL = "https://weather.example.org/"

    for response in (client.get("/"), client.get("/circles/"), member_client.get("/me/meetups/")):
        page = response.content.decode()
        link = re.search(r"<a [^>]*data-quick-exit[^>]*>([^<]*)</a>", page)
        assert link, "a quick exit link on the page"
        assert link.group(1) == "Leave this site quickly"
        assert 'href="https://weather.example.org/"' in link.group(0)
        assert 'rel="noreferrer"' in link.group(0)
