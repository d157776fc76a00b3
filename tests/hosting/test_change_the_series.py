"""A facilitator changes "this and the following meetups": the old schedule ends the day
before, a new one starts on that date; meetups whose time stays keep their RSVPs, ones that
move or disappear tell their people; pressing twice changes nothing more."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.test import Client

from accounts.tasks import sweep_outbox
from circles.models import Membership, Schedule
from hosting import services
from hosting.models import ActionLog
from meetups import services as meetup_services
from meetups.models import RSVP, Meetup
from tests.conftest import past_the_move_window
from tests.factories import MembershipFactory, ScheduleFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
# Tuesdays from 26 February 2030; US clocks go forward on Sunday 10 March 2030.
FIRST = dt.date(2030, 2, 26)
LAST = dt.date(2030, 4, 16)


def weekly_series(circle, **kwargs) -> Schedule:
    schedule = ScheduleFactory(
        circle=circle, weekday=1, start_time=dt.time(18, 30), starts_on=FIRST, **kwargs
    )
    meetup_services.extend_schedule(schedule=schedule, until=LAST)
    return schedule


def on(schedule: Schedule, day: dt.date) -> Meetup:
    return next(m for m in schedule.meetups.all() if m.local_start.date() == day)


def url(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/series/"


def settings_of(schedule: Schedule, **changes) -> dict[str, object]:
    data = {
        "frequency": schedule.frequency,
        "weekday": schedule.weekday,
        "week_of_month": schedule.week_of_month or "",
        "start_time": schedule.start_time.strftime("%H:%M"),
        "duration_minutes": schedule.duration_minutes,
        "venue": schedule.venue_id or "",
        "capacity": schedule.capacity,
    }
    return data | changes


def local_times(meetups) -> set[tuple[int, int]]:
    return {(m.local_start.hour, m.local_start.minute) for m in meetups}


def test_moving_the_series_to_thursday_across_the_clock_change_stays_at_6_30_pm(
    facilitator_client: Client, facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    meetup_services.rsvp(user=member, meetup=anchor)
    after_dst = on(old, dt.date(2030, 3, 19))
    meetup_services.rsvp(user=member, meetup=after_dst)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(url(anchor), settings_of(old, weekday="3"), follow=True)
    with past_the_move_window():
        sweep_outbox()

    old.refresh_from_db()
    new = Schedule.objects.exclude(pk=old.pk).get()
    assert old.until == dt.date(2030, 3, 4)
    assert (new.starts_on, new.weekday, new.start_time) == (
        dt.date(2030, 3, 5),
        3,
        dt.time(18, 30),
    )
    thursdays = list(new.meetups.order_by("starts_at"))
    assert {m.local_start.weekday() for m in thursdays} == {3}
    assert local_times(thursdays) == {(18, 30)}
    assert {m.local_start.utcoffset() for m in thursdays} == {
        dt.timedelta(hours=-6),
        dt.timedelta(hours=-5),
    }
    assert thursdays[0].local_start.date() == dt.date(2030, 3, 7)
    anchor.refresh_from_db()
    assert anchor.schedule == new and anchor.local_start.date() == dt.date(2030, 3, 7)
    assert RSVP.objects.filter(user=member, status=RSVP.Status.GOING).count() == 2
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {
        "A change to your meetup on Tue 5 Mar",
        "A change to your meetup on Tue 19 Mar",
    }
    # The Tuesdays before the change stay as they were.
    assert old.meetups.filter(status=Meetup.Status.SCHEDULED).count() == 1
    assert ActionLog.objects.filter(action="change series").count() == 1
    assert ActionLog.objects.filter(action="move meetup").count() == len(thursdays) == 7
    assert "Kept 0, moved 7" in response.content.decode()


def test_changing_only_the_seats_keeps_every_meetup_and_its_rsvps_across_the_clock_change(
    facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    later = on(old, dt.date(2030, 3, 26))
    meetup_services.rsvp(user=member, meetup=later)
    before = set(old.meetups.filter(starts_at__gte=anchor.starts_at).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_series(
            meetup=anchor,
            by=facilitator,
            frequency="weekly",
            weekday=1,
            week_of_month=None,
            start_time=dt.time(18, 30),
            duration_minutes=90,
            venue=old.venue,
            capacity=20,
        )

    new = change.schedule
    assert {m.pk for m in change.replan.kept} == before
    assert change.replan.moved == change.replan.cancelled == []
    # New dates start after the last old one (the window reaches a week past it).
    assert all(m.local_start.date() > LAST for m in change.replan.added)
    assert set(new.meetups.values_list("capacity", flat=True)) == {20}
    assert set(new.meetups.values_list("sequence", flat=True)) == {0}
    assert local_times(new.meetups.all()) == {(18, 30)}
    assert RSVP.objects.get(user=member, meetup=later).status == RSVP.Status.GOING
    assert mail.outbox == []


def test_every_other_week_cancels_the_weeks_in_between_with_notice(
    facilitator, member, circle, django_capture_on_commit_callbacks
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    dropped = on(old, dt.date(2030, 3, 12))
    waiting_person = UserFactory()
    MembershipFactory(user=waiting_person, circle=circle)
    meetup_services.set_capacity(meetup=dropped, capacity=1, by=facilitator)
    meetup_services.rsvp(user=member, meetup=dropped)
    meetup_services.rsvp(user=waiting_person, meetup=dropped)

    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_series(
            meetup=anchor,
            by=facilitator,
            frequency="biweekly",
            weekday=1,
            week_of_month=None,
            start_time=dt.time(18, 30),
            duration_minutes=90,
            venue=old.venue,
            capacity=12,
        )

    dropped.refresh_from_db()
    assert dropped.status == Meetup.Status.CANCELLED
    assert "schedule changed" in dropped.note
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, waiting_person.email])
    assert all(m.subject.startswith("Called off") for m in mail.outbox)
    kept_days = [m.local_start.date() for m in change.schedule.meetups.order_by("starts_at")]
    assert kept_days[:3] == [dt.date(2030, 3, 5), dt.date(2030, 3, 19), dt.date(2030, 4, 2)]
    assert anchor in change.replan.kept
    assert dropped in change.replan.cancelled
    assert ActionLog.objects.filter(action="cancel meetup", meetup=dropped).exists()


def test_pressing_twice_makes_one_new_schedule_and_sends_nothing_more(
    facilitator_client: Client, member, circle, django_capture_on_commit_callbacks
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    meetup_services.rsvp(user=member, meetup=anchor)
    data = settings_of(old, start_time="19:00")

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(url(anchor), data)
    with django_capture_on_commit_callbacks(execute=True):
        second = facilitator_client.post(url(anchor), data, follow=True)
    with past_the_move_window():
        sweep_outbox()

    assert Schedule.objects.filter(circle=circle).count() == 2
    assert len(mail.outbox) == 1
    assert ActionLog.objects.filter(action="change series").count() == 1
    assert "nothing changed" in second.content.decode()


def test_a_week_already_called_off_stays_off(facilitator, circle) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    holiday = on(old, dt.date(2030, 3, 19))
    meetup_services.cancel_meetup(meetup=holiday, by=facilitator)

    change = services.change_series(
        meetup=anchor,
        by=facilitator,
        frequency="weekly",
        weekday=1,
        week_of_month=None,
        start_time=dt.time(19, 0),
        duration_minutes=90,
        venue=old.venue,
        capacity=12,
    )

    days = {m.local_start.date() for m in change.schedule.meetups.all()}
    assert dt.date(2030, 3, 19) not in days
    assert dt.date(2030, 3, 26) in days
    holiday.refresh_from_db()
    assert holiday.status == Meetup.Status.CANCELLED


def test_the_daily_extension_does_not_bring_back_moved_meetups(facilitator, circle) -> None:
    old = weekly_series(circle)
    change = services.change_series(
        meetup=on(old, dt.date(2030, 3, 5)),
        by=facilitator,
        frequency="weekly",
        weekday=2,
        week_of_month=None,
        start_time=dt.time(18, 30),
        duration_minutes=90,
        venue=old.venue,
        capacity=12,
    )
    count = Meetup.objects.count()

    old.refresh_from_db()
    change.schedule.refresh_from_db()
    assert meetup_services.extend_schedule(schedule=old, until=LAST) == 0
    assert meetup_services.extend_schedule(schedule=change.schedule, until=LAST) == 0
    assert Meetup.objects.count() == count


def test_a_moved_single_meetup_is_not_made_again_at_its_first_time(facilitator, circle) -> None:
    schedule = weekly_series(circle)
    meetup = on(schedule, dt.date(2030, 3, 5))
    meetup_services.move_meetup(
        meetup=meetup,
        starts_at=meetup.starts_at + dt.timedelta(days=1),
        ends_at=meetup.ends_at + dt.timedelta(days=1),
        venue=meetup.venue,
        by=facilitator,
    )
    schedule.refresh_from_db()

    assert meetup_services.extend_schedule(schedule=schedule, until=LAST) == 0
    assert not schedule.meetups.filter(starts_at=meetup.starts_at - dt.timedelta(days=1)).exists()


LONG = "9" * 100_000


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"frequency": "monthly", "week_of_month": ""}, "week_of_month"),
        ({"frequency": "monthly", "week_of_month": "5"}, "week_of_month"),
        ({"weekday": "7"}, "weekday"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "1000000"}, "capacity"),
        ({"duration_minutes": "-90"}, "duration_minutes"),
        ({"start_time": LONG}, "start_time"),
        ({"frequency": "<script>alert(1)</script>"}, "frequency"),
        ({"venue": "999999"}, "venue"),
    ],
)
def test_bad_series_settings_are_refused_beside_the_field(
    facilitator_client: Client, circle, changes, field
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    before = list(Meetup.objects.values().order_by("pk"))

    response = facilitator_client.post(url(anchor), settings_of(old, **changes))

    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html
    assert "<script>alert" not in html
    assert Schedule.objects.count() == 1
    assert list(Meetup.objects.values().order_by("pk")) == before
    assert not ActionLog.objects.exists()


def test_a_venue_of_a_circle_far_away_is_refused(facilitator_client: Client, circle) -> None:
    old = weekly_series(circle)
    far = VenueFactory(lat=47.61, lng=-122.33)
    ScheduleFactory(venue=far)  # another circle's, in Seattle

    response = facilitator_client.post(
        url(on(old, dt.date(2030, 3, 5))), settings_of(old, venue=far.pk)
    )

    assert response.status_code == 400
    assert Schedule.objects.filter(circle=circle).count() == 1


def test_only_the_circles_facilitators_change_the_series(
    member_client: Client, outsider_client: Client, client: Client, member, circle
) -> None:
    old = weekly_series(circle)
    anchor = on(old, dt.date(2030, 3, 5))
    Meetup.objects.filter(pk=anchor.pk).update(host=member)
    other = UserFactory()
    MembershipFactory(user=other, role=Membership.Role.FACILITATOR)
    other_client = Client()
    other_client.force_login(other)
    data = settings_of(old, start_time="20:00")

    for who in (member_client, outsider_client, other_client):
        assert who.get(url(anchor)).status_code == 403
        assert who.post(url(anchor), data).status_code == 403
    assert client.post(url(anchor), data).status_code == 302

    assert Schedule.objects.count() == 1
    assert not ActionLog.objects.exists()


def test_a_one_off_meetup_has_no_series(facilitator_client: Client, meetup) -> None:
    assert facilitator_client.get(url(meetup)).status_code == 404


def test_the_series_page_shows_the_current_rhythm(facilitator_client: Client, circle) -> None:
    old = weekly_series(circle)

    html = facilitator_client.get(url(on(old, dt.date(2030, 3, 5)))).content.decode()

    assert "Every Tuesday at 6:30 pm" in html
    assert "Change the series" in html
