"""With DEBUG on, staff read the emails the site sent at /staff/outbox/; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Notification
from tests.factories import UserFactory

URL = "/staff/outbox/"


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


@pytest.fixture
def sent(member) -> Notification:
    return Notification.objects.create(
        key=f"reminder-24h:meetup:1:seq:0:user:{member.pk}",
        user=member,
        kind="reminder-24h",
        status="sent",
        recipient=member.email,
        subject="Reminder: Tuesday at 6:30 pm, Rosie's Coffee",
        body="Hi Milo, see you at <Rosie's Coffee>.",
        sent_at=timezone.now(),
    )


def test_staff_see_the_emails_sent_with_debug_on(staff_client, sent, member, settings):
    settings.DEBUG = True
    Notification.objects.create(key="waiting:1", user=member, kind="promoted", subject="Not yet")

    response = staff_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Reminder: Tuesday at 6:30 pm, Rosie&#x27;s Coffee" in page
    assert member.email in page
    assert "reminder-24h" in page
    assert "Hi Milo, see you at &lt;Rosie&#x27;s Coffee&gt;." in page  # escaped
    assert "Not yet" not in page
    assert "1 waiting to be sent" in page


def test_nobody_sees_it_with_debug_off(staff_client, sent, settings):
    settings.DEBUG = False

    assert staff_client.get(URL).status_code == 404


def test_members_and_visitors_never_see_it(member_client, client, sent, settings):
    settings.DEBUG = True

    assert member_client.get(URL).status_code == 404
    assert client.get(URL).status_code == 404


def test_staff_find_it_in_the_navigation_with_debug_on(staff_client, member_client, settings):
    settings.DEBUG = True
    link = f'href="{URL}"'

    assert link in staff_client.get("/me/meetups/").content.decode()
    assert link not in member_client.get("/me/meetups/").content.decode()


def test_the_navigation_has_no_outbox_link_with_debug_off(staff_client, settings):
    settings.DEBUG = False

    assert 'href="/staff/outbox/"' not in staff_client.get("/me/meetups/").content.decode()
