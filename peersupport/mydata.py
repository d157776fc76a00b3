"""A person's own data: download all of it, or delete the account and everything in it.

It lives in `peersupport` because it spans every app (accounts may not import circles or
meetups).

What the export holds: the profile (display name, email, home place and coordinates, time
zone, reminder and calendar preferences, dates joined and last logged in), every email
address with its verified/primary state, the consent record (when, which privacy note
version), memberships, RSVPs, check-ins, reports the person filed, venues they added, and
the emails sent to them (key, kind, when). It leaves out the password hash and the
calendar feed token: they are keys to the account, not facts about the person, and a
downloaded file is easily shared. It never holds anyone else's data: no other members,
no attendee lists.

What deletion does, in one transaction: every upcoming seat or waitlist place is given up
through `meetups.services.cancel_rsvp`, so the seat goes to the next person waiting; then
the user row is deleted, and with it (by cascade) memberships, RSVPs, check-ins, email
addresses and the record of emails sent. Reports the person filed stay for the moderators
with the reporter removed, and venues they added stay for their circles with the creator
removed. Nothing about the person is kept in anonymized form. Deletion is refused while
the person is the last active facilitator of an active circle: its members would be left
with nobody to host; they first hand it over to another member or archive it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Notification, User
from circles import services as circle_services
from circles.models import CheckIn, Circle, Membership, Report, Venue
from meetups import services as meetup_services
from meetups.models import RSVP, Meetup


class AccountDeletionBlocked(Exception):
    """The account cannot be deleted yet; `message` says why and `circles` which circles."""

    def __init__(self, message: str, circles: list[Circle]) -> None:
        super().__init__(message)
        self.message = message
        self.circles = circles


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def collect_my_data(*, user: User) -> dict[str, Any]:
    """Everything the site holds about `user`, as plain JSON-ready data."""
    memberships = Membership.objects.filter(user=user).select_related("circle").order_by("pk")
    rsvps = RSVP.objects.filter(user=user).select_related("meetup__circle").order_by("pk")
    checkins = CheckIn.objects.filter(user=user).select_related("circle").order_by("pk")
    reports = Report.objects.filter(reporter=user).select_related("circle").order_by("pk")
    return {
        "exported_at": _iso(timezone.now()),
        "profile": {
            "display_name": user.display_name,
            "email": user.email,
            "home_place": user.home_place,
            "home_lat": user.home_lat,
            "home_lng": user.home_lng,
            "timezone": user.timezone,
            "remind_24h": user.remind_24h,
            "remind_2h": user.remind_2h,
            "weekly_checkin": user.weekly_checkin,
            "calendar_shows_circle_name": user.calendar_shows_circle_name,
            "calendar_feed_on": bool(user.calendar_token),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "consent": {
            "health_data_consent_at": _iso(user.health_data_consent_at),
            "privacy_notice_version": user.privacy_notice_version,
        },
        "memberships": [
            {
                "circle": m.circle.name,
                "circle_slug": m.circle.slug,
                "role": m.role,
                "status": m.status,
                "joined_at": _iso(m.created_at),
                "updated_at": _iso(m.updated_at),
                "join_answer": m.join_answer,
                "guidelines_version": m.guidelines_version,
                "guidelines_accepted_at": _iso(m.guidelines_accepted_at),
            }
            for m in memberships
        ],
        "rsvps": [
            {
                "meetup_id": r.meetup_id,
                "circle": r.meetup.circle.name,
                "circle_slug": r.meetup.circle.slug,
                "starts_at": _iso(r.meetup.starts_at),
                "status": r.status,
                "attended": r.attended,
                "requested_at": _iso(r.requested_at),
                "created_at": _iso(r.created_at),
            }
            for r in rsvps
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
                "created_at": _iso(c.created_at),
            }
            for c in checkins
        ],
        "reports": [
            {
                "circle": r.circle.name,
                "circle_slug": r.circle.slug,
                "reason": r.reason,
                "details": r.details,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in reports
        ],
        "venues_added": [
            {"name": v.name, "address": v.address}
            for v in Venue.objects.filter(created_by=user).order_by("pk")
        ],
        "notifications": [
            {
                "key": n.key,
                "kind": n.kind,
                "created_at": _iso(n.created_at),
                "sent_at": _iso(n.sent_at),
            }
            for n in Notification.objects.filter(user=user).order_by("pk")
        ],
    }


def circles_needing_a_host(*, user: User) -> QuerySet[Circle]:
    """Circles `user` cannot walk away from yet (see CircleQuerySet.left_without_a_host_by)."""
    return Circle.objects.left_without_a_host_by(user).order_by("name")


@transaction.atomic
def delete_user_account(*, user: User) -> None:
    """Delete the account and everything in it (see the module docstring for what stays).

    Refused while the person is the last active facilitator of an active circle. Upcoming
    seats and waitlist places are given up first so the next person waiting gets the seat.
    """
    blocking = list(circles_needing_a_host(user=user).select_for_update())
    if blocking:
        raise AccountDeletionBlocked(
            "You are the only facilitator of a circle. Hand it over to another member or "
            "archive it first, so its members are not left without a host.",
            blocking,
        )
    upcoming = Meetup.objects.upcoming().filter(
        rsvps__user=user, rsvps__status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
    )
    for meetup in upcoming:
        try:
            meetup_services.cancel_rsvp(user=user, meetup=meetup)
        except meetup_services.RSVPError:
            # It started a moment ago: its seats are no longer anyone else's to take.
            continue
    user.delete()


class DeleteAccountForm(forms.Form):
    """The current password, checked under allauth's "reauthenticate" rate limit so the
    page cannot be used to guess it."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Please type your password to confirm."},
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            raise forms.ValidationError("Too many tries. Please wait a minute and try again.")
        if not self.user.check_password(password):
            raise forms.ValidationError("That password isn't right. Nothing has been deleted.")
        return password


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
        members = Membership.objects.filter(circle=circle, status=Membership.Status.ACTIVE)
        self.fields["to_user"].queryset = (
            User.objects.filter(pk__in=members.values("user"))
            .exclude(pk=user.pk)
            .order_by("display_name")
        )
        self.fields["to_user"].widget.attrs["id"] = f"hand-over-{circle.pk}"

    @property
    def has_members(self) -> bool:
        return self.fields["to_user"].queryset.exists()


@dataclass
class _CircleToSettle:
    circle: Circle
    form: HandOverForm


@login_required
@never_cache
def export_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = collect_my_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _settle_circle(request: AuthenticatedHttpRequest, to_settle: list[_CircleToSettle]) -> bool:
    """Hand over or archive the circle named in the POST. True when it worked."""
    by_pk = {str(item.circle.pk): item for item in to_settle}
    item = by_pk.get(request.POST.get("circle", ""))
    if item is None:
        raise Http404("That circle doesn't need a new host.")
    user = request.user
    try:
        if request.POST.get("action") == "archive":
            circle_services.archive_circle(circle=item.circle, by=user)
            messages.success(request, f"“{item.circle.name}” is archived.")
            return True
        item.form = HandOverForm(request.POST, circle=item.circle, user=user)
        if not item.form.is_valid():
            return False
        new_host = item.form.cleaned_data["to_user"]
        circle_services.hand_over_circle(circle=item.circle, from_user=user, to_user=new_host)
        messages.success(
            request, f"{new_host.display_name} now hosts “{item.circle.name}”. Thank you."
        )
        return True
    except circle_services.CircleError as error:
        messages.error(request, error.message)
        return False


@login_required
@never_cache
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    to_settle = [
        _CircleToSettle(circle=circle, form=HandOverForm(circle=circle, user=user))
        for circle in circles_needing_a_host(user=user)
    ]
    form = DeleteAccountForm(request=request, user=user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in {"hand_over", "archive"}:
            if _settle_circle(request, to_settle):
                return redirect("delete_account")
        elif action == "delete":
            form = DeleteAccountForm(request.POST, request=request, user=user)
            if form.is_valid():
                try:
                    delete_user_account(user=user)
                except AccountDeletionBlocked as blocked:
                    messages.error(request, blocked.message)
                else:
                    logout(request)
                    messages.success(request, "Your account and everything in it has been deleted.")
                    return redirect("home")
        else:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "to_settle": to_settle},
    )
