"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

from django import forms

# Starting a circle


# Meetups


# The series


# Join requests


# Members


# Co-facilitators and the circle's state


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
