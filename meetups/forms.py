"""The forms behind every POST on a meetup: asking for a seat, giving it up, and the
facilitators' controls. Views read only `cleaned_data`; the rules themselves stay in
meetups.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User

MY_MEETUPS = "my-meetups"


class RSVPForm(forms.Form):
    """Ask for a seat; `join` (a hidden field of the meetup page's join form) joins an
    open circle in the same step, with its guidelines accepted."""

    join = forms.BooleanField(required=False, widget=forms.HiddenInput)
    accept_guidelines = forms.BooleanField(required=False)


class CancelRSVPForm(forms.Form):
    """Give up a seat or a waitlist place. `from` names the page the button was on, to go
    back to it; anything else goes back to the meetup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        self.fields["from"] = forms.ChoiceField(
            choices=[(MY_MEETUPS, _("My meetups"))], required=False, widget=forms.HiddenInput
        )

    def back_to_my_meetups(self) -> bool:
        return self.is_valid() and self.cleaned_data["from"] == MY_MEETUPS


class CapacityForm(forms.Form):
    """How many seats. The allowed range is a rule of meetups.services.set_capacity."""

    capacity = forms.IntegerField(
        error_messages={
            "required": _("Please enter the number of seats as a whole number."),
            "invalid": _("Please enter the number of seats as a whole number."),
        }
    )


class CancelMeetupForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": _("Tick the box to confirm you want to cancel this meetup.")}
    )


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
