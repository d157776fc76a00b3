"""Forms of the browse page and of joining a circle."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.conf import global_settings, settings
from django.conf.locale import LANG_INFO
from django.utils import dates
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.places import Place, postal_code_hint, resolve_place, timezone_at
from circles import wording
from circles.cache import topic_choices
from circles.converters import MAX_ID
from circles.models import (
    ACCESS_FEATURES,
    MOOD_WORDS,
    TIME_OF_DAY,
    CheckIn,
    CheckInReply,
    Circle,
    CircleQuerySet,
    Membership,
    Topic,
)

# What a check-in's note and a reply hold (the model's limits, said in the messages).
NOTE_LIMIT = CheckIn._meta.get_field("note").max_length
REPLY_LIMIT = CheckInReply._meta.get_field("body").max_length

KM_PER_MILE = 1.609344
MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 500.0
DEFAULT_RADIUS = {"km": 25.0, "mi": 15.0}
# Where road distances are in miles.
MILES_COUNTRIES = {"US", "GB"}


def units_of(place: Place | None) -> str:
    """ "mi" or "km": the units people use where `place` is, else where the site serves."""
    country = (place.country if place is not None else "") or settings.SITE_COUNTRY
    return "mi" if country in MILES_COUNTRIES else "km"


DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DAY_CHOICES = [
    ("", _("Any day")),
    ("today", _("Today")),
    *((key, capfirst(dates.WEEKDAYS[number])) for key, number in DAYS.items()),
]


def language_name(code: str) -> str:
    """A language named in itself ("Español", "Tiếng Việt", "简体中文"), the same in every
    language of the site, so a person finds their own whatever the page is in."""
    info = LANG_INFO.get(code, {})
    return capfirst(info.get("name_local") or dict(global_settings.LANGUAGES).get(code, code))


def circle_languages() -> list[tuple[str, str]]:
    """The languages circles meet in (settings.CIRCLE_LANGUAGES), each named in itself."""
    return [(code, language_name(code)) for code in settings.CIRCLE_LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """The search's language choices: any, then each language circles meet in."""
    return [("", _("Any language")), *circle_languages()]


class ChoicesField(forms.MultipleChoiceField):
    """Several choices, where an empty one (a select's "Any topic") means no choice."""

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v]


class TopicsField(forms.ModelMultipleChoiceField):
    """A circle's topics, ticked from the list: values that cannot be a topic's id (not a
    number, or past what the database holds) are refused before the database is asked."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Topic.objects.all())
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        for pk in value or ():
            if not str(pk).isdigit() or not 0 < int(str(pk)) <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class CircleSearchForm(forms.Form):
    """What a seeker is looking for. Every field is optional; an empty form lists every
    listed circle. A place comes either from `near` (resolved offline) or from `lat`/`lng`
    (the browser's "use my location")."""

    near = forms.CharField(
        label=_("Near"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Town or city, e.g. Baton Rouge"), "autocomplete": "off"}
        ),
    )
    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)
    radius = forms.FloatField(
        label=_("Within"),
        required=False,
        widget=forms.NumberInput(
            attrs={"min": int(MIN_RADIUS_KM), "max": int(MAX_RADIUS_KM), "step": "any"}
        ),
    )
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("km", "km"), ("mi", _("miles"))], required=False
    )
    topic = ChoicesField(label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple)
    day = forms.ChoiceField(label=_("Day"), choices=DAY_CHOICES, required=False)
    time = forms.ChoiceField(
        label=_("Time of day"),
        choices=[("", _("Any time"))] + [(key, label) for key, (label, _) in TIME_OF_DAY.items()],
        required=False,
    )
    format = forms.ChoiceField(
        label=_("How it meets"),
        choices=[("", _("In person or online")), *Circle.Format.choices],
        required=False,
    )
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, required=False)
    access = ChoicesField(
        label=_("Access"),
        choices=list(ACCESS_FEATURES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    q = forms.CharField(
        label=_("Words"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. grief, parents")}),
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["topic"].choices = [(slug, gettext(name)) for slug, name in topic_choices()]
        self.place_choices: list[Place] = []

    def clean_near(self) -> str:
        return " ".join(self.cleaned_data["near"].split())

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_place(data)
        # Unchosen, distances are in the units of the place (miles in the US).
        unit = data.get("unit") or units_of(data["place"])
        data["unit"] = unit
        radius = data.get("radius")
        if radius is None:
            radius = DEFAULT_RADIUS[unit]
        radius_km = radius * KM_PER_MILE if unit == "mi" else radius
        if "radius" not in self.errors and not MIN_RADIUS_KM <= radius_km <= MAX_RADIUS_KM:
            upper = MAX_RADIUS_KM if unit == "km" else round(MAX_RADIUS_KM / KM_PER_MILE)
            self.add_error(
                "radius",
                gettext("Choose a distance from 1 to {upper} {unit}.").format(
                    upper=f"{upper:g}", unit=unit
                ),
            )
        data["radius"] = radius
        data["radius_km"] = radius_km
        return data

    def _clean_place(self, data: dict[str, Any]) -> None:
        data["place"] = None
        if "lat" in self.errors or "lng" in self.errors:
            return
        lat, lng = data.get("lat"), data.get("lng")
        if (lat is None) != (lng is None):
            self.add_error(None, _("Your location came through incomplete. Please try again."))
        elif lat is not None:
            data["place"] = Place(
                name=data.get("near") or "your location",
                lat=lat,
                lng=lng,
                timezone=timezone_at(lat, lng),
            )
        elif data.get("near"):
            places = resolve_place(data["near"])
            exact = [p for p in places if p.name.casefold() == data["near"].casefold()]
            if len(places) == 1 or len(exact) == 1:
                data["place"] = exact[0] if exact else places[0]
            elif places:
                self.place_choices = places
                self.add_error("near", _("More than one place has that name. Which one?"))
            else:
                self.add_error(
                    "near",
                    postal_code_hint(data["near"])
                    or _(
                        "We couldn't find that place. Try a town or city name, "
                        "for example “Baton Rouge” or “Portland, OR”."
                    ),
                )

    def summary(self) -> str:
        """The search in one line, shown on a narrow screen beside the "Filters" toggle:
        "Within 25 km of Baton Rouge, LA · Grief · Tuesday · Evening". Call after is_valid."""
        if self.errors:
            return _("Please check your search")
        data = self.cleaned_data
        parts: list[str] = []
        place = data["place"]
        if place is not None and self.searches_nearby():
            unit = gettext("miles") if data["unit"] == "mi" else data["unit"]
            parts.append(
                gettext("Within {radius} {unit} of {place}").format(
                    radius=f"{data['radius']:g}", unit=unit, place=place.name
                )
            )
        for name in ("topic", "day", "time", "format", "language", "access"):
            labels = dict(self.fields[name].choices)
            chosen = data[name] if isinstance(data[name], list) else [data[name]]
            parts.extend(str(labels[value]) for value in chosen if value)
        if data["q"]:
            parts.append(f"“{data['q']}”")
        return " · ".join(parts) or _("Every circle")

    def search_timezone(self) -> zoneinfo.ZoneInfo:
        """Where "today" is: the searched place, else the person's own timezone."""
        place = self.cleaned_data.get("place")
        if place is not None:
            return zoneinfo.ZoneInfo(place.timezone)
        if self.user is not None and self.user.is_authenticated:
            return self.user.tz
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def weekday(self) -> int | None:
        day = self.cleaned_data.get("day")
        if not day:
            return None
        if day == "today":
            return dt.datetime.now(self.search_timezone()).weekday()
        return DAYS[day]

    def _filtered(self, circles: CircleQuerySet) -> CircleQuerySet:
        data = self.cleaned_data
        if data["topic"]:
            circles = circles.with_topics(data["topic"])
        weekday = self.weekday()
        if weekday is not None:
            circles = circles.meeting_on(weekday)
        if data["time"]:
            circles = circles.meeting_at(data["time"])
        if data["format"]:
            circles = circles.filter(format=data["format"])
        if data["language"]:
            circles = circles.filter(language=data["language"])
        if data["access"]:
            circles = circles.with_access(data["access"])
        if data["q"]:
            circles = circles.matching(data["q"])
        return circles

    def searches_nearby(self) -> bool:
        """Whether the main results are the circles meeting within the radius of a place."""
        data = self.cleaned_data
        return data["place"] is not None and data["format"] != Circle.Format.ONLINE

    def circles(self) -> CircleQuerySet:
        """The main results, in browse order: near a place, the circles that meet within
        the radius; asked for online circles or without a place, every match."""
        data = self.cleaned_data
        circles = Circle.objects.listed()
        place = data["place"]
        if self.searches_nearby():
            circles = circles.near(place.lat, place.lng, data["radius_km"])
        return self._filtered(circles).in_browse_order()

    def online_circles(self) -> CircleQuerySet | None:
        """Near a place, online circles matching the rest of the search are shown beside
        the nearby ones (distance means nothing to them); None when that doesn't apply."""
        data = self.cleaned_data
        if data["place"] is None or data["format"]:
            return None
        return self._filtered(Circle.objects.listed().online()).in_browse_order()


class InviteForm(forms.Form):
    """The invite token an unlisted circle's link carries (`?invite=`), and its join form
    carries on as a hidden field."""

    invite = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def token(self) -> str:
        """The token given, or "" when there is none (or it cannot be one)."""
        return self.cleaned_data["invite"] if self.is_valid() else ""


class TimesZoneForm(forms.Form):
    """`?zone=circle` on an online circle's page: its meetups' times in the circle's own
    zone rather than the viewer's."""

    zone = forms.ChoiceField(choices=[("circle", "circle")], required=False)

    def wants_circles_zone(self) -> bool:
        return self.is_valid() and self.cleaned_data["zone"] == "circle"


class AcceptGuidelinesForm(forms.Form):
    """A member accepts the circle's guidelines again, after the facilitators changed them."""

    accept_guidelines = forms.BooleanField(
        label=_("I have read the new guidelines and I accept them"),
        error_messages={"required": _("Please tick that you accept the new guidelines.")},
    )


class JoinForm(InviteForm):
    accept_guidelines = forms.BooleanField(
        label=_("I have read the circle's guidelines and I accept them"),
        error_messages={"required": _("Please tick that you accept the guidelines to join.")},
    )
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=Membership._meta.get_field("join_answer").max_length,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.circle = circle
        if circle.join_policy == Circle.JoinPolicy.APPROVAL and circle.join_question:
            self.fields["answer"].label = gettext("{question} (optional)").format(
                question=circle.join_question
            )
        else:
            del self.fields["answer"]


class CheckInLinkForm(forms.Form):
    """The signed link token (`?t=`) a prompt's links carry, and the check-in form carries
    on as a hidden field (circles.checkins)."""

    t = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def token(self) -> str:
        return self.cleaned_data["t"] if self.is_valid() else ""


class CheckInForm(CheckInLinkForm):
    mood = forms.TypedChoiceField(
        label=_("How are you doing this week?"),
        choices=list(MOOD_WORDS.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the word closest to how you are this week."),
            "invalid_choice": _("Choose one of the five words."),
        },
    )
    note = forms.CharField(
        label=_("Anything you'd like to say (optional)"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea({"rows": 4, "maxlength": NOTE_LIMIT}),
        error_messages={
            "max_length": format_lazy(
                gettext_lazy("Please keep it under {most:,} characters (it has %(show_value)d)."),
                most=NOTE_LIMIT,
            )
        },
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=CheckIn.Visibility.choices,
        initial=CheckIn.Visibility.PRIVATE,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose who may see your check-in.")},
    )
    wants_support = forms.BooleanField(label=_("I'd like some support this week"), required=False)


class CheckInReplyForm(forms.Form):
    body = forms.CharField(
        label=_("A short note of support"),
        max_length=REPLY_LIMIT,
        widget=forms.Textarea({"rows": 2, "maxlength": REPLY_LIMIT}),
        error_messages={
            "required": gettext_lazy("Write a few words first."),
            "max_length": format_lazy(
                gettext_lazy("Please keep it under {most:,} characters."), most=REPLY_LIMIT
            ),
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a few words first."))
        return body


SUPPORT_NOTE_LIMIT = 1000


class SupportNoteForm(forms.Form):
    """A facilitator's private note to someone who asked for support."""

    body = forms.CharField(
        label=_("Your note"),
        max_length=SUPPORT_NOTE_LIMIT,
        widget=forms.Textarea({"rows": 5, "maxlength": SUPPORT_NOTE_LIMIT}),
        error_messages={
            "required": gettext_lazy("Write a few words first."),
            "max_length": format_lazy(
                gettext_lazy("Please keep it under {most:,} characters."),
                most=SUPPORT_NOTE_LIMIT,
            ),
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a few words first."))
        return body


class CheckInTimeForm(forms.Form):
    """When a circle's weekly check-in prompt goes out, in its own zone."""

    checkin_weekday = forms.TypedChoiceField(
        label=_("Weekly check-in day"),
        choices=wording.weekday_choices(start=1),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a day of the week.")},
    )
    checkin_time = forms.TimeField(
        label=_("Check-in time"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time such as 18:00.")},
    )
