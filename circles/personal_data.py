"""circles' personal data (see accounts.my_data for the contract): memberships, check-ins
and venues added; and the circles a person must not leave without a host.

On deletion, memberships, check-ins (with the notes of support on them) and the notes of
support the person wrote go with the user row by cascade; venues they added
stay for their circles with the creator removed. A circle the person is the last host of while
other members remain blocks the deletion until it is handed over or archived (the delete
page offers both, through `SettleCircles`); a circle they host with no other member is
archived with the account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import User
from accounts.my_data import AccountDeletionBlocked, iso
from circles import services
from circles.models import CheckIn, CheckInReply, Circle, Membership, Venue

MODELS = ["circles.Membership", "circles.CheckIn", "circles.CheckInReply", "circles.Venue"]


def export(user: User) -> dict[str, Any]:
    """The person's memberships (with their join answer and guidelines accepted), their own
    check-ins (with the notes of support they received, without who wrote them: that is
    the other member's), the notes of support they wrote, and the venues they added."""
    memberships = Membership.objects.filter(user=user).select_related("circle").order_by("pk")
    checkins = (
        CheckIn.objects.filter(user=user)
        .select_related("circle")
        .prefetch_related("replies")
        .order_by("pk")
    )
    replies = CheckInReply.objects.filter(user=user).select_related("checkin__circle")
    return {
        "memberships": [
            {
                "circle": m.circle.name,
                "circle_slug": m.circle.slug,
                "role": m.role,
                "status": m.status,
                "joined_at": iso(m.created_at),
                "updated_at": iso(m.updated_at),
                "join_answer": m.join_answer,
                "guidelines_version": m.guidelines_version,
                "guidelines_accepted_at": iso(m.guidelines_accepted_at),
            }
            for m in memberships
        ],
        "checkins": [
            {
                "circle": c.circle.name,
                "circle_slug": c.circle.slug,
                "iso_year": c.iso_year,
                "iso_week": c.iso_week,
                "mood": c.mood,
                "note": c.note,
                "visibility": c.visibility,
                "wants_support": c.wants_support,
                "created_at": iso(c.created_at),
                "updated_at": iso(c.updated_at),
                "notes_of_support_received": [
                    {"note": r.body, "at": iso(r.created_at), "hidden": r.hidden_at is not None}
                    for r in c.replies.all()
                ],
            }
            for c in checkins
        ],
        "checkin_replies_written": [
            {
                "circle": r.checkin.circle.name,
                "note": r.body,
                "at": iso(r.created_at),
                "hidden_by_facilitators": r.hidden_at is not None,
            }
            for r in replies.order_by("pk")
        ],
        "venues_added": [
            {"name": v.name, "address": v.address}
            for v in Venue.objects.filter(created_by=user).order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """Refuse while the person is the last host of a circle that still has members (see
    `Circle.objects.left_without_a_host_by`); archive the circles they host alone."""
    blocking = list(Circle.objects.left_without_a_host_by(user).select_for_update())
    if blocking:
        raise AccountDeletionBlocked(
            "You are the only facilitator of a circle. Hand it over to another member or "
            "archive it first, so its members are not left without a host.",
            blocking,
        )
    services.archive_circles_hosted_alone_by(user=user)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class HandOverForm(forms.Form):
    """Choose which active member of `circle` becomes its facilitator."""

    to_user = MemberChoiceField(
        queryset=User.objects.none(),
        label="Hand it over to",
        empty_label="Choose a member",
        error_messages={
            "required": "Choose the member who will host the circle.",
            "invalid_choice": "Choose one of the circle's active members.",
        },
    )

    def __init__(self, *args: Any, circle: Circle, user: User, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"circle-{circle.pk}", **kwargs)
        self.circle = circle
        members = Membership.objects.active().filter(circle=circle)
        self.fields["to_user"].queryset = (
            User.objects.filter(pk__in=members.values("user"))
            .exclude(pk=user.pk)
            .order_by("display_name")
        )
        self.fields["to_user"].widget.attrs["id"] = f"hand-over-{circle.pk}"

    @property
    def has_members(self) -> bool:
        return self.fields["to_user"].queryset.exists()


class CircleToSettleForm(forms.Form):
    """Which of the circles waiting for a new host a hand-over or archive button is for."""

    circle = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args: Any, circles: list[Circle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = [(circle.pk, circle.name) for circle in circles]


@dataclass
class _CircleToSettle:
    circle: Circle
    form: HandOverForm


class SettleCircles:
    """circles' part of the delete page: each circle the person is the last host of, to
    hand over or archive before the account can go, and the circles they host alone,
    which are archived with it."""

    actions = frozenset({"hand_over", "archive"})
    template_name = "circles/_settle_before_delete.html"

    def __init__(self, user: User) -> None:
        self.user = user
        self.to_settle = [
            _CircleToSettle(circle=circle, form=HandOverForm(circle=circle, user=user))
            for circle in Circle.objects.left_without_a_host_by(user).order_by("name")
        ]
        self.archived_with_account = list(Circle.objects.hosted_alone_by(user).order_by("name"))

    @property
    def blocks_deletion(self) -> bool:
        return bool(self.to_settle)

    def handle(self, request: HttpRequest, action: str) -> HttpResponse | None:
        """Hand over or archive the circle the POST names; back to the page when it worked."""
        choice = CircleToSettleForm(request.POST, circles=[item.circle for item in self.to_settle])
        if not choice.is_valid():
            raise Http404("That circle doesn't need a new host.")
        item = next(i for i in self.to_settle if i.circle.pk == choice.cleaned_data["circle"])
        try:
            if action == "archive":
                services.archive_circle(circle=item.circle, by=self.user)
                messages.success(request, f"“{item.circle.name}” is archived.")
                return redirect("delete_account")
            item.form = HandOverForm(request.POST, circle=item.circle, user=self.user)
            if not item.form.is_valid():
                return None
            new_host = item.form.cleaned_data["to_user"]
            services.hand_over_circle(circle=item.circle, from_user=self.user, to_user=new_host)
        except services.CircleError as error:
            messages.error(request, error.message)
            return None
        messages.success(
            request, f"{new_host.display_name} now hosts “{item.circle.name}”. Thank you."
        )
        return redirect("delete_account")


def delete_page_part(request: HttpRequest) -> SettleCircles:
    return SettleCircles(request.user)
