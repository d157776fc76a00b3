"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from circles import wording
from circles.models import Circle, Membership, Schedule, Venue, bounding_box, great_circle_km
from meetups.models import Meetup
from meetups.services import MAX_CAPACITY, NOTE_MAX_LENGTH

# Starting a circle


# Meetups

# Venues offered for a meetup: the circle's own, and any known within this distance.
NEARBY_VENUE_KM = 15
TEXT_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def venues_for(circle: Circle) -> QuerySet[Venue]:
    """The venues a facilitator may pick for this circle's meetups: those its schedules or
    meetups already use, and any known venue within NEARBY_VENUE_KM of its area."""
    known = Q(Exists(Schedule.objects.filter(circle=circle, venue=OuterRef("pk")))) | Q(
        Exists(Meetup.objects.filter(circle=circle, venue=OuterRef("pk")))
    )
    if circle.lat is None or circle.lng is None:
        return Venue.objects.filter(known).order_by("name", "pk")
    nearby = bounding_box(circle.lat, circle.lng, NEARBY_VENUE_KM) & Q(
        distance_km__lte=NEARBY_VENUE_KM
    )
    return (
        Venue.objects.annotate(distance_km=great_circle_km(circle.lat, circle.lng))
        .filter(known | nearby)
        .order_by("name", "pk")
    )


def _venue_field(circle: Circle) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=venues_for(circle),
        required=circle.format == Circle.Format.IN_PERSON,
        empty_label="Online only (no venue)",
        error_messages={
            "required": "Pick where it meets.",
            "invalid_choice": "Pick one of the venues in the list.",
        },
    )


def local_moment(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """`day` at `time` on the wall clock in `tz`, or None when that time does not exist
    there (the hour skipped when clocks go forward)."""
    moment = dt.datetime.combine(day, time, tzinfo=tz)
    if moment.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment


def _to_the_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


class MeetupChangeForm(forms.Form):
    """One meetup's date, local start time, length, venue and seats. Cleaned data adds
    `starts_at` and `ends_at` (aware, in the circle's zone)."""

    date = forms.DateField(widget=TEXT_DATE, error_messages={"invalid": "Enter a date."})
    start_time = forms.TimeField(
        label="Starts at (local time)",
        widget=TEXT_TIME,
        error_messages={"invalid": "Enter a time, like 18:30."},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=480,
        error_messages={
            "invalid": "Enter the length in minutes.",
            "min_value": "A meetup lasts at least 15 minutes, and ends after it starts.",
            "max_value": "A meetup lasts at most 8 hours (480 minutes).",
        },
    )
    capacity = forms.IntegerField(
        label="Seats",
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={
            "invalid": "Enter the number of seats as a whole number.",
            "min_value": f"Between 1 and {MAX_CAPACITY} seats.",
            "max_value": f"Between 1 and {MAX_CAPACITY} seats.",
        },
    )

    def __init__(self, *args: Any, meetup: Meetup, **kwargs: Any) -> None:
        local = _to_the_minute(meetup.local_start)
        self.initial_minutes = int((meetup.ends_at - meetup.starts_at).total_seconds() // 60)
        kwargs.setdefault(
            "initial",
            {
                "date": local.date(),
                "start_time": local.time(),
                "duration_minutes": self.initial_minutes,
                "venue": meetup.venue_id,
                "capacity": meetup.capacity,
            },
        )
        super().__init__(*args, **kwargs)
        self.meetup = meetup
        self.fields["venue"] = _venue_field(meetup.circle)
        self.order_fields(["date", "start_time", "duration_minutes", "venue", "capacity"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, time, minutes = data.get("date"), data.get("start_time"), data.get("duration_minutes")
        if day is None or time is None or minutes is None:
            return data
        starts = local_moment(day, time, self.meetup.circle.tz)
        if starts is None:
            self.add_error("start_time", "That time doesn't exist that day: the clocks go forward.")
            return data
        meetup = self.meetup
        if (starts, minutes) == (_to_the_minute(meetup.local_start), self.initial_minutes):
            # The form shows whole minutes: the same minute is the meetup's own time.
            data["starts_at"], data["ends_at"] = meetup.starts_at, meetup.ends_at
            return data
        if starts <= timezone.now():
            self.add_error("date", "Please pick a time in the future.")
            return data
        data["starts_at"] = starts.astimezone(dt.UTC)
        data["ends_at"] = data["starts_at"] + dt.timedelta(minutes=minutes)
        return data


class CancelMeetupForm(forms.Form):
    """Call one meetup off, with a message for the people going or waitlisted."""

    message = forms.CharField(
        label="A message for the people going or waitlisted (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
    )
    confirm = forms.BooleanField(
        label="Yes, cancel this meetup",
        error_messages={"required": "Tick the box to confirm you want to cancel this meetup."},
    )


# The series

WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(wording.WEEKDAYS)]
WEEK_OF_MONTH_CHOICES = [("", "—")] + [
    (str(number), f"{word.capitalize()} week") for number, word in wording.ORDINALS.items()
]


class SeriesChangeForm(forms.Form):
    """How the series meets from the chosen meetup on: rhythm, day, local time, length,
    venue, seats."""

    frequency = forms.ChoiceField(label="How often", choices=Schedule.Frequency.choices)
    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAY_CHOICES, coerce=int)
    week_of_month = forms.TypedChoiceField(
        label="Week of the month (monthly only)",
        choices=WEEK_OF_MONTH_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    start_time = forms.TimeField(
        label="Starts at (local time)",
        widget=TEXT_TIME,
        error_messages={"invalid": "Enter a time, like 18:30."},
    )
    duration_minutes = MeetupChangeForm.base_fields["duration_minutes"]
    capacity = MeetupChangeForm.base_fields["capacity"]

    def __init__(self, *args: Any, meetup: Meetup, **kwargs: Any) -> None:
        schedule = meetup.schedule
        if schedule is not None:
            kwargs.setdefault(
                "initial",
                {
                    "frequency": schedule.frequency,
                    "weekday": schedule.weekday,
                    "week_of_month": schedule.week_of_month,
                    "start_time": schedule.start_time,
                    "duration_minutes": schedule.duration_minutes,
                    "venue": schedule.venue_id,
                    "capacity": schedule.capacity,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["venue"] = _venue_field(meetup.circle)
        self.order_fields(
            [
                "frequency",
                "weekday",
                "week_of_month",
                "start_time",
                "duration_minutes",
                "venue",
                "capacity",
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("frequency") == Schedule.Frequency.MONTHLY:
            if data.get("week_of_month") is None:
                self.add_error("week_of_month", "Pick which week of the month it meets.")
        else:
            data["week_of_month"] = None
        return data


# Join requests


class JoinRequestForm(forms.Form):
    """Approve or decline one of the circle's pending requests to join."""

    membership = forms.ModelChoiceField(queryset=Membership.objects.none())
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = circle.memberships.pending().select_related(
            "user", "circle"
        )
        self.fields["membership"].error_messages["invalid_choice"] = (
            "That request has already been answered."
        )


# Members


class MemberForm(forms.Form):
    """Something a facilitator does about one person in the circle: remove them (they may
    join again), remove and block them, unblock someone blocked, make a member a
    co-facilitator, or hand the circle over to them."""

    ACTIONS = {
        "remove": "Remove",
        "block": "Remove and block",
        "unblock": "Unblock",
        "co_facilitate": "Make co-facilitator",
        "hand_over": "Hand the circle over",
    }

    membership = forms.ModelChoiceField(queryset=Membership.objects.none())
    action = forms.ChoiceField(choices=list(ACTIONS.items()))

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone the section lists: members and facilitators, and people blocked.
        self.fields["membership"].queryset = circle.memberships.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.REMOVED]
        ).select_related("user", "circle")
        self.fields["membership"].error_messages["invalid_choice"] = (
            "That person is no longer in the circle."
        )


# Co-facilitators and the circle's state


class CircleStateForm(forms.Form):
    """Step down as a facilitator, or pause, resume or archive the circle. Archiving
    cannot be undone from the site, so it asks for a tick first."""

    action = forms.ChoiceField(
        choices=[
            ("step_down", "Step down"),
            ("pause", "Pause"),
            ("resume", "Resume"),
            ("archive", "Archive"),
        ]
    )
    confirm = forms.BooleanField(
        required=False, label="I understand the circle closes for good and can't be reopened"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "archive" and not data.get("confirm"):
            self.add_error("confirm", "Tick the box to confirm you want to close the circle.")
        return data


# Rotating hosts


class HostOfferForm(forms.Form):
    """Offer to host a meetup, or take the offer back: the button is the whole form."""


class HostDecisionForm(forms.Form):
    """A facilitator's answer to an offer to host."""

    CONFIRM = "confirm"
    DECLINE = "decline"

    decision = forms.ChoiceField(choices=[(CONFIRM, "Confirm"), (DECLINE, "Decline")])


# Messages


class MeetupMessageForm(forms.Form):
    """A host's message to the people going: plain text, shown escaped everywhere."""

    body = forms.CharField(
        label="Your message",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        help_text="Plain text, up to 2,000 characters. Everyone going gets it by email.",
    )


# Still meeting


class StillMeetingForm(forms.Form):
    """The one button on the "are you still meeting?" page: yes, we are."""


# Reports
