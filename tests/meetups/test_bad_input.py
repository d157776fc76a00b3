"""RSVPs that must not happen: each gets a clear message or a 4xx, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles.models import Membership
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory


def rsvp_url(meetup_id: int) -> str:
    return reverse("meetups:rsvp", args=[meetup_id])


def snapshot() -> tuple:
    return (
        list(RSVP.objects.order_by("pk").values_list("pk", "status")),
        list(Meetup.objects.order_by("pk").values_list("pk", "going_count", "status")),
        list(Membership.objects.order_by("pk").values_list("pk", "status")),
    )


def test_cancelled_meetup_takes_no_rsvps(member_client, circle):
    meetup = MeetupFactory(circle=circle, status=Meetup.Status.CANCELLED)
    before = snapshot()

    response = member_client.post(rsvp_url(meetup.pk), follow=True)

    assert "has been cancelled" in response.content.decode()
    assert snapshot() == before


def test_rsvp_closes_at_the_start(member_client, circle):
    starts = timezone.now() - dt.timedelta(minutes=1)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    before = snapshot()

    response = member_client.post(rsvp_url(meetup.pk), follow=True)

    assert "RSVPs closed when this meetup started" in response.content.decode()
    assert snapshot() == before


def test_cancelling_after_the_start_is_refused(member, circle):
    meetup = MeetupFactory(circle=circle)
    services.rsvp(user=member, meetup=meetup)
    started = timezone.now() - dt.timedelta(minutes=5)
    Meetup.objects.filter(pk=meetup.pk).update(
        starts_at=started, ends_at=started + dt.timedelta(hours=1)
    )
    before = snapshot()

    with pytest.raises(services.RSVPError):
        services.cancel_rsvp(user=member, meetup=meetup)

    assert snapshot() == before


@pytest.mark.parametrize("meetup_id", [999999, 0])
def test_unknown_or_forged_meetup_id_is_404(member_client, meetup, meetup_id):
    before = snapshot()

    response = member_client.post(rsvp_url(meetup_id))

    assert response.status_code == 404
    assert snapshot() == before


def test_forged_non_numeric_id_is_404(member_client, meetup):
    response = member_client.post(f"/meetups/{meetup.pk}x/rsvp/")

    assert response.status_code == 404
    assert not RSVP.objects.exists()


def test_removed_member_cannot_rsvp_or_rejoin(member_client, member, circle, meetup):
    Membership.objects.filter(user=member, circle=circle).update(status=Membership.Status.REMOVED)
    before = snapshot()

    plain = member_client.post(rsvp_url(meetup.pk), follow=True)
    rejoin = member_client.post(
        rsvp_url(meetup.pk), {"join": "1", "accept_guidelines": "on"}, follow=True
    )
    page = member_client.get(meetup.get_absolute_url())

    assert "Only members of this circle can RSVP" in plain.content.decode()
    assert "removed you" in rejoin.content.decode()
    assert "You can't RSVP to this circle" in page.content.decode()
    assert snapshot() == before


def test_rsvp_without_csrf_token_is_403(member, meetup):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    before = snapshot()

    response = browser.post(rsvp_url(meetup.pk))

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", ["rsvp", "cancel"])
def test_get_instead_of_post_is_405(facilitator_client, meetup, name):
    before = snapshot()

    response = facilitator_client.get(reverse(f"meetups:{name}", args=[meetup.pk]))

    assert response.status_code == 405
    assert snapshot() == before


def test_anonymous_rsvp_is_sent_to_log_in(client, meetup):
    response = client.post(rsvp_url(meetup.pk))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not RSVP.objects.exists()


def test_cancelling_without_an_rsvp_says_so(member_client, meetup):
    response = member_client.post(reverse("meetups:cancel", args=[meetup.pk]), follow=True)

    assert "You don&#x27;t have an RSVP" in response.content.decode()
    assert not RSVP.objects.exists()


@pytest.mark.parametrize("forged", ["", "abc", "1 OR 1=1", "<b>1</b>", "9" * 40, "١"])
def test_attendance_for_a_forged_person_is_404(facilitator_client, member, circle, forged):
    started = timezone.now() - dt.timedelta(minutes=5)
    meetup = MeetupFactory(
        circle=circle, starts_at=started, ends_at=started + dt.timedelta(hours=1), going_count=1
    )
    RSVP.objects.create(meetup=meetup, user=member, status=RSVP.Status.GOING)
    before = snapshot()

    response = facilitator_client.post(
        reverse("hosting:attendance", args=[circle.slug, meetup.pk]),
        {"user": forged, "attended": "1"},
    )

    assert response.status_code == 404
    assert snapshot() == before
