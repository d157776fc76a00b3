"""Demo data for a laptop: `manage.py seed_demo` loads demo/data/demo.toml.

About sixty invented circles in nine real cities and online, each with its facilitator,
venue, schedule and meetups for the coming weeks, and the people who have joined and
RSVPed. Circles are started, and people join, are approved and RSVP, through the same
services the site uses (hosting.services.host_circle, …); descriptions word each schedule
the way the site does (circles.wording).

Running it again adds nothing: circles are found by slug and people by email, and only
what was missing is created (a person who already exists is left as they are). The demo
login is a verified member of a few circles and hosts one. Facilitators and members share one random
password, printed once, when they are first created.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections import Counter
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from circles import wording
from circles.models import Circle, Membership, Schedule, Topic, Venue
from circles.services import approve_member, join_circle
from demo.seeding import ensure_topics, read_data
from hosting import agreement
from hosting.services import change_meetup, host_circle
from meetups.models import RSVP, Meetup
from meetups.notifications import REMINDERS
from meetups.services import rsvp

# The end of the two-hour reminder's window before a meetup.
TWO_HOUR_WINDOW = next(end for template, _, _, end in REMINDERS if template == "reminder-2h")


class Command(BaseCommand):
    help = "Load demo circles, people, meetups and RSVPs (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        self.password = secrets.token_urlsafe(12)
        # Hashed once and shared: hashing is deliberately slow, and these are demo accounts.
        self.password_hash = make_password(self.password)
        self.made: Counter[str] = Counter()
        self.data = read_data("demo.toml")
        login_spec = self.data["login"]
        with transaction.atomic():
            topics = ensure_topics()
            # The login first, so a circle in the file may name it as its host.
            login, new_login = self.person(
                login_spec, password_hash=make_password(login_spec["password"])
            )
            for spec in self.data["circles"]:
                self.circle(spec, topics)
            for spec in self.data["members"]:
                member, new = self.person(spec)
                if new:
                    self.join_and_rsvp(member, spec["joins"], meetups_each=spec["rsvps"])
            if new_login:
                self.join_and_rsvp(login, login_spec["joins"], meetups_each=login_spec["rsvps"])
            self.check_in_soon(login_spec["check_in_soon"], login_spec["check_in_in_minutes"])
            if settings.DEBUG:
                self.moderator(self.data["moderator"])
            self.meetup_tomorrow(
                login,
                login_spec["meetup_tomorrow"],
                hours=login_spec["meetup_in_hours"],
                waiting=User.objects.get(email=login_spec["waiting"]),
            )
        self.report(time.monotonic() - started)

    def check_in_soon(self, slug: str, minutes: int) -> None:
        """Move the circle's weekly check-in to `minutes` from now in its zone (the slot
        follows: Circle.save), so its prompt reaches the outbox within minutes of
        `make run` starting (beat scans every minute there). A prompt already sent this
        week is not sent again (its key)."""
        circle = Circle.objects.get(slug=slug)
        soon = (timezone.now() + dt.timedelta(minutes=minutes)).astimezone(circle.tz)
        circle.checkin_weekday = soon.isoweekday()
        circle.checkin_time = soon.time().replace(second=0, microsecond=0)
        circle.save(update_fields=["checkin_weekday", "checkin_time"])
        self.checkin_at = circle.checkin_due_at

    def moderator(self, spec: dict[str, Any]) -> None:
        """A staff account with a published password, for a laptop only (DEBUG on): it
        reads the emails the demo sends at /staff/outbox/. Never made with DEBUG off."""
        user, _ = self.person(spec, password_hash=make_password(spec["password"]))
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        self.moderator_login = f"{spec['email']} / {spec['password']}"

    def meetup_tomorrow(self, login: User, slug: str, *, hours: int, waiting: User) -> None:
        """Give the circle a meetup within a day, full, with `login` going and `waiting`
        on the waitlist: the day-before reminder then reaches the outbox at the next
        reminder scan, and its "I can't make it" frees the seat for `waiting`, who is
        emailed an offer of it (meetups.services.promote_waitlist). It is the circle's
        next meetup when that falls between the two-hour reminder's window and a day ahead;
        otherwise an extra meetup `hours` from now, beside the series, so the series keeps
        every date the meeting finders list. Running the seed again uses the one made."""
        circle = Circle.objects.get(slug=slug)
        now = timezone.now()
        soon = Meetup.objects.filter(
            circle=circle,
            starts_at__gt=now + TWO_HOUR_WINDOW,
            starts_at__lte=now + dt.timedelta(hours=24),
        )
        meetup = soon.upcoming().first()
        if meetup is None:
            series = Meetup.objects.filter(circle=circle, schedule__isnull=False).upcoming().first()
            if series is None:
                return
            start = (now + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
            start += dt.timedelta(minutes=-start.minute % 15)
            meetup = Meetup.objects.create(
                circle=circle,
                venue=series.venue,
                starts_at=start,
                ends_at=start + (series.ends_at - series.starts_at),
                capacity=series.capacity,
            )
        host = circle.facilitators().first().user
        rsvp(user=login, meetup=meetup)
        meetup.refresh_from_db()
        if not meetup.rsvps.filter(status=RSVP.Status.WAITLISTED).exists():
            if meetup.going_count < meetup.capacity:
                change_meetup(
                    meetup=meetup,
                    by=host,
                    starts_at=meetup.starts_at,
                    ends_at=meetup.ends_at,
                    venue=meetup.venue,
                    capacity=meetup.going_count,
                )
            rsvp(user=waiting, meetup=meetup)
        self.meetup_soon = meetup

    def person(self, spec: dict[str, Any], password_hash: str = "") -> tuple[User, bool]:
        """The person with the spec's email, and whether they were created (verified, with
        the privacy notice accepted, as someone who signed up would be)."""
        existing = User.objects.filter(email=spec["email"]).first()
        if existing:
            return existing, False
        user = User.objects.create(
            email=spec["email"],
            display_name=spec["name"],
            timezone=spec["timezone"],
            home_place=spec.get("home", ""),
            language=spec.get("language", ""),
            password=password_hash or self.password_hash,
            health_data_consent_at=timezone.now(),
            privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        self.made["people"] += 1
        return user, True

    def circle(self, spec: dict[str, Any], topics: dict[str, Topic]) -> None:
        """Create the circle unless its slug exists: its host, venue, schedule and meetups."""
        if Circle.objects.filter(slug=spec["slug"]).exists():
            return
        city = spec.get("city", "")
        host, _ = self.person(
            {**spec["host"], "timezone": spec["timezone"], "home": city},
        )
        venue = None
        if place := spec.get("venue"):
            venue = Venue(
                name=place["name"],
                address=place["address"],
                lat=place["lat"],
                lng=place["lng"],
                step_free=place["step_free"],
                accessibility_notes=place["notes"],
            )
        when = spec["schedule"]
        schedule = Schedule(
            frequency=when["frequency"],
            weekday=wording.WEEKDAYS.index(when["weekday"]),
            week_of_month=when.get("week_of_month"),
            start_time=when["start"],
            duration_minutes=when["minutes"],
            capacity=when["capacity"],
            starts_on=Circle(timezone=spec["timezone"]).today(),
        )
        access = spec["access"]
        # A circle in another language brings its own words (its facilitators wrote them),
        # with its schedule worded in that language.
        language = spec.get("language", "en")
        with translation.override(language):
            description = spec.get("description", self.data["texts"]["description"]).format(
                who_for=self.data["who_for"][spec["topics"][0]],
                when=wording.when_it_meets(schedule),
                where=f"at {venue.name} in {spec['neighbourhood']}" if venue else "online",
                minutes=schedule.duration_minutes,
            )
        circle = Circle(
            name=spec["name"],
            slug=spec["slug"],
            language=language,
            description=description,
            format=Circle.Format.IN_PERSON if venue else Circle.Format.ONLINE,
            area_name=f"{spec['neighbourhood']}, {city}" if venue else "Online",
            lat=venue.lat if venue else None,
            lng=venue.lng if venue else None,
            timezone=spec["timezone"],
            online_url=spec.get("online_url", ""),
            dial_in_phone=spec.get("dial_in_phone", ""),
            dial_in_code=spec.get("dial_in_code", ""),
            join_policy=Circle.JoinPolicy.APPROVAL
            if spec.get("join_question")
            else Circle.JoinPolicy.OPEN,
            join_question=spec.get("join_question", ""),
            guidelines=spec.get("guidelines", self.data["texts"]["guidelines"]),
            step_free=bool(venue and venue.step_free),
            hearing_support=access["hearing_support"],
            fragrance_free=access["fragrance_free"],
            sign_language=access["sign_language"],
            accessibility_notes=access["notes"],
            checkin_weekday=wording.WEEKDAYS.index(spec["check_in_day"]) + 1,
        )
        # As a host starting a circle on the site: the host's membership, the agreement,
        # the venue, the schedule and its first weeks of meetups.
        host_circle(
            user=host,
            circle=circle,
            topics=[topics[slug] for slug in spec["topics"]],
            schedules=[schedule],
            venue=venue,
            agreement_version=agreement.VERSION,
        )
        self.made["meetups"] += circle.meetups.count()
        self.made["circles"] += 1

    def join_and_rsvp(self, user: User, slugs: list[str], meetups_each: int) -> None:
        """Join each circle (the host approves where the circle asks a question) and RSVP
        to its next `meetups_each` meetups."""
        for slug in slugs:
            circle = Circle.objects.get(slug=slug)
            membership = join_circle(
                user=user,
                circle=circle,
                accept_guidelines=True,
                answer=self.data["texts"]["join_answer"] if circle.join_question else "",
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
        made = self.made
        if not made:
            out.write("Demo data is already loaded; nothing added.")
        else:
            out.write(
                f"Added {made['circles']} circles, {made['meetups']} meetups, "
                f"{made['people']} people, {made['memberships']} memberships and "
                f"{made['rsvps']} RSVPs in {seconds:.1f} s."
            )
            if made["people"]:
                out.write(
                    f"Facilitators and members (e.g. {self.data['circles'][0]['host']['email']}) "
                    f"share the password {self.password} — shown only now."
                )
        login = self.data["login"]
        cities = Circle.objects.exclude(format=Circle.Format.ONLINE).values("area_name")
        out.write(
            f"On the site: {Circle.objects.count()} circles, {Topic.objects.count()} topics, "
            f"{len({row['area_name'].split(', ', 1)[-1] for row in cities})} cities, "
            f"{Meetup.objects.upcoming().count()} upcoming meetups."
        )
        out.write(self.style.SUCCESS(f"Demo login: {login['email']} / {login['password']}"))
        if moderator := getattr(self, "moderator_login", ""):
            out.write(self.style.SUCCESS(f"Moderator: {moderator} (sent emails at /staff/outbox/)"))
        soon = self.meetup_soon
        out.write(
            f"The demo login is going to a full meetup at {soon.starts_at:%H:%M} UTC tomorrow "
            f"with someone waiting: its reminder appears within five minutes, and its "
            f'"I can\'t make it" link gives the seat to them.'
        )
        out.write(
            f"The demo login's weekly check-in email for {login['check_in_soon']} is due at "
            f"{self.checkin_at:%H:%M} UTC (it appears in this terminal)."
        )
