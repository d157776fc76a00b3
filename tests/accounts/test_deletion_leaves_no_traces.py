"""Deleting an account leaves no trace of the person: the admin's history of their rows
loses their name and circle, and every session they had, in any browser, ends. The text of
a membership, RSVP or check-in never carries a name or a circle to begin with."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from circles.models import CheckIn, Circle, Membership
from meetups import services as meetup_services
from meetups.models import RSVP
from tests.factories import MeetupFactory, UserFactory

PASSWORD = "correct horse battery"


def _log(actor: User, obj: object, text: str) -> LogEntry:
    return LogEntry.objects.create(
        user=actor,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=text,
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"name": "x", "object": "{text}"}}}}]',
    )


def _delete(client: Client):
    response = client.post(reverse("delete_account"), {"action": "delete", "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_the_admin_history_of_my_rows_keeps_neither_my_name_nor_my_circle(
    member_client: Client, member: User, circle: Circle
) -> None:
    staff = UserFactory(is_staff=True)
    membership = Membership.objects.get(user=member)
    meetup = MeetupFactory(circle=circle)
    seat = meetup_services.rsvp(user=member, meetup=meetup)
    trail = [
        _log(staff, membership, f"Milo in {circle.name} (member, removed)"),
        _log(staff, member, "Milo"),
        _log(staff, RSVP.objects.get(user=member), f"Milo → {circle.name}"),
    ]
    about_the_circle = _log(staff, circle, circle.name)
    assert seat is not None

    _delete(member_client)

    for entry in trail:
        entry.refresh_from_db()
        assert "Milo" not in entry.object_repr + entry.change_message
        assert circle.name not in entry.object_repr + entry.change_message
        assert entry.object_repr.endswith(f"#{entry.object_id}")
        assert entry.user == staff  # who did what, and when, stays
    about_the_circle.refresh_from_db()
    assert about_the_circle.object_repr == circle.name


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_deleting_ends_my_sessions_in_every_browser(
    settings, member: User, circle: Circle, engine: str, django_capture_on_commit_callbacks
) -> None:
    settings.SESSION_ENGINE = engine
    here, elsewhere, someone_else = Client(), Client(), Client()
    here.force_login(member)
    elsewhere.force_login(member)
    someone_else.force_login(UserFactory())
    elsewhere_key = elsewhere.session.session_key

    with django_capture_on_commit_callbacks(execute=True):
        _delete(here)

    settings_page = reverse("accounts:settings")
    assert elsewhere.get(settings_page).status_code == 302
    assert someone_else.get(settings_page).status_code == 200
    assert not Session.objects.filter(session_key=elsewhere_key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{elsewhere_key}") is None


def test_rows_about_a_person_are_named_by_number_only(member: User, circle: Circle) -> None:
    meetup = MeetupFactory(circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)
    check_in = CheckIn.objects.create(
        user=member, circle=circle, iso_year=2026, iso_week=47, mood=3
    )
    membership = Membership.objects.get(user=member)
    seat = RSVP.objects.get(user=member)

    texts = [str(membership), str(seat), str(check_in)]

    assert texts == [f"Membership #{membership.pk}", f"RSVP #{seat.pk}", f"Check-in #{check_in.pk}"]
    for text in texts:
        assert member.display_name not in text
        assert circle.name not in text
