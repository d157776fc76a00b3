"""`manage.py seed_demo`: a plausible demo site, loaded once however often it runs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership, Schedule, Topic, Venue
from circles.notifications import prompt_due_checkins
from demo.seeding import read_data
from meetups import cant_make_it
from meetups.models import RSVP, Meetup

pytestmark = pytest.mark.django_db

LOGIN = read_data("demo.toml")["login"]
DEMO_EMAIL, DEMO_PASSWORD = LOGIN["email"], LOGIN["password"]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [User, EmailAddress, Topic, Circle, Venue, Schedule, Membership, Meetup, RSVP]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_builds_circles_in_real_cities() -> None:
    seed()

    assert Circle.objects.count() >= 60
    cities = {c.area_name.split(", ", 1)[-1] for c in Circle.objects.exclude(format="online")}
    assert len(cities) >= 8
    assert {"New Orleans, LA", "Baton Rouge, LA", "Lafayette, LA", "Shreveport, LA"} <= cities
    assert Topic.objects.filter(circles__isnull=False).distinct().count() >= 10


def test_seed_demo_has_online_and_approval_circles() -> None:
    seed()

    online = Circle.objects.filter(format=Circle.Format.ONLINE)
    assert online.count() >= 3
    assert all(c.online_url and not c.online_url_public and c.lat is None for c in online)
    approval = Circle.objects.filter(join_policy=Circle.JoinPolicy.APPROVAL)
    assert 1 <= approval.count() < Circle.objects.count() / 2
    assert all(c.join_question for c in approval)


def test_every_circle_has_a_verified_facilitator_a_schedule_and_future_meetups() -> None:
    seed()

    now = timezone.now()
    for circle in Circle.objects.all():
        host = circle.facilitators().get().user
        assert EmailAddress.objects.filter(user=host, verified=True).exists()
        schedule = circle.schedules.get()
        assert (schedule.venue is None) == circle.is_online
        upcoming = circle.meetups.filter(starts_at__gt=now)
        assert upcoming.exists()
        # The series' meetups keep its time and none is moved; the demo's tomorrow may be
        # an extra meetup beside it.
        series = upcoming.filter(schedule__isnull=False)
        assert all(m.local_start.time() == schedule.start_time for m in series)
        assert not upcoming.exclude(sequence=0).exists()
        assert upcoming.count() - series.count() <= (circle.slug == LOGIN["meetup_tomorrow"])
    assert Schedule.objects.filter(frequency=Schedule.Frequency.MONTHLY).exists()
    assert Venue.objects.filter(step_free=True).exclude(accessibility_notes="").exists()


def test_demo_login_is_a_verified_member_with_rsvps(client) -> None:
    output = seed()

    demo = User.objects.get(email=DEMO_EMAIL)
    assert demo.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.filter(user=demo, verified=True, primary=True).exists()
    assert demo.memberships.filter(status=Membership.Status.ACTIVE).count() >= 2
    assert RSVP.objects.filter(user=demo, status=RSVP.Status.GOING).exists()
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in output


def test_demo_login_hosts_a_circle_started_like_any_other(client) -> None:
    seed()

    demo = User.objects.get(email=DEMO_EMAIL)
    hosted = Circle.objects.managed_by(demo).get()
    assert hosted.agreements.filter(user=demo).exists()
    assert hosted.action_log.filter(action="host circle", actor=demo).exists()
    assert hosted.meetups.upcoming().exists()
    client.force_login(demo)
    assert client.get(f"/circles/{hosted.slug}/manage/").status_code == 200


def test_rsvps_match_seat_counts() -> None:
    seed()

    assert RSVP.objects.count() > 50
    for meetup in Meetup.objects.filter(rsvps__isnull=False).distinct():
        assert meetup.going_count == meetup.rsvps.filter(status=RSVP.Status.GOING).count()
        assert meetup.going_count <= meetup.capacity


def test_second_run_adds_nothing() -> None:
    first = seed()
    before = counts()

    second = seed()

    assert counts() == before
    assert "password" in first
    assert "nothing added" in second


def test_the_demo_logins_weekly_prompt_arrives_within_minutes(mailoutbox: list) -> None:
    """`make run` seeds, then beat scans every minute: the demo circle's check-in falls a
    few minutes after seeding, so its prompt reaches the outbox soon after starting."""
    output = seed()
    circle = Circle.objects.get(slug=LOGIN["check_in_soon"])
    now = timezone.now()
    assert now < circle.checkin_due_at <= now + dt.timedelta(minutes=LOGIN["check_in_in_minutes"])
    assert circle.memberships.active().filter(user__email=DEMO_EMAIL).exists()
    assert f"due at {circle.checkin_due_at:%H:%M} UTC" in output

    assert prompt_due_checkins(now=now) == 0
    prompt_due_checkins(now=circle.checkin_due_at)
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects[DEMO_EMAIL] == "How are you doing this week?"
    # The demo's Spanish-speaking member of that circle gets hers in Spanish.
    assert subjects["lucia.m@example.org"] == "¿Cómo te va esta semana?"
    assert set(subjects.values()) == {"How are you doing this week?", "¿Cómo te va esta semana?"}


def test_the_demo_login_can_give_a_seat_away_tomorrow(
    client, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    """`make run`: the demo login is going to a full meetup within a day with someone
    waiting, so the day-before reminder arrives at the next scan and its "I can't make
    it" link frees the seat for the person waiting, who is emailed an offer of it."""
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
    login = User.objects.get(email=DEMO_EMAIL)
    waiting = User.objects.get(email=LOGIN["waiting"])
    seat = RSVP.objects.get(
        user=login,
        meetup__circle__slug=LOGIN["meetup_tomorrow"],
        status=RSVP.Status.GOING,
        # Past the two-hour reminder's window, within the day-before one: at some hours of
        # the day the demo login also holds a seat at a meetup of the same circle sooner.
        meetup__starts_at__gt=timezone.now() + dt.timedelta(hours=2),
        meetup__starts_at__lte=timezone.now() + dt.timedelta(hours=24),
    )
    meetup = seat.meetup
    assert meetup.starts_at > timezone.now() + dt.timedelta(hours=2)
    assert meetup.going_count == meetup.capacity
    assert meetup.rsvps.get(user=waiting).status == RSVP.Status.WAITLISTED
    assert "someone waiting" in output
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cant_make_it.url(seat).removeprefix(settings.SITE_URL))

    assert response.status_code == 200
    # Within a day of the start the seat is offered to the person waiting, to confirm.
    assert meetup.rsvps.get(user=waiting).has_open_offer()
    assert [m.to for m in mailoutbox] == [[waiting.email]]

    seed()
    assert meetup.rsvps.get(user=waiting).has_open_offer()  # a new run keeps it


def test_with_debug_on_a_moderator_reads_the_emails_the_demo_sends(client, settings) -> None:
    settings.DEBUG = True
    moderator = read_data("demo.toml")["moderator"]

    output = seed()

    assert f"Moderator: {moderator['email']} / {moderator['password']}" in output
    assert client.login(email=moderator["email"], password=moderator["password"])
    assert client.get("/staff/outbox/").status_code == 200


def test_with_debug_off_the_demo_makes_no_moderator(settings) -> None:
    settings.DEBUG = False

    output = seed()

    assert not User.objects.filter(is_staff=True).exists()
    assert "Moderator" not in output


def test_the_demo_has_a_circle_that_meets_in_spanish(client) -> None:
    seed()
    circle = Circle.objects.get(language="es")
    member = User.objects.get(email="lucia.m@example.org")
    assert member.language == "es"
    assert circle.memberships.active().filter(user=member).exists()
    assert "Nos reunimos cada jueves a las 18:30" in circle.description
    client.force_login(member)
    page = client.get(circle.get_absolute_url()).content.decode()
    assert "Sobre este círculo" in page
    assert "Próximos encuentros" in page
