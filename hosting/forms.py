"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.errors import RuleError, refused_in
from accounts.geocoding import Found
from accounts.models import User
from accounts.places import Place, postal_code_hint, resolve_place
from circles import wording
from circles.dial_in import (
    CODE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    check_code_has_a_number,
    validate_dial_in_code,
    validate_dial_in_phone,
)
from circles.forms import TopicsField, circle_languages
from circles.models import (
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    WEEKS_OF_MONTH,
    Circle,
    Membership,
    Schedule,
    Venue,
    bounding_box,
    great_circle_km,
    month_week_order,
)
from circles.wording import ORDINALS, weekday_choices
from hosting import agreement as facilitator_agreement
from hosting.models import ActionLog, MeetupMessage, Report
from hosting.outline import OUTLINE_MAX_LENGTH
from hosting.services import EDITABLE_CIRCLE_FIELDS, ScheduleError, check_schedule
from meetups.models import Meetup
from meetups.services import NOTE_MAX_LENGTH

# Starting a circle

# Venues offered when starting a circle: those already known within this distance of its
# area, nearest first.
VENUES_NEAR_KM = 25
VENUES_OFFERED = 20
NEW_VENUE = "new"
# The action of the "Find this address" button (FindAddressForm).
FIND_ADDRESS = "address"

DEFAULT_GUIDELINES = _("""\
1. What is shared in the circle stays in the circle. We don't repeat names or stories.
2. No recording, photos or posts about other members.
3. Share the air: speak from your own experience, and leave room for everyone.
4. Listen without fixing; offer advice only when someone asks for it.
5. You can always pass.
6. This is peer support, not therapy: we are peers, not counsellors.
7. If someone is in crisis, we point them to the crisis line or emergency services, and \
call emergency services if anyone is in immediate danger.""")


def venues_near(lat: float, lng: float, km: float = VENUES_NEAR_KM) -> QuerySet[Venue]:
    """Venues already known within `km` of a point, nearest first (annotated distance_km)."""
    return (
        Venue.objects.filter(bounding_box(lat, lng, km))
        .annotate(distance_km=great_circle_km(lat, lng))
        .filter(distance_km__lte=km)
        .order_by("distance_km", "pk")
    )


def _limit(model: type[models.Model], field: str) -> int:
    """The most characters a model's text field holds: what its form field allows."""
    return model._meta.get_field(field).max_length


def _text(limit: int, **kwargs: Any) -> forms.CharField:
    """A text box with a limit said in words when it is passed."""
    return forms.CharField(
        max_length=limit,
        error_messages={
            "max_length": format_lazy(
                _("Please keep this under {limit} characters."), limit=f"{limit:,}"
            )
        },
        **kwargs,
    )


def _area_text(limit: int, rows: int, **kwargs: Any) -> forms.CharField:
    return _text(limit, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _dial_in_phone() -> forms.CharField:
    return _text(
        PHONE_MAX_LENGTH,
        label=_("Dial-in number (optional)"),
        required=False,
        validators=[validate_dial_in_phone],
        help_text=_(
            "For people joining by phone, e.g. +1 (555) 123-4567. Shown, like the link, only "
            "to people going."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


def _dial_in_code() -> forms.CharField:
    return _text(
        CODE_MAX_LENGTH,
        label=_("Access code (optional)"),
        required=False,
        validators=[validate_dial_in_code],
        help_text=_("The digits people key in after calling, if the number asks for them."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _clean_dial_in(form: forms.Form, data: dict[str, Any]) -> None:
    if "dial_in_code" not in form.fields or form.errors.keys() & {"dial_in_phone", "dial_in_code"}:
        return
    try:
        check_code_has_a_number(data.get("dial_in_phone", ""), data.get("dial_in_code", ""))
    except ValidationError as error:
        form.add_error(None, error)


CHOOSE_SEATS = format_lazy(gettext_lazy("Choose from 1 to {most} seats."), most=MAX_CAPACITY)
BETWEEN_SEATS = format_lazy(gettext_lazy("Between 1 and {most} seats."), most=MAX_CAPACITY)
LASTS_FROM_TO = format_lazy(
    gettext_lazy("A meetup lasts from {least} to {most} minutes."),
    least=MIN_DURATION_MINUTES,
    most=MAX_DURATION_MINUTES,
)


class AboutTheCircleForm(forms.Form):
    """What a circle says about itself, as a host writes it when starting the circle and
    changes it later: its name, description and topics."""

    name = _text(_limit(Circle, "name"), label=_("Name"))
    description = _area_text(
        5000,
        8,
        label=_("Description"),
        help_text=_("Who it is for, what a meetup is like, what to expect the first time."),
    )
    topics = TopicsField(
        label=_("Topics"),
        error_messages={"required": _("Choose at least one topic, so people can find the circle.")},
    )


class StartCircleForm(AboutTheCircleForm):
    """Everything a host says about a new circle, on one page. `action` is the button
    pressed: "start" creates the circle, "preview" shows it as a seeker will see it, and
    "area" only looks up the area and the venues near it (nothing is checked but the
    area)."""

    ACTIONS = ("start", "preview", "area", FIND_ADDRESS)

    # About the circle (the fields of AboutTheCircleForm; the name with an example)
    name = _text(_limit(Circle, "name"), label=_("Name"), help_text=_("e.g. Mid-City Grief Circle"))
    language = forms.ChoiceField(label=_("Language"), choices=circle_languages, initial="en")

    # Where
    format = forms.ChoiceField(
        label=_("How it meets"), choices=Circle.Format.choices, widget=forms.RadioSelect
    )
    area = _text(
        200,
        label=_("Area"),
        help_text=_(
            "The town or city (it sets the circle's time zone). Online circles: where "
            "the host lives."
        ),
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Baton Rouge, LA"), "autocomplete": "off"}
        ),
    )
    area_choice = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    venue = forms.ChoiceField(label=_("Venue"), required=False, widget=forms.RadioSelect)
    venue_name = _text(_limit(Venue, "name"), label=_("Name of the place"), required=False)
    venue_address = _text(_limit(Venue, "address"), label=_("Address"), required=False)
    venue_lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        error_messages={
            "min_value": _("Latitude is between -90 and 90."),
            "max_value": _("Latitude is between -90 and 90."),
        },
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    venue_lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        error_messages={
            "min_value": _("Longitude is between -180 and 180."),
            "max_value": _("Longitude is between -180 and 180."),
        },
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    venue_step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    venue_notes = _area_text(1000, 2, label=_("Getting in and around"), required=False)
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to members with a seat at a meetup."),
        error_messages={"invalid": "Enter a web link that starts with https://."},
    )
    dial_in_phone = _dial_in_phone()
    dial_in_code = _dial_in_code()

    # Who may join
    join_policy = forms.ChoiceField(
        label=_("Joining"),
        choices=Circle.JoinPolicy.choices,
        initial=Circle.JoinPolicy.OPEN,
        widget=forms.RadioSelect,
    )
    join_question = _text(
        _limit(Circle, "join_question"),
        label=_("A question for people asking to join (optional)"),
        required=False,
        help_text=_("e.g. What brings you to the circle?"),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"),
        choices=Circle.Visibility.choices,
        initial=Circle.Visibility.LISTED,
        widget=forms.RadioSelect,
    )
    guidelines = _area_text(5000, 9, label=_("Guidelines"), initial=DEFAULT_GUIDELINES)
    capacity = forms.IntegerField(
        label=_("Seats at each meetup"),
        initial=12,
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={
            "min_value": CHOOSE_SEATS,
            "max_value": CHOOSE_SEATS,
        },
    )

    # Access
    step_free = forms.BooleanField(label=_("Step-free venue"), required=False)
    sign_language = forms.BooleanField(label=_("Sign language"), required=False)
    fragrance_free = forms.BooleanField(label=_("Fragrance-free"), required=False)
    hearing_support = forms.BooleanField(label=_("Hearing loop or captions"), required=False)
    accessibility_notes = _area_text(2000, 3, label=_("Access notes"), required=False)

    # When
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (Schedule.Frequency.WEEKLY, _("Every week")),
            (Schedule.Frequency.BIWEEKLY, _("Every other week")),
            (Schedule.Frequency.MONTHLY, _("Monthly, on the weeks chosen below")),
        ],
        initial=Schedule.Frequency.WEEKLY,
        widget=forms.RadioSelect,
    )
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=weekday_choices(), coerce=int, initial=1
    )
    weeks_of_month = forms.TypedMultipleChoiceField(
        label=_("Weeks of the month (monthly)"),
        choices=[(week, capfirst(ORDINALS[week])) for week in WEEKS_OF_MONTH],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label=_("Starts at"),
        initial=dt.time(18, 30),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        initial=90,
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        error_messages={
            "min_value": LASTS_FROM_TO,
            "max_value": LASTS_FROM_TO,
        },
    )
    starts_on = forms.DateField(
        label=_("First meetup on or after"),
        required=False,
        help_text=_("Leave empty to start this week."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Last meetup by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    checkin_weekday = forms.TypedChoiceField(
        label=_("Weekly check-in day"),
        choices=weekday_choices(start=1),
        coerce=int,
        initial=1,
    )
    checkin_time = forms.TimeField(
        label=_("Check-in time"),
        initial=dt.time(18),
        widget=forms.TimeInput(attrs={"type": "time"}),
    )

    # The agreement
    agreement = forms.BooleanField(
        label=_("I have read the facilitator agreement and accept it."),
        error_messages={
            "required": _("Please read the facilitator agreement and tick that you accept it.")
        },
    )
    agreement_version = forms.CharField(
        max_length=20, initial=facilitator_agreement.VERSION, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = self.data.get("action") if self.is_bound else None
        if action is None and self.is_bound and self.data.get("area_choice"):
            action = "area"  # one of the places offered for an ambiguous area was chosen
        self.action = action if action in self.ACTIONS else "start"
        if self.action != "start":
            self.fields["agreement"].required = False
        # The area is looked up first: the venues offered depend on it.
        if self.is_bound and self.data.get("area_choice"):
            self.data = self.data.copy()
            self.data["area"] = self.data["area_choice"]
            self.data["area_choice"] = ""
        self.place_choices: list[Place] = []
        self.place, self.area_error = self._look_up_area()
        self.nearby_venues: list[Venue] = (
            list(venues_near(self.place.lat, self.place.lng)[:VENUES_OFFERED]) if self.place else []
        )
        self.fields["venue"].choices = [
            *((str(v.pk), v.name) for v in self.nearby_venues),
            (NEW_VENUE, _("A new place")),
        ]

    def _look_up_area(self) -> tuple[Place | None, str]:
        if not self.is_bound:
            return None, ""
        text = " ".join(str(self.data.get("area", "")).split())
        if not text:
            return None, ""
        places = resolve_place(text)
        exact = [p for p in places if p.name.casefold() == text.casefold()]
        if len(places) == 1 or len(exact) == 1:
            place = exact[0] if exact else places[0]
            if place.name == "your location":  # typed coordinates: keep what was typed
                place = Place(name=text, lat=place.lat, lng=place.lng, timezone=place.timezone)
            return place, ""
        if places:
            self.place_choices = places
            return None, _("More than one place has that name. Which one?")
        return None, postal_code_hint(text) or (
            _(
                "We couldn't find that place. Try a town or city name, for example "
                "“Baton Rouge” or “Portland, OR”."
            )
        )

    def clean_area(self) -> str:
        if self.area_error:
            raise forms.ValidationError(self.area_error)
        return self.place.name if self.place else self.cleaned_data["area"]

    def clean_online_url(self) -> str:
        url = self.cleaned_data["online_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Enter a web link that starts with https://.")
        return url

    def clean_agreement_version(self) -> str:
        version = self.cleaned_data["agreement_version"]
        if self.action == "start" and version != facilitator_agreement.VERSION:
            raise forms.ValidationError(
                _(
                    "The facilitator agreement has changed since this page opened: please read "
                    "it again and tick that you accept it."
                )
            )
        return version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        circle_format = data.get("format")
        if circle_format in (Circle.Format.IN_PERSON, Circle.Format.HYBRID):
            self._clean_venue(data)
        needs_link = circle_format in (Circle.Format.ONLINE, Circle.Format.HYBRID)
        if needs_link and "online_url" not in self.errors and not data.get("online_url"):
            self.add_error("online_url", _("Add the link people use to join online."))
        _clean_dial_in(self, data)
        if data.get("join_policy") != Circle.JoinPolicy.APPROVAL:
            data["join_question"] = ""
        self._clean_schedule(data)
        return data

    def _clean_venue(self, data: dict[str, Any]) -> None:
        choice = data.get("venue")
        if "venue" in self.errors:
            return
        if not choice:
            self.add_error(
                "venue",
                _("Choose where the circle meets: a place nearby, or add a new one.")
                if self.place
                else _("Choose the area first, then where in it the circle meets."),
            )
        elif choice == NEW_VENUE:
            for field, message in (
                ("venue_name", _("Name the place, e.g. the coffee shop's name.")),
                ("venue_address", _("Add the place's address.")),
                ("venue_lat", _("Add the place's position: click it on the map, or type it.")),
                ("venue_lng", _("Add the place's position: click it on the map, or type it.")),
            ):
                if field not in self.errors and data.get(field) in (None, ""):
                    self.add_error(field, message)

    def _clean_schedule(self, data: dict[str, Any]) -> None:
        if data.get("frequency") == Schedule.Frequency.MONTHLY and not data.get("weeks_of_month"):
            self.add_error("weeks_of_month", _("Choose which weeks of the month it meets."))
            return
        if self.place is None or self.errors.keys() & {
            "frequency",
            "weekday",
            "start_time",
            "duration_minutes",
            "starts_on",
            "until",
            "capacity",
        }:
            return
        # Only the timezone matters to the checks: the rest of the form may be unfinished.
        circle = Circle(timezone=self.place.timezone)
        today = circle.today()
        if data.get("starts_on") is None:
            data["starts_on"] = today
        try:
            for schedule in self.new_schedules(circle):
                check_schedule(schedule, today=today)
        except ScheduleError as error:
            self.add_error(error.field, error.message)
        except RuleError as error:
            refused_in(self, error)

    def new_circle(self) -> Circle:
        """The circle as described, unsaved (for hosting.services.host_circle, or a
        preview)."""
        data = self.cleaned_data
        online = data["format"] == Circle.Format.ONLINE
        in_person = data["format"] == Circle.Format.IN_PERSON
        return Circle(
            name=data["name"].strip(),
            description=data["description"].strip(),
            format=data["format"],
            language=data["language"],
            area_name="Online" if online else self.place.name,
            lat=None if online else self.place.lat,
            lng=None if online else self.place.lng,
            timezone=self.place.timezone,
            online_url="" if in_person else data["online_url"],
            dial_in_phone="" if in_person else data["dial_in_phone"],
            dial_in_code="" if in_person else data["dial_in_code"],
            join_policy=data["join_policy"],
            join_question=data["join_question"].strip(),
            visibility=data["visibility"],
            guidelines=data["guidelines"].strip(),
            step_free=data["step_free"],
            sign_language=data["sign_language"],
            fragrance_free=data["fragrance_free"],
            hearing_support=data["hearing_support"],
            accessibility_notes=data["accessibility_notes"].strip(),
            checkin_weekday=data["checkin_weekday"],
            checkin_time=data["checkin_time"],
        )

    def new_schedules(self, circle: Circle) -> list[Schedule]:
        """The schedule, unsaved: one row, or for a monthly rhythm one row per week chosen
        ("every 2nd and 4th Tuesday" is two rows, worded together)."""
        data = self.cleaned_data
        weeks = (
            data["weeks_of_month"] if data["frequency"] == Schedule.Frequency.MONTHLY else [None]
        )
        return [
            Schedule(
                circle=circle,
                frequency=data["frequency"],
                weekday=data["weekday"],
                week_of_month=week,
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                capacity=data["capacity"],
                starts_on=data["starts_on"],
                until=data["until"],
            )
            for week in sorted(set(weeks), key=month_week_order)
        ]

    def chosen_venue(self) -> Venue | None:
        """The venue chosen: one already known nearby, or a new one (unsaved); None for an
        online circle."""
        data = self.cleaned_data
        if data["format"] == Circle.Format.ONLINE:
            return None
        if data["venue"] == NEW_VENUE:
            return Venue(
                name=data["venue_name"].strip(),
                address=data["venue_address"].strip(),
                lat=data["venue_lat"],
                lng=data["venue_lng"],
                step_free=data["venue_step_free"],
                accessibility_notes=data["venue_notes"].strip(),
            )
        return next(v for v in self.nearby_venues if str(v.pk) == data["venue"])


# Editing a circle


class CircleEditForm(AboutTheCircleForm):
    """What a facilitator may change about a circle after it started
    (hosting.services.edit_circle holds the rules). Its format, area and time zone stay:
    changing them would move every meetup's time and place at once, which is a new
    circle. Cleaned data adds `venue` (a known venue, a new unsaved one, or None) and
    `values` (the circle's own fields)."""

    guidelines = _area_text(
        5000,
        9,
        label=_("Guidelines"),
        help_text=_("A new text asks every member to read and accept the guidelines again."),
    )
    accessibility_notes = _area_text(2000, 3, label=_("Access notes"), required=False)
    step_free = forms.BooleanField(label=_("Step-free venue"), required=False)
    sign_language = forms.BooleanField(label=_("Sign language"), required=False)
    fragrance_free = forms.BooleanField(label=_("Fragrance-free"), required=False)
    hearing_support = forms.BooleanField(label=_("Hearing loop or captions"), required=False)
    join_policy = forms.ChoiceField(
        label=_("Joining"), choices=Circle.JoinPolicy.choices, widget=forms.RadioSelect
    )
    join_question = _text(
        Circle._meta.get_field("join_question").max_length,
        label=_("A question for people asking to join (optional)"),
        required=False,
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"), choices=Circle.Visibility.choices, widget=forms.RadioSelect
    )
    venue = forms.ChoiceField(
        label=_("Where it meets"),
        required=False,
        help_text=_(
            "Everyone going to a meetup ahead gets an email saying where it moved from and to."
        ),
    )
    venue_name = _text(120, label=_("Name of the new place"), required=False)
    venue_address = _text(250, label=_("Its address"), required=False)
    venue_lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    venue_lng = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=Circle._meta.get_field("online_url").max_length,
        required=False,
        assume_scheme="https",
        help_text=_("Shown only to members with a seat at a meetup."),
        error_messages={"invalid": _("Enter a web link that starts with https://.")},
    )
    dial_in_phone = _dial_in_phone()
    dial_in_code = _dial_in_code()
    dial_in_public = forms.BooleanField(
        label=_("Publish the dial-in number and code in the open data feed for meeting finders"),
        required=False,
    )
    seats = forms.IntegerField(
        label=_("Seats at each meetup"),
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_(
            "Meetups ahead that still have the old number take the new one. More seats go "
            "to the waitlist first; fewer never remove anyone going."
        ),
        error_messages={
            "min_value": _("Choose at least %(limit_value)s seat."),
            "max_value": _("Choose at most %(limit_value)s seats."),
        },
    )

    seats_kept_open = forms.IntegerField(
        label=_("Seats kept for people who come now and then"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_(
            "Members who come every week hold a seat at each meetup, except these: past "
            "that, a regular joins the waitlist like anyone. Applies to seats taken from now on."
        ),
        error_messages={
            "min_value": _("Choose 0 or more seats."),
            "max_value": _("Choose at most %(limit_value)s seats."),
        },
    )
    offer_window_minutes = forms.TypedChoiceField(
        label=_("A seat that frees up less than a day before"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            (0, _("Goes at once to the first person waiting")),
            (30, _("Is offered to the first person waiting, who has 30 minutes to confirm")),
            (60, _("Is offered to the first person waiting, who has 1 hour to confirm")),
            (120, _("Is offered to the first person waiting, who has 2 hours to confirm")),
            (240, _("Is offered to the first person waiting, who has 4 hours to confirm")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "An offer not confirmed in time passes to the next person, and never lasts past "
            "the start. Earlier than a day before, seats always go at once."
        ),
    )

    def __init__(
        self,
        *args: Any,
        circle: Circle,
        venue: Venue | None,
        seats: int | None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                **{field: getattr(circle, field) for field in EDITABLE_CIRCLE_FIELDS},
                "topics": list(circle.topics.values_list("pk", flat=True)),
                "venue": str(venue.pk) if venue else "",
                "seats": seats,
            },
        )
        super().__init__(*args, **kwargs)
        self.circle = circle
        self.current_venue = venue
        if circle.format == Circle.Format.IN_PERSON:
            for field in ("online_url", "dial_in_phone", "dial_in_code", "dial_in_public"):
                del self.fields[field]
        if circle.format == Circle.Format.ONLINE or venue is None:
            for field in ("venue", "venue_name", "venue_address", "venue_lat", "venue_lng"):
                del self.fields[field]
        else:
            self.known_venues = {str(v.pk): v for v in venues_for(circle)}
            self.known_venues.setdefault(str(venue.pk), venue)
            self.fields["venue"].choices = [
                *((pk, v.name) for pk, v in self.known_venues.items()),
                (NEW_VENUE, _("A new place")),
            ]
        if seats is None:
            del self.fields["seats"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needs_link = "online_url" in self.fields and "online_url" not in self.errors
        if needs_link and not data.get("online_url"):
            self.add_error("online_url", _("Add the link people use to join online."))
        _clean_dial_in(self, data)
        if data.get("join_policy") != Circle.JoinPolicy.APPROVAL:
            data["join_question"] = ""
        data["venue"] = self._clean_venue(data) if "venue" in self.fields else None
        # Left out of the form (an older page still open): kept as they are.
        for field in ("seats_kept_open", "offer_window_minutes"):
            if data.get(field) is None and field not in self.errors:
                data[field] = getattr(self.circle, field)
        data["values"] = {
            field: data[field].strip() if isinstance(data.get(field), str) else data.get(field)
            for field in EDITABLE_CIRCLE_FIELDS
            if field in self.fields
        }
        return data

    def _clean_venue(self, data: dict[str, Any]) -> Venue | None:
        choice = data.get("venue")
        if choice != NEW_VENUE:
            return self.known_venues.get(choice or "", self.current_venue)
        missing = False
        for field, message in (
            ("venue_name", _("Name the place, e.g. the coffee shop's name.")),
            ("venue_address", _("Add the place's address.")),
            ("venue_lat", _("Add the place's position.")),
            ("venue_lng", _("Add the place's position.")),
        ):
            if field not in self.errors and data.get(field) in (None, ""):
                self.add_error(field, message)
                missing = True
        if missing or self.errors.keys() & {"venue_lat", "venue_lng", "venue_name"}:
            return None
        return Venue(
            name=data["venue_name"].strip(),
            address=data["venue_address"].strip(),
            lat=data["venue_lat"],
            lng=data["venue_lng"],
        )


class FindAddressForm(forms.Form):
    """The "Find this address" button beside a new venue's address (start and edit pages):
    valid only when that button was pressed, with an address to look up."""

    action = forms.ChoiceField(choices=[(FIND_ADDRESS, FIND_ADDRESS)])
    # Any text: accounts.geocoding.clean_query says what is wrong with it (too long,
    # control characters) in words, where a CharField would only fail the form.
    venue_address = forms.Field(required=False)


def with_found_address(data: QueryDict, found: Found) -> QueryDict:
    """The submitted form with the position the geocoder found, and "a new place" chosen."""
    data = data.copy()
    data["venue_lat"] = f"{found.lat:.6f}"
    data["venue_lng"] = f"{found.lng:.6f}"
    data["venue"] = NEW_VENUE
    return data


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
        label=_("Venue"),
        queryset=venues_for(circle),
        required=circle.format == Circle.Format.IN_PERSON,
        empty_label=_("Online only (no venue)"),
        error_messages={
            "required": _("Pick where it meets."),
            "invalid_choice": _("Pick one of the venues in the list."),
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

    date = forms.DateField(
        label=_("Date"), widget=TEXT_DATE, error_messages={"invalid": _("Enter a date.")}
    )
    start_time = forms.TimeField(
        label=_("Starts at (local time)"),
        widget=TEXT_TIME,
        error_messages={"invalid": _("Enter a time, like 18:30.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        error_messages={
            "invalid": gettext_lazy("Enter the length in minutes."),
            "min_value": format_lazy(
                gettext_lazy("A meetup lasts at least {least} minutes, and ends after it starts."),
                least=MIN_DURATION_MINUTES,
            ),
            "max_value": format_lazy(
                gettext_lazy("A meetup lasts at most {hours} hours ({most} minutes)."),
                hours=MAX_DURATION_MINUTES // 60,
                most=MAX_DURATION_MINUTES,
            ),
        },
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={
            "invalid": _("Enter the number of seats as a whole number."),
            "min_value": BETWEEN_SEATS,
            "max_value": BETWEEN_SEATS,
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
            self.add_error(
                "start_time", _("That time doesn't exist that day: the clocks go forward.")
            )
            return data
        meetup = self.meetup
        if (starts, minutes) == (_to_the_minute(meetup.local_start), self.initial_minutes):
            # The form shows whole minutes: the same minute is the meetup's own time.
            data["starts_at"], data["ends_at"] = meetup.starts_at, meetup.ends_at
            return data
        if starts <= timezone.now():
            self.add_error("date", _("Please pick a time in the future."))
            return data
        data["starts_at"] = starts.astimezone(dt.UTC)
        data["ends_at"] = data["starts_at"] + dt.timedelta(minutes=minutes)
        return data


class CancelMeetupForm(forms.Form):
    """Call one meetup off, with a message for the people going or waitlisted."""

    message = forms.CharField(
        label=_("A message for the people going or waitlisted (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel this meetup"),
        error_messages={"required": _("Tick the box to confirm you want to cancel this meetup.")},
    )


# The series

WEEKDAY_CHOICES = [(str(number), name) for number, name in weekday_choices()]
WEEK_OF_MONTH_CHOICES = [("", "—")] + [
    (str(number), words) for number, words in wording.WEEKS_OF_THE_MONTH.items()
]


class SeriesChangeForm(forms.Form):
    """How the series meets from the chosen meetup on: rhythm, day, local time, length,
    venue, seats."""

    frequency = forms.ChoiceField(label=_("How often"), choices=Schedule.Frequency.choices)
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAY_CHOICES, coerce=int)
    week_of_month = forms.TypedChoiceField(
        label=_("Week of the month (monthly only)"),
        choices=WEEK_OF_MONTH_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    start_time = forms.TimeField(
        label=_("Starts at (local time)"),
        widget=TEXT_TIME,
        error_messages={"invalid": _("Enter a time, like 18:30.")},
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
                self.add_error("week_of_month", _("Pick which week of the month it meets."))
        else:
            data["week_of_month"] = None
        return data


# Join requests


class JoinRequestForm(forms.Form):
    """Approve or decline one of the circle's pending requests to join."""

    membership = forms.ModelChoiceField(queryset=Membership.objects.none())
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = circle.memberships.pending().select_related(
            "user", "circle"
        )
        self.fields["membership"].error_messages["invalid_choice"] = _(
            "That request has already been answered."
        )


# Members


class MemberForm(forms.Form):
    """Something a facilitator does about one person in the circle: remove them (they may
    join again), remove and block them, unblock someone blocked, invite a member to
    co-facilitate, or hand the circle over to them."""

    ACTIONS = {
        "remove": "Remove",
        "block": _("Remove and block"),
        "unblock": "Unblock",
        "co_facilitate": _("Invite to co-facilitate"),
        "hand_over": _("Hand the circle over"),
    }

    membership = forms.ModelChoiceField(queryset=Membership.objects.none())
    action = forms.ChoiceField(choices=list(ACTIONS.items()))

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone the section lists: members and facilitators, and people blocked.
        self.fields["membership"].queryset = circle.memberships.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.REMOVED]
        ).select_related("user", "circle")
        self.fields["membership"].error_messages["invalid_choice"] = _(
            "That person is no longer in the circle."
        )


# Co-facilitators and the circle's state


class CoFacilitationAnswerForm(forms.Form):
    """The invited member's answer: accept (ticking that they accept the facilitator
    agreement shown, whose version travels with the form) or decline."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    agreement = forms.BooleanField(
        required=False, label=_("I have read the facilitator agreement and accept it.")
    )
    agreement_version = forms.CharField(
        required=False,
        max_length=20,
        initial=facilitator_agreement.VERSION,
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("answer") == "accept" and not data.get("agreement"):
            self.add_error(
                "agreement",
                _("Please read the facilitator agreement and tick that you accept it."),
            )
        return data


class WithdrawInvitationForm(forms.Form):
    """The one button that takes back an invitation to co-facilitate."""


class CircleStateForm(forms.Form):
    """Step down as a facilitator, or pause, resume or archive the circle. Archiving
    cannot be undone from the site, so it asks for a tick first."""

    action = forms.ChoiceField(
        choices=[
            ("step_down", _("Step down")),
            ("pause", _("Pause")),
            ("resume", _("Resume")),
            ("archive", _("Archive")),
        ]
    )
    confirm = forms.BooleanField(
        required=False, label=_("I understand the circle closes for good and can't be reopened")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "archive" and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm you want to close the circle."))
        return data


class NewInviteLinkForm(forms.Form):
    """A new invite link for an unlisted circle; the old one stops working, so it asks
    for a tick first."""

    confirm = forms.BooleanField(
        label=_("I understand the link shared so far stops working"),
        error_messages={"required": _("Tick the box to confirm the old link should stop working.")},
    )


# Rotating hosts


class HostOfferForm(forms.Form):
    """Offer to host a meetup, or take the offer back: the button is the whole form."""


class HostDecisionForm(forms.Form):
    """A facilitator's answer to an offer to host."""

    CONFIRM = "confirm"
    DECLINE = "decline"

    MEETUP = "meetup"

    decision = forms.ChoiceField(choices=[(CONFIRM, _("Confirm")), (DECLINE, _("Decline"))])
    # Sent from the meetup's own manage page, to go back there; else the manage page.
    back = forms.ChoiceField(choices=[(MEETUP, MEETUP)], required=False, widget=forms.HiddenInput)


class AttendanceForm(forms.Form):
    """Whether one person with a seat came. Both fields are hidden, filled in by the
    attendee list: anything but an existing person's id and "1" or "0" is a forged form."""

    user = forms.CharField(max_length=18, strip=False, validators=[RegexValidator(r"\A[0-9]+\Z")])
    attended = forms.TypedChoiceField(
        choices=[("1", _("Came")), ("0", _("Did not come"))], coerce=lambda value: value == "1"
    )

    def clean_user(self) -> User:
        person = User.objects.filter(pk=int(self.cleaned_data["user"])).first()
        if person is None:
            raise forms.ValidationError(_("No such person."))
        return person


# Messages


class MeetupMessageForm(forms.Form):
    """A host's message to the people going: plain text, shown escaped everywhere."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=_limit(MeetupMessage, "body"),
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": _limit(MeetupMessage, "body")}),
        help_text=format_lazy(
            gettext_lazy("Plain text, up to {most:,} characters. Everyone going gets it by email."),
            most=_limit(MeetupMessage, "body"),
        ),
    )


# Still meeting


class StillMeetingForm(forms.Form):
    """The one button on the "are you still meeting?" page: yes, we are."""


# Reports

# What a member can pick as the reason for a concern: short, plain, and the same words the
# readers see in their queue.
# Stored as written here (the English words), so a report reads the same to everyone
# whatever language it was sent in; each reader sees them in theirs.
REASONS = (
    gettext_noop("Someone was unkind, disrespectful or harassing"),
    gettext_noop("I'm worried about someone's safety"),
    gettext_noop("Someone broke confidentiality"),
    gettext_noop("Selling, spam or recruiting"),
    gettext_noop("It isn't peer support (advice, treatment or pressure)"),
    gettext_noop("The meetup was not as described"),
    gettext_noop("Something else"),
)
CONCERN_REASONS = [("", _("Choose one")), *((reason, _(reason)) for reason in REASONS)]


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the circle, shown by display name only (never an email)."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.display_name or _("A member")


class ReportForm(forms.Form):
    """A member's concern about their circle or a person in it: `about`, one of the people
    they may name (hosting.services.reportable_people: whom they met there, and the
    facilitators), or `someone`, a person described in words; neither for the circle as a
    whole."""

    about = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("The circle as a whole, or someone described below"),
        label=_("Who or what is it about? (people you met at its meetups, and its facilitators)"),
        error_messages={
            "invalid_choice": _("Choose someone you met at this circle's meetups, or the circle.")
        },
    )
    someone = forms.CharField(
        label=_(
            "Not in the list? Describe them: what they look like, when you saw them (optional)"
        ),
        required=False,
        max_length=Report._meta.get_field("about_description").max_length,
    )
    reason = forms.ChoiceField(label=_("What happened?"), choices=CONCERN_REASONS)
    details = forms.CharField(
        label=_("Anything else we should know (optional)"),
        required=False,
        max_length=_limit(Report, "details"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, people: QuerySet[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        about = self.fields["about"]
        assert isinstance(about, MemberChoiceField)
        about.queryset = people.select_related("user").order_by("user__display_name", "pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("about") and data.get("someone", "").strip():
            self.add_error("someone", _("Choose a name or describe the person, not both."))
        return data


class MeetupReportForm(forms.Form):
    """A member's word about one meetup: a concern, or (once it has started) that nobody
    was there."""

    kind = forms.ChoiceField(choices=Report.Kind.choices, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("What happened?"), choices=CONCERN_REASONS, required=False)
    details = forms.CharField(
        label=_("Anything else we should know (optional)"),
        required=False,
        max_length=_limit(Report, "details"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == Report.Kind.CONCERN and not data.get("reason"):
            self.add_error("reason", _("Please choose what happened."))
        return data


class ResolveReportForm(forms.Form):
    """Closing a report: a note of what was done, kept with the report and in the log."""

    note = forms.CharField(
        label=_("What did you do?"),
        max_length=_limit(Report, "resolution_note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RemoveReportedMemberForm(forms.Form):
    """A moderator takes the person a report is about out of its circle
    (hosting.services.remove_member, logged with the report)."""

    block = forms.BooleanField(label=_("Block them from joining this circle again"), required=False)
    confirm = forms.BooleanField(label=_("Yes, remove them from the circle"))


class HideCircleForm(forms.Form):
    """A moderator hides a circle (hosting.services.hide_circle); the note goes in the log."""

    note = forms.CharField(
        label=_("Why hide it?"),
        max_length=_limit(ActionLog, "note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Cover for the host


class CoverRequestForm(forms.Form):
    """Ask for cover, or take the request back: the button is the whole form."""

    ASK = "ask"
    WITHDRAW = "withdraw"

    action = forms.ChoiceField(
        choices=[(ASK, _("Ask for cover")), (WITHDRAW, _("I can host after all"))]
    )


class AcceptCoverForm(forms.Form):
    """Say yes to hosting a meetup instead: the button is the whole form."""


class SettleCoverForm(forms.Form):
    """The facilitators' choice when nobody has accepted to cover: call the meetup off
    (with a message for the people going) or let it run peer-led without a host."""

    CANCEL = "cancel"
    PEER_LED = "peer_led"

    choice = forms.ChoiceField(
        label=_("What should happen?"),
        choices=[
            (PEER_LED, _("Let it run peer-led, without a host")),
            (CANCEL, _("Cancel the meetup")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the meetup runs or is cancelled.")},
    )
    message = forms.CharField(
        label=_("If you cancel: a message for the people going or waitlisted (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
    )


# The meeting outline


class OutlineForm(forms.Form):
    """The circle's meeting outline as plain text (hosting.outline); empty brings back
    the default."""

    text = forms.CharField(
        label=_("The meeting outline"),
        required=False,
        max_length=OUTLINE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18, "maxlength": OUTLINE_MAX_LENGTH}),
        help_text=_(
            "Plain text. Start a line with # to begin a section and name it; leave a blank "
            "line between paragraphs. Leave it empty to use the default outline again."
        ),
    )
