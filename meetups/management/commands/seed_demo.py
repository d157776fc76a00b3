"""Demo data for a laptop: `manage.py seed_demo`.

About sixty invented circles in nine real cities (four of them in Louisiana) and online,
each with a facilitator, a coffee-shop venue near the city centre, a schedule and its
meetups for the coming weeks, and a pool of members who have joined and RSVPed. Meetups,
joins and RSVPs go through the same services the site uses.

Running it again adds nothing: circles are found by slug and people by email, and only
what was missing is created. The demo login (DEMO_EMAIL / DEMO_PASSWORD) is a verified
member of a few circles. Facilitators and members share one random password, printed
once, when they are first created.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from circles import wording
from circles.models import Circle, Membership, Schedule, Topic, Venue
from circles.services import approve_member, join_circle
from meetups.management.seeding import cafe_name, ensure_topics, street_address
from meetups.models import Meetup
from meetups.services import extend_schedule, rsvp

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "circles-demo-password"  # noqa: S105 - a published demo login
WEEKS_AHEAD = 8


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lng: float
    timezone: str
    neighbourhoods: list[str]


CITIES = [
    City(
        "New Orleans, LA",
        29.9511,
        -90.0715,
        "America/Chicago",
        ["Mid-City", "Bywater", "Uptown", "Gentilly", "Algiers Point", "Lakeview", "Tremé"],
    ),
    City(
        "Baton Rouge, LA",
        30.4515,
        -91.1871,
        "America/Chicago",
        [
            "Mid City",
            "Garden District",
            "Spanish Town",
            "Southdowns",
            "Shenandoah",
            "Downtown",
            "Bocage",
        ],
    ),
    City(
        "Lafayette, LA",
        30.2241,
        -92.0198,
        "America/Chicago",
        ["Downtown", "Oil Center", "Saint Streets", "River Ranch", "Freetown", "Bendel Gardens"],
    ),
    City(
        "Shreveport, LA",
        32.5252,
        -93.7502,
        "America/Chicago",
        ["Highland", "Broadmoor", "South Highlands", "Downtown", "Shreve Island", "Stoner Hill"],
    ),
    City(
        "Houston, TX",
        29.7604,
        -95.3698,
        "America/Chicago",
        ["Montrose", "The Heights", "Third Ward", "EaDo", "Alief", "Midtown"],
    ),
    City(
        "Jackson, MS",
        32.2988,
        -90.1848,
        "America/Chicago",
        ["Fondren", "Belhaven", "Downtown", "North Jackson", "Midtown"],
    ),
    City(
        "Mobile, AL",
        30.6954,
        -88.0399,
        "America/Chicago",
        ["Midtown", "Oakleigh", "De Tonti Square", "Spring Hill", "Downtown"],
    ),
    City(
        "Austin, TX",
        30.2672,
        -97.7431,
        "America/Chicago",
        ["East Austin", "Hyde Park", "South Congress", "Mueller", "North Loop", "Zilker"],
    ),
    City(
        "Portland, OR",
        45.5152,
        -122.6784,
        "America/Los_Angeles",
        ["Alberta", "Hawthorne", "St. Johns", "Sellwood", "Pearl District", "Division"],
    ),
]

# (name, topic slugs, timezone)
ONLINE_CIRCLES = [
    ("Night Owls Anxiety Circle", ["anxiety"], "America/Chicago"),
    ("Sunday Evening Grief Circle", ["grief", "bereavement-by-suicide"], "America/Chicago"),
    ("Caregivers' Lunch Break", ["caregiving", "chronic-illness"], "America/New_York"),
    ("Rural Recovery Circle", ["recovery"], "America/Chicago"),
    ("Gulf Coast Veterans Online", ["veterans"], "America/Chicago"),
    ("West Coast Young Adults Circle", ["young-adults", "loneliness"], "America/Los_Angeles"),
    ("Early Hours New Parents Circle", ["new-parents"], "America/New_York"),
]

TOPIC_ORDER = [
    "grief",
    "anxiety",
    "recovery",
    "new-parents",
    "caregiving",
    "depression",
    "loneliness",
    "chronic-illness",
    "lgbtq",
    "veterans",
    "addiction-family",
    "divorce-separation",
    "bereavement-by-suicide",
    "young-adults",
]
RELATED_TOPIC = {
    "grief": "bereavement-by-suicide",
    "anxiety": "depression",
    "recovery": "addiction-family",
    "new-parents": "anxiety",
    "caregiving": "chronic-illness",
    "depression": "anxiety",
    "loneliness": "young-adults",
    "chronic-illness": "caregiving",
    "lgbtq": "young-adults",
    "veterans": "recovery",
    "addiction-family": "recovery",
    "divorce-separation": "loneliness",
    "bereavement-by-suicide": "grief",
    "young-adults": "loneliness",
}
CIRCLE_NAMES = {
    "grief": "Grief Circle",
    "anxiety": "Anxiety Peer Circle",
    "recovery": "Recovery Circle",
    "new-parents": "New Parents Coffee Circle",
    "caregiving": "Caregivers' Circle",
    "depression": "Low Days Circle",
    "loneliness": "Coffee & Connection",
    "chronic-illness": "Chronic Illness Circle",
    "lgbtq": "LGBTQ+ Peer Circle",
    "veterans": "Veterans' Coffee Circle",
    "addiction-family": "Family Recovery Circle",
    "divorce-separation": "Starting Over Circle",
    "bereavement-by-suicide": "Circle for Suicide Loss",
    "young-adults": "Young Adults' Circle",
}
WHO_FOR = {
    "grief": "For people missing someone who has died, whether it was last month or years "
    "ago. There is no right way to grieve and no timetable here; bring whatever you carry.",
    "anxiety": "For anyone who lives with worry, panic or a busy mind that won't settle. We "
    "talk about how the week went and what has helped, and it's fine to just listen.",
    "recovery": "For people in recovery from alcohol or drugs, whatever your path and however "
    "long it's been. We share what's working and what's hard, and we cheer the small wins.",
    "new-parents": "For parents of babies and toddlers, tired ones especially. Babies are "
    "welcome at the table, and so is anyone finding it harder than they expected.",
    "caregiving": "For people looking after a parent, partner, child or friend. An hour that "
    "is about you for once: swap tips, let off steam and leave a little lighter.",
    "depression": "For people who know the low days from the inside. Come on the good weeks "
    "and the heavy ones; nobody needs to put on a brave face here.",
    "loneliness": "For anyone who would like more people in their life: new in town, lost "
    "touch, or alone in a crowd. Come and have a coffee with us.",
    "chronic-illness": "For people living with a long-term illness or pain. We share the "
    "practical stuff and the feelings, at a pace that suits bodies that tire.",
    "lgbtq": "For lesbian, gay, bi, trans, queer and questioning people to talk with others "
    "who get it. Come as you are and go by the name you like.",
    "veterans": "For veterans and service members of any branch or era. Coffee, conversation "
    "and people who understand life after service.",
    "addiction-family": "For parents, partners, children and friends of someone who drinks or "
    "uses. We can't fix anyone else, but we can look after ourselves, together.",
    "divorce-separation": "For people finding their feet after a marriage or relationship "
    "ends. Practical stuff, hard feelings and the odd laugh, among people going through it.",
    "bereavement-by-suicide": "For people who have lost someone to suicide. A gentle, "
    "unhurried space with others who have walked this road; speak, or simply sit with us.",
    "young-adults": "For people aged 18 to 30 dealing with whatever life is throwing at them: "
    "stress, family, work, feeling stuck. Low-key, friendly and free of judgement.",
}
PEER_NOT_THERAPY = (
    "This is peer support, not therapy: we listen, share from our own experience and only "
    "give advice when someone asks for it."
)
JOIN_QUESTIONS = {
    "veterans": "How are you connected to military service? A few words are plenty.",
    "bereavement-by-suicide": "Would you like to tell us a little about who you lost? "
    "Share only what feels right.",
}
GUIDELINES = (
    "1. What is said in the circle stays in the circle.\n"
    "2. Speak from your own experience.\n"
    "3. Listen without fixing; offer advice only when asked.\n"
    "4. You can always pass.\n"
    "5. Be kind to yourself and to each other."
)
VENUE_ACCESS = [
    (True, "Level entrance and an accessible restroom."),
    (True, "Ramp at the side door; accessible restroom on the ground floor."),
    (False, "Two steps at the front door; staff bring out a portable ramp on request."),
    (True, "Ground floor with a level entrance; bus stop at the corner."),
]
CIRCLE_ACCESS = [
    "We sit at the big table at the back, where it's quieter.",
    "Service animals welcome.",
    "Large-print copies of our guidelines are on the table.",
    "",
]
START_TIMES = [
    dt.time(18, 30),
    dt.time(10),
    dt.time(19),
    dt.time(12, 30),
    dt.time(17, 30),
    dt.time(9, 30),
    dt.time(18),
]
HOST_NAMES = [
    "Dana",
    "Marcus",
    "Priya",
    "Jo",
    "Andre",
    "Keisha",
    "Tom",
    "Lupe",
    "Sam",
    "Nadia",
    "Chris",
    "Rosa",
    "Darnell",
    "Mei",
    "Eli",
    "Tasha",
    "Ben",
    "Ana",
    "Malik",
    "Grace",
    "Luis",
    "Bea",
    "Owen",
    "Imani",
    "Theo",
    "Carmen",
    "Jamal",
    "Hannah",
    "Reggie",
    "Lina",
    "Paul",
    "Maya",
    "Desmond",
    "June",
    "Ray",
    "Noor",
    "Kim",
    "Walt",
    "Esme",
    "Tariq",
]
MEMBER_NAMES = [
    "Alex",
    "Bri",
    "Casey",
    "Devon",
    "Frankie",
    "Gabe",
    "Harper",
    "Isa",
    "Jules",
    "Kai",
    "Lee",
    "Morgan",
    "Nico",
    "Olu",
    "Parker",
    "Quinn",
    "Remy",
    "Sky",
    "Toni",
    "Val",
    "Wren",
    "Yara",
    "Zane",
    "Ari",
    "Bo",
    "Cam",
    "Drew",
    "Emery",
    "Finn",
    "Gus",
]
INITIALS = "RMBTLHKSWGDPACFJN"


class Command(BaseCommand):
    help = "Load demo circles, people, meetups and RSVPs (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        self.rng = random.Random(2026)
        self.today = timezone.localdate()
        self.password = secrets.token_urlsafe(12)
        # Hashed once and shared: hashing is deliberately slow, and these are demo accounts.
        self.password_hash = make_password(self.password)
        self.made = {"circles": 0, "people": 0, "meetups": 0, "memberships": 0, "rsvps": 0}
        with transaction.atomic():
            self.topics = ensure_topics()
            circles_by_city = self.seed_circles()
            self.seed_members(circles_by_city)
        self.report(time.monotonic() - started)

    def person(
        self, email: str, display_name: str, tz: str, place: str = "", password_hash: str = ""
    ) -> User | None:
        """A verified person with the given email, or None when they already exist."""
        if User.objects.filter(email=email).exists():
            return None
        user = User.objects.create(
            email=email,
            display_name=display_name,
            timezone=tz,
            home_place=place,
            password=password_hash or self.password_hash,
            health_data_consent_at=timezone.now(),
            privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        self.made["people"] += 1
        return user

    def seed_circles(self) -> dict[str, list[Circle]]:
        circles_by_city: dict[str, list[Circle]] = {}
        index = 0
        for city_number, city in enumerate(CITIES):
            for position, neighbourhood in enumerate(city.neighbourhoods):
                topic = TOPIC_ORDER[(city_number * 5 + position) % len(TOPIC_ORDER)]
                topics = [topic, RELATED_TOPIC[topic]] if position % 3 == 2 else [topic]
                name = f"{neighbourhood} {CIRCLE_NAMES[topic]}"
                circle = self.circle(index, name, topics, city, neighbourhood)
                circles_by_city.setdefault(city.name, []).append(circle)
                index += 1
        for name, topics, tz in ONLINE_CIRCLES:
            circle = self.circle(index, name, topics, None, "", tz=tz)
            circles_by_city.setdefault("Online", []).append(circle)
            index += 1
        return circles_by_city

    def circle(
        self,
        index: int,
        name: str,
        topic_slugs: list[str],
        city: City | None,
        neighbourhood: str,
        tz: str = "",
    ) -> Circle:
        slug = slugify(f"{name} {city.name.split(',')[0] if city else 'online'}")
        existing = Circle.objects.filter(slug=slug).first()
        if existing:
            return existing
        tz = city.timezone if city else tz
        host_name = HOST_NAMES[index % len(HOST_NAMES)]
        initial = INITIALS[index * 7 % len(INITIALS)]
        email = f"{host_name}.{initial}@example.org".lower()
        host = self.person(
            email, f"{host_name} {initial}.", tz, city.name if city else ""
        ) or User.objects.get(email=email)
        topic = topic_slugs[0]
        approval = topic in JOIN_QUESTIONS
        step_free, venue_notes = VENUE_ACCESS[index % len(VENUE_ACCESS)]
        venue = None
        if city:
            lat = round(city.lat + self.rng.uniform(-0.03, 0.03), 6)
            lng = round(city.lng + self.rng.uniform(-0.03, 0.03), 6)
            venue = Venue.objects.create(
                name=cafe_name(self.rng),
                address=street_address(self.rng, f"{neighbourhood}, {city.name}"),
                lat=lat,
                lng=lng,
                step_free=step_free,
                accessibility_notes=venue_notes,
                created_by=host,
            )
        circle = Circle.objects.create(
            name=name,
            slug=slug,
            description="",
            format=Circle.Format.IN_PERSON if city else Circle.Format.ONLINE,
            area_name=f"{neighbourhood}, {city.name}" if city else "Online",
            lat=venue.lat if venue else None,
            lng=venue.lng if venue else None,
            timezone=tz,
            online_url="" if city else f"https://meet.example.org/{slug}",
            join_policy=Circle.JoinPolicy.APPROVAL if approval else Circle.JoinPolicy.OPEN,
            join_question=JOIN_QUESTIONS.get(topic, ""),
            guidelines=GUIDELINES,
            step_free=bool(venue and step_free),
            hearing_support=index % 4 == 1,
            fragrance_free=index % 5 == 2,
            sign_language=index % 17 == 3,
            accessibility_notes=CIRCLE_ACCESS[index % len(CIRCLE_ACCESS)],
            checkin_weekday=(index % 7) + 1,
        )
        circle.topics.set([self.topics[slug] for slug in topic_slugs])
        Membership.objects.create(
            user=host,
            circle=circle,
            role=Membership.Role.FACILITATOR,
            guidelines_version=circle.guidelines_version,
            guidelines_accepted_at=timezone.now(),
        )
        schedule = self.schedule(index, circle, venue)
        where = f"at {venue.name} in {neighbourhood}" if venue else "online"
        circle.description = (
            f"{WHO_FOR[topic]}\n\nWe meet {wording.when_it_meets(schedule)}, {where}, for about "
            f"{schedule.duration_minutes} minutes. {PEER_NOT_THERAPY}"
        )
        circle.save(update_fields=["description"])
        until = self.today + dt.timedelta(weeks=WEEKS_AHEAD)
        self.made["meetups"] += extend_schedule(schedule=schedule, until=until)
        self.made["circles"] += 1
        return circle

    def schedule(self, index: int, circle: Circle, venue: Venue | None) -> Schedule:
        frequency, week_of_month = Schedule.Frequency.WEEKLY, None
        if index % 5 == 3:
            frequency, week_of_month = Schedule.Frequency.MONTHLY, [1, 2, 3, -1][index % 4]
        elif index % 4 == 0:
            frequency = Schedule.Frequency.BIWEEKLY
        return Schedule.objects.create(
            circle=circle,
            frequency=frequency,
            weekday=(index * 3) % 7,
            week_of_month=week_of_month,
            start_time=START_TIMES[index % len(START_TIMES)],
            duration_minutes=60 if index % 6 == 5 else 90,
            venue=venue,
            capacity=8 + index % 7,
            starts_on=self.today,
        )

    def seed_members(self, circles_by_city: dict[str, list[Circle]]) -> None:
        cities = list(circles_by_city)
        for number, name in enumerate(MEMBER_NAMES):
            initial = INITIALS[number * 3 % len(INITIALS)]
            home = cities[number % len(cities)]
            tz = circles_by_city[home][0].timezone
            user = self.person(
                f"{name}.{initial}@example.org".lower(),
                f"{name} {initial}.",
                tz,
                home if home != "Online" else "",
            )
            if user:
                circles = self.rng.sample(circles_by_city[home], 2)
                if number % 4 == 0:
                    circles.append(self.rng.choice(circles_by_city["Online"]))
                self.join_and_rsvp(user, circles, meetups_each=self.rng.choice((1, 2)))
        demo = self.person(
            DEMO_EMAIL,
            "Jordan (demo)",
            "America/Chicago",
            "Baton Rouge, LA",
            password_hash=make_password(DEMO_PASSWORD),
        )
        if demo:
            picks = [
                circles_by_city["Baton Rouge, LA"][0],
                circles_by_city["New Orleans, LA"][1],
                circles_by_city["Online"][0],
            ]
            self.join_and_rsvp(demo, picks, meetups_each=2)

    def join_and_rsvp(self, user: User, circles: list[Circle], meetups_each: int) -> None:
        for circle in circles:
            membership = join_circle(
                user=user,
                circle=circle,
                accept_guidelines=True,
                answer="I'd like to meet people who understand." if circle.join_question else "",
            )
            if membership.status == Membership.Status.PENDING:
                host = circle.facilitators().first().user
                membership = approve_member(membership=membership, by=host)
            self.made["memberships"] += 1
            for meetup in Meetup.objects.filter(circle=circle).upcoming()[:meetups_each]:
                rsvp(user=user, meetup=meetup)
                self.made["rsvps"] += 1

    def report(self, seconds: float) -> None:
        out = self.stdout
        if not any(self.made.values()):
            out.write("Demo data is already loaded; nothing added.")
        else:
            made = self.made
            out.write(
                f"Added {made['circles']} circles, {made['meetups']} meetups, "
                f"{made['people']} people, {made['memberships']} memberships and "
                f"{made['rsvps']} RSVPs in {seconds:.1f} s."
            )
            if made["people"]:
                out.write(
                    f"Facilitators and members (e.g. dana.r@example.org) share the password "
                    f"{self.password} — shown only now."
                )
        cities = Circle.objects.exclude(format=Circle.Format.ONLINE).values("area_name")
        out.write(
            f"On the site: {Circle.objects.count()} circles, {Topic.objects.count()} topics, "
            f"{len({row['area_name'].split(', ', 1)[-1] for row in cities})} cities, "
            f"{Meetup.objects.upcoming().count()} upcoming meetups."
        )
        out.write(self.style.SUCCESS(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}"))
