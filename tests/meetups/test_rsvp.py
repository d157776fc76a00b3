"""A member RSVPs to a meetup: a seat while one is left, the waitlist after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from circles.models import Circle, Membership
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory


def rsvp_url(meetup: Meetup) -> str:
    return reverse("meetups:rsvp", args=[meetup.pk])


def test_member_gets_a_seat(member_client, member, meetup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(rsvp_url(meetup))

    assert response.status_code == 302
    assert response["Location"] == meetup.get_absolute_url()
    seat = RSVP.objects.get(meetup=meetup, user=member)
    assert seat.status == RSVP.Status.GOING
    meetup.refresh_from_db()
    assert meetup.going_count == 1
    page = member_client.get(response["Location"])
    assert "You&#x27;re going" in page.content.decode()


def test_full_meetup_puts_member_on_waitlist_with_position(member_client, member, circle):
    meetup = MeetupFactory(circle=circle, capacity=1)
    RSVPFactory(meetup=meetup, status=RSVP.Status.GOING)
    Meetup.objects.filter(pk=meetup.pk).update(going_count=1)
    earlier = RSVPFactory(meetup=meetup, status=RSVP.Status.WAITLISTED)
    MembershipFactory(user=earlier.user, circle=circle)

    response = member_client.post(rsvp_url(meetup), follow=True)

    seat = RSVP.objects.get(meetup=meetup, user=member)
    assert seat.status == RSVP.Status.WAITLISTED
    assert services.waitlist_position(seat) == 2
    assert "number 2" in response.content.decode()
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_double_click_makes_one_rsvp(member_client, member, meetup):
    member_client.post(rsvp_url(meetup))
    member_client.post(rsvp_url(meetup))

    assert RSVP.objects.filter(meetup=meetup, user=member).count() == 1
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_rsvp_again_after_cancelling_reuses_the_row(member, meetup):
    first = services.rsvp(user=member, meetup=meetup)
    services.cancel_rsvp(user=member, meetup=meetup)
    again = services.rsvp(user=member, meetup=meetup)

    assert again.pk == first.pk
    assert again.status == RSVP.Status.GOING
    assert RSVP.objects.filter(meetup=meetup, user=member).count() == 1
    meetup.refresh_from_db()
    assert meetup.going_count == 1


def test_htmx_rsvp_swaps_the_control_and_seat_count(member_client, member, circle):
    meetup = MeetupFactory(circle=circle, capacity=5)

    response = member_client.post(rsvp_url(meetup), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="rsvp"')
    assert "<html" not in html
    assert "<strong>4</strong> of 5 seats left" in html
    assert "You&#x27;re going" in html
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING


def test_unverified_member_is_asked_to_confirm_email(client, circle, meetup):
    unverified = UserFactory(verified=False)
    MembershipFactory(user=unverified, circle=circle)
    client.force_login(unverified)

    response = client.post(rsvp_url(meetup), follow=True)

    assert "confirm your email" in response.content.decode()
    assert not RSVP.objects.filter(meetup=meetup).exists()


def test_visitor_to_open_circle_joins_and_rsvps_in_one_step(outsider_client, outsider, meetup):
    response = outsider_client.post(
        rsvp_url(meetup), {"join": "1", "accept_guidelines": "on"}, follow=True
    )

    membership = Membership.objects.get(user=outsider, circle=meetup.circle)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.guidelines_accepted_at is not None
    assert RSVP.objects.get(meetup=meetup, user=outsider).status == RSVP.Status.GOING
    assert "You&#x27;re going" in response.content.decode()


def test_join_and_rsvp_needs_the_guidelines_accepted(outsider_client, outsider, meetup):
    response = outsider_client.post(rsvp_url(meetup), {"join": "1"}, follow=True)

    assert "guidelines" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, circle=meetup.circle).exists()
    assert not RSVP.objects.filter(meetup=meetup).exists()


def test_refused_rsvp_undoes_the_join(outsider, circle):
    cancelled = MeetupFactory(circle=circle, status=Meetup.Status.CANCELLED)

    with pytest.raises(services.RSVPError):
        services.join_and_rsvp(user=outsider, meetup=cancelled, accept_guidelines=True)

    assert not Membership.objects.filter(user=outsider, circle=circle).exists()


def test_approval_circle_needs_an_active_membership(outsider_client, outsider, circle, meetup):
    Circle.objects.filter(pk=circle.pk).update(join_policy=Circle.JoinPolicy.APPROVAL)

    page = outsider_client.get(meetup.get_absolute_url())
    response = outsider_client.post(
        rsvp_url(meetup), {"join": "1", "accept_guidelines": "on"}, follow=True
    )

    assert "Ask to join" in page.content.decode()
    assert "welcome new members first" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, circle=circle).exists()
    assert not RSVP.objects.filter(meetup=meetup).exists()


def test_pending_member_cannot_rsvp(outsider, circle, meetup):
    MembershipFactory(user=outsider, circle=circle, status=Membership.Status.PENDING)

    with pytest.raises(services.RSVPError):
        services.rsvp(user=outsider, meetup=meetup)

    assert not RSVP.objects.filter(meetup=meetup).exists()


def test_member_cancels_before_the_start(member_client, member, meetup):
    services.rsvp(user=member, meetup=meetup)

    response = member_client.post(reverse("meetups:cancel", args=[meetup.pk]), follow=True)

    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.CANCELLED
    meetup.refresh_from_db()
    assert meetup.going_count == 0
    assert "Your RSVP is cancelled" in response.content.decode()


def test_an_rsvp_takes_a_handful_of_queries(member, meetup, django_assert_num_queries):
    """The busiest write on the site: the meetup's lock, four reads (verified email,
    membership, the person's RSVP, how many wait), the RSVP and the seat count; plus the
    savepoint pair of the test's own transaction. A double click stops after the reads."""
    with django_assert_num_queries(7 + 2):
        services.rsvp(user=member, meetup=Meetup(pk=meetup.pk))
    with django_assert_num_queries(4 + 2):
        services.rsvp(user=member, meetup=Meetup(pk=meetup.pk))
