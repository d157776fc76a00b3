"""hosting's personal data (see accounts.my_data for the contract): the facilitator
agreements a person accepted, the invitations to co-facilitate they received, their
offers to host, the requests for cover they made or answered, the messages they sent to people going
to a meetup, and the reports they filed; and the delete page's circles to hand over or
archive first (`SettleCircles`).

Never exported: reports about the person (the reported person never sees a report, or who
made it) and the action log (a record of what facilitators and moderators did, kept for
moderation; a person's own entries lose their name when the account goes).

On deletion, agreements, invitations received and offers go with the user row by
cascade (an invitation they sent loses its inviter); reports the person
filed stay for whoever reads them with the reporter removed; messages and log entries stay
with their author removed. Requests for cover stay with the meetup (whoever asked or
covered is removed), as does a circle's meeting outline (its editor removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.errors import RuleError, show_refusal
from accounts.models import User
from accounts.my_data import iso
from circles.models import Circle, Membership
from hosting import notifications, services
from hosting.models import (
    CoFacilitatorInvitation,
    CoverRequest,
    HostingAgreement,
    HostOffer,
    MeetupMessage,
    Report,
)

MODELS = [
    "hosting.CoFacilitatorInvitation",
    "hosting.CoverRequest",
    "hosting.HostingAgreement",
    "hosting.HostOffer",
    "hosting.MeetupMessage",
    "hosting.Report",
]
NOT_EXPORTED = {
    "hosting.ActionLog": (
        "What facilitators and moderators did, kept for moderation; the person's own "
        "entries lose their name when the account is deleted."
    ),
    "hosting.MeetingOutline": (
        "The circle's meeting outline belongs to the circle; it loses its editor's name "
        "when the account is deleted."
    ),
}


def export(user: User) -> dict[str, Any]:
    agreements = HostingAgreement.objects.filter(user=user).select_related("circle")
    invitations = CoFacilitatorInvitation.objects.filter(user=user).select_related("circle")
    offers = HostOffer.objects.filter(user=user).select_related("meetup__circle")
    sent = MeetupMessage.objects.filter(sender=user).select_related("meetup__circle")
    reports = Report.objects.filter(reporter=user).select_related("circle")
    covers = CoverRequest.objects.filter(Q(asked_by=user) | Q(covered_by=user)).select_related(
        "meetup__circle"
    )
    return {
        "facilitator_agreements": [
            {"circle_slug": a.circle.slug, "version": a.version, "accepted_at": iso(a.accepted_at)}
            for a in agreements.order_by("pk")
        ],
        "invitations_to_co_facilitate": [
            {
                "circle_slug": i.circle.slug,
                "status": i.status,
                "created_at": iso(i.created_at),
                "answered_at": iso(i.answered_at),
            }
            for i in invitations.order_by("pk")
        ],
        "offers_to_host": [
            {
                "meetup_id": o.meetup_id,
                "circle_slug": o.meetup.circle.slug,
                "status": o.status,
                "created_at": iso(o.created_at),
            }
            for o in offers.order_by("pk")
        ],
        "cover_requests": [
            {
                "meetup_id": c.meetup_id,
                "circle_slug": c.meetup.circle.slug,
                "asked": c.asked_by_id == user.pk,
                "covered": c.covered_by_id == user.pk,
                "status": c.status,
                "created_at": iso(c.created_at),
            }
            for c in covers.order_by("pk")
        ],
        "messages_sent": [
            {
                "meetup_id": m.meetup_id,
                "circle_slug": m.meetup.circle.slug,
                "body": m.body,
                "created_at": iso(m.created_at),
            }
            for m in sent.order_by("pk")
        ],
        "reports": [
            {
                "circle": r.circle.name,
                "circle_slug": r.circle.slug,
                "reason": r.reason,
                "about_description": r.about_description,
                "details": r.details,
                "status": r.status,
                "created_at": iso(r.created_at),
            }
            for r in reports.order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """The person's messages to the people going that have not gone out yet lose their
    name (hosting.notifications.forget_sender); see the module docstring for what stays."""
    notifications.forget_sender(user)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class HandOverForm(forms.Form):
    """Choose which active member of `circle` becomes its facilitator."""

    to_user = MemberChoiceField(
        queryset=User.objects.none(),
        label=_("Hand it over to"),
        empty_label=_("Choose a member"),
        error_messages={
            "required": _("Choose the member who will host the circle."),
            "invalid_choice": _("Choose one of the circle's active members."),
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
    """hosting's part of the delete page: each circle the person is the last host of, to
    hand over or archive before the account can go (circles.personal_data.before_delete
    refuses until then), and the circles they host alone, which are archived with it.

    Both buttons do what the manage page's do (hosting.services): a hand-over is logged
    and moves open reports about the new host to the moderators, so nobody reads a report
    about themselves; archiving calls off the upcoming meetups, telling the people going,
    and is logged."""

    actions = frozenset({"hand_over", "archive"})
    template_name = "hosting/_settle_before_delete.html"

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
                messages.success(
                    request, gettext("“{name}” is archived.").format(name=item.circle.name)
                )
                return redirect("delete_account")
            item.form = HandOverForm(request.POST, circle=item.circle, user=self.user)
            if not item.form.is_valid():
                return None
            new_host = item.form.cleaned_data["to_user"]
            # The form offers active members only; the service checks again under a lock.
            incoming = Membership.objects.filter(circle=item.circle, user=new_host).first()
            if incoming is None:
                raise services.HostingError(
                    _("You can only hand a circle over to one of its active members.")
                )
            services.hand_over(circle=item.circle, by=self.user, to=incoming)
        except RuleError as error:
            show_refusal(request, error)
            return None
        messages.success(
            request,
            gettext("{person} now hosts “{name}”. Thank you.").format(
                person=new_host.display_name, name=item.circle.name
            ),
        )
        return redirect("delete_account")


def delete_page_part(request: HttpRequest) -> SettleCircles:
    return SettleCircles(request.user)
