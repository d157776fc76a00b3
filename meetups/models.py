"""Meetups of a circle and who is coming.

Capacity is a rule of the database: `going_count` (the number of `going` RSVPs) is changed
only by F() updates made while holding the meetup's row lock (see meetups.services). It
exceeds `capacity` only after a facilitator lowered the capacity, which never removes
anyone already going; `seats_left` is then 0 until enough people cancel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import batch
from circles.cache import bump_browse_version
from circles.dial_in import (
    CODE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    DialIn,
    check_code_has_a_number,
    validate_dial_in_code,
    validate_dial_in_phone,
)
from circles.models import MAX_CAPACITY, Circle, Schedule, Venue

# What a calendar entry shows of a meetup: RFC 5545 asks for SEQUENCE to rise when any of
# them changes, so calendars replace the entry they hold.
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue_id", "status")


class MeetupQuerySet(models.QuerySet["Meetup"]):
    def scheduled(self) -> MeetupQuerySet:
        return self.filter(status=Meetup.Status.SCHEDULED)

    def upcoming(self, now: dt.datetime | None = None) -> MeetupQuerySet:
        return self.scheduled().filter(starts_at__gt=now or timezone.now()).order_by("starts_at")


class Meetup(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetups")
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetups"
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetups"
    )
    online_url = models.URLField(blank=True, help_text=_("Overrides the circle's online link."))
    # The number and code go together: a meetup with its own number uses its own code.
    dial_in_phone = models.CharField(
        _("dial-in number"),
        max_length=PHONE_MAX_LENGTH,
        blank=True,
        validators=[validate_dial_in_phone],
        help_text=_("Overrides the circle's dial-in number (with this code)."),
    )
    dial_in_code = models.CharField(
        _("access code"),
        max_length=CODE_MAX_LENGTH,
        blank=True,
        validators=[validate_dial_in_code],
    )
    starts_at = models.DateTimeField(help_text=_("Stored in UTC."))
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    going_count = models.PositiveSmallIntegerField(default=0)
    # Seats offered to someone waiting, held for them until they confirm or the offer
    # lapses (meetups.services.promote_waitlist): not free for anyone else meanwhile.
    seats_offered = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(max_length=300, blank=True)
    # A member confirmed as this meetup's host in rotation (hosting); empty: the facilitators.
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetups_hosted",
    )
    # Raised on every change people should see in their calendars (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Moves close together make one email (meetups.services.move_meetup): when the email
    # about the latest burst of moves goes out, and the time and place it says the meetup
    # was at, the last ones people were told of.
    move_notice_at = models.DateTimeField(null=True, blank=True)
    move_notice_was_starts_at = models.DateTimeField(null=True, blank=True)
    move_notice_was_venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetupQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["circle", "starts_at"], name="meetup_circle_start"),
            models.Index(fields=["starts_at"], name="meetup_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meetup_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["schedule", "starts_at"], name="one_meetup_per_schedule_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle} on {self.local_start:%a %d %b %Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, raising `sequence` once when the time, the venue or the status differs from
        what is stored: however the change is made (the admin, a shell), calendars then
        replace their entry and reminders are due again (their keys carry the sequence).
        Services change these with update() and raise it themselves, so they never pass
        here and it rises once."""
        update_fields = kwargs.get("update_fields")
        raised = self._calendar_entry_changed(update_fields)
        if raised:
            self.sequence = F("sequence") + 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sequence"}
        super().save(*args, **kwargs)
        if raised:
            self.refresh_from_db(fields=["sequence"])
        # Browse results show upcoming meetups and their seats left, so any saved change
        # (a service, the admin, a management command) makes cached browse pages stale.
        bump_browse_version()

    def get_absolute_url(self) -> str:
        return reverse("meetups:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        check_code_has_a_number(self.dial_in_phone, self.dial_in_code)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        bump_browse_version()
        return deleted

    def _calendar_entry_changed(self, update_fields: Iterable[str] | None) -> bool:
        """Whether saving would change what calendars show (CALENDAR_FIELDS) of a stored
        meetup."""
        if self._state.adding or self.pk is None:
            return False
        if update_fields is not None and not {*CALENDAR_FIELDS, "venue"} & set(update_fields):
            return False
        stored = Meetup.objects.filter(pk=self.pk).values(*CALENDAR_FIELDS).first()
        return stored is not None and any(
            stored[name] != getattr(self, name) for name in CALENDAR_FIELDS
        )

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.circle.tz)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.going_count - self.seats_offered, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    @property
    def meeting_link(self) -> str:
        return self.online_url or self.circle.online_url

    @property
    def dial_in(self) -> DialIn | None:
        """The number and code to join by phone: the meetup's own, else the circle's."""
        if self.dial_in_phone:
            return DialIn(self.dial_in_phone, self.dial_in_code)
        return self.circle.dial_in


class RSVP(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # Waitlist order: the moment the person (last) asked for a seat.
    requested_at = models.DateTimeField(default=timezone.now)
    # Taken for a regular ("I come every week"): counts against the seats regulars may hold.
    regular = models.BooleanField(default=False)
    # A last-minute seat offered to this person on the waitlist, held for them until then.
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meetup", "user"], name="one_rsvp_per_person"),
        ]
        indexes = [
            models.Index(fields=["meetup", "status", "requested_at"], name="rsvp_queue"),
            # The scan for offers that lapsed (meetups.services.pass_on_lapsed_offers).
            models.Index(
                fields=["offer_expires_at"],
                name="rsvp_open_offer",
                condition=Q(offer_expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        # No name and no circle: the admin's history keeps this text (LogEntry.object_repr)
        # after the row is gone, and which circle a person joined is health information.
        return f"RSVP #{self.pk}"

    def has_open_offer(self, now: dt.datetime | None = None) -> bool:
        """A seat is offered to this person and can still be confirmed."""
        return (
            self.status == self.Status.WAITLISTED
            and self.offer_expires_at is not None
            and self.offer_expires_at > (now or timezone.now())
        )

    @property
    def holds_a_seat(self) -> bool:
        return self.status == RSVP.Status.GOING


def holds_a_seat(meetup: Meetup, user_id: int) -> bool:
    """Whether the person holds a seat at `meetup` now; read once per batch of mail or
    feed (accounts.batch, remember_seats)."""
    return batch.answer(
        seat_question(meetup.pk, user_id),
        lambda: RSVP.objects.filter(
            meetup=meetup, user_id=user_id, status=RSVP.Status.GOING
        ).exists(),
    )


def remember_seats(rsvps: Iterable[RSVP]) -> None:
    """Inside a batch, what these RSVPs (just read) say about their people's seats."""
    for rsvp in rsvps:
        batch.remember(seat_question(rsvp.meetup_id, rsvp.user_id), rsvp.holds_a_seat)


def seat_question(meetup_id: int, user_id: int) -> tuple[str, int, int]:
    """What accounts.batch remembers whether a person holds a seat at a meetup under."""
    return ("seat", meetup_id, user_id)
