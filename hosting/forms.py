"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

from typing import Any

from django import forms

from circles.models import Circle, Membership

# Starting a circle


# Meetups


# The series


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
