"""Facilitators are told of new requests to join and new reports about their circles: in
a daily digest (at most one email a day per circle, however often the scan runs) or at
once, as they choose on their settings page; and the manage link counts what waits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from circles import services as circle_services
from circles.facilitator_news import send_facilitator_digests
from circles.models import Circle, Membership
from hosting import services as hosting_services
from tests.factories import CircleFactory, MembershipFactory, UserFactory, met_at_a_meetup

pytestmark = pytest.mark.django_db

# A Tuesday morning in Baton Rouge (the circle's and the people's zone).
MORNING = dt.datetime(2030, 3, 5, 15, 0, tzinfo=dt.UTC)
DAILY = User.FacilitatorAlerts.DAILY
AT_ONCE = User.FacilitatorAlerts.IMMEDIATE


@pytest.fixture
def approval_circle(facilitator: User, member: User) -> Circle:
    circle = CircleFactory(name="Caregivers Circle", join_policy=Circle.JoinPolicy.APPROVAL)
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    return circle


def ask_to_join(circle: Circle) -> Membership:
    return circle_services.join_circle(
        user=UserFactory(), circle=circle, accept_guidelines=True, answer="May I come?"
    )


def news_for(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, key__startswith="circle-news:"))


def test_the_default_is_the_daily_digest() -> None:
    assert UserFactory().facilitator_alerts == DAILY


def test_a_request_waits_for_the_digest_by_default(
    approval_circle: Circle, facilitator: User
) -> None:
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        assert news_for(facilitator) == []

        assert send_facilitator_digests() == 1

    [note] = news_for(facilitator)
    key = f"circle-news:circle:{approval_circle.pk}:user:{facilitator.pk}:day:20300305"
    assert note.key == key
    assert note.subject == "Something is waiting for you on Peer Support Circles"
    assert "Caregivers" not in note.subject
    assert "1 request to join is waiting for an answer" in note.body
    assert reverse("hosting:manage", args=[approval_circle.slug]) in note.body


def test_at_most_one_digest_a_day_per_circle_however_often_the_scan_runs(
    approval_circle: Circle, facilitator: User
) -> None:
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        assert send_facilitator_digests() == 1
        assert send_facilitator_digests() == 0
    with time_machine.travel(MORNING + dt.timedelta(hours=3), tick=False):
        ask_to_join(approval_circle)  # news, but today's digest has gone
        assert send_facilitator_digests() == 0
    assert len(news_for(facilitator)) == 1
    # The next day, what arrived since yesterday's email makes today's.
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        assert send_facilitator_digests() == 1
        assert send_facilitator_digests() == 0
    [_, today] = sorted(news_for(facilitator), key=lambda n: n.pk)
    assert today.key.endswith(":day:20300306")
    assert "2 requests to join are waiting for an answer" in today.body


def test_nothing_new_sends_nothing(approval_circle: Circle, facilitator: User) -> None:
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        send_facilitator_digests()
    # The request still waits the next day, but it was told of yesterday.
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        assert send_facilitator_digests() == 0
    # Old news is not news for anyone: two weeks later, nothing at all.
    with time_machine.travel(MORNING + dt.timedelta(days=14), tick=False):
        assert send_facilitator_digests() == 0


def test_each_facilitator_and_circle_has_its_own_digest(
    approval_circle: Circle, facilitator: User
) -> None:
    co_host = UserFactory()
    MembershipFactory(user=co_host, circle=approval_circle, role=Membership.Role.FACILITATOR)
    other = CircleFactory(join_policy=Circle.JoinPolicy.APPROVAL)
    MembershipFactory(user=facilitator, circle=other, role=Membership.Role.FACILITATOR)
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        ask_to_join(other)
        assert send_facilitator_digests() == 3
    assert len(news_for(facilitator)) == 2
    assert len(news_for(co_host)) == 1


def test_a_facilitator_who_chose_at_once_hears_of_each_request_at_once(
    approval_circle: Circle, facilitator: User
) -> None:
    facilitator.facilitator_alerts = AT_ONCE
    facilitator.save()
    with time_machine.travel(MORNING, tick=False):
        first = ask_to_join(approval_circle)
        ask_to_join(approval_circle)
        assert len(news_for(facilitator)) == 2
        # Not again in a digest, and asking twice while waiting tells nothing more.
        assert send_facilitator_digests() == 0
        circle_services.join_circle(user=first.user, circle=approval_circle, accept_guidelines=True)
    notes = news_for(facilitator)
    assert len(notes) == 2
    assert all(":request:" in note.key for note in notes)
    assert "request to join" in notes[0].body


def test_reports_come_in_the_digest_or_at_once(
    circle: Circle, facilitator: User, member: User
) -> None:
    reporter = MembershipFactory(circle=circle, user=UserFactory()).user
    met_at_a_meetup(circle, reporter, member)
    with time_machine.travel(MORNING, tick=False):
        hosting_services.report_concern(
            reporter=reporter, circle=circle, about=member, reason="Talked over people"
        )
        # The digest, not the report's own notice.
        assert not Notification.objects.filter(user=facilitator, kind="report-for-facilitators")
        assert send_facilitator_digests() == 1
    [digest] = news_for(facilitator)
    assert "1 report to read" in digest.body
    assert "Talked over people" not in digest.body

    facilitator.facilitator_alerts = AT_ONCE
    facilitator.save()
    with time_machine.travel(MORNING + dt.timedelta(hours=1), tick=False):
        hosting_services.report_concern(
            reporter=reporter, circle=circle, about=member, reason="Again"
        )
    assert Notification.objects.filter(user=facilitator, kind="report-for-facilitators").exists()


def test_the_digest_is_in_the_facilitators_language(
    approval_circle: Circle, facilitator: User
) -> None:
    facilitator.language = "es"
    facilitator.save()
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        send_facilitator_digests()
    [note] = news_for(facilitator)
    assert "Peer Support Circles" in note.subject
    assert "Something is waiting" not in note.subject
    assert "Something is waiting" not in note.body


def test_a_digest_answered_before_it_went_is_not_sent(
    approval_circle: Circle, facilitator: User
) -> None:
    from accounts.outbox import still_applies

    with time_machine.travel(MORNING, tick=False):
        request = ask_to_join(approval_circle)
        send_facilitator_digests()
    [note] = news_for(facilitator)
    assert still_applies(note)
    hosting_services.approve_request(membership=request, by=facilitator)
    assert not still_applies(note)


def test_someone_no_longer_hosting_gets_no_digest(
    approval_circle: Circle, facilitator: User
) -> None:
    Membership.objects.filter(user=facilitator, circle=approval_circle).update(
        role=Membership.Role.MEMBER
    )
    with time_machine.travel(MORNING, tick=False):
        ask_to_join(approval_circle)
        assert send_facilitator_digests() == 0


def test_the_choice_is_on_the_settings_page(facilitator_client: Client, facilitator: User) -> None:
    page = facilitator_client.get(reverse("accounts:settings")).content.decode()
    assert 'name="facilitator_alerts"' in page
    assert "At once, an email for each" in page
    data = {
        "display_name": facilitator.display_name,
        "timezone": facilitator.timezone,
        "facilitator_alerts": "immediate",
    }
    facilitator_client.post(reverse("accounts:settings"), data)
    facilitator.refresh_from_db()
    assert facilitator.facilitator_alerts == AT_ONCE
    response = facilitator_client.post(
        reverse("accounts:settings"), data | {"facilitator_alerts": "hourly<script>"}
    )
    assert response.status_code in (200, 400)
    assert b"hourly<script>" not in response.content
    facilitator.refresh_from_db()
    assert facilitator.facilitator_alerts == AT_ONCE


def test_the_manage_links_count_what_waits(
    approval_circle: Circle, facilitator: User, facilitator_client: Client, member_client: Client
) -> None:
    ask_to_join(approval_circle)
    ask_to_join(approval_circle)

    circle_page = facilitator_client.get(approval_circle.get_absolute_url()).content.decode()
    my_circles = facilitator_client.get(reverse("my_circles")).content.decode()
    home = facilitator_client.get("/").content.decode()
    for page in (circle_page, my_circles, home):
        assert "(2 waiting)" in page

    assert "waiting)" not in member_client.get(reverse("my_circles")).content.decode()


def test_the_count_leaves_out_answered_requests(
    approval_circle: Circle, facilitator: User, facilitator_client: Client
) -> None:
    request = ask_to_join(approval_circle)
    hosting_services.approve_request(membership=request, by=facilitator)
    assert "waiting)" not in facilitator_client.get(reverse("my_circles")).content.decode()
