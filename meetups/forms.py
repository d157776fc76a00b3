"""The forms behind a member's POSTs on a meetup: asking for a seat and giving it up.
The hosts' controls (seats, cancelling, attendance) are on the meetup's manage page, served
by hosting. Views read only `cleaned_data`; the rules themselves stay in meetups.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MY_MEETUPS = "my-meetups"
HOME = "home"


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
            choices=[(MY_MEETUPS, _("My meetups")), (HOME, _("Home"))],
            required=False,
            widget=forms.HiddenInput,
        )

    def back_to(self) -> str:
        """The page the button was on: MY_MEETUPS, HOME, or "" for the meetup's own."""
        return self.cleaned_data["from"] if self.is_valid() else ""


CIRCLE_PAGE = "circle"
MY_CIRCLES = "my-circles"


class EveryWeekForm(forms.Form):
    """Start or stop coming every week. `from` names the page the button was on (the
    circle's page or "My circles"), to go back to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.ChoiceField(
            choices=[(CIRCLE_PAGE, _("The circle's page")), (MY_CIRCLES, _("My circles"))],
            required=False,
            widget=forms.HiddenInput,
        )

    def back_to(self) -> str:
        """The page the button was on: MY_CIRCLES, or CIRCLE_PAGE for anything else."""
        return (self.cleaned_data["from"] if self.is_valid() else "") or CIRCLE_PAGE


class ClaimSeatForm(forms.Form):
    """Take the last-minute seat offered to me: the button on the meetup's page (the
    offer's email links there; the link itself changes nothing)."""
