"""What the seed commands share: the topics every site starts with, invented coffee shops,
and turning a circle's local meeting time into the UTC instant a meetup stores."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from circles.models import Topic

# (slug, name, short name used in generated circle names, description)
TOPICS = [
    ("anxiety", "Anxiety", "Anxiety", "For people who live with worry, panic or social anxiety."),
    ("grief", "Grief and loss", "Grief", "For anyone missing someone who has died."),
    ("recovery", "Recovery", "Recovery", "Staying well after alcohol or drugs, one day at a time."),
    (
        "caregiving",
        "Caregiving",
        "Caregivers",
        "For people looking after a parent, partner or child.",
    ),
    (
        "new-parents",
        "New parents",
        "New Parents",
        "The first years with a baby, the good and the hard.",
    ),
    ("depression", "Depression", "Depression", "For people who know the low days from the inside."),
    (
        "chronic-illness",
        "Living with chronic illness",
        "Chronic Illness",
        "Pain, fatigue and the long haul of a body that needs care.",
    ),
    ("lgbtq", "LGBTQ+", "LGBTQ+", "Queer and trans people supporting each other."),
    ("veterans", "Veterans", "Veterans", "Veterans and service members, and life after service."),
    (
        "loneliness",
        "Loneliness",
        "Connection",
        "For anyone who would like more people around them.",
    ),
    (
        "addiction-family",
        "Families of people with addiction",
        "Family Recovery",
        "For parents, partners and children of someone who uses.",
    ),
    (
        "bereavement-by-suicide",
        "Bereaved by suicide",
        "Suicide Loss",
        "For people who have lost someone to suicide.",
    ),
    (
        "divorce-separation",
        "Divorce and separation",
        "Starting Over",
        "For people finding their feet after a relationship ends.",
    ),
    (
        "young-adults",
        "Young adults",
        "Young Adults",
        "18 to 30 and figuring things out together.",
    ),
]

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


def ensure_topics() -> dict[str, Topic]:
    """The shared topics by slug, created on first use."""
    topics = {}
    for slug, name, _short, description in TOPICS:
        topics[slug], _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    return topics


def cafe_name(rng: random.Random) -> str:
    return f"{rng.choice(CAFE_FIRST)} {rng.choice(CAFE_SECOND)}"


def street_address(rng: random.Random, area_name: str) -> str:
    return f"{rng.randrange(100, 4000)} {rng.choice(STREETS)}, {area_name}"


def local_start_utc(day: dt.date, start: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time on a given day in the circle's timezone (DST-aware)."""
    return dt.datetime.combine(day, start, tzinfo=tz).astimezone(dt.UTC)


def first_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)
