"""Consent to the privacy note: asked again when the note's version changes, and
withdrawn from the settings page without deleting the account, after which no optional
email (reminders, check-in prompts) goes out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import notify
from accounts.models import OPTIONAL_EMAILS, User
from meetups import services
from meetups.notifications import send_due_reminders
from tests.factories import MeetupFactory

pytestmark = pytest.mark.django_db

NEW_VERSION = "2027-01"


@pytest.fixture
def note_changed(settings) -> str:
    settings.PRIVACY_NOTICE_VERSION = NEW_VERSION
    return NEW_VERSION


def test_a_new_version_is_asked_for_at_the_next_visit(
    member: User, member_client: Client, note_changed: str
) -> None:
    response = member_client.get("/me/settings/?tab=1")

    assert response.status_code == 302
    consent = reverse("accounts:consent")
    assert response["Location"] == f"{consent}?next=%2Fme%2Fsettings%2F%3Ftab%3D1"
    page = member_client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Version {NEW_VERSION}" in body
    assert "you accepted version 2026-12" in body
    assert "Others see your display name, never your email." in body  # the note's summary

    accepted = member_client.post(consent, {"next": "/me/settings/?tab=1"})

    assert accepted.status_code == 302
    assert accepted["Location"] == "/me/settings/?tab=1"
    member.refresh_from_db()
    assert member.privacy_notice_version == NEW_VERSION
    assert timezone.now() - member.health_data_consent_at < dt.timedelta(minutes=1)
    assert member_client.get("/me/settings/").status_code == 200


def test_nothing_is_done_until_the_new_version_is_accepted(
    member: User, member_client: Client, meetup, note_changed: str
) -> None:
    response = member_client.post(f"/meetups/{meetup.pk}/rsvp/", {})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:consent")
    assert not meetup.rsvps.exists()


def test_htmx_requests_are_sent_to_the_consent_page_too(
    member_client: Client, note_changed: str
) -> None:
    response = member_client.get("/circles/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:consent"))


@pytest.mark.parametrize(
    "path",
    ["/crisis/", "/privacy/", "/healthz", "/me/consent/", "/me/delete/", "/me/export.json"],
)
def test_some_pages_stay_open_while_the_note_waits(
    path: str, member_client: Client, note_changed: str
) -> None:
    response = member_client.get(path)

    assert not response.get("Location", "").startswith(reverse("accounts:consent"))
    assert response.status_code != 500


def test_signing_out_stays_open(member_client: Client, note_changed: str) -> None:
    response = member_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "0", "home"])
def test_a_next_address_off_the_site_is_dropped(
    target: str, member: User, member_client: Client, note_changed: str
) -> None:
    response = member_client.post(reverse("accounts:consent"), {"next": target})

    assert response["Location"] == "/"
    member.refresh_from_db()
    assert member.privacy_notice_version == NEW_VERSION


def test_people_who_accepted_the_current_version_are_not_asked(member_client: Client) -> None:
    assert member_client.get("/me/settings/").status_code == 200


def test_consent_is_withdrawn_from_settings_and_the_account_stays(
    member: User, member_client: Client
) -> None:
    page = member_client.get("/me/settings/").content.decode()
    assert reverse("accounts:withdraw_consent") in page

    assert member_client.get(reverse("accounts:withdraw_consent")).status_code == 405
    response = member_client.post(reverse("accounts:withdraw_consent"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.consent_withdrawn_at is not None
    assert member.is_active
    assert member.privacy_notice_version == "2026-12"  # the record of what was accepted
    page = member_client.get("/me/settings/").content.decode()
    assert "You withdrew your consent" in page
    assert not any(member.wants_optional_email(kind) for kind in OPTIONAL_EMAILS)


def test_someone_who_withdrew_is_not_asked_on_every_page_and_may_consent_again(
    member: User, member_client: Client, note_changed: str
) -> None:
    member_client.post(reverse("accounts:withdraw_consent"))

    assert member_client.get("/me/settings/").status_code == 200
    member_client.post(reverse("accounts:consent"), {"next": ""})

    member.refresh_from_db()
    assert member.consent_withdrawn_at is None
    assert member.privacy_notice_version == NEW_VERSION
    assert member.wants_optional_email("remind_24h")


def _due_tomorrow(circle, member: User):
    starts = timezone.now() + dt.timedelta(hours=20)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    services.rsvp(user=member, meetup=meetup)
    return meetup


def test_no_reminder_after_consent_is_withdrawn(
    member: User, member_client: Client, circle
) -> None:
    _due_tomorrow(circle, member)
    member_client.post(reverse("accounts:withdraw_consent"))

    assert send_due_reminders() == 0
    assert mail.outbox == []


def test_the_reminder_still_goes_to_someone_who_consents(member: User, circle) -> None:
    _due_tomorrow(circle, member)

    assert send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_an_optional_email_checks_the_rule_again_just_before_it_goes(member: User, circle) -> None:
    """A person picked by a scan who withdraws before the send gets nothing, and no record
    is kept, so the message is not counted as sent."""
    member.consent_withdrawn_at = timezone.now()
    member.save(update_fields=["consent_withdrawn_at"])
    stale = User.objects.get(pk=member.pk)
    stale.consent_withdrawn_at = None  # as a scan read it before the withdrawal

    sent = notify.queue_once(
        key="weekly-checkin:user:1",
        user=stale,
        template="reminder-24h",
        context={"when": "Tue 3 Mar", "circle_name": circle.name},
        optional="weekly_checkin",
    )

    assert sent is False
    assert mail.outbox == []
    assert not member.notifications.exists()


def test_only_known_optional_emails_can_be_asked_about(member: User) -> None:
    with pytest.raises(ValueError):
        member.wants_optional_email("calendar_shows_circle_name")
