""" "I can't host this one": a meetup's host asks for cover from its host page; the
co-facilitators and the members who offer to host are emailed once each, discreetly; the
first to accept (on a page whose button POSTs) hosts it; the rest read that it is
covered; if nobody accepts by the deadline the facilitators are told once and choose to
cancel or let it run peer-led."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts import outbox
from accounts.models import Notification
from circles.models import Circle, Membership
from hosting import services
from hosting.models import ActionLog, CoverRequest, HostOffer
from hosting.notifications import notify_cover_request
from hosting.tasks import cover_deadline_scan
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every test pins the clock: the deadline is hours before a meetup days ahead.
NOW = dt.datetime(2031, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _pinned_clock() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meetup(circle: Circle) -> Meetup:
    return MeetupFactory(circle=circle, starts_at=NOW + dt.timedelta(days=3))


@pytest.fixture
def co_facilitator(circle: Circle) -> object:
    person = UserFactory(display_name="Cora")
    MembershipFactory(circle=circle, user=person, role=Membership.Role.FACILITATOR)
    return person


@pytest.fixture
def volunteer(circle: Circle, meetup: Meetup) -> object:
    """A member who has offered to host another meetup of the circle."""
    person = UserFactory(display_name="Vic")
    MembershipFactory(circle=circle, user=person)
    later = MeetupFactory(circle=circle, starts_at=meetup.starts_at + dt.timedelta(weeks=1))
    services.offer_to_host(user=person, meetup=later)
    return person


def ask_url(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/cover/"


def settle_url(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/cover/settle/"


def host_page(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/"


def cover_url(cover: CoverRequest) -> str:
    return f"/cover/{cover.pk}/"


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def asked(cover: CoverRequest) -> list[str]:
    return sorted(
        Notification.objects.filter(key__startswith=f"cover-request:cover:{cover.pk}:").values_list(
            "user__display_name", flat=True
        )
    )


def test_the_facilitator_asks_and_each_person_who_may_cover_is_emailed_once(
    facilitator_client: Client,
    facilitator,
    member,
    co_facilitator,
    volunteer,
    meetup,
    django_capture_on_commit_callbacks,
) -> None:
    page = facilitator_client.get(host_page(meetup)).content.decode()
    assert "I can't host this one" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(ask_url(meetup), {"action": "ask"}, follow=True)

    cover = CoverRequest.objects.get(meetup=meetup)
    assert (cover.status, cover.asked_by) == (CoverRequest.Status.OPEN, facilitator)
    # Three days ahead: the facilitators hear at 24 hours before the start.
    assert cover.answer_by == meetup.starts_at - dt.timedelta(hours=24)
    assert "We&#x27;ve asked the co-facilitators" in response.content.decode()
    # Not the asker, not a member who never offered to host.
    assert asked(cover) == ["Cora", "Vic"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([co_facilitator.email, volunteer.email])
    for message in mail.outbox:
        # Discreet: neither the circle nor its topic in the subject.
        assert message.subject == "Could you host a meetup?"
        assert "Grief" not in message.subject
        assert f"/cover/{cover.pk}/" in message.body
    assert ActionLog.objects.filter(action="ask for cover", actor=facilitator).exists()

    # Asking again, or the task running again, emails nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(ask_url(meetup), {"action": "ask"})
    assert notify_cover_request(cover.pk) == 0
    outbox.deliver()
    assert CoverRequest.objects.filter(meetup=meetup).count() == 1
    assert len(mail.outbox) == 2


def test_opening_the_emailed_link_changes_nothing_and_the_button_accepts(
    facilitator, volunteer, meetup, django_capture_on_commit_callbacks
) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)
    client = client_for(volunteer)

    page = client.get(cover_url(cover))
    assert page.status_code == 200
    assert "Yes, I'll host it" in page.content.decode()
    cover.refresh_from_db()
    assert cover.status == CoverRequest.Status.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cover_url(cover), follow=True)

    cover.refresh_from_db()
    meetup.refresh_from_db()
    assert (cover.status, cover.covered_by) == (CoverRequest.Status.COVERED, volunteer)
    # A member who covers hosts it in rotation, through a confirmed offer, with a seat.
    assert meetup.host == volunteer
    assert HostOffer.objects.get(meetup=meetup, user=volunteer).status == "confirmed"
    assert RSVP.objects.get(meetup=meetup, user=volunteer).status == RSVP.Status.GOING
    assert response.redirect_chain[-1][0].startswith(host_page(meetup))
    assert "you&#x27;re hosting this meetup" in response.content.decode()
    # The person who asked hears it is covered.
    assert [m.to[0] for m in mail.outbox if "Someone will host" in m.subject] == [facilitator.email]


def test_when_a_co_facilitator_covers_the_rotating_host_the_facilitators_host_it(
    circle, member, co_facilitator, meetup, django_capture_on_commit_callbacks
) -> None:
    offer = services.offer_to_host(user=member, meetup=meetup)
    services.confirm_host(offer=offer, by=circle.facilitators().first().user)
    meetup.refresh_from_db()
    member_client = client_for(member)

    member_client.post(ask_url(meetup), {"action": "ask"})
    cover = CoverRequest.objects.get(meetup=meetup)
    assert cover.asked_by == member
    client_for(co_facilitator).post(cover_url(cover))

    meetup.refresh_from_db()
    offer.refresh_from_db()
    assert meetup.host is None
    assert offer.status == HostOffer.Status.WITHDRAWN
    cover.refresh_from_db()
    assert cover.covered_by == co_facilitator
    # The member who asked keeps their seat: they may still come.
    assert RSVP.objects.get(meetup=meetup, user=member).status == RSVP.Status.GOING
    page = client_for(co_facilitator).get(host_page(meetup)).content.decode()
    assert "Hosted by Cora, a facilitator, covering." in page


def test_the_second_to_accept_reads_a_kind_covered_page(
    facilitator, co_facilitator, volunteer, meetup
) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)
    client_for(co_facilitator).post(cover_url(cover))

    late = client_for(volunteer).post(cover_url(cover))
    again = client_for(volunteer).get(cover_url(cover))

    assert late.status_code == 409
    assert "Someone has already said yes" in late.content.decode()
    assert "Someone has already said yes" in again.content.decode()
    cover.refresh_from_db()
    assert cover.covered_by == co_facilitator
    assert not HostOffer.objects.filter(meetup=meetup, user=volunteer).exists()


def test_who_may_not_accept_finds_no_page(
    circle, facilitator, member, volunteer, outsider, meetup
) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)
    # A member who never offered, an outsider, the asker themself.
    for person in (member, outsider, facilitator):
        assert client_for(person).get(cover_url(cover)).status_code == 404
        assert client_for(person).post(cover_url(cover)).status_code == 404
    # A volunteer removed (and blocked) or gone loses it at once.
    services.remove_member(
        membership=circle.memberships.get(user=volunteer), by=facilitator, block=True
    )
    assert client_for(volunteer).post(cover_url(cover)).status_code == 404
    cover.refresh_from_db()
    assert cover.status == CoverRequest.Status.OPEN
    assert Client().get(cover_url(cover)).status_code == 302  # to sign in


def test_a_volunteer_who_left_is_not_asked(circle, facilitator, volunteer, meetup) -> None:
    services.leave_circle(user=volunteer, circle=circle)

    cover = services.ask_for_cover(meetup=meetup, by=facilitator)

    assert asked(cover) == []
    assert client_for(volunteer).get(cover_url(cover)).status_code == 404


def test_a_member_may_not_ask_and_a_facilitator_does_not_ask_for_the_rotating_host(
    member_client: Client, facilitator_client: Client, circle, member, meetup
) -> None:
    assert member_client.post(ask_url(meetup), {"action": "ask"}).status_code == 403
    offer = services.offer_to_host(user=member, meetup=meetup)
    services.confirm_host(offer=offer, by=circle.facilitators().first().user)

    response = facilitator_client.post(ask_url(meetup), {"action": "ask"}, follow=True)

    assert "they can ask for cover themselves" in response.content.decode()
    assert not CoverRequest.objects.exists()


def test_a_former_host_may_no_longer_ask(circle, facilitator, member, meetup) -> None:
    offer = services.offer_to_host(user=member, meetup=meetup)
    services.confirm_host(offer=offer, by=facilitator)
    services.remove_member(membership=circle.memberships.get(user=member), by=facilitator)

    assert client_for(member).post(ask_url(meetup), {"action": "ask"}).status_code == 403
    assert not CoverRequest.objects.exists()


def test_the_host_can_host_after_all(
    facilitator_client: Client, facilitator, volunteer, meetup
) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)

    response = facilitator_client.post(ask_url(meetup), {"action": "withdraw"}, follow=True)

    cover.refresh_from_db()
    assert cover.status == CoverRequest.Status.WITHDRAWN
    assert "hosting it after all" in response.content.decode()
    # An ask still waiting in the outbox is not sent; the link says it's settled.
    assert outbox.deliver()["obsolete"] >= 1
    assert (
        "doesn't need a host any more"
        in client_for(volunteer).get(cover_url(cover)).content.decode()
    )


def test_nobody_accepts_the_facilitators_are_told_once_even_when_the_scan_runs_twice(
    _pinned_clock, facilitator, co_facilitator, volunteer, meetup
) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)
    outbox.deliver()
    mail.outbox.clear()

    assert cover_deadline_scan() == 0  # not yet
    _pinned_clock.move_to(cover.answer_by + dt.timedelta(minutes=1))
    assert cover_deadline_scan() == 1
    assert cover_deadline_scan() == 0
    outbox.deliver()

    told = [m for m in mail.outbox if m.subject == "A meetup still needs a host"]
    assert sorted(m.to[0] for m in told) == sorted([facilitator.email, co_facilitator.email])
    cover.refresh_from_db()
    assert cover.facilitators_told_at is not None
    # Until the facilitators choose, a late yes still counts.
    client_for(volunteer).post(cover_url(cover))
    cover.refresh_from_db()
    assert cover.status == CoverRequest.Status.COVERED


def test_a_request_made_inside_the_deadline_gives_people_half_the_time_left(
    facilitator, meetup
) -> None:
    Meetup.objects.filter(pk=meetup.pk).update(
        starts_at=NOW + dt.timedelta(hours=10), ends_at=NOW + dt.timedelta(hours=11)
    )
    meetup.refresh_from_db()

    cover = services.ask_for_cover(meetup=meetup, by=facilitator)

    assert cover.answer_by == NOW + dt.timedelta(hours=5)


def test_the_deadline_is_a_setting(settings, facilitator, meetup) -> None:
    settings.COVER_REQUEST_DEADLINE_HOURS = 48

    cover = services.ask_for_cover(meetup=meetup, by=facilitator)

    assert cover.answer_by == meetup.starts_at - dt.timedelta(hours=48)


def test_the_facilitators_let_it_run_peer_led(
    facilitator_client: Client, facilitator, member_client: Client, meetup
) -> None:
    services.ask_for_cover(meetup=meetup, by=facilitator)
    page = facilitator_client.get(host_page(meetup)).content.decode()
    assert "If nobody can host it" in page

    facilitator_client.post(settle_url(meetup), {"choice": "peer_led"})

    cover = CoverRequest.objects.get(meetup=meetup)
    assert (cover.status, cover.settled_by) == (CoverRequest.Status.PEER_LED, facilitator)
    meetup.refresh_from_db()
    assert not meetup.is_cancelled
    public = member_client.get(f"/meetups/{meetup.pk}/").content.decode()
    assert "this meetup runs peer-led" in public
    assert ActionLog.objects.filter(action="run peer-led", meetup=meetup).exists()


def test_the_facilitators_cancel_and_the_people_going_are_told(
    facilitator_client: Client,
    facilitator,
    member,
    meetup,
    django_capture_on_commit_callbacks,
) -> None:
    RSVPFactory(meetup=meetup, user=member)
    services.ask_for_cover(meetup=meetup, by=facilitator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(
            settle_url(meetup), {"choice": "cancel", "message": "No host, sorry."}
        )
    outbox.deliver()

    meetup.refresh_from_db()
    assert meetup.is_cancelled
    assert CoverRequest.objects.get(meetup=meetup).status == CoverRequest.Status.CANCELLED
    assert member.email in [m.to[0] for m in mail.outbox]
    assert any("No host, sorry." in m.body for m in mail.outbox if m.to[0] == member.email)


def test_settling_needs_a_choice_and_is_for_the_facilitators(
    facilitator_client: Client, member_client: Client, facilitator, meetup
) -> None:
    services.ask_for_cover(meetup=meetup, by=facilitator)

    assert facilitator_client.post(settle_url(meetup), {"choice": "<b>"}).status_code == 400
    assert member_client.post(settle_url(meetup), {"choice": "peer_led"}).status_code == 403
    assert CoverRequest.objects.get(meetup=meetup).status == CoverRequest.Status.OPEN


def test_a_cancelled_or_started_meetup_takes_no_request(facilitator, circle) -> None:
    started = MeetupFactory(circle=circle, starts_at=NOW - dt.timedelta(minutes=5))
    with pytest.raises(services.HostingError):
        services.ask_for_cover(meetup=started, by=facilitator)
    later = MeetupFactory(circle=circle, starts_at=NOW + dt.timedelta(days=2))
    services.cancel_meetup(meetup=later, by=facilitator)
    with pytest.raises(services.HostingError):
        services.ask_for_cover(meetup=later, by=facilitator)
    assert not CoverRequest.objects.exists()


def test_the_scan_leaves_cancelled_meetups_alone(_pinned_clock, facilitator, meetup) -> None:
    cover = services.ask_for_cover(meetup=meetup, by=facilitator)
    services.cancel_meetup(meetup=meetup, by=facilitator)
    _pinned_clock.move_to(cover.answer_by + dt.timedelta(minutes=1))

    assert cover_deadline_scan() == 0
    assert not Notification.objects.filter(key__startswith="cover-uncovered").exists()


def test_the_emails_read_in_the_recipients_language(facilitator, volunteer, meetup) -> None:
    volunteer.language = "es"
    volunteer.save(update_fields=["language"])

    services.ask_for_cover(meetup=meetup, by=facilitator)
    outbox.deliver()

    [message] = [m for m in mail.outbox if m.to[0] == volunteer.email]
    assert message.subject == "¿Podrías llevar un encuentro?"


def test_a_second_request_after_cover_asks_again(
    facilitator, co_facilitator, volunteer, meetup
) -> None:
    first = services.ask_for_cover(meetup=meetup, by=facilitator)
    services.accept_cover(cover=first, user=volunteer)
    meetup.refresh_from_db()

    second = services.ask_for_cover(meetup=meetup, by=volunteer)

    assert second.pk != first.pk
    assert asked(second) == ["Cora", "Fern (host)"]
