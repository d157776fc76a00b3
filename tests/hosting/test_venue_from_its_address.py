"""A venue from its address: on the start and edit pages, "Find this address" asks the
site's geocoder (a local server speaking Nominatim's JSON here) and fills in the new
venue's position to check on the map before saving; nothing is saved by looking. Off by
default: no button, the map click or typed position as before. Every failure is a clear
message on the page, never a 500."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from circles.models import Circle, Schedule, Venue
from meetups.services import extend_schedule
from tests.factories import ScheduleFactory, TopicFactory, VenueFactory
from tests.geocoder_server import BROKEN, SLOW, running_geocoder
from tests.hosting.start_form import URL, answers

pytestmark = pytest.mark.django_db

ADDRESS = "3350 Highland Rd, Baton Rouge"


def find(client: Client, url: str, data: dict, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data | {"action": "address"}, headers=headers)


def test_without_a_geocoder_there_is_no_button(facilitator_client: Client) -> None:
    html = facilitator_client.get(URL).content.decode()
    assert "Find this address" not in html
    assert "Click the place on the map, or type its position" in html


def test_pressed_anyway_it_says_to_use_the_map(facilitator_client: Client) -> None:
    response = find(facilitator_client, URL, answers(venue_address=ADDRESS, venue_lat=""))
    assert response.status_code == 200
    assert "Looking up addresses is not available here" in response.content.decode()
    assert not Circle.objects.filter(name="Mid City Grief Circle").exists()


def test_the_start_page_finds_a_new_venues_position(facilitator_client: Client) -> None:
    data = answers(venue_address=ADDRESS, venue_lat="", venue_lng="", venue="")
    with running_geocoder():
        page = facilitator_client.get(URL).content.decode()
        response = find(facilitator_client, URL, data)
    html = response.content.decode()
    assert "Find this address" in page
    assert response.status_code == 200
    assert "Found: 3350, Highland Road, Baton Rouge" in html
    assert 'name="venue_lat" value="30.413300"' in html
    assert 'name="venue_lng" value="-91.180000"' in html
    assert re.search(r'name="venue" value="new"[^>]*checked', html)
    # Looking saved nothing; the host checks the point, then starts the circle.
    assert not Circle.objects.filter(name="Mid City Grief Circle").exists()
    assert not Venue.objects.filter(address=ADDRESS).exists()
    started = facilitator_client.post(
        URL, answers(venue_address=ADDRESS, venue_lat="30.413300", venue_lng="-91.180000")
    )
    assert started.status_code == 302
    venue = Venue.objects.get(address=ADDRESS)
    assert (venue.lat, venue.lng) == (30.4133, -91.18)


def test_with_htmx_only_the_venue_section_comes_back(facilitator_client: Client) -> None:
    with running_geocoder():
        response = find(facilitator_client, URL, answers(venue_address=ADDRESS), htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="venue-section"')
    assert 'value="30.413300"' in html


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("1 Nowhere Lane", "No place was found for that address"),
        (BROKEN, "The address service is not working right now"),
        (SLOW, "The address service did not answer in time"),
        ("", "Type the address first."),
        ("x" * 250 + "\x00", "too long"),
    ],
)
def test_failures_are_clear_messages(
    address: str, message: str, facilitator_client: Client
) -> None:
    with running_geocoder(timeout=0.3):
        response = find(facilitator_client, URL, answers(venue_address=address, venue_lat=""))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Circle.objects.exists()


def test_a_hostile_answer_is_shown_escaped(facilitator_client: Client) -> None:
    with running_geocoder():
        response = find(facilitator_client, URL, answers(venue_address="hostile name"))
    html = response.content.decode()
    assert "<script>alert('geo')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;geo&#x27;)&lt;/script&gt; Café Royal" in html


@pytest.fixture
def schedule(circle: Circle) -> Schedule:
    circle.topics.add(TopicFactory(name="Grief"))
    schedule = ScheduleFactory(circle=circle, venue=VenueFactory(name="Rosie's Coffee"))
    extend_schedule(schedule=schedule, until=schedule.starts_on + dt.timedelta(weeks=2))
    return schedule


def edit_data(circle: Circle, schedule: Schedule, **changes: object) -> dict:
    return {
        "name": circle.name,
        "description": circle.description,
        "topics": [t.pk for t in circle.topics.all()],
        "guidelines": circle.guidelines,
        "accessibility_notes": circle.accessibility_notes,
        "join_policy": circle.join_policy,
        "join_question": circle.join_question,
        "visibility": circle.visibility,
        "venue": schedule.venue_id,
        "seats": schedule.capacity,
    } | changes


def test_the_edit_page_finds_a_new_venues_position(
    facilitator_client: Client, circle: Circle, schedule: Schedule
) -> None:
    url = reverse("hosting:edit_circle", args=[circle.slug])
    data = edit_data(circle, schedule, venue_name="Highland Books", venue_address=ADDRESS)
    with running_geocoder():
        page = facilitator_client.get(url).content.decode()
        response = find(facilitator_client, url, data)
    html = response.content.decode()
    assert "Find this address" in page and 'id="venue-map"' in page
    assert response.status_code == 200
    assert "Found: 3350, Highland Road" in html
    assert 'value="30.413300"' in html
    assert '<option value="new" selected>' in html
    schedule.refresh_from_db()
    assert schedule.venue.name == "Rosie's Coffee"  # nothing saved by looking

    saved = facilitator_client.post(
        url, edit_data(circle, schedule, venue="new", venue_name="Highland Books",
                       venue_address=ADDRESS, venue_lat="30.413300", venue_lng="-91.180000"),
    )  # fmt: skip
    assert saved.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.venue.name, schedule.venue.lat) == ("Highland Books", 30.4133)


def test_others_cannot_look_up_through_the_edit_page(
    member_client: Client, circle: Circle, schedule: Schedule
) -> None:
    url = reverse("hosting:edit_circle", args=[circle.slug])
    with running_geocoder() as server:
        response = find(member_client, url, edit_data(circle, schedule, venue_address=ADDRESS))
    assert response.status_code == 403
    assert server.asked == []


def test_lookups_are_rate_limited(facilitator_client: Client, settings) -> None:
    settings.PERSON_RATE_LIMITS = {"geocode": "2/m/user"}
    with running_geocoder() as server:
        for n in range(3):
            response = find(facilitator_client, URL, answers(venue_address=f"{n} Nowhere Lane"))
    assert "looked up many addresses" in response.content.decode()
    assert len(server.asked) == 2
