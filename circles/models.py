"""Circles, who belongs to them, when and where they meet, and how members check in.

`Venue` lives here rather than in meetups because a circle's schedule names its usual
venue and the browse page shows it; meetups point at circles' venues (meetups → circles).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import zoneinfo
from collections.abc import Iterable
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, RowNumber, Sin, Sqrt
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import batch
from accounts.models import User, validate_timezone
from circles.dial_in import (
    CODE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    DialIn,
    check_code_has_a_number,
    validate_dial_in_code,
    validate_dial_in_phone,
)

# The names of the topics a site starts with (demo/data/topics.toml), marked so the catalogs
# carry them: a topic reads in the reader's language when the catalog has its name, and as
# it was written otherwise (tests/seeds/test_demo_data.py keeps the two lists in step).
STARTING_TOPIC_NAMES = (
    gettext_noop("Anxiety"),
    gettext_noop("Grief and loss"),
    gettext_noop("Recovery"),
    gettext_noop("Caregiving"),
    gettext_noop("New parents"),
    gettext_noop("Depression"),
    gettext_noop("Living with chronic illness"),
    gettext_noop("LGBTQ+"),
    gettext_noop("Veterans"),
    gettext_noop("Loneliness"),
    gettext_noop("Families of people with addiction"),
    gettext_noop("Bereaved by suicide"),
    gettext_noop("Divorce and separation"),
    gettext_noop("Young adults"),
)


class Topic(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        """The topic's name in the reader's language (STARTING_TOPIC_NAMES)."""
        return gettext(self.name)


class Venue(models.Model):
    """A public place where a circle meets, most often a coffee shop."""

    name = models.CharField(max_length=120)
    address = models.CharField(max_length=250)
    lat = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessibility_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When its name, address or access last changed: the open data feed's `updated`.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="venue_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def map_url(self) -> str:
        """A link to the venue on a map (`settings.MAP_SEARCH_URL`, OpenStreetMap's search
        by default), found by its address (by its name when it has none): an address is
        what people check and what a map search finds best."""
        query = quote_plus(self.address or self.name)
        return settings.MAP_SEARCH_URL.replace("{query}", query)


EARTH_RADIUS_KM = 6371.0088

# Time-of-day buckets for browsing, on a schedule's local start time. Night wraps past

# midnight, so it is two ranges.
TIME_OF_DAY: dict[str, tuple[str, list[tuple[dt.time, dt.time]]]] = {
    "morning": (_("Morning (5 am – noon)"), [(dt.time(5), dt.time(11, 59, 59))]),
    "midday": (_("Midday (noon – 5 pm)"), [(dt.time(12), dt.time(16, 59, 59))]),
    "evening": (_("Evening (5 pm – 9 pm)"), [(dt.time(17), dt.time(20, 59, 59))]),
    "night": (
        _("Night (9 pm – 5 am)"),
        [(dt.time(21), dt.time(23, 59, 59, 999999)), (dt.time(0), dt.time(4, 59, 59, 999999))],
    ),
}

ACCESS_FEATURES = {
    "step_free": _("Step-free venue"),
    "sign_language": _("Sign language"),
    "fragrance_free": _("Fragrance-free"),
    "hearing_support": _("Hearing loop or captions"),
}


def bounding_box(lat: float, lng: float, km: float) -> Q:
    """A lat/lng box that contains every point within `km` of (lat, lng): an indexable
    prefilter for the exact great-circle distance. Handles the poles and the antimeridian."""
    angular = km / EARTH_RADIUS_KM
    dlat = math.degrees(angular)
    box = Q(lat__gte=lat - dlat, lat__lte=lat + dlat)
    if abs(lat) + dlat >= 90:
        return box
    dlng = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    west, east = lng - dlng, lng + dlng
    if west < -180:
        return box & (Q(lng__gte=west + 360) | Q(lng__lte=east))
    if east > 180:
        return box & (Q(lng__gte=west) | Q(lng__lte=east - 360))
    return box & Q(lng__gte=west, lng__lte=east)


def great_circle_km(lat: float, lng: float) -> models.Func:
    """Haversine distance in km from (lat, lng) to each row's lat/lng, in SQL that runs on
    SQLite and Postgres alike."""
    dlat = Radians(F("lat") - Value(lat)) / 2
    dlng = Radians(F("lng") - Value(lng)) / 2
    a = Power(Sin(dlat), 2) + Value(math.cos(math.radians(lat))) * Cos(Radians(F("lat"))) * Power(
        Sin(dlng), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(a, Value(1.0))))


def new_invite_token() -> str:
    """An unguessable token for a circle's invite link (256 random bits)."""
    return secrets.token_urlsafe(32)


# The fields that set when a circle's check-in prompt goes out (Circle.save).
CHECKIN_SETTING = frozenset({"checkin_weekday", "checkin_time", "timezone"})


class CircleQuerySet(models.QuerySet["Circle"]):
    def active(self) -> CircleQuerySet:
        return self.filter(status=Circle.Status.ACTIVE)

    def not_archived(self) -> CircleQuerySet:
        """Circles still running, if perhaps on a break: active, paused or dormant."""
        return self.exclude(status=Circle.Status.ARCHIVED)

    def listed(self) -> CircleQuerySet:
        """Circles anyone may find by browsing: active and listed."""
        return self.active().filter(visibility=Circle.Visibility.LISTED)

    def near(self, lat: float, lng: float, km: float) -> CircleQuerySet:
        """Circles that meet in person (or hybrid) within `km` of a point, annotated with
        `distance_km`. The bounding box lets the (lat, lng) index do the narrowing; the
        great-circle distance only runs on what is inside it."""
        return (
            self.exclude(format=Circle.Format.ONLINE)
            .filter(bounding_box(lat, lng, km))
            .with_distance(lat, lng)
            .filter(distance_km__lte=km)
        )

    def with_distance(self, lat: float, lng: float) -> CircleQuerySet:
        """Annotate `distance_km`: the great-circle distance from (lat, lng)."""
        return self.annotate(distance_km=great_circle_km(lat, lng))

    def online(self) -> CircleQuerySet:
        return self.filter(format=Circle.Format.ONLINE)

    def with_topics(self, slugs: list[str]) -> CircleQuerySet:
        """Circles about any of the topics."""
        through = Circle.topics.through.objects.filter(
            circle_id=OuterRef("pk"), topic__slug__in=slugs
        )
        return self.filter(Exists(through))

    def meeting_on(self, weekday: int) -> CircleQuerySet:
        """Circles with a current schedule (ScheduleQuerySet.current) on this local
        weekday (0 = Monday)."""
        return self.filter(
            Exists(Schedule.objects.current().filter(circle_id=OuterRef("pk"), weekday=weekday))
        )

    def meeting_at(self, time_of_day: str) -> CircleQuerySet:
        """Circles with a current schedule starting in this time-of-day bucket (see
        TIME_OF_DAY)."""
        starts = Q()
        for start, end in TIME_OF_DAY[time_of_day][1]:
            starts |= Q(start_time__gte=start, start_time__lte=end)
        return self.filter(
            Exists(Schedule.objects.current().filter(starts, circle_id=OuterRef("pk")))
        )

    def with_access(self, features: list[str]) -> CircleQuerySet:
        return self.filter(**{feature: True for feature in features if feature in ACCESS_FEATURES})

    def matching(self, text: str) -> CircleQuerySet:
        """Free text over the name, description and topic names."""
        topic_match = Circle.topics.through.objects.filter(
            circle_id=OuterRef("pk"), topic__name__icontains=text
        )
        return self.filter(
            Q(name__icontains=text) | Q(description__icontains=text) | Exists(topic_match)
        )

    def with_next_meetup_at(self, now: dt.datetime | None = None) -> CircleQuerySet:
        """Annotate `next_meetup_at`: the start of the next scheduled meetup, or None."""
        upcoming = (
            Circle.objects.filter(
                pk=OuterRef("pk"),
                meetups__status="scheduled",
                meetups__starts_at__gt=now or timezone.now(),
            )
            .order_by("meetups__starts_at")
            .values("meetups__starts_at")[:1]
        )
        return self.annotate(next_meetup_at=models.Subquery(upcoming))

    def next_meetups(self, now: dt.datetime | None = None) -> dict[int, dict[str, object]]:
        """For each circle in this queryset, its next scheduled meetup as a dict (id,
        starts_at, venue_name), in one query. (Pages show its seats left through a seat
        mark: see meetups.seats.)"""
        rows = (
            self.filter(meetups__status="scheduled", meetups__starts_at__gt=now or timezone.now())
            .annotate(
                meetup_rank=models.Window(
                    RowNumber(), partition_by=F("pk"), order_by=F("meetups__starts_at").asc()
                )
            )
            .filter(meetup_rank=1)
            .order_by()
            .values(
                "pk",
                "meetups__pk",
                "meetups__starts_at",
                "meetups__venue__name",
            )
        )
        return {
            row["pk"]: {
                "id": row["meetups__pk"],
                "starts_at": row["meetups__starts_at"],
                "venue_name": row["meetups__venue__name"] or "",
            }
            for row in rows
        }

    def managed_by(self, user: User | None) -> CircleQuerySet:
        """Circles `user` actively facilitates: the query form of the permission
        circles.manage_circle (circles.rules)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.facilitators().filter(circle=OuterRef("pk"), user=user))
        )

    def left_without_a_host_by(self, user: User) -> CircleQuerySet:
        """Active circles that `user` may not walk away from yet: they are its only active
        facilitator and other active members remain.

        The rule: an active circle with other active members always keeps at least one
        active facilitator. Leaving, stepping down and deleting the account are refused for
        these circles until the person hands hosting over or archives the circle. A
        facilitator who is the circle's only active member may go (see `hosted_alone_by`).
        A circle taking a break (paused, or not confirmed lately) counts as much as an
        active one: its members are still in it and it needs someone to bring it back.
        """
        in_circle = {"circle": OuterRef("pk")}
        return self.not_archived().filter(
            Exists(Membership.objects.facilitators().filter(**in_circle, user=user)),
            ~Exists(Membership.objects.facilitators().filter(**in_circle).exclude(user=user)),
            Exists(Membership.objects.active().filter(**in_circle).exclude(user=user)),
        )

    def hosted_alone_by(self, user: User) -> CircleQuerySet:
        """Active circles whose only active member is `user`, as a facilitator: when they
        go, nobody is left to host, so the circle is archived. Paused circles too, as in
        `left_without_a_host_by`."""
        in_circle = {"circle": OuterRef("pk")}
        return self.not_archived().filter(
            Exists(Membership.objects.facilitators().filter(**in_circle, user=user)),
            ~Exists(Membership.objects.active().filter(**in_circle).exclude(user=user)),
        )

    def topic_names(self) -> dict[int, list[str]]:
        """For each circle in this queryset that has topics, their names in alphabetical
        order, in one query."""
        names: dict[int, list[str]] = {}
        rows = self.filter(topics__isnull=False).order_by("topics__name")
        for pk, name in rows.values_list("pk", "topics__name"):
            names.setdefault(pk, []).append(name)
        return names

    def in_browse_order(self) -> CircleQuerySet:
        """Near a place: nearest first, then the soonest next meetup (none last). Otherwise
        newest first: ordering every circle by its next meetup would mean looking up the
        meetups of all of them, which does not scale to a whole country of circles."""
        if "distance_km" in self.query.annotations:
            return self.with_next_meetup_at().order_by(
                "distance_km", F("next_meetup_at").asc(nulls_last=True), "pk"
            )
        return self.order_by("-pk")


class Circle(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: join at once")
        APPROVAL = "approval", _("Facilitators approve new members")

    class Visibility(models.TextChoices):
        LISTED = "listed", _("Listed in search")
        UNLISTED = "unlisted", _("Unlisted: only people with the link")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # Taking a break: out of browse, no new members, no meetups until it resumes.
        PAUSED = "paused", _("Paused")
        # No facilitator has said it still meets for STILL_MEETING_DAYS and no meetup is
        # ahead: out of browse until a facilitator confirms (hosting's "still meeting?").
        DORMANT = "dormant", _("Not confirmed lately")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField()
    topics = models.ManyToManyField(Topic, related_name="circles", blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    language = models.CharField(max_length=10, default="en")

    area_name = models.CharField(max_length=120, blank=True, help_text=_("e.g. Baton Rouge, LA"))
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    timezone = models.CharField(
        max_length=64, default="America/Chicago", validators=[validate_timezone]
    )
    online_url = models.URLField(
        blank=True, help_text=_("Shown only to members with a seat at a meetup.")
    )
    online_url_public = models.BooleanField(
        default=False, help_text=_("Publish the online link in open data feeds.")
    )
    # Joining by phone (circles.dial_in): shown, like the link, only to people going.
    dial_in_phone = models.CharField(
        _("dial-in number"),
        max_length=PHONE_MAX_LENGTH,
        blank=True,
        validators=[validate_dial_in_phone],
        help_text=_("A number to join the meetups by phone, shown only to people going."),
    )
    dial_in_code = models.CharField(
        _("access code"),
        max_length=CODE_MAX_LENGTH,
        blank=True,
        validators=[validate_dial_in_code],
        help_text=_("The code people key in after calling, if the number asks for one."),
    )
    dial_in_public = models.BooleanField(
        default=False, help_text=_("Publish the dial-in number and code in open data feeds.")
    )

    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    join_question = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LISTED
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # What opens an unlisted circle's page to someone not in it (circles.views): slugs
    # are made from names, so they can be guessed; this cannot. Every circle has one, so a
    # circle made unlisted later (by its facilitators or a moderator) has its link at once.
    invite_token = models.CharField(max_length=64, default=new_invite_token, editable=False)

    guidelines = models.TextField(blank=True)
    guidelines_version = models.PositiveIntegerField(default=1)

    # What the circle offers people with access needs; details in accessibility_notes.
    step_free = models.BooleanField(_("step-free venue"), default=False)
    sign_language = models.BooleanField(_("sign language"), default=False)
    fragrance_free = models.BooleanField("fragrance-free", default=False)
    hearing_support = models.BooleanField(_("hearing loop or captions"), default=False)
    accessibility_notes = models.TextField(blank=True)

    # Weekly check-in prompt, in the circle's timezone (ISO weekday: 1 = Monday).
    checkin_weekday = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    checkin_time = models.TimeField(default="18:00")
    # The check-in slot (see `Circle.schedule_checkin`): when the next prompt is due, in
    # UTC, and the ISO week (yyyyww, in the circle's zone) that prompt is for.
    checkin_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    checkin_week = models.PositiveIntegerField(null=True, blank=True, editable=False)

    # When a facilitator last said the circle still meets (set when it starts).
    confirmed_active_at = models.DateTimeField(null=True, blank=True)

    # Regulars ("I come every week", meetups.services.become_regular) hold seats at every
    # meetup but this many, kept for one-off RSVPs: past that a regular waits in line.
    seats_kept_open = models.PositiveSmallIntegerField(
        _("seats kept for people who come now and then"),
        default=2,
        validators=[MaxValueValidator(500)],  # MAX_CAPACITY, defined below
    )
    # A seat that frees less than a day before the start is offered to the first person
    # waiting for this long (meetups.services.promote_waitlist); 0: given at once.
    offer_window_minutes = models.PositiveSmallIntegerField(
        _("time to confirm a last-minute seat"),
        default=120,
        validators=[MaxValueValidator(24 * 60)],
    )

    created_at = models.DateTimeField(auto_now_add=True)

    updated_at = models.DateTimeField(auto_now=True)

    objects = CircleQuerySet.as_manager()

    class Meta:
        # Browse reads only listed circles. Both indexes hold every column the count and
        # the ordering of a page need (id, lat, lng, format), so Postgres answers those
        # from the index alone and reads full rows for the one page shown.
        indexes = [
            models.Index(
                fields=["lat", "lng", "format", "id"],
                name="circle_listed_location",
                condition=Q(status="active", visibility="listed"),
            ),
            models.Index(
                fields=["format", "id"],
                name="circle_listed_format",
                condition=Q(status="active", visibility="listed"),
            ),
            # The check-in scan (circles.notifications.prompt_due_checkins) reads only
            # active circles whose slot has come: a range read on this index, however
            # many circles there are.
            models.Index(
                fields=["checkin_due_at"],
                name="circle_checkin_due",
                condition=Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="circle_lat_in_range",
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180),
                name="circle_lng_in_range",
            ),
            models.CheckConstraint(
                condition=Q(format="online") | Q(lat__isnull=False, lng__isnull=False),
                name="circle_in_person_has_location",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Saving a new check-in day, time or zone moves the check-in slot with it."""
        update_fields = kwargs.get("update_fields")
        changed = self._checkin_setting() != getattr(self, "_checkin_as_loaded", None)
        setting_saved = update_fields is None or bool(CHECKIN_SETTING & set(update_fields))
        if (changed or self.checkin_due_at is None) and setting_saved:
            self.schedule_checkin()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "checkin_due_at", "checkin_week"}
        super().save(*args, **kwargs)
        self._checkin_as_loaded = self._checkin_setting()

    def get_absolute_url(self) -> str:
        return reverse("circles:detail", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        check_code_has_a_number(self.dial_in_phone, self.dial_in_code)

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: list[str],
        values: list[object],
        *,
        fetch_mode: object = None,
    ) -> Circle:
        """Remember the check-in setting as loaded, so `save` knows when it changed."""
        circle = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        circle._checkin_as_loaded = circle._checkin_setting()
        return circle

    def _checkin_setting(self) -> tuple[object, object, object]:
        fields = self.__dict__
        return (fields.get("checkin_weekday"), fields.get("checkin_time"), fields.get("timezone"))

    def schedule_checkin(self, after: dt.datetime | None = None) -> None:
        """Set the check-in slot to the next check-in moment strictly after `after` (now).

        The slot is an indexed UTC timestamp, `checkin_due_at`, advanced one week each time
        the prompts for a week have gone (circles.notifications), rather than a weekly
        "minute of the week" in UTC. Both let the scan find due circles with one range read
        on an index; the timestamp needs no second pass when clocks change: each next
        moment is computed from the circle's local day and time in its own zone
        (zoneinfo), so 9:00 in America/Chicago stays 9:00 there on both sides of a DST
        change (15:00 UTC in winter, 14:00 UTC in summer), with nothing to recompute for
        every circle twice a year. It also says which ISO week the prompt is for
        (`checkin_week`, yyyyww), which the prompt's key carries. A time that does not
        exist on the day the clocks spring forward (2:30) falls an hour later, as zoneinfo
        reads it.
        """
        self.checkin_due_at = next_checkin_at(
            weekday=int(self.checkin_weekday),
            at=self.checkin_local_time,
            tz=zoneinfo.ZoneInfo(self.timezone),
            after=after or timezone.now(),
        )
        self.checkin_week = iso_week_number(self.checkin_due_at.astimezone(self.tz).date())

    @property
    def checkin_local_time(self) -> dt.time:
        """The check-in time of day (a new circle's default is still the text "18:00")."""
        return _as_time(self.checkin_time)

    @property
    def is_unlisted(self) -> bool:
        return self.visibility == self.Visibility.UNLISTED

    def invite_url(self) -> str:
        """The circle's page with its invite token: the link facilitators share."""
        return f"{self.get_absolute_url()}?{urlencode({'invite': self.invite_token})}"

    def has_invite(self, invite: str) -> bool:
        """Whether `invite` is this circle's invite token (compared in constant time)."""
        return bool(invite) and secrets.compare_digest(invite.encode(), self.invite_token.encode())

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today's date where the circle meets (at `now`, by default the real now)."""
        return (now or timezone.now()).astimezone(self.tz).date()

    def meetups_made_until(self, now: dt.datetime | None = None) -> dt.date:
        """The last day its schedules' meetups are made up to: WEEKS_AHEAD from today."""
        return self.today(now) + dt.timedelta(weeks=WEEKS_AHEAD)

    def regular_seats(self, capacity: int) -> int:
        """How many of a meetup's `capacity` seats regulars may hold."""
        return max(capacity - self.seats_kept_open, 0)

    @property
    def is_online(self) -> bool:
        return self.format == self.Format.ONLINE

    @property
    def dial_in(self) -> DialIn | None:
        """The circle's number to join by phone, when it has one (never in person)."""
        if self.format == self.Format.IN_PERSON or not self.dial_in_phone:
            return None
        return DialIn(self.dial_in_phone, self.dial_in_code)

    def membership_of(self, user: User | None) -> Membership | None:
        """`user`'s membership of this circle as it is now, whatever its state; read once
        per batch of mail or feed (accounts.batch, Membership.objects.remember_for)."""
        if user is None or not user.is_authenticated:
            return None
        return batch.answer(
            membership_question(self.pk, user.pk),
            lambda: self.memberships.filter(user=user).first(),
        )

    def is_facilitator(self, user: User | None) -> bool:
        """Whether `user` actively facilitates this circle."""
        membership = self.membership_of(user)
        return membership is not None and membership.is_active_facilitator

    def is_active_member(self, user: User | None) -> bool:
        """Whether `user` belongs to this circle now (facilitators included): not pending,
        not left, not removed."""
        membership = self.membership_of(user)
        return membership is not None and membership.is_active

    def join_refusal(self, user: User, *, at_once: bool = False) -> str | None:
        """Why `user` may not join this circle, written for them; None when they may.

        Who may join: anyone with a verified email address, while the circle is active
        (not paused, not dormant, not archived), unless its facilitators removed them
        (someone who left may come back). `at_once` is joining in the same step as an
        RSVP, from a meetup page: only open circles allow that; approval circles welcome
        new members on their own page first.
        Someone already in (or already asking) is not refused: joining again changes
        nothing.
        """
        if at_once and self.join_policy != Circle.JoinPolicy.OPEN:
            return _(
                "This circle's facilitators welcome new members first. Ask to join on the "
                "circle's page; once you're in, you can RSVP."
            )
        if self.status == Circle.Status.PAUSED:
            return _(
                "This circle is taking a break, so it isn't taking new members right now. "
                "You're welcome to come back when it meets again, or to look for another circle."
            )
        if self.status == Circle.Status.DORMANT:
            return _(
                "This circle's facilitators haven't said lately that it still meets, so it "
                "isn't taking new members right now. You're welcome to look for another circle."
            )
        if self.status != Circle.Status.ACTIVE:
            return _("This circle has closed and is not taking new members.")
        if not user.has_verified_email():
            return _(
                "Please confirm your email address first: follow the link we sent you, "
                "then come back to join."
            )
        if self.memberships.filter(user=user, status=Membership.Status.REMOVED).exists():
            return _(
                "The facilitators of this circle have removed you from it, so you can't "
                "rejoin. You're welcome to look for another circle."
            )
        return None

    def facilitators(self) -> models.QuerySet:
        return self.memberships.facilitators().select_related("user")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        """Memberships of people who belong to their circle now."""
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self) -> MembershipQuerySet:
        """Requests to join an approval circle that wait for a facilitator."""
        return self.filter(status=Membership.Status.PENDING)

    def facilitators(self) -> MembershipQuerySet:
        """Active facilitators."""
        return self.active().filter(role=Membership.Role.FACILITATOR)

    def current(self) -> MembershipQuerySet:
        """People in the circle or asking to join it: what a person can leave (or
        withdraw). See Membership.CURRENT."""
        return self.filter(status__in=Membership.CURRENT)

    def regulars(self) -> MembershipQuerySet:
        """Active members who come every week (Membership.is_regular)."""
        return self.active().filter(regular_since__isnull=False)

    def remember_for(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Inside a batch (accounts.batch), read the memberships of these (circle id,
        user id) pairs in one query, so the permission rules ask nothing more about them."""
        pairs = set(pairs)
        if not pairs:
            return
        found = {
            (m.circle_id, m.user_id): m
            for m in self.filter(
                circle_id__in={c for c, _ in pairs}, user_id__in={u for _, u in pairs}
            )
        }
        for circle_id, user_id in pairs:
            batch.remember(membership_question(circle_id, user_id), found.get((circle_id, user_id)))


def membership_question(circle_id: int, user_id: int) -> tuple[str, int, int]:
    """What accounts.batch remembers a person's membership of a circle under."""
    return ("membership", circle_id, user_id)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        FACILITATOR = "facilitator", _("Facilitator")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")

    # In the circle or asking to join it: the statuses a person can leave.
    CURRENT = (Status.ACTIVE, Status.PENDING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    guidelines_version = models.PositiveIntegerField(null=True, blank=True)
    guidelines_accepted_at = models.DateTimeField(null=True, blank=True)
    join_answer = models.TextField(blank=True, max_length=1000)
    # "I come every week": since when this member holds a seat at each meetup ahead
    # (meetups.services.become_regular); empty once they stop, leave or are removed.
    regular_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "circle"], name="one_membership_per_circle"),
        ]

    def __str__(self) -> str:
        # No name and no circle: the admin's history keeps this text (LogEntry.object_repr)
        # after the row is gone, and which circle a person joined is health information.
        return f"Membership #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Belongs to the circle now (MembershipQuerySet.active)."""
        return self.status == Membership.Status.ACTIVE

    @property
    def is_active_facilitator(self) -> bool:
        """MembershipQuerySet.facilitators."""
        return self.is_active and self.role == Membership.Role.FACILITATOR

    @property
    def is_regular(self) -> bool:
        return self.regular_since is not None and self.status == self.Status.ACTIVE

    def guidelines_changed_since_accepted(self) -> bool:
        """Whether the facilitators changed the guidelines since this person accepted
        them (hosting's edit page raises the circle's version), so they are asked to read
        and accept them again. Someone who never accepted a version (rows from before
        versions were kept) is not asked here."""
        return (
            self.guidelines_version is not None
            and self.guidelines_version < self.circle.guidelines_version
        )


# What a schedule (and each meetup made from it) may be: how many seats, how long it
# lasts, and, monthly, which week of the month: the 1st to 4th or the last (-1).
MAX_CAPACITY = 500
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 8 * 60
LAST_WEEK_OF_MONTH = -1
WEEKS_OF_MONTH = (1, 2, 3, 4, LAST_WEEK_OF_MONTH)
# A schedule's meetups exist this many weeks ahead of today in the circle's zone: made
# when a circle starts, resumes or wakes, kept so by the daily extension, and what the
# manage page lists (Circle.meetups_made_until).
WEEKS_AHEAD = 8


def month_week_order(week: int | None) -> int:
    """Where a week of the month comes in the month (first … fourth, last); None first."""
    return WEEKS_OF_MONTH.index(week) + 1 if week in WEEKS_OF_MONTH else 0


# The westernmost zone on Earth (Baker Island, UTC−12): its date is the earliest it still
# is anywhere.
EARLIEST_ZONE = dt.timezone(dt.timedelta(hours=-12))


class ScheduleQuerySet(models.QuerySet["Schedule"]):
    def current(self, today: dt.date | None = None) -> ScheduleQuerySet:
        """Schedules a circle still meets by: no end date, or an end date of `today` or
        later. The one definition of "current" for everything seekers see (the circle's
        page, browse filters, the Meeting Guide feed); a schedule ended by a series change
        (its `until` the day before the new one starts) is not current.

        `today` is the date in the circle's zone: pass it for one circle's schedules
        (`circle.schedules.current(today=circle.today())`). Across circles, whose zones
        differ, the default is the earliest date it still is anywhere (UTC−12), so a
        schedule still meeting today in its own zone is never left out; one that ended
        yesterday in a zone east of UTC−12 stays current for at most another day.
        """
        if today is None:
            today = timezone.now().astimezone(EARLIEST_ZONE).date()
        return self.filter(Q(until__isnull=True) | Q(until__gte=today))


class Schedule(models.Model):
    """When a circle meets, in its own timezone; expanded into meetups with dateutil.rrule."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every other week")
        MONTHLY = "monthly", _("Monthly, on the nth weekday")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    # Python weekday: 0 = Monday … 6 = Sunday.
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    # For monthly schedules: one of WEEKS_OF_MONTH (-1: the last such weekday).
    week_of_month = models.SmallIntegerField(null=True, blank=True)
    start_time = models.TimeField(help_text=_("Local time in the circle's timezone."))
    duration_minutes = models.PositiveSmallIntegerField(
        default=90,
        validators=[
            MinValueValidator(MIN_DURATION_MINUTES),
            MaxValueValidator(MAX_DURATION_MINUTES),
        ],
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    capacity = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    starts_on = models.DateField()
    until = models.DateField(null=True, blank=True)
    # Meetups exist up to and including this date (see meetups.services.extend_schedule).
    generated_through = models.DateField(null=True, blank=True)
    # When its day, time, venue or rhythm last changed: the open data feed's `updated`.
    # (Making meetups moves `generated_through` with an update() that leaves it alone.)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["weekday", "start_time"], name="schedule_day_time")]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="schedule_weekday_valid"),
            models.CheckConstraint(
                condition=~Q(frequency="monthly") | Q(week_of_month__in=list(WEEKS_OF_MONTH)),
                name="schedule_monthly_has_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle}: {self.get_frequency_display()} {self.start_time:%H:%M}"


def _as_time(value: dt.time | str) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def next_checkin_at(
    *, weekday: int, at: dt.time, tz: zoneinfo.ZoneInfo, after: dt.datetime
) -> dt.datetime:
    """The first moment strictly after `after` that is ISO `weekday` (1 = Monday) at local
    time `at` in `tz`, in UTC. Computed on the local calendar, so the wall-clock time holds
    across DST changes."""
    local_day = after.astimezone(tz).date()
    day = local_day + dt.timedelta(days=weekday - local_day.isoweekday())
    while True:
        moment = dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.UTC)
        if moment > after:
            return moment
        day += dt.timedelta(days=7)


def iso_week_number(day: dt.date) -> int:
    """The ISO week of a date as one number, yyyyww (202649)."""
    year, week, _ = day.isocalendar()
    return year * 100 + week


MOOD_WORDS = {
    1: pgettext_lazy("mood", "really low"),
    2: pgettext_lazy("mood", "low"),
    3: pgettext_lazy("mood", "okay"),
    4: pgettext_lazy("mood", "good"),
    5: pgettext_lazy("mood", "really good"),
}
LOWEST_MOOD = 1


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def of_week(self, week: int) -> CheckInQuerySet:
        return self.filter(iso_year=week // 100, iso_week=week % 100)

    def shared_with_circle(self) -> CheckInQuerySet:
        return self.filter(visibility=CheckIn.Visibility.CIRCLE)


class CheckIn(models.Model):
    """A member's weekly check-in. Peer support: a mood and a few words, never case notes.

    The note is never scanned for crisis words. In a grief circle people write "died",
    "funeral" or "I can't go on without her" every week; a keyword alarm would fire on
    them all, teach facilitators to ignore it, and tell people their words are being
    watched, which is the opposite of a safe place to say them. What a person chooses
    says more: the lowest mood puts the crisis line beside the form, and "I'd like some
    support" tells the facilitators, because the person asked.
    """

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        FACILITATORS = "facilitators", _("Me and the facilitators")
        CIRCLE = "circle", _("My circle")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="checkins")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    mood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(blank=True, max_length=2000)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    wants_support = models.BooleanField(_("I'd like some support this week"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "circle", "iso_year", "iso_week"], name="one_checkin_per_week"
            ),
            models.CheckConstraint(
                condition=Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        # No name and no circle: the admin's history keeps this text (LogEntry.object_repr)
        # after the row is gone, and which circle a person joined is health information.
        return f"Check-in #{self.pk}"

    @property
    def week(self) -> int:
        return self.iso_year * 100 + self.iso_week

    @property
    def mood_word(self) -> str:
        return MOOD_WORDS[self.mood]


class CheckInReply(models.Model):
    """A peer's short note of support on a check-in shared with the circle ("been there
    too"). The author of the check-in hears of replies in a daily digest (`told_at`)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="replies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_replies"
    )
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    # A facilitator hid it: nobody sees it any more, and no digest mentions it.
    hidden_at = models.DateTimeField(null=True, blank=True)
    # When the check-in's author was told of it (circles.notifications.send_reply_digests).
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["checkin"], name="checkin_reply_untold", condition=Q(told_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"Reply #{self.pk}"
