"""Each month the facilitators confirm their circle still meets with one click on a page
(never by opening the link); a circle unconfirmed for 60 days with no meetup ahead goes
dormant, out of browse, and its facilitators are told how to bring it back."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from circles.models import Circle
from hosting import notifications, services, tasks
from hosting.models import ActionLog
from meetups.models import Meetup
from peersupport.celery import app as celery_app
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


def unconfirmed_for(circle: Circle, days: int) -> Circle:
    Circle.objects.filter(pk=circle.pk).update(
        confirmed_active_at=timezone.now() - dt.timedelta(days=days),
        created_at=timezone.now() - dt.timedelta(days=400),
    )
    circle.refresh_from_db()
    return circle


def path_of(url: str) -> str:
    """The path of an absolute link from an email."""
    return "/" + url.split("://", 1)[-1].split("/", 1)[1]


def link_for(circle: Circle, user) -> str:
    return path_of(notifications.still_meeting_url(circle, user))


def test_opening_the_link_records_nothing(client: Client, circle, facilitator) -> None:
    unconfirmed_for(circle, 40)
    before = circle.confirmed_active_at

    response = client.get(link_for(circle, facilitator))

    assert response.status_code == 200
    assert "Yes, we're still meeting" in response.content.decode()
    circle.refresh_from_db()
    assert circle.confirmed_active_at == before
    assert not ActionLog.objects.exists()


def test_the_button_confirms(client: Client, circle, facilitator) -> None:
    unconfirmed_for(circle, 40)

    response = client.post(link_for(circle, facilitator))

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    circle.refresh_from_db()
    assert timezone.now() - circle.confirmed_active_at < dt.timedelta(minutes=1)
    assert ActionLog.objects.filter(circle=circle, actor=facilitator, action="still meeting")


def test_the_button_brings_a_dormant_circle_back_with_its_meetups(
    client: Client, circle, facilitator
) -> None:
    schedule = ScheduleFactory(circle=circle)
    Circle.objects.filter(pk=circle.pk).update(status=Circle.Status.DORMANT)

    client.post(link_for(circle, facilitator))

    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE
    assert Circle.objects.listed().filter(pk=circle.pk).exists()
    assert Meetup.objects.filter(schedule=schedule).upcoming().count() >= 8
    assert ActionLog.objects.filter(circle=circle, action="reactivate").exists()


def test_an_expired_forged_or_misplaced_link_gets_a_400_page(
    client: Client, circle, facilitator
) -> None:
    unconfirmed_for(circle, 50)
    before = circle.confirmed_active_at
    with mock.patch(
        "django.core.signing.time.time",
        return_value=(timezone.now() - dt.timedelta(days=46)).timestamp(),
    ):
        expired = link_for(circle, facilitator)
    good = link_for(circle, facilitator)
    forged = re.sub(r"/still-meeting/[^/]+/", "/still-meeting/eyJjIjoxLCJ1IjoxfQ:x:y/", good)
    other = CircleFactory()
    misplaced = good.replace(circle.slug, other.slug)

    for path in (expired, forged, misplaced):
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    circle.refresh_from_db()
    assert circle.confirmed_active_at == before
    assert not ActionLog.objects.exists()


def test_someone_no_longer_facilitating_cannot_confirm(client: Client, circle, member) -> None:
    unconfirmed_for(circle, 40)
    before = circle.confirmed_active_at

    response = client.post(link_for(circle, member))

    assert response.status_code == 403
    circle.refresh_from_db()
    assert circle.confirmed_active_at == before


def test_the_monthly_email_goes_once_to_each_facilitator(
    circle, facilitator, django_capture_on_commit_callbacks
) -> None:
    co_host = MembershipFactory(circle=circle, role="facilitator").user
    unconfirmed_for(circle, 31)
    recent = unconfirmed_for(CircleFactory(), 10)
    MembershipFactory(circle=recent, role="facilitator")

    with django_capture_on_commit_callbacks(execute=True):
        tasks.still_meeting_scan()
        tasks.still_meeting_scan()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([facilitator.email, co_host.email])
    email = mail.outbox[0]
    assert email.subject == "Is your circle still meeting?"
    assert "/still-meeting/" in email.body


def test_the_link_in_the_email_confirms(
    client: Client, circle, facilitator, django_capture_on_commit_callbacks
) -> None:
    unconfirmed_for(circle, 31)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_still_meeting_prompts()
    link = re.search(r"https?://\S+/still-meeting/\S+/", mail.outbox[0].body).group(0)

    client.post(path_of(link))

    circle.refresh_from_db()
    assert timezone.now() - circle.confirmed_active_at < dt.timedelta(minutes=1)


def test_a_quiet_circle_with_no_meetup_ahead_goes_dormant(
    circle, facilitator, django_capture_on_commit_callbacks
) -> None:
    unconfirmed_for(circle, 61)
    with_meetup = unconfirmed_for(CircleFactory(), 61)
    MeetupFactory(circle=with_meetup)
    lately = unconfirmed_for(CircleFactory(), 59)
    never = CircleFactory()
    Circle.objects.filter(pk=never.pk).update(
        confirmed_active_at=None, created_at=timezone.now() - dt.timedelta(days=90)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.still_meeting_scan()

    statuses = dict(Circle.objects.values_list("pk", "status"))
    assert statuses[circle.pk] == Circle.Status.DORMANT
    assert statuses[never.pk] == Circle.Status.DORMANT
    assert statuses[with_meetup.pk] == Circle.Status.ACTIVE
    assert statuses[lately.pk] == Circle.Status.ACTIVE
    assert result["dormant"] == 2
    assert not Circle.objects.listed().filter(pk=circle.pk).exists()
    assert ActionLog.objects.filter(circle=circle, action="dormant", actor=None).exists()
    [told] = [m for m in mail.outbox if m.subject == "Your circle is out of search for now"]
    assert told.to == [facilitator.email]
    assert "/still-meeting/" in told.body

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.still_meeting_scan()["dormant"] == 0


def test_finding_quiet_circles_is_one_query(django_assert_num_queries) -> None:
    for _ in range(5):
        unconfirmed_for(CircleFactory(), 70)

    with django_assert_num_queries(1):
        assert len(list(services.circles_gone_quiet())) == 5


def test_beat_runs_the_scan_daily() -> None:
    entry = celery_app.conf.beat_schedule["still-meeting"]
    assert entry["task"] == "hosting.tasks.still_meeting_scan"
    assert tasks.still_meeting_scan.name == entry["task"]
