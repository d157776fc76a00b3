"""A member offers to host one meetup; a facilitator confirms or declines; the host then
sees who is coming to that meetup (and only that one) and marks who came."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from hosting import services
from hosting.models import ActionLog, HostOffer
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def offer_url(meetup: Meetup) -> str:
    return f"/meetups/{meetup.pk}/host/offer/"


def decide_url(offer: HostOffer) -> str:
    return f"/circles/{offer.meetup.circle.slug}/manage/host-offers/{offer.pk}/"


def test_a_member_sees_the_offer_button_and_offers(member_client: Client, member, meetup) -> None:
    page = member_client.get(f"/meetups/{meetup.pk}/").content.decode()
    assert "Offer to host this meetup" in page
    assert "Hosted by the facilitators" in page

    response = member_client.post(offer_url(meetup), follow=True)

    offer = HostOffer.objects.get(meetup=meetup, user=member)
    assert offer.status == HostOffer.Status.OFFERED
    assert "Thank you for offering to host" in response.content.decode()
    assert "You've offered to host this meetup" in response.content.decode()
    meetup.refresh_from_db()
    assert meetup.host is None


def test_offering_twice_makes_one_offer(member_client: Client, meetup) -> None:
    member_client.post(offer_url(meetup))
    member_client.post(offer_url(meetup))

    assert HostOffer.objects.filter(meetup=meetup).count() == 1


def test_outsiders_and_anonymous_cannot_offer(
    outsider_client: Client, client: Client, meetup
) -> None:
    assert outsider_client.post(offer_url(meetup)).status_code == 403
    assert client.post(offer_url(meetup)).status_code == 302  # to the login page
    assert outsider_client.post("/meetups/999999/host/offer/").status_code == 404
    assert not HostOffer.objects.exists()


def test_a_started_meetup_takes_no_offers(member_client: Client, circle) -> None:
    starts = timezone.now() - dt.timedelta(minutes=5)
    meetup = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))

    response = member_client.post(offer_url(meetup), follow=True)

    assert "already started" in response.content.decode()
    assert not HostOffer.objects.exists()


def test_the_facilitator_sees_the_offer_and_confirms_it(
    facilitator_client: Client, facilitator, member, meetup, django_capture_on_commit_callbacks
) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)
    manage = facilitator_client.get("/circles/grief-circle-mid-city/manage/").content.decode()
    assert "Milo" in manage and "offers to host" in manage

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(decide_url(offer), {"decision": "confirm"}, follow=True)

    offer.refresh_from_db()
    meetup.refresh_from_db()
    assert offer.status == HostOffer.Status.CONFIRMED
    assert offer.decided_by == facilitator
    assert meetup.host == member
    # The host is coming too: confirming gave them a seat.
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING
    assert meetup.going_count == 1
    assert "Milo is hosting that meetup" in response.content.decode()
    assert ActionLog.objects.filter(
        action="confirm host", actor=facilitator, subject_user=member, meetup=meetup
    ).exists()
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject == f"You're hosting the meetup on {meetup.local_start:%a} " + (
        f"{meetup.local_start.day} {meetup.local_start:%b}"
    )
    assert "Grief" not in email.subject


def test_the_facilitator_declines_and_the_member_is_told(
    facilitator_client: Client, member, meetup, django_capture_on_commit_callbacks
) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(decide_url(offer), {"decision": "decline"})

    offer.refresh_from_db()
    meetup.refresh_from_db()
    assert offer.status == HostOffer.Status.DECLINED
    assert meetup.host is None
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject.startswith("About your offer to host on ")
    assert "facilitators will host it themselves" in email.body


def test_one_confirmed_host_per_meetup(facilitator_client: Client, member, circle, meetup) -> None:
    other = UserFactory(display_name="Ola")
    MembershipFactory(user=other, circle=circle)
    first = HostOffer.objects.create(meetup=meetup, user=member)
    second = HostOffer.objects.create(meetup=meetup, user=other)
    facilitator_client.post(decide_url(first), {"decision": "confirm"})

    response = facilitator_client.post(decide_url(second), {"decision": "confirm"}, follow=True)

    second.refresh_from_db()
    meetup.refresh_from_db()
    assert meetup.host == member
    assert second.status == HostOffer.Status.OFFERED
    assert "Someone is already hosting this meetup" in response.content.decode()


def test_members_and_other_facilitators_cannot_decide(
    member_client: Client, member, meetup
) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)
    elsewhere = UserFactory()
    MembershipFactory(user=elsewhere, role="facilitator")
    other_facilitator = Client()
    other_facilitator.force_login(elsewhere)

    assert member_client.post(decide_url(offer), {"decision": "confirm"}).status_code == 403
    assert other_facilitator.post(decide_url(offer), {"decision": "confirm"}).status_code == 403
    offer.refresh_from_db()
    assert offer.status == HostOffer.Status.OFFERED


def test_the_confirmed_host_sees_who_is_coming_to_that_meetup_only(
    member_client: Client, member, circle, meetup
) -> None:
    HostOffer.objects.create(meetup=meetup, user=member, status=HostOffer.Status.CONFIRMED)
    Meetup.objects.filter(pk=meetup.pk).update(host=member)
    RSVPFactory(meetup=meetup, user=UserFactory(display_name="Quinn"))
    other = MeetupFactory(circle=circle)
    RSVPFactory(meetup=other, user=UserFactory(display_name="Rowan"))

    public = member_client.get(f"/meetups/{meetup.pk}/").content.decode()
    manage = f"/circles/{circle.slug}/manage/meetups/{meetup.pk}/"
    page = member_client.get(manage).content.decode()
    other_page = member_client.get(f"/meetups/{other.pk}/").content.decode()

    assert "Hosted by Milo" in public
    assert "For this meetup's host" in public
    assert f'href="{manage}"' in public
    assert "Quinn" in page
    assert 'name="capacity"' not in page and "Cancel the meetup" not in page
    assert "Message the people going" in page
    assert "Rowan" not in other_page
    assert "For this meetup" not in other_page


def test_the_confirmed_host_marks_who_came_but_cannot_change_the_meetup(
    member_client: Client, member, circle
) -> None:
    starts = timezone.now() - dt.timedelta(minutes=10)
    meetup = MeetupFactory(
        circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1), host=member
    )
    other = MeetupFactory(circle=circle, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    quinn = UserFactory(display_name="Quinn")
    seat = RSVPFactory(meetup=meetup, user=quinn)
    other_seat = RSVPFactory(meetup=other, user=quinn)

    manage = f"/circles/{circle.slug}/manage/meetups"
    marked = member_client.post(
        f"{manage}/{meetup.pk}/attendance/", {"user": quinn.pk, "attended": "1"}
    )
    elsewhere = member_client.post(
        f"{manage}/{other.pk}/attendance/", {"user": quinn.pk, "attended": "1"}
    )
    capacity = member_client.post(f"{manage}/{meetup.pk}/change/", {"capacity": "3"})
    cancel = member_client.post(f"{manage}/{meetup.pk}/cancel/", {"confirm": "on"})

    assert marked.status_code == 302
    assert elsewhere.status_code == 403
    assert (capacity.status_code, cancel.status_code) == (403, 403)
    seat.refresh_from_db()
    other_seat.refresh_from_db()
    meetup.refresh_from_db()
    assert seat.attended is True
    assert other_seat.attended is None
    assert (meetup.capacity, meetup.status) == (12, Meetup.Status.SCHEDULED)
    assert RSVP.objects.filter(attended=True).count() == 1


def test_a_confirmed_host_can_step_back(member_client: Client, member, meetup) -> None:
    HostOffer.objects.create(meetup=meetup, user=member, status=HostOffer.Status.CONFIRMED)
    Meetup.objects.filter(pk=meetup.pk).update(host=member)

    member_client.post(f"/meetups/{meetup.pk}/host/withdraw/")

    meetup.refresh_from_db()
    assert meetup.host is None
    assert HostOffer.objects.get(meetup=meetup).status == HostOffer.Status.WITHDRAWN
    assert ActionLog.objects.filter(action="host stepped back", meetup=meetup).exists()
    page = member_client.get(f"/meetups/{meetup.pk}/").content.decode()
    assert "Offer to host this meetup" in page


def test_the_facilitator_can_take_a_confirmation_back(
    facilitator_client: Client, member, meetup
) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)
    facilitator_client.post(decide_url(offer), {"decision": "confirm"})

    facilitator_client.post(decide_url(offer), {"decision": "decline"})

    meetup.refresh_from_db()
    offer.refresh_from_db()
    assert meetup.host is None
    assert offer.status == HostOffer.Status.DECLINED


def test_a_nonsense_decision_changes_nothing(facilitator_client: Client, member, meetup) -> None:
    offer = HostOffer.objects.create(meetup=meetup, user=member)

    response = facilitator_client.post(decide_url(offer), {"decision": "maybe"}, follow=True)

    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.status == HostOffer.Status.OFFERED


# A host who leaves or is removed


def _confirmed_host(meetup: Meetup, facilitator) -> tuple[HostOffer, Client]:
    person = MembershipFactory(circle=meetup.circle, user=UserFactory(display_name="Hal")).user
    offer = services.confirm_host(
        offer=services.offer_to_host(user=person, meetup=meetup), by=facilitator
    )
    client = Client()
    client.force_login(person)
    return offer, client


def _hosting_page(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/"


@pytest.mark.parametrize("how", ["leave", "remove", "block"])
def test_a_host_who_leaves_or_is_removed_hosts_nothing_ahead(
    how: str, facilitator, facilitator_client: Client, meetup, circle
) -> None:
    later = MeetupFactory(circle=circle, starts_at=meetup.starts_at + dt.timedelta(weeks=1))
    hosting, host_client = _confirmed_host(meetup, facilitator)
    host = hosting.user
    waiting = HostOffer.objects.create(meetup=later, user=host)
    past = MeetupFactory(circle=circle, starts_at=timezone.now() - dt.timedelta(days=7), host=host)
    assert host_client.get(_hosting_page(meetup)).status_code == 200

    if how == "leave":
        assert host_client.post(f"/circles/{circle.slug}/leave/").status_code == 302
    else:
        membership = circle.memberships.get(user=host)
        manage = f"/circles/{circle.slug}/manage/members/"
        facilitator_client.post(manage, {"membership": membership.pk, "action": how})

    meetup.refresh_from_db()
    past.refresh_from_db()
    hosting.refresh_from_db()
    waiting.refresh_from_db()
    assert meetup.host is None
    assert past.host == host  # who hosted a meetup that happened stays on record
    assert hosting.status == waiting.status == HostOffer.Status.WITHDRAWN
    assert host_client.get(_hosting_page(meetup)).status_code == 403
    actor = host if how == "leave" else facilitator
    logged = ActionLog.objects.filter(
        subject_user=host, action__in=["host stepped back", "offer to host withdrawn"]
    )
    assert set(logged.values_list("action", "meetup", "actor")) == {
        ("host stepped back", meetup.pk, actor.pk),
        ("offer to host withdrawn", later.pk, actor.pk),
    }


def test_after_a_host_is_removed_another_member_can_host(
    facilitator, facilitator_client: Client, meetup, circle
) -> None:
    hosting, _ = _confirmed_host(meetup, facilitator)
    services.remove_member(
        membership=circle.memberships.get(user=hosting.user), by=facilitator, block=False
    )
    other = MembershipFactory(circle=circle).user

    offer = services.confirm_host(
        offer=services.offer_to_host(user=other, meetup=meetup), by=facilitator
    )

    meetup.refresh_from_db()
    assert offer.status == HostOffer.Status.CONFIRMED
    assert meetup.host == other
