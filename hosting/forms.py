"""Forms behind every facilitator's page and action: views read only cleaned_data."""

from __future__ import annotations

from typing import Any

from django import forms

from circles.models import Circle, Membership
from hosting.models import Report

# Starting a circle


# Meetups


# The series


# Join requests


# Members


# Co-facilitators and the circle's state


# Rotating hosts


# Messages


# Still meeting


# Reports

# What a member can pick as the reason for a concern: short, plain, and the same words the
# readers see in their queue.
REASONS = (
    "Someone was unkind, disrespectful or harassing",
    "I'm worried about someone's safety",
    "Someone broke confidentiality",
    "Selling, spam or recruiting",
    "It isn't peer support (advice, treatment or pressure)",
    "The meetup was not as described",
    "Something else",
)
CONCERN_REASONS = [("", "Choose one"), *((reason, reason) for reason in REASONS)]


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the circle, shown by display name only (never an email)."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.display_name or "A member"


class ReportForm(forms.Form):
    """A member's concern about their circle or one of its members (`about`: a membership
    id among the circle's active members other than the reporter; empty for the circle as
    a whole)."""

    about = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        empty_label="The circle as a whole",
        label="Who or what is it about?",
        error_messages={"invalid_choice": "Choose a member of this circle, or the circle."},
    )
    reason = forms.ChoiceField(label="What happened?", choices=CONCERN_REASONS)
    details = forms.CharField(
        label="Anything else we should know (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, circle: Circle, reporter_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        about = self.fields["about"]
        assert isinstance(about, MemberChoiceField)
        about.queryset = (
            circle.memberships.active()
            .exclude(user_id=reporter_id)
            .select_related("user")
            .order_by("user__display_name", "pk")
        )


class MeetupReportForm(forms.Form):
    """A member's word about one meetup: a concern, or (once it has started) that nobody
    was there."""

    kind = forms.ChoiceField(choices=Report.Kind.choices, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label="What happened?", choices=CONCERN_REASONS, required=False)
    details = forms.CharField(
        label="Anything else we should know (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == Report.Kind.CONCERN and not data.get("reason"):
            self.add_error("reason", "Please choose what happened.")
        return data


class ResolveReportForm(forms.Form):
    """Closing a report: a note of what was done, kept with the report and in the log."""

    note = forms.CharField(
        label="What did you do?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideCircleForm(forms.Form):
    """A moderator hides a circle (hosting.services.hide_circle); the note goes in the log."""

    note = forms.CharField(
        label="Why hide it?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
