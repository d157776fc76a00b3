"""A mood link opened by someone not signed in: the link is the only credential, so it
asks for the current privacy note first when the person's consent is out of date, never
shows what they wrote earlier that week, and its POSTs are limited per link."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import Notification, User
from circles.checkins import checkin_path, current_week, link_token
from circles.models import CheckIn, Circle

pytestmark = pytest.mark.django_db


def token_for(member: User, circle: Circle, mood: int | None = 2) -> str:
    return link_token(user_id=member.pk, circle_id=circle.pk, week=current_week(circle), mood=mood)


def check_in(circle: Circle, token: str, **changes: object) -> dict[str, object]:
    return {"t": token, "mood": 2, "note": "Rough one.", "visibility": "private"} | changes


@pytest.fixture
def out_of_date(member: User) -> User:
    member.privacy_notice_version = "2020-01"
    member.save(update_fields=["privacy_notice_version"])
    return member


def test_a_link_asks_for_consent_before_the_form(
    client: Client, circle: Circle, out_of_date: User
) -> None:
    token = token_for(out_of_date, circle)

    page = client.get(checkin_path(circle, token))

    body = page.content.decode()
    assert page.status_code == 200
    assert "Our privacy note has changed" in body
    assert 'name="mood"' not in body
    assert "I accept" in body


def test_a_check_in_posted_before_consent_records_nothing_and_tells_nobody(
    client: Client, circle: Circle, out_of_date: User
) -> None:
    token = token_for(out_of_date, circle)

    response = client.post(checkin_path(circle), check_in(circle, token, wants_support="on"))

    assert response.status_code == 200
    assert "Our privacy note has changed" in response.content.decode()
    assert CheckIn.objects.count() == 0
    assert not Notification.objects.filter(key__startswith="checkin-support:").exists()


def test_accepting_through_the_link_records_consent_then_opens_the_form(
    client: Client, circle: Circle, out_of_date: User, settings
) -> None:
    token = token_for(out_of_date, circle)

    accepted = client.post(f"/circles/{circle.slug}/check-in/consent/", {"t": token})

    assert accepted.status_code == 302
    assert accepted["Location"] == checkin_path(circle, token)
    out_of_date.refresh_from_db()
    assert out_of_date.privacy_notice_version == settings.PRIVACY_NOTICE_VERSION
    assert out_of_date.health_data_consent_at is not None
    form = client.get(accepted["Location"]).content.decode()
    assert 'name="mood"' in form
    assert client.post(checkin_path(circle), check_in(circle, token)).status_code == 302
    assert CheckIn.objects.get().user == out_of_date


def test_accepting_needs_a_valid_link(client: Client, circle: Circle, out_of_date: User) -> None:
    for token in ("", "nonsense"):
        response = client.post(f"/circles/{circle.slug}/check-in/consent/", {"t": token})
        assert response.status_code in (400, 404)
    out_of_date.refresh_from_db()
    assert out_of_date.privacy_notice_version == "2020-01"


def test_signed_out_the_page_never_shows_what_was_written_earlier(
    client: Client, member_client: Client, circle: Circle, member: User
) -> None:
    member_client.post(
        checkin_path(circle),
        {"mood": 1, "note": "Secret words.", "visibility": "facilitators", "wants_support": "on"},
    )

    body = client.get(checkin_path(circle, token_for(member, circle, mood=None))).content.decode()

    assert "Secret words." not in body
    # No mood, no support flag, and the visibility is the form's default, not theirs.
    [checked] = re.findall(r"<input[^>]*\schecked[^>]*>", body)
    assert 'value="private"' in checked
    # Signed in, the person sees their own week, as before.
    mine = member_client.get(checkin_path(circle)).content.decode()
    assert "Secret words." in mine


def test_signed_out_posts_are_limited_per_link(
    client: Client, circle: Circle, member: User, settings
) -> None:
    settings.PERSON_RATE_LIMITS = settings.PERSON_RATE_LIMITS | {"checkin_link": "2/m/key"}
    # Every mood link of one prompt is the same link for counting: one person, circle, week.
    tokens = [token_for(member, circle, mood) for mood in (1, 2, 3)]

    codes = [
        Client().post(checkin_path(circle), check_in(circle, token)).status_code for token in tokens
    ]

    assert codes == [302, 302, 429]
