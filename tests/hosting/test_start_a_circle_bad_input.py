"""Starting a circle with answers that cannot be: a clear message beside the field, never a
500, nothing half-saved; whatever is typed is shown escaped."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from accounts.models import User
from circles.models import Circle, Schedule, Venue
from hosting.models import ActionLog, HostingAgreement
from hosting.services import HostingError, host_circle
from meetups.models import Meetup
from tests.factories import TopicFactory, UserFactory
from tests.hosting.start_form import URL, answers, today_in_chicago

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><b onmouseover="x()">bold</b>'


def nothing_saved() -> bool:
    return not any(
        model.objects.exists()
        for model in (Circle, Schedule, Venue, Meetup, HostingAgreement, ActionLog)
    )


def error_beside(page: str, field: str) -> str:
    """The message shown beside a field (its `<id>_error` paragraph)."""
    match = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    assert match, f"no message beside {field}"
    return html.unescape(match.group(1))


def refused(client: Client, **changes: object) -> str:
    response = client.post(URL, answers(**changes))
    assert response.status_code == 400
    assert nothing_saved()
    return response.content.decode()


def next_month_day(day: int) -> dt.date:
    today = today_in_chicago()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.replace(day=day)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"starts_on": "2020-01-07"}, "starts_on", "can't be in the past"),
        ({"until": "2020-01-07"}, "until", "before the first"),
        ({"frequency": "monthly"}, "weeks_of_month", "Choose which weeks"),
        ({"capacity": "0"}, "capacity", "1 to 500"),
        ({"capacity": "1000000"}, "capacity", "1 to 500"),
        ({"capacity": "lots"}, "capacity", "whole number"),
        ({"venue_lat": "200"}, "venue_lat", "between -90 and 90"),
        ({"venue_lng": "-500"}, "venue_lng", "between -180 and 180"),
        ({"venue_lat": "nan"}, "venue_lat", ""),
        ({"venue_name": ""}, "venue_name", "Name the place"),
        ({"venue": ""}, "venue", "Choose where"),
        ({"venue": "999999"}, "venue", "valid choice"),
        ({"area": ""}, "area", "required"),
        ({"area": "Nowhereville Zzz"}, "area", "couldn't find"),
        ({"name": "x" * 100_000}, "name", "under 120"),
        ({"description": "x" * 100_000}, "description", "under 5,000"),
        ({"guidelines": "x" * 100_000}, "guidelines", "under 5,000"),
        ({"accessibility_notes": "x" * 100_000}, "accessibility_notes", "under 2,000"),
        ({"venue_address": "x" * 100_000}, "venue_address", "under 250"),
        ({"join_question": "x" * 100_000}, "join_question", "under 200"),
        ({"format": "online", "online_url": "javascript:alert(1)"}, "online_url", "https://"),
        ({"format": "online", "online_url": "ftp://files.example.org/"}, "online_url", "https://"),
        ({"format": "hybrid", "online_url": ""}, "online_url", "Add the link"),
        ({"format": "online", "dial_in_phone": "call me maybe"}, "dial_in_phone", "digits"),
        ({"format": "online", "dial_in_phone": "555-01"}, "dial_in_phone", "7 to 15 digits"),
        ({"format": "online", "dial_in_phone": "1" * 100_000}, "dial_in_phone", "under 32"),
        ({"format": "online", "dial_in_phone": SCRIPT}, "dial_in_phone", "digits"),
        ({"format": "online", "dial_in_code": "12ab"}, "dial_in_code", "key in"),
        ({"format": "online", "dial_in_code": "123456"}, "dial_in_phone", "Add the phone"),
        ({"format": "teleport"}, "format", "valid choice"),
        ({"frequency": "yearly"}, "frequency", "valid choice"),
        ({"weekday": "9"}, "weekday", "valid choice"),
        ({"frequency": "monthly", "weeks_of_month": "5"}, "weeks_of_month", "valid choice"),
        ({"start_time": "25:00"}, "start_time", "valid time"),
        ({"starts_on": "2030-02-31"}, "starts_on", "valid date"),
        ({"duration_minutes": "5"}, "duration_minutes", "15 to 480"),
        ({"checkin_weekday": "0"}, "checkin_weekday", "valid choice"),
        ({"topics": []}, "topics", "at least one topic"),
        ({"agreement": None}, "agreement", "facilitator agreement"),
    ],
)
def test_bad_answers_get_a_message_beside_the_field(
    outsider_client: Client, changes: dict[str, object], field: str, words: str
) -> None:
    page = refused(outsider_client, **changes)

    assert words in error_beside(page, field)


def test_a_rule_that_never_meets_between_its_dates(outsider_client: Client) -> None:
    # The first Monday of a month is never between its 8th and 14th.
    page = refused(
        outsider_client,
        frequency="monthly",
        weekday="0",
        weeks_of_month="1",
        starts_on=next_month_day(8).isoformat(),
        until=next_month_day(14).isoformat(),
    )

    assert "never meet" in error_beside(page, "until")


def test_an_agreement_changed_since_the_page_opened(outsider_client: Client) -> None:
    page = refused(outsider_client, agreement_version="2001-01")

    assert "has changed" in error_beside(page, "agreement_version")


def test_html_in_every_field_is_shown_escaped(outsider_client: Client) -> None:
    text_fields = ["name", "description", "guidelines", "accessibility_notes", "venue_name"]
    fields = {name: SCRIPT for name in text_fields}
    fields |= {"venue_address": SCRIPT, "venue_notes": SCRIPT, "join_policy": "approval"}
    fields["join_question"] = SCRIPT

    preview = outsider_client.post(URL, answers(action="preview", **fields)).content.decode()
    assert nothing_saved()
    response = outsider_client.post(URL, answers(**fields))
    assert response.status_code == 302
    circle = Circle.objects.get()
    assert circle.name == SCRIPT  # kept as typed, escaped where shown
    circle_page = Client().get(circle.get_absolute_url()).content.decode()
    manage_page = outsider_client.get(response["Location"]).content.decode()
    for page in (preview, circle_page, manage_page):
        assert "<script>alert" not in page
        assert "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in circle_page


def test_html_sent_back_with_errors_is_escaped(outsider_client: Client) -> None:
    page = refused(outsider_client, name=SCRIPT, capacity="0", area=SCRIPT)

    assert "<script>alert" not in page


def test_garbage_in_every_field_is_never_a_500(outsider_client: Client) -> None:
    for name in answers():
        for junk in ("\x00", "-1", "", "é" * 300, "['x']"):
            response = outsider_client.post(URL, answers(**{name: junk}))
            assert response.status_code in (200, 302, 400), (name, junk)
    for action in ("preview", "area", "nonsense"):
        response = outsider_client.post(URL, {"action": action, "area": "\x00"})
        assert response.status_code in (200, 400)


# Below the form: the service itself refuses, and saves nothing.


@pytest.fixture
def host() -> User:
    return UserFactory()


def start(host: User, **changes: object) -> Circle:
    circle = Circle(
        name="Grief Circle",
        description="We listen.",
        format=Circle.Format.IN_PERSON,
        area_name="Baton Rouge, LA",
        lat=30.44,
        lng=-91.18,
        timezone="America/Chicago",
    )
    schedule = Schedule(
        frequency="weekly",
        weekday=1,
        start_time=dt.time(18, 30),
        starts_on=today_in_chicago(),
    )
    venue = Venue(name="Corner Coffee", address="1 Main St", lat=30.45, lng=-91.18)
    kwargs: dict[str, object] = {
        "user": host,
        "circle": circle,
        "topics": [TopicFactory()],
        "schedules": [schedule],
        "venue": venue,
        "agreement_version": "2026-11",
    }
    for key, value in changes.items():
        if key.startswith("circle__"):
            setattr(circle, key.removeprefix("circle__"), value)
        elif key.startswith("schedule__"):
            setattr(schedule, key.removeprefix("schedule__"), value)
        elif key.startswith("venue__"):
            setattr(venue, key.removeprefix("venue__"), value)
        else:
            kwargs[key] = value
    return host_circle(**kwargs)


def test_the_service_starts_a_circle(host: User) -> None:
    circle = start(host)

    assert circle.is_facilitator(host)
    assert circle.meetups.count() >= 8


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"agreement_version": "1999"}, "facilitator agreement"),
        ({"schedules": []}, "when the circle meets"),
        ({"venue": None}, "Choose where"),
        ({"circle__lat": None}, "area"),
        ({"circle__format": "online", "circle__online_url": "ftp://x.org/"}, "https://"),
        ({"circle__format": "hybrid"}, "Add the link"),
        ({"circle__name": ""}, "Name"),
        ({"circle__timezone": "Mars/Olympus"}, "Timezone"),
        ({"venue__lat": 200}, "Lat"),
        ({"schedule__capacity": 0}, "Capacity"),
        ({"schedule__capacity": 1_000_000}, "Capacity"),
        ({"schedule__starts_on": dt.date(2020, 1, 1)}, "past"),
        ({"schedule__until": dt.date(2020, 1, 1)}, "before the first"),
        ({"schedule__frequency": "monthly", "schedule__week_of_month": 5}, "week of the month"),
    ],
)
def test_the_service_refuses_and_saves_nothing(
    host: User, changes: dict[str, object], words: str
) -> None:
    with pytest.raises(HostingError, match=words):
        start(host, **changes)

    assert nothing_saved()


def test_the_service_refuses_an_unconfirmed_email() -> None:
    with pytest.raises(HostingError, match="confirm your email"):
        start(UserFactory(verified=False))

    assert nothing_saved()
