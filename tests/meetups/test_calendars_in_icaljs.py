"""Our calendars as Mozilla's ical.js reads them (the parser of Thunderbird and of many web
calendars): every event at the right UTC instant, on both sides of daylight-saving changes,
with time zones taken only from the file's own VTIMEZONEs.

ical.js comes from npm, pinned by tests/meetups/icaljs/package-lock.json; the first run
installs it there with `npm ci` (node_modules is not committed). Without node and npm the
tests skip, or fail when REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import regenerate_calendar_token
from meetups import services
from meetups.models import Meetup
from tests.conftest import need
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent / "icaljs"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def member(member: User) -> User:
    """Milo, who has turned the calendar feed on (new accounts start with it off)."""
    regenerate_calendar_token(user=member)
    return member


@pytest.fixture(scope="session")
def icaljs() -> Path:
    """The reader script, with ical.js installed beside it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        need("the ical.js tests need Node.js and npm (apt-get install nodejs npm)")
    if not (HERE / "node_modules" / "ical.js" / "package.json").exists():
        installed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],  # noqa: S607
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if installed.returncode != 0:
            need(f"`npm ci` in {HERE} failed: {installed.stderr[-2000:]}")
    return HERE / "read_calendar.mjs"


def read_with_icaljs(script: Path, body: bytes) -> dict:
    result = subprocess.run(  # noqa: S603
        ["node", str(script)],  # noqa: S607
        input=body,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def going_to(member, schedule, until: dt.date) -> list[Meetup]:
    services.extend_schedule(schedule=schedule, until=until)
    meetups = list(schedule.meetups.order_by("starts_at"))
    for meetup in meetups:
        services.rsvp(user=member, meetup=meetup)
    return meetups


def test_the_private_feed_reads_at_the_right_instants_across_daylight_saving(
    icaljs, client, member, circle
):
    """A weekly 6:30 pm meetup around the end of daylight saving, and a monthly one over
    a year and a half of changes, so that each VTIMEZONE observance has RDATEs."""
    weekly = ScheduleFactory(
        circle=circle, weekday=1, start_time=dt.time(18, 30), starts_on=dt.date(2030, 10, 22)
    )
    monthly = ScheduleFactory(
        circle=circle,
        frequency="monthly",
        week_of_month=1,
        weekday=1,
        start_time=dt.time(12, 0),
        starts_on=dt.date(2030, 10, 1),
    )
    meetups = going_to(member, weekly, dt.date(2030, 11, 12))
    meetups += going_to(member, monthly, dt.date(2032, 4, 30))

    body = client.get(reverse("me:calendar", args=[member.calendar_token])).content
    read = read_with_icaljs(icaljs, body)

    instants = {event["uid"]: (event["start"], event["end"]) for event in read["events"]}
    assert instants == {
        f"meetup-{m.pk}@127.0.0.1": (utc(m.starts_at), utc(m.ends_at)) for m in meetups
    }
    assert {event["tzid"] for event in read["events"]} == {"America/Chicago"}
    # Worked out by hand: 6:30 pm is 23:30 UTC in daylight time, 00:30 the next day after.
    starts = sorted(start for start, _ in instants.values())
    assert "2030-10-29T23:30:00.000Z" in starts
    assert "2030-11-06T00:30:00.000Z" in starts  # the Tuesday after the change
    assert "2031-03-04T18:00:00.000Z" in starts  # noon, still standard time
    assert "2031-04-01T17:00:00.000Z" in starts  # noon, daylight time again
    assert len(meetups) == 4 + 19


def test_a_single_meetup_file_reads_right_just_after_the_clocks_change(icaljs, client, circle):
    starts = dt.datetime(2030, 11, 3, 10, 0, tzinfo=CHICAGO)  # the morning of the change
    meetup = Meetup.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        capacity=10,
    )

    body = client.get(reverse("meetups:ics", args=[meetup.pk])).content
    [event] = read_with_icaljs(icaljs, body)["events"]

    assert (event["start"], event["end"]) == (
        "2030-11-03T16:00:00.000Z",
        "2030-11-03T17:30:00.000Z",
    )


def test_a_cancelled_meetup_reads_as_cancelled_with_a_higher_sequence(
    icaljs, client, member, facilitator, meetup
):
    services.rsvp(user=member, meetup=meetup)
    services.cancel_meetup(meetup=meetup, by=facilitator)

    body = client.get(reverse("me:calendar", args=[member.calendar_token])).content
    read = read_with_icaljs(icaljs, body)

    [event] = read["events"]
    assert (event["status"], event["sequence"]) == ("CANCELLED", 1)
    assert read["uid"]
