"""/circles/feed.json as the meeting finders read it: valid against a JSON Schema written
from the Meeting Guide spec, and loaded the way TSML and TSML UI load it (tests/circles/
meeting_finders.py), with nothing a seeker would find wrong: no inactive row, no row shown
in another zone, no date on which the circle does not meet."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle, Schedule, Venue
from meetups import services
from meetups.models import Meetup
from tests.circles import meeting_finders
from tests.factories import CircleFactory, ScheduleFactory, VenueFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "meeting_guide.schema.json").read_text())
ZOOM = "https://zoom.us/j/5550100"
WEEKS = 3


@pytest.fixture(autouse=True)
def _fresh_feed(settings) -> None:
    # Changes inside a test never commit, so they would not bump the cached feed.
    settings.BROWSE_CACHE_SECONDS = 0


def fetch(client) -> list[dict]:
    response = client.get(reverse("circles:feed"))
    assert response.status_code == 200
    return response.json()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


def meets(**fields: object) -> Schedule:
    """A schedule that started last week, with its meetups for the next four weeks."""
    fields.setdefault("starts_on", timezone.localdate() - dt.timedelta(weeks=1))
    schedule = ScheduleFactory(**fields)
    services.extend_schedule(schedule=schedule, until=timezone.localdate() + dt.timedelta(weeks=4))
    return schedule


def online_circle(**fields: object) -> Circle:
    """An online circle as hosting makes one: area "Online", no coordinates."""
    fields = {"area_name": "Online", "lat": None, "lng": None, "online_url": ZOOM} | fields
    return CircleFactory(format=Circle.Format.ONLINE, **fields)


def assert_reads_right(rows: list[dict]) -> None:
    errors = [error.message for error in jsonschema.Draft202012Validator(SCHEMA).iter_errors(rows)]
    assert errors == []
    assert meeting_finders.problems(rows, timezone.now(), weeks=WEEKS) == []


def test_a_mixed_feed_matches_the_spec_and_reads_right(client):
    in_person = CircleFactory(name="Weekly in person", step_free=True)
    meets(circle=in_person, weekday=1)
    meets(circle=CircleFactory(name="Every other week"), frequency=Schedule.Frequency.BIWEEKLY)
    meets(
        circle=CircleFactory(name="Monthly"),
        frequency=Schedule.Frequency.MONTHLY,
        week_of_month=2,
    )
    published = online_circle(name="Online, link published", online_url_public=True)
    meets(circle=published, venue=None, weekday=3)
    hybrid = CircleFactory(name="Hybrid", format=Circle.Format.HYBRID, online_url=ZOOM)
    meets(circle=hybrid, weekday=5)
    meets(circle=CircleFactory(name="Long", slug="a-very-long-circle-slug-" * 5), weekday=6)

    rows = fetch(client)

    assert {row["name"] for row in rows} == {
        "Weekly in person",
        "Every other week",
        "Monthly",
        "Online, link published",
        "Hybrid",
        "Long",
    }
    assert_reads_right(rows)


def test_no_online_circle_reads_as_inactive(client):
    """The spec counts an online row as active only with a link that opens the meeting, on
    a service the finders know: a circle keeping its link for members stays out."""
    meets(circle=online_circle(name="Link for members only"), venue=None)
    meets(
        circle=online_circle(
            name="Link on an unknown service",
            online_url="https://video.example.org/room",
            online_url_public=True,
        ),
        venue=None,
    )
    meets(circle=online_circle(name="Link published", online_url_public=True), venue=None)
    meets(circle=CircleFactory(name="Hybrid", format=Circle.Format.HYBRID, online_url=ZOOM))
    meets(circle=CircleFactory(name="In person, no venue yet"), venue=None)

    rows = by_name(fetch(client))

    assert set(rows) == {"Link published", "Hybrid"}
    assert rows["Link published"]["conference_url"] == ZOOM
    assert rows["Link published"]["approximate"] == "yes"
    # A hybrid circle's room stays with its members; its venue makes it active.
    assert "conference_url" not in rows["Hybrid"]
    assert rows["Hybrid"]["approximate"] == "no"
    assert_reads_right(list(rows.values()))
    assert all(
        listing.active for listing in meeting_finders.load(list(rows.values()), timezone.now())
    )


def test_online_rows_of_different_zones_never_share_an_address(client):
    for name, zone in [
        ("Chicago evenings", "America/Chicago"),
        ("Chicago mornings", "America/Chicago"),
        ("New York", "America/New_York"),
        ("Los Angeles", "America/Los_Angeles"),
    ]:
        meets(circle=online_circle(name=name, timezone=zone, online_url_public=True), venue=None)

    rows = by_name(fetch(client))

    assert rows["Chicago evenings"]["formatted_address"] == "Online (America/Chicago)"
    assert rows["Chicago mornings"]["formatted_address"] == "Online (America/Chicago)"
    assert rows["New York"]["formatted_address"] == "Online (America/New_York)"
    assert rows["Los Angeles"]["formatted_address"] == "Online (America/Los_Angeles)"
    assert_reads_right(list(rows.values()))


def test_online_rows_of_one_zone_just_say_online(client):
    meets(circle=online_circle(online_url_public=True), venue=None)

    [row] = fetch(client)

    assert row["formatted_address"] == "Online"
    assert row["regions"] == ["Online"]


def test_every_date_the_finders_show_is_a_meetup_in_every_zone(client):
    for zone, address in [
        ("America/Chicago", "12 Oak St, Baton Rouge, LA"),
        ("America/New_York", "4 Elm St, Atlanta, GA"),
        ("America/Los_Angeles", "9 Pine St, Portland, OR"),
    ]:
        venue = VenueFactory(address=address)
        for weekday in range(7):
            meets(
                circle=CircleFactory(timezone=zone),
                venue=venue,
                weekday=weekday,
                start_time=dt.time(7 + 2 * weekday, 30),
            )

    rows = fetch(client)

    assert len(rows) == 21
    assert all("day" in row and "time" in row for row in rows)
    assert_reads_right(rows)


def test_every_other_week_and_monthly_rows_carry_no_date(client):
    meets(
        circle=CircleFactory(name="Every other Tuesday"),
        frequency=Schedule.Frequency.BIWEEKLY,
        weekday=1,
        start_time=dt.time(18, 30),
    )
    meets(
        circle=CircleFactory(name="Last Saturday"),
        frequency=Schedule.Frequency.MONTHLY,
        week_of_month=-1,
        weekday=5,
        start_time=dt.time(10, 0),
        duration_minutes=60,
    )

    rows = by_name(fetch(client))

    for row in rows.values():
        assert not {"day", "time", "end_time"} & set(row)
    assert rows["Every other Tuesday"]["notes"].startswith(
        "Meets every other Tuesday. 6:30 pm to 8:00 pm local time (America/Chicago). "
    )
    assert rows["Last Saturday"]["notes"].startswith(
        "Meets on the last Saturday of the month. 10:00 am to 11:00 am local time "
        "(America/Chicago). "
    )
    # Listed at the end in TSML UI, with no date to add to a calendar.
    assert all(
        listing.start is None
        for listing in meeting_finders.load(list(rows.values()), timezone.now())
    )
    assert_reads_right(list(rows.values()))


def test_a_week_called_off_or_moved_takes_the_date_away_until_it_is_back(client, facilitator):
    called_off = meets(circle=CircleFactory(name="Called off"), weekday=2)
    moved = meets(circle=CircleFactory(name="Moved"), weekday=4)
    meets(
        circle=CircleFactory(name="Starts later"),
        weekday=0,
        starts_on=timezone.localdate() + dt.timedelta(weeks=3),
    )
    for schedule in (called_off, moved):
        schedule.circle.memberships.create(user=facilitator, role="facilitator")
    next_called_off = called_off.meetups.upcoming().first()
    services.cancel_meetup(meetup=next_called_off, by=facilitator)
    next_moved = moved.meetups.upcoming().first()
    services.move_meetup(
        meetup=next_moved,
        starts_at=next_moved.starts_at + dt.timedelta(hours=1),
        ends_at=next_moved.ends_at + dt.timedelta(hours=1),
        venue=next_moved.venue,
        by=facilitator,
    )

    rows = by_name(fetch(client))

    for name in ("Called off", "Moved", "Starts later"):
        assert "day" not in rows[name], name
        assert rows[name]["notes"].startswith("Meets every ")
    assert_reads_right(list(rows.values()))


def test_a_meetup_past_midnight_leaves_the_end_to_the_readers(client):
    meets(circle=CircleFactory(), start_time=dt.time(23, 30), duration_minutes=90)

    [row] = fetch(client)

    assert row["time"] == "23:30"
    assert "end_time" not in row
    assert_reads_right([row])


def test_regions_are_the_specs_list_most_general_first(client):
    meets(circle=CircleFactory(name="Alberta", area_name="Alberta, Portland, OR"))
    meets(circle=CircleFactory(name="Baton Rouge", area_name="Baton Rouge, LA"))
    meets(circle=online_circle(name="Online", online_url_public=True), venue=None)

    rows = by_name(fetch(client))

    assert rows["Alberta"]["regions"] == ["Portland, OR", "Alberta"]
    assert rows["Baton Rouge"]["regions"] == ["Baton Rouge, LA"]
    assert rows["Online"]["regions"] == ["Online"]
    assert all("region" not in row for row in rows.values())


def test_updated_moves_when_the_venue_or_the_schedule_changes(client):
    schedule = meets(circle=CircleFactory())
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

    def rewind() -> None:
        # update() leaves auto_now alone: every part of the row last changed long ago.
        Circle.objects.update(updated_at=long_ago)
        Schedule.objects.update(updated_at=long_ago)
        Venue.objects.update(updated_at=long_ago)

    rewind()
    assert fetch(client)[0]["updated"] == "2020-01-01 00:00:00"

    venue = Venue.objects.get(pk=schedule.venue_id)
    venue.address = "14 Oak St, Baton Rouge, LA"
    venue.save()
    after_venue = fetch(client)[0]["updated"]
    rewind()
    schedule.refresh_from_db()
    schedule.start_time = dt.time(19, 0)
    schedule.save()
    after_schedule = fetch(client)[0]["updated"]

    for updated in (after_venue, after_schedule):
        moment = dt.datetime.strptime(updated, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
        assert abs(timezone.now() - moment) < dt.timedelta(minutes=1)


def test_slugs_fit_in_64_characters_and_stay_unique(client):
    circle = CircleFactory(slug="peer-support-for-people-caring-for-a-parent-" * 3 + "x")
    first = meets(circle=circle, weekday=1)
    second = meets(circle=circle, weekday=3)

    slugs = {row["slug"] for row in fetch(client)}

    assert slugs == {
        circle.slug[: 64 - len(f"-{schedule.pk}")].rstrip("-") + f"-{schedule.pk}"
        for schedule in (first, second)
    }
    assert all(len(slug) <= 64 for slug in slugs)


def test_the_home_page_points_feed_readers_to_the_feed(client):
    body = client.get("/").content.decode()

    assert (
        '<link rel="alternate" type="application/json" title="Meetings Feed" '
        'href="/circles/feed.json">' in body
    )


def test_the_finders_catch_what_a_seeker_would_find_wrong():
    """The reader itself: each kind of trouble the feed once had is reported."""
    circle = CircleFactory(slug="checked")
    url = f"http://127.0.0.1:8000/circles/{circle.slug}/"
    base = {"url": url, "regions": ["Baton Rouge, LA"], "types": []}
    rows = [
        base
        | {
            "slug": "chicago",
            "timezone": "America/Chicago",
            "formatted_address": "Online",
            "approximate": "yes",
            "conference_url": ZOOM,
        },
        base
        | {
            "slug": "new-york",
            "timezone": "America/New_York",
            "formatted_address": "Online",
            "approximate": "yes",
            "conference_url": ZOOM,
        },
        base
        | {
            "slug": "private",
            "timezone": "America/Chicago",
            "formatted_address": "Baton Rouge, LA",
            "approximate": "yes",
        },
        base
        | {
            "slug": "one-string",
            "timezone": "America/Chicago",
            "formatted_address": "1 Main St",
            "approximate": "no",
            "regions": "Baton Rouge, LA",
        },
        base
        | {
            "slug": "no-meetup",
            "timezone": "America/Chicago",
            "formatted_address": "1 Main St",
            "approximate": "no",
            "day": 2,
            "time": "18:30",
        },
    ]

    found = meeting_finders.problems(rows, timezone.now())

    assert "new-york: shown in America/Chicago, meets in America/New_York" in found
    assert "private: inactive" in found
    assert "one-string: regions is not a list" in found
    assert any(problem.startswith("no-meetup: no meetup on ") for problem in found)


def test_the_demo_site_reads_right_in_the_finders(client):
    call_command("seed_demo", stdout=StringIO())

    rows = fetch(client)

    listed = Circle.objects.listed()
    assert rows
    assert {row["url"].rsplit("/", 2)[-2] for row in rows} <= set(
        listed.values_list("slug", flat=True)
    )
    # The demo's online circles keep their links for members: none is in the feed.
    assert not any(row.get("approximate") == "yes" for row in rows)
    assert any("day" in row for row in rows)
    assert any("day" not in row for row in rows)
    assert_reads_right(rows)


def test_another_circles_meetup_at_the_same_place_and_time_does_not_count(client):
    """A dated row needs a scheduled meetup of its own circle, not just one at that place
    and time."""
    one = meets(circle=CircleFactory(name="One"), weekday=1)
    meets(circle=CircleFactory(name="Two"), weekday=1, venue=one.venue)
    Meetup.objects.filter(schedule=one).update(status=Meetup.Status.CANCELLED)

    rows = by_name(fetch(client))

    assert "day" not in rows["One"]
    assert "day" in rows["Two"]
    assert_reads_right(list(rows.values()))
