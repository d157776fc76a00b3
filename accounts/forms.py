"""Forms for signing up, for a person's own settings and for deleting the account.

Signup extends allauth's form through `ACCOUNT_FORMS["signup"]` (in allauth 65 that is
the way to add fields next to `ACCOUNT_SIGNUP_FIELDS`; `ACCOUNT_SIGNUP_FORM_CLASS` only
mixes a plain form in). The profile fields are written by `AccountAdapter.save_user`, so
a new account is saved once, complete.
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.places import MAX_INPUT_LENGTH, Place, postal_code_hint, resolve_place

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length
TOO_SHORT = _("Please use at least {count} characters.")
# Right-to-left overrides and isolates can make a name read as something else.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


# Zones people live in; leaves out legacy aliases such as "US/Central" or "localtime".
_TIMEZONE_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def timezone_choices(current: str = "") -> list[tuple[str, str]]:
    """IANA zones to choose from, plus `current` when it is a valid zone not in the list."""
    names = {n for n in zoneinfo.available_timezones() if n.startswith(_TIMEZONE_REGIONS)}
    names.add("UTC")
    if current in zoneinfo.available_timezones():
        names.add(current)
    return [(name, name.replace("_", " ")) for name in sorted(names)]


def home_place_text(place: Place) -> str:
    """What to store as someone's home place: the town's name, or the coordinates when they
    shared their location, so the text resolves to the same place when the form is saved
    again."""
    if place.name == "your location":
        return f"{place.lat:.4f}, {place.lng:.4f}"
    return place.name


class DisplayNameField(forms.CharField):
    """What everyone else sees: 2–40 characters, no control characters, no email address."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Display name"))
        kwargs.setdefault(
            "help_text",
            _(
                "Shown to others instead of your email. A first name, a nickname or a pseudonym "
                "is welcome."
            ),
        )
        super().__init__(
            min_length=DISPLAY_NAME_MIN,
            max_length=DISPLAY_NAME_MAX,
            strip=True,
            error_messages={
                "required": _("Please choose a display name. A nickname is fine."),
                "min_length": format_lazy(TOO_SHORT, count=DISPLAY_NAME_MIN),
                "max_length": format_lazy(
                    _("Please keep it to {count} characters or fewer."), count=DISPLAY_NAME_MAX
                ),
            },
            **kwargs,
        )
        self.widget.attrs.update({"autocomplete": "nickname"})

    def clean(self, value: object) -> str:
        name = " ".join(str(super().clean(value)).split())
        if any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in name):
            raise forms.ValidationError(_("Please use letters, numbers and punctuation only."))
        if "@" in name:
            raise forms.ValidationError(
                _("Everyone can see your display name, so please don't use an email address.")
            )
        if len(name) < DISPLAY_NAME_MIN:
            raise forms.ValidationError(format_lazy(TOO_SHORT, count=DISPLAY_NAME_MIN))
        return name


class PlaceInput(forms.TextInput):
    """A text box for a town; after an ambiguous answer it also offers the matching places
    as radio buttons, and a place picked there wins over the text."""

    template_name = "accounts/widgets/place_input.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places: list[Place] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(f"{name}_choice") or super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["places"] = self.places
        return context


class PlaceField(forms.CharField):
    """A town typed in words (or "lat,lng"), resolved offline. Cleans to a Place or None."""

    # The place already saved, kept as it is when its text comes back unchanged (it may
    # have been saved before the gazetteer changed, or by an admin).
    current: Place | None = None

    widget = PlaceInput

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            max_length=MAX_INPUT_LENGTH,
            error_messages={"max_length": _("That is too long for a place name.")},
            **kwargs,
        )
        self.widget.attrs.update({"autocomplete": "address-level2"})

    def clean(self, value: object) -> Place | None:
        text = super().clean(value)
        if not text:
            return None
        if self.current is not None and text == self.current.name:
            return self.current
        places = resolve_place(text)
        if not places:
            raise forms.ValidationError(
                postal_code_hint(text)
                or _(
                    "We couldn't find that place. Try a nearby town, like “Baton Rouge” or "
                    "“Lafayette, LA”."
                )
            )
        if len(places) > 1:
            self.widget.places = places
            raise forms.ValidationError(
                _("There is more than one place called that. Choose the one you mean.")
            )
        return places[0]


class SignupForm(AllauthSignupForm):
    display_name = DisplayNameField()
    home_place = PlaceField(
        label=_("Home town (optional)"),
        help_text=_("Used to find circles near you and to show times in your time zone."),
    )
    health_data_consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please tick this box to create an account.")},
    )

    field_order = [
        "display_name",
        "email",
        "password1",
        "password2",
        "home_place",
        "health_data_consent",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["health_data_consent"].label = format_html(
            gettext(
                "Which circles I join can say something about my health. I agree that the "
                'site stores this to run my account, as described in the <a href="{}">'
                "privacy note</a>."
            ),
            reverse("privacy"),
        )

    def apply_profile(self, user: User) -> None:
        """Copy display name, home place, time zone and the consent record onto a new user."""
        user.display_name = self.cleaned_data["display_name"]
        place: Place | None = self.cleaned_data.get("home_place")
        if place is not None:
            user.home_place = home_place_text(place)
            user.home_lat = place.lat
            user.home_lng = place.lng
            user.timezone = place.timezone
        else:
            user.timezone = settings.TIME_ZONE
        user.health_data_consent_at = timezone.now()
        user.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION


class SettingsForm(forms.ModelForm):
    """A person's own profile and preferences. Choosing a new home town also moves the time
    zone to that town's, unless the time zone was changed in the same form."""

    display_name = DisplayNameField()
    home_place = PlaceField(
        label=_("Home town"),
        help_text=_("Optional. Used to find circles near you. Leave empty to remove it."),
    )
    timezone = forms.TypedChoiceField(
        label=_("Time zone"),
        choices=(),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
        help_text=_("Meetup times in emails and your calendar are shown in this zone."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "home_place",
            "timezone",
            "remind_24h",
            "remind_2h",
            "weekly_checkin",
            "facilitator_alerts",
            "calendar_shows_circle_name",
            "emails_show_circle_name",
            "neutral_titles",
        ]
        widgets = {"facilitator_alerts": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        self.fields["timezone"].choices = timezone_choices(person.timezone)
        # Left out of a post (a form from before the choice existed): kept as it is.
        self.fields["facilitator_alerts"].required = False
        if person.home_place and person.home_lat is not None and person.home_lng is not None:
            self.fields["home_place"].current = Place(
                name=person.home_place,
                lat=person.home_lat,
                lng=person.home_lng,
                timezone=person.timezone,
            )

    def clean_facilitator_alerts(self) -> str:
        return self.cleaned_data["facilitator_alerts"] or self.instance.facilitator_alerts

    def clean(self) -> dict:
        cleaned = super().clean()
        if "home_place" in cleaned:
            place: Place | None = cleaned["home_place"]
            cleaned["home_place"] = home_place_text(place) if place else ""
            self.instance.home_lat = place.lat if place else None
            self.instance.home_lng = place.lng if place else None
            moved = "home_place" in self.changed_data and "timezone" not in self.changed_data
            if place is not None and moved:
                cleaned["timezone"] = place.timezone
        return cleaned


class DeletePageActionForm(forms.Form):
    """Which button of the delete page was pressed: "delete", or an action of a provider's
    part of the page (e.g. handing a circle over)."""

    action = forms.ChoiceField()

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action, action) for action in actions]


class DeleteAccountForm(forms.Form):
    """The current password, checked under allauth's "reauthenticate" rate limit so the
    page cannot be used to guess it."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please type your password to confirm.")},
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError(_("Too many tries. Please wait a minute and try again."))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password isn't right. Nothing has been deleted."))
        return password


class GoingBackForm(forms.Form):
    """A button that then sends the person on to where they were going (`next`, kept only
    when it is a path on this site: anything else, even a bare word `redirect` would read
    as a view's name, sends them home)."""

    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_next(self) -> str:
        target: str = self.cleaned_data["next"]
        safe = url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        )
        return target if target.startswith("/") and safe else ""


class ConsentForm(GoingBackForm):
    """Accepting the privacy note, then on to where the person was going."""


class LanguageForm(GoingBackForm):
    """The footer's language switcher: one of the site's languages, then back to the page
    it was on. The footer names no page (it is part of pages cached for everyone, and a
    page's address could carry what nobody else should see), so without `next` the page is
    the one the browser says it came from (Referer, sent to this site alone:
    SECURE_REFERRER_POLICY), when that is this site."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_next(self) -> str:
        if not self.cleaned_data["next"]:
            came_from = urlsplit(self.request.headers.get("Referer", ""))
            if came_from.netloc == self.request.get_host():
                self.cleaned_data["next"] = urlunsplit(
                    ("", "", came_from.path or "/", came_from.query, "")
                )
        return super().clean_next()
