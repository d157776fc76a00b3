"""A member who comes every week holds a seat at every meetup ahead and at each new one,
within the regulars' share of seats, until they stop, leave or are removed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from hosting import services as hosting_services
from meetups import services
from meetups.models import RSVP, Meetup
from tests.factories import (
    MeetupFactory,
    MembershipFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
)

# A Monday in the middle of a month, far from any clock change.
MONDAY = dt.datetime(2031, 3, 10, 12, 0, tzinfo=dt.UTC)


def member_of(circle: Circle, name: str) -> User:
    person = UserFactory(display_name=name)
    MembershipFactory(user=person, circle=circle)
    return person


def status_at(meetup: Meetup, user: User) -> str | None:
    return RSVP.objects.filter(meetup=meetup, user=user).values_list("status", flat=True).first()


def regular(circle: Circle, user: User) -> bool:
    return Membership.objects.get(circle=circle, user=user).is_regular


@pytest.fixture
def three_meetups(circle: Circle) -> list[Meetup]:
    now = timezone.now()
    return [
        MeetupFactory(
            circle=circle,
            capacity=4,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=1),
        )
        for days in (3, 10, 17)
    ]


def test_a_regular_holds_a_seat_at_every_meetup_ahead(circle, member, three_meetups):
    started = MeetupFactory(
        circle=circle,
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(minutes=55),
    )
    cancelled = MeetupFactory(circle=circle, status=Meetup.Status.CANCELLED)

    services.become_regular(user=member, circle=circle)

    assert regular(circle, member)
    for meetup in three_meetups:
        seat = RSVP.objects.get(meetup=meetup, user=member)
        assert (seat.status, seat.regular) == (RSVP.Status.GOING, True)
        meetup.refresh_from_db()
        assert meetup.going_count == 1
    assert status_at(started, member) is None
    assert status_at(cancelled, member) is None


def test_pressing_it_twice_changes_nothing(circle, member, three_meetups):
    services.become_regular(user=member, circle=circle)
    since = Membership.objects.get(circle=circle, user=member).regular_since

    services.become_regular(user=member, circle=circle)

    assert Membership.objects.get(circle=circle, user=member).regular_since == since
    assert RSVP.objects.filter(user=member).count() == 3
    assert [m.going_count for m in Meetup.objects.filter(pk__in=[m.pk for m in three_meetups])] == [
        1,
        1,
        1,
    ]


def test_regulars_hold_all_but_the_seats_kept_open_then_wait_in_line(circle, three_meetups):
    # 4 seats, 2 kept open (the default): the third regular waits.
    first, second, third = (member_of(circle, name) for name in ("A", "B", "C"))
    for person in (first, second, third):
        services.become_regular(user=person, circle=circle)
    meetup = three_meetups[0]

    assert status_at(meetup, first) == status_at(meetup, second) == RSVP.Status.GOING
    assert status_at(meetup, third) == RSVP.Status.WAITLISTED
    # The seats kept open go to people who RSVP one by one, past the regular waiting.
    newcomers = [member_of(circle, name) for name in ("N1", "N2", "N3")]
    answers = [services.rsvp(user=person, meetup=meetup).status for person in newcomers]
    assert answers == [RSVP.Status.GOING, RSVP.Status.GOING, RSVP.Status.WAITLISTED]
    meetup.refresh_from_db()
    assert meetup.going_count == meetup.capacity == 4

    # A regular's seat that frees goes to the regular waiting (within the regulars' share),
    # who asked before the last newcomer.
    services.cancel_rsvp(user=first, meetup=meetup)
    assert status_at(meetup, third) == RSVP.Status.GOING
    assert status_at(meetup, newcomers[2]) == RSVP.Status.WAITLISTED
    # A newcomer's seat goes to the next newcomer: the regulars hold their share already.
    services.cancel_rsvp(user=newcomers[0], meetup=meetup)
    assert status_at(meetup, newcomers[2]) == RSVP.Status.GOING
    meetup.refresh_from_db()
    assert meetup.going_count == 4


def test_the_share_follows_the_circle_setting(circle, member, three_meetups):
    circle.seats_kept_open = 4
    circle.save()

    services.become_regular(user=member, circle=circle)

    assert {status_at(m, member) for m in three_meetups} == {RSVP.Status.WAITLISTED}
    # Nobody else waits: the seat stays open for people who come now and then.
    newcomer = member_of(circle, "N")
    assert services.rsvp(user=newcomer, meetup=three_meetups[0]).status == RSVP.Status.GOING


def test_i_cant_make_it_frees_that_one_seat_and_keeps_me_a_regular(circle, member, three_meetups):
    services.become_regular(user=member, circle=circle)

    services.cancel_rsvp(user=member, meetup=three_meetups[1])

    assert regular(circle, member)
    assert [status_at(m, member) for m in three_meetups] == [
        RSVP.Status.GOING,
        RSVP.Status.CANCELLED,
        RSVP.Status.GOING,
    ]


def test_stopping_gives_up_the_seats_taken_as_a_regular_only(circle, member, three_meetups):
    one_off = MeetupFactory(circle=circle, starts_at=timezone.now() + dt.timedelta(days=1))
    services.rsvp(user=member, meetup=one_off)
    services.become_regular(user=member, circle=circle)
    waiting = member_of(circle, "Waiting")
    Meetup.objects.filter(pk=three_meetups[0].pk).update(capacity=1)
    services.rsvp(user=waiting, meetup=three_meetups[0])

    services.stop_being_regular(user=member, circle=circle)
    services.stop_being_regular(user=member, circle=circle)

    assert not regular(circle, member)
    assert {status_at(m, member) for m in three_meetups} == {RSVP.Status.CANCELLED}
    assert status_at(one_off, member) == RSVP.Status.GOING
    # The freed seat went to the person waiting.
    assert status_at(three_meetups[0], waiting) == RSVP.Status.GOING


def test_new_meetups_of_the_series_come_with_the_regulars_seats(circle, member):
    with time_machine.travel(MONDAY, tick=False):
        schedule = ScheduleFactory(circle=circle, capacity=3, starts_on=MONDAY.date())
        services.extend_schedule(schedule=schedule, until=MONDAY.date() + dt.timedelta(weeks=2))
        services.become_regular(user=member, circle=circle)
        second = member_of(circle, "Second")
        services.become_regular(user=second, circle=circle)

        made = services.extend_schedule(
            schedule=schedule, until=MONDAY.date() + dt.timedelta(weeks=4)
        )

        assert made == 2
        meetups = list(Meetup.objects.filter(schedule=schedule).order_by("starts_at"))
        assert len(meetups) == 4
        for meetup in meetups:
            # 3 seats, 2 kept open: the longest-standing regular goes, the other waits.
            assert status_at(meetup, member) == RSVP.Status.GOING
            assert status_at(meetup, second) == RSVP.Status.WAITLISTED
            assert meetup.going_count == 1


def test_a_paused_circle_takes_no_seats_and_resuming_brings_them_back(circle, facilitator, member):
    with time_machine.travel(MONDAY, tick=False):
        schedule = ScheduleFactory(circle=circle, starts_on=MONDAY.date())
        services.extend_schedule(schedule=schedule, until=MONDAY.date() + dt.timedelta(weeks=2))
        services.become_regular(user=member, circle=circle)
        hosting_services.pause_circle(circle=circle, by=facilitator)

        assert not RSVP.objects.filter(
            user=member, status=RSVP.Status.GOING, meetup__status=Meetup.Status.SCHEDULED
        ).exists()
        assert regular(circle, member)

        hosting_services.resume_circle(circle=circle, by=facilitator)

        ahead = Meetup.objects.upcoming().filter(circle=circle)
        assert ahead.exists()
        assert {status_at(m, member) for m in ahead} == {RSVP.Status.GOING}


@pytest.mark.parametrize("how", ["leave", "remove", "block"])
def test_leaving_or_being_removed_ends_being_a_regular(
    circle, facilitator, member, three_meetups, how
):
    services.become_regular(user=member, circle=circle)
    membership = Membership.objects.get(circle=circle, user=member)

    if how == "leave":
        hosting_services.leave_circle(user=member, circle=circle)
    else:
        hosting_services.remove_member(membership=membership, by=facilitator, block=how == "block")

    membership.refresh_from_db()
    assert membership.regular_since is None
    assert {status_at(m, member) for m in three_meetups} == {RSVP.Status.CANCELLED}
    # A new meetup made later takes no seat for them.
    later = MeetupFactory(circle=circle, schedule=None)
    services.seat_regulars(meetup=later)
    assert status_at(later, member) is None


def test_only_active_members_with_a_confirmed_email_come_every_week(circle, outsider):
    with pytest.raises(services.RSVPError):
        services.become_regular(user=outsider, circle=circle)
    unconfirmed = UserFactory(verified=False)
    MembershipFactory(user=unconfirmed, circle=circle)
    with pytest.raises(services.RSVPError):
        services.become_regular(user=unconfirmed, circle=circle)
    assert not Membership.objects.filter(regular_since__isnull=False).exists()


# Pages


def test_the_circle_page_offers_it_and_then_shows_stop(
    member_client, circle, member, three_meetups
):
    page = member_client.get(circle.get_absolute_url())
    assert "I come every week" in page.text

    answer = member_client.post(reverse("come_every_week", args=[circle.slug]))

    assert answer.status_code == 302
    assert answer.url == circle.get_absolute_url()
    assert regular(circle, member)
    page = member_client.get(circle.get_absolute_url())
    assert "You come every week" in page.text
    assert reverse("stop_coming_every_week", args=[circle.slug]) in page.text
    assert "You come every week" in member_client.get(reverse("my_circles")).text

    answer = member_client.post(
        reverse("stop_coming_every_week", args=[circle.slug]), {"from": "my-circles"}
    )

    assert answer.url == reverse("my_circles")
    assert not regular(circle, member)


def test_a_get_changes_nothing_and_outsiders_are_refused(
    member_client, outsider_client, circle, member
):
    url = reverse("come_every_week", args=[circle.slug])
    assert member_client.get(url).status_code == 405
    assert outsider_client.post(url).status_code == 403
    assert not regular(circle, member)


def test_the_manage_page_counts_regulars_without_names(facilitator_client, circle, member):
    services.become_regular(user=member, circle=circle)

    page = facilitator_client.get(reverse("hosting:manage", args=[circle.slug]))

    assert "1 member comes every week." in page.text


def test_facilitators_set_the_seats_kept_open_and_the_offer_window(facilitator_client, circle):
    circle.topics.add(TopicFactory())
    form = facilitator_client.get(reverse("hosting:edit_circle", args=[circle.slug])).context[
        "form"
    ]
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    } | {"topics": form.initial["topics"]}
    data |= {"seats_kept_open": "5", "offer_window_minutes": "0"}

    answer = facilitator_client.post(reverse("hosting:edit_circle", args=[circle.slug]), data)

    assert answer.status_code == 302, answer.context["form"].errors
    circle.refresh_from_db()
    assert (circle.seats_kept_open, circle.offer_window_minutes) == (5, 0)
