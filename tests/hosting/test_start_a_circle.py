"""A verified person starts a circle at /circles/new/: it exists at once with its host, its
schedule and its next 8 weeks of meetups, and reads as seekers will see it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from circles import wording
from circles.models import Circle, Membership, Schedule, Venue
from hosting import agreement
from hosting.models import ActionLog, HostingAgreement
from hosting.services import SLUG_MAX_LENGTH, unique_slug
from meetups.models import Meetup
from tests.factories import CircleFactory, UserFactory, VenueFactory
from tests.hosting.start_form import CHICAGO, URL, answers, today_in_chicago

pytestmark = pytest.mark.django_db


def test_the_page_offers_sensible_guidelines_and_the_agreement(outsider_client: Client) -> None:
    page = outsider_client.get(URL).content.decode()

    assert "Host a circle" in page
    assert "stays in the circle" in page  # prefilled guidelines
    assert "No recording" in page
    assert "Peers, not counsellors." in page
    assert "crisis line" in page
    assert f'value="{agreement.VERSION}"' in page


def test_anonymous_people_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(URL, answers()).status_code == 302
    assert not Circle.objects.exists()


def test_an_unconfirmed_email_is_asked_to_confirm_first(client: Client) -> None:
    client.force_login(UserFactory(verified=False))

    response = client.get(URL)
    assert response.status_code == 403
    assert "Confirm your email first" in response.content.decode()
    assert client.post(URL, answers()).status_code == 403
    assert not Circle.objects.exists()


def test_a_host_starts_a_weekly_circle_at_a_coffee_shop(outsider, outsider_client: Client) -> None:
    response = outsider_client.post(URL, answers())

    circle = Circle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/circles/{circle.slug}/manage/"
    assert circle.slug == "mid-city-grief-circle"
    assert circle.timezone == "America/Chicago"
    assert circle.area_name == "Baton Rouge, LA"
    assert circle.status == Circle.Status.ACTIVE
    assert circle.confirmed_active_at is not None
    assert (circle.checkin_weekday, circle.checkin_time) == (3, dt.time(19))
    assert [t.slug for t in circle.topics.all()] == ["grief"]
    host = Membership.objects.get(circle=circle)
    assert (host.user, host.role, host.status) == (outsider, "facilitator", "active")
    assert host.guidelines_accepted_at is not None
    assert HostingAgreement.objects.get(circle=circle, user=outsider).version == agreement.VERSION
    venue = Venue.objects.get()
    assert (venue.name, venue.step_free, venue.created_by) == ("Corner Coffee", True, outsider)
    schedule = circle.schedules.get()
    assert (schedule.venue, schedule.capacity, schedule.weekday) == (venue, 10, 1)
    assert ActionLog.objects.get(circle=circle).action == "host circle"

    meetups = list(Meetup.objects.filter(circle=circle).order_by("starts_at"))
    assert len(meetups) in (8, 9)
    last_day = today_in_chicago() + dt.timedelta(weeks=8)
    assert all(m.starts_at > timezone.now() for m in meetups)
    assert meetups[-1].local_start.date() > last_day - dt.timedelta(weeks=1)
    assert all(m.local_start.date() <= last_day for m in meetups)
    # 6:30 pm local on both sides of any daylight-saving change.
    assert {m.starts_at.astimezone(CHICAGO).time() for m in meetups} == {dt.time(18, 30)}
    assert {(m.venue, m.capacity) for m in meetups} == {(venue, 10)}

    manage = outsider_client.get(response["Location"]).content.decode()
    assert "has started" in manage


def test_the_manage_page_lists_the_new_circles_first_eight_weeks(
    outsider_client: Client,
) -> None:
    # Tomorrow's weekday: eight meetups, the last seven weeks after the first, whatever the
    # hour the circle starts.
    tomorrow = today_in_chicago() + dt.timedelta(days=1)
    response = outsider_client.post(URL, answers(weekday=str(tomorrow.weekday())), follow=True)

    page = response.content.decode()
    circle = Circle.objects.get()
    meetups = list(circle.meetups.order_by("starts_at"))
    assert [m.local_start.date() for m in meetups] == [
        tomorrow + dt.timedelta(weeks=week) for week in range(8)
    ]
    assert "Meetups in the next 8 weeks" in page
    for meetup in meetups:
        assert f'href="/circles/{circle.slug}/manage/meetups/{meetup.pk}/"' in page
        assert wording.long_when(meetup.starts_at, CHICAGO) in page
    assert page.count('<td data-label="Going">0 of 10</td>') == 8


def test_a_venue_already_known_nearby_is_offered_and_can_be_chosen(
    outsider_client: Client,
) -> None:
    nearby = VenueFactory(name="Nearby Beans", lat=30.46, lng=-91.15)
    VenueFactory(name="Far Away Cafe", lat=29.95, lng=-90.07)  # New Orleans, ~120 km

    page = outsider_client.post(URL, answers(action="area")).content.decode()
    assert "Nearby Beans" in page
    assert "Far Away Cafe" not in page

    response = outsider_client.post(URL, answers(venue=str(nearby.pk)))
    assert response.status_code == 302
    assert Circle.objects.get().schedules.get().venue == nearby
    assert Venue.objects.count() == 2


def test_a_venue_far_from_the_area_cannot_be_chosen(outsider_client: Client) -> None:
    far = VenueFactory(lat=29.95, lng=-90.07)

    response = outsider_client.post(URL, answers(venue=str(far.pk)))

    assert response.status_code == 400
    assert not Circle.objects.exists()


def test_looking_up_the_area_with_htmx_swaps_only_the_venue_section(
    outsider_client: Client,
) -> None:
    VenueFactory(name="Nearby Beans", lat=30.46, lng=-91.15)

    response = outsider_client.post(URL, answers(action="area"), headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="venue-section"')
    assert "Nearby Beans" in page
    assert "Chicago time" in page and "America/Chicago" not in page


def test_an_ambiguous_area_offers_the_places_of_that_name(outsider_client: Client) -> None:
    response = outsider_client.post(URL, answers(area="Lafayette"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "More than one place has that name" in page
    assert 'name="area_choice" value="Lafayette, LA"' in page
    assert not Circle.objects.exists()

    chosen = outsider_client.post(
        URL, answers(area="Lafayette", area_choice="Lafayette, LA", action=None)
    )
    assert chosen.status_code == 200  # looked up, not started: the venue comes next
    assert "Lafayette, LA" in chosen.content.decode()
    assert not Circle.objects.exists()


def test_every_2nd_and_4th_tuesday_is_two_monthly_schedules_worded_as_one(
    outsider_client: Client,
) -> None:
    outsider_client.post(URL, answers(frequency="monthly", weeks_of_month=["2", "4"]))

    circle = Circle.objects.get()
    rows = circle.schedules.order_by("week_of_month")
    assert [(s.frequency, s.week_of_month) for s in rows] == [("monthly", 2), ("monthly", 4)]
    assert all(m.local_start.weekday() == 1 for m in circle.meetups.all())
    assert {(m.local_start.day - 1) // 7 + 1 for m in circle.meetups.all()} <= {2, 4}
    page = Client().get(circle.get_absolute_url()).content.decode()
    assert "On the second and fourth Tuesday of the month at 6:30 pm" in page


def test_every_other_week_is_never_called_biweekly(outsider_client: Client) -> None:
    outsider_client.post(URL, answers(frequency="biweekly"))

    circle = Circle.objects.get()
    starts = [m.local_start.date() for m in circle.meetups.order_by("starts_at")]
    assert {(b - a).days for a, b in itertools.pairwise(starts)} == {14}
    page = Client().get(circle.get_absolute_url()).content.decode()
    assert "Every other Tuesday at 6:30 pm" in page
    assert "biweekly" not in page.lower()


def test_an_online_circle_has_a_link_and_no_venue(outsider_client: Client) -> None:
    response = outsider_client.post(
        URL,
        answers(format="online", venue="", online_url="https://meet.example.org/circle"),
    )

    circle = Circle.objects.get()
    assert response.status_code == 302
    assert circle.online_url == "https://meet.example.org/circle"
    assert circle.timezone == "America/Chicago"
    assert (circle.area_name, circle.lat) == ("Online", None)
    assert not Venue.objects.exists()
    assert circle.meetups.filter(venue__isnull=True).count() == circle.meetups.count() > 0


def test_an_approval_circle_keeps_its_question(outsider_client: Client) -> None:
    outsider_client.post(
        URL, answers(join_policy="approval", join_question="What brings you here?")
    )

    circle = Circle.objects.get()
    assert (circle.join_policy, circle.join_question) == ("approval", "What brings you here?")


def test_the_preview_shows_the_circle_and_saves_nothing(outsider_client: Client) -> None:
    response = outsider_client.post(
        URL, answers(action="preview", agreement=None, frequency="monthly", weeks_of_month="-1")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview" in page
    assert "Mid City Grief Circle" in page
    assert "On the last Tuesday of the month at 6:30 pm" in page
    assert "Corner Coffee" in page
    assert not Circle.objects.exists()
    assert not Venue.objects.exists()


def test_a_duplicate_name_gets_its_own_short_slug(outsider_client: Client) -> None:
    CircleFactory(slug="mid-city-grief-circle")

    outsider_client.post(URL, answers())
    outsider_client.post(URL, answers())

    slugs = set(Circle.objects.values_list("slug", flat=True))
    assert slugs == {"mid-city-grief-circle", "mid-city-grief-circle-2", "mid-city-grief-circle-3"}


def test_slugs_stay_short_and_never_empty() -> None:
    long = unique_slug("A very long name " * 20)
    assert len(long) <= SLUG_MAX_LENGTH
    assert not long.endswith("-")
    assert unique_slug("心の会") == "circle"
    CircleFactory(slug=long)
    second = unique_slug("A very long name " * 20)
    assert len(second) <= SLUG_MAX_LENGTH and second.endswith("-2")


def test_signed_in_people_see_host_a_circle_in_the_header_and_on_home(
    outsider_client: Client, client: Client
) -> None:
    assert 'href="/circles/new/">Host a circle' in outsider_client.get("/").content.decode()
    assert 'href="/circles/new/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ([("weekly", None)], ["Every Tuesday at 6:30 pm"]),
        ([("biweekly", None)], ["Every other Tuesday at 6:30 pm"]),
        (
            [("monthly", 4), ("monthly", 2)],
            ["On the second and fourth Tuesday of the month at 6:30 pm"],
        ),
        (
            [("monthly", -1), ("monthly", 1), ("monthly", 3)],
            ["On the first, third and last Tuesday of the month at 6:30 pm"],
        ),
        (
            [("weekly", None), ("monthly", 1)],
            ["Every Tuesday at 6:30 pm", "On the first Tuesday of the month at 6:30 pm"],
        ),
    ],
)
def test_schedules_in_words(rows: list[tuple[str, int | None]], words: list[str]) -> None:
    schedules = [
        Schedule(frequency=f, weekday=1, week_of_month=w, start_time=dt.time(18, 30))
        for f, w in rows
    ]

    assert wording.schedules_in_words(schedules) == words


def test_monthly_rows_at_other_times_are_worded_apart() -> None:
    schedules = [
        Schedule(frequency="monthly", weekday=1, week_of_month=2, start_time=dt.time(18, 30)),
        Schedule(frequency="monthly", weekday=1, week_of_month=4, start_time=dt.time(10)),
    ]

    assert wording.schedules_in_words(schedules) == [
        "On the second Tuesday of the month at 6:30 pm",
        "On the fourth Tuesday of the month at 10:00 am",
    ]
