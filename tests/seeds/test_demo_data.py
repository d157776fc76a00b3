"""The demo's data files (demo/data/*.toml) say only what the seed can build."""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils.text import slugify

from accounts.models import User
from circles import wording
from circles.models import STARTING_TOPIC_NAMES, Schedule
from demo.management.commands import seed_demo
from demo.seeding import read_data, topics

DEMO = read_data("demo.toml")
TOPIC_SLUGS = [topic["slug"] for topic in topics()]
CIRCLE_SLUGS = [circle["slug"] for circle in DEMO["circles"]]


def test_topic_slugs_are_unique_and_every_topic_is_described() -> None:
    assert len(set(TOPIC_SLUGS)) == len(TOPIC_SLUGS)
    assert all(topic["name"] and topic["short"] and topic["description"] for topic in topics())
    assert set(DEMO["who_for"]) <= set(TOPIC_SLUGS)


def test_circle_slugs_are_unique_slugs() -> None:
    assert len(set(CIRCLE_SLUGS)) == len(CIRCLE_SLUGS)
    assert all(slug == slugify(slug) for slug in CIRCLE_SLUGS)


@pytest.mark.parametrize("circle", DEMO["circles"], ids=CIRCLE_SLUGS)
def test_every_circle_names_known_topics_and_a_valid_schedule(circle: dict[str, Any]) -> None:
    assert circle["topics"] and set(circle["topics"]) <= set(TOPIC_SLUGS)
    assert circle["topics"][0] in DEMO["who_for"]
    zoneinfo.ZoneInfo(circle["timezone"])
    assert circle["host"]["name"] and "@" in circle["host"]["email"]
    # In person at a venue in a neighbourhood of a city, or online with a link: not both.
    if "venue" in circle:
        assert "online_url" not in circle
        assert circle["city"] and circle["neighbourhood"]
        assert -90 <= circle["venue"]["lat"] <= 90 and -180 <= circle["venue"]["lng"] <= 180
    else:
        assert circle["online_url"].startswith("https://")
    schedule = circle["schedule"]
    assert schedule["frequency"] in Schedule.Frequency.values
    assert schedule["weekday"] in wording.WEEKDAYS
    if schedule["frequency"] == Schedule.Frequency.MONTHLY:
        assert schedule["week_of_month"] in (1, 2, 3, 4, -1)
    else:
        assert "week_of_month" not in schedule
    assert isinstance(schedule["start"], dt.time)
    assert 15 <= schedule["minutes"] <= 480
    assert 1 <= schedule["capacity"] <= 500
    assert circle["check_in_day"] in wording.WEEKDAYS


def test_people_are_unique_and_join_circles_that_exist() -> None:
    login = DEMO["login"]
    # The demo login may host circles too (see the test below); every other host is
    # someone of their own.
    emails = [
        login["email"],
        *(member["email"] for member in DEMO["members"]),
        *(
            circle["host"]["email"]
            for circle in DEMO["circles"]
            if circle["host"]["email"] != login["email"]
        ),
    ]
    assert [email for email, n in Counter(emails).items() if n > 1] == []
    for person in [login, *DEMO["members"]]:
        zoneinfo.ZoneInfo(person["timezone"])
        assert person["joins"] and set(person["joins"]) <= set(CIRCLE_SLUGS)
        assert len(set(person["joins"])) == len(person["joins"])
        # Everyone RSVPs somewhere, but the one waiting at the login's meetup tomorrow.
        assert person["rsvps"] >= 1 or person["email"] == login["waiting"]


def test_the_description_names_only_what_the_seed_fills_in() -> None:
    text = DEMO["texts"]["description"].format(who_for="W", when="N", where="A", minutes=90)
    assert text.startswith("W\n\nWe meet N, A, for about 90 minutes.")


@pytest.mark.django_db
def test_a_circle_may_be_hosted_by_the_demo_login(monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy.deepcopy(DEMO)
    login = data["login"]
    data["circles"][0]["host"] = {"name": login["name"], "email": login["email"]}
    monkeypatch.setattr(seed_demo, "read_data", lambda name: data)

    call_command("seed_demo", stdout=StringIO())

    demo = User.objects.get(email=login["email"])
    assert demo.check_password(login["password"])
    assert demo.display_name == login["name"]
    hosted = demo.memberships.get(circle__slug=CIRCLE_SLUGS[0])
    assert hosted.role == hosted.Role.FACILITATOR
    assert demo.memberships.filter(role=hosted.Role.MEMBER).count() == len(login["joins"])


def test_the_demo_login_hosts_a_circle_it_has_not_joined() -> None:
    login = DEMO["login"]
    hosted = [c for c in DEMO["circles"] if c["host"]["email"] == login["email"]]

    assert hosted
    assert all(c["host"]["name"] == login["name"] for c in hosted)
    assert not {c["slug"] for c in hosted} & set(login["joins"])


def test_the_starting_topics_names_are_in_the_catalogs() -> None:
    assert {topic["name"] for topic in topics()} <= set(STARTING_TOPIC_NAMES)
