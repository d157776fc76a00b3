"""A facilitator gives an online or hybrid circle a number to join by phone and its access
code, where the online link is edited (the edit page, and the start page), and chooses
whether the Meeting Guide feed publishes them. What cannot be a phone number or a code is
refused beside the field, escaped, with nothing saved."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from circles.dial_in import DialIn
from circles.models import Circle, Membership
from hosting.models import ActionLog
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, TopicFactory
from tests.hosting.start_form import URL as START_URL
from tests.hosting.start_form import answers

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def online(facilitator) -> Circle:
    circle = CircleFactory(
        format=Circle.Format.ONLINE,
        online_url="https://meet.example.org/a",
        area_name="",
        lat=None,
        lng=None,
    )
    circle.topics.add(TopicFactory(name="Grief"))
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    return circle


def edit_url(circle: Circle) -> str:
    return reverse("hosting:edit_circle", args=[circle.slug])


def form_data(circle: Circle, **changes: object) -> dict:
    return {
        "name": circle.name,
        "description": circle.description,
        "topics": [t.pk for t in circle.topics.all()],
        "guidelines": circle.guidelines,
        "accessibility_notes": circle.accessibility_notes,
        "join_policy": circle.join_policy,
        "join_question": circle.join_question,
        "visibility": circle.visibility,
        "online_url": circle.online_url,
        "dial_in_phone": circle.dial_in_phone,
        "dial_in_code": circle.dial_in_code,
    } | changes


def test_the_edit_page_asks_for_a_number_beside_the_link(facilitator_client: Client, online):
    page = facilitator_client.get(edit_url(online)).content.decode()

    assert 'name="dial_in_phone"' in page and 'type="tel"' in page
    assert 'name="dial_in_code"' in page and 'name="dial_in_public"' in page


def test_an_in_person_circle_is_not_asked_for_one(facilitator_client: Client, circle):
    page = facilitator_client.get(edit_url(circle)).content.decode()

    assert "dial_in" not in page


def test_a_facilitator_saves_a_number_and_code_and_publishes_them(
    facilitator_client: Client, online
):
    response = facilitator_client.post(
        edit_url(online),
        form_data(
            online, dial_in_phone=" +1 (555) 010-4477 ", dial_in_code="918-273", dial_in_public="on"
        ),
    )

    assert response.status_code == 302
    online.refresh_from_db()
    assert (online.dial_in_phone, online.dial_in_code) == ("+1 (555) 010-4477", "918-273")
    assert online.dial_in_public is True
    assert ActionLog.objects.get().note == "dial_in_phone, dial_in_code, dial_in_public"


def test_clearing_the_number_takes_it_away(facilitator_client: Client, online):
    Circle.objects.filter(pk=online.pk).update(dial_in_phone="+15550104477", dial_in_code="1")
    online.refresh_from_db()

    facilitator_client.post(edit_url(online), form_data(online, dial_in_phone="", dial_in_code=""))

    online.refresh_from_db()
    assert online.dial_in is None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"dial_in_phone": "call me"}, "dial_in_phone", "digits, spaces, dashes"),
        ({"dial_in_phone": "555 01"}, "dial_in_phone", "7 to 15 digits"),
        ({"dial_in_phone": "+1 555 010 4477 1234 5678"}, "dial_in_phone", "7 to 15 digits"),
        ({"dial_in_phone": "555+0104477"}, "dial_in_phone", "a + in front only"),
        ({"dial_in_phone": "+1 555 010 4477,,1234#"}, "dial_in_phone", "digits, spaces"),
        ({"dial_in_phone": "1" * 100_000}, "dial_in_phone", "under 32"),
        ({"dial_in_phone": SCRIPT}, "dial_in_phone", "digits, spaces"),
        ({"dial_in_phone": "5550104477'; DROP TABLE circles_circle;--"}, "dial_in_phone", ""),
        ({"dial_in_phone": "555\x000104477"}, "dial_in_phone", "Null characters"),
        ({"dial_in_phone": "٥٥٥٠١٠٤٤٧٧"}, "dial_in_phone", "digits"),
        ({"dial_in_code": "12ab"}, "dial_in_code", "key in after calling"),
        ({"dial_in_code": "1" * 21}, "dial_in_code", "at most 20 digits"),
        ({"dial_in_code": "---"}, "dial_in_code", "key in after calling"),
        ({"dial_in_code": SCRIPT}, "dial_in_code", "under 24"),
        ({"dial_in_code": "123456"}, "dial_in_phone", "Add the phone number"),
    ],
)
def test_what_cannot_be_dialled_is_refused_beside_the_field(
    facilitator_client: Client, online, changes: dict, field: str, words: str
):
    response = facilitator_client.post(edit_url(online), form_data(online, **changes))

    assert response.status_code == 400
    page = response.content.decode()
    assert SCRIPT not in page
    assert words in html.unescape(page)
    assert f'name="{field}"' in page
    online.refresh_from_db()
    assert (online.dial_in_phone, online.dial_in_code) == ("", "")
    assert not ActionLog.objects.exists()


def test_a_new_online_circle_can_start_with_a_number(outsider_client: Client):
    response = outsider_client.post(
        START_URL,
        answers(
            format="online",
            venue="",
            online_url="https://meet.example.org/circle",
            dial_in_phone="+1 555 010 4477",
            dial_in_code="918 273",
        ),
    )

    assert response.status_code == 302
    circle = Circle.objects.get()
    assert circle.dial_in == DialIn("+1 555 010 4477", "918 273")
    assert circle.dial_in_public is False  # published only when its facilitators choose


def test_an_in_person_circle_keeps_no_number_it_was_given(outsider_client: Client):
    outsider_client.post(START_URL, answers(dial_in_phone="+1 555 010 4477"))

    assert Circle.objects.get().dial_in_phone == ""


def test_the_admin_checks_the_same_rules(circle):
    meetup = MeetupFactory(circle=circle, dial_in_phone="not a number", dial_in_code="12")
    circle.dial_in_code = "12"

    with pytest.raises(ValidationError) as meetup_errors:
        meetup.full_clean()
    with pytest.raises(ValidationError) as circle_errors:
        circle.full_clean()

    assert set(meetup_errors.value.message_dict) == {"dial_in_phone"}
    assert "Add the phone number" in str(circle_errors.value.message_dict["dial_in_phone"])


@pytest.mark.parametrize(
    ("phone", "code", "tel"),
    [
        ("+1 (555) 010-4477", "918 273 645", "tel:+15550104477,,918273645%23"),
        ("+1 (555) 010-4477", "", "tel:+15550104477"),
        ("(0)20 7946 0011", "12-34", "tel:02079460011,,1234%23"),
    ],
)
def test_one_tap_links_dial_the_number_then_the_code(phone: str, code: str, tel: str):
    assert DialIn(phone, code).tel_url == tel
