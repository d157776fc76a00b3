"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from circles import wording
from circles.models import Circle
from hosting import services
from hosting.forms import CancelMeetupForm, MeetupChangeForm, SeriesChangeForm
from meetups.models import RSVP, Meetup


def _get_circle_for_facilitator(request: AuthenticatedHttpRequest, slug: str) -> Circle:
    """The circle by its slug: 404 when there is none, 403 unless the person can manage
    it (its active facilitators, and staff: Circle.can_manage)."""
    circle = get_object_or_404(Circle, slug=slug)
    if not circle.can_manage(request.user):
        raise PermissionDenied
    return circle


def _get_meetup_for_host(request: AuthenticatedHttpRequest, slug: str, pk: int) -> Meetup:
    """A meetup of the circle: 404 when there is none, 403 unless the person hosts it (the
    circle's facilitators, or this meetup's host in rotation: Meetup.can_host)."""
    meetup = get_object_or_404(
        Meetup.objects.select_related("circle", "venue"), pk=pk, circle__slug=slug
    )
    if not meetup.can_host(request.user):
        raise PermissionDenied
    return meetup


def _manage_context(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """Everything the manage page shows, one section after another; each section's
    context comes from its own function below."""
    context: dict[str, Any] = {"circle": circle}
    for section in (
        _meetups_section,
        _requests_section,
        _members_section,
        _circle_state_section,
        _reports_section,
    ):
        context |= section(request, circle)
    return context


@login_required
@require_safe
def manage(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for_facilitator(request, slug)
    return render(request, "hosting/manage.html", _manage_context(request, circle))


# Starting a circle


# Meetups

# How far ahead the manage page lists meetups.
MANAGE_WEEKS = 8


def _meetups_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """The next 8 weeks of meetups, cancelled ones included, with how many are going and
    waiting: one query, however many people RSVP."""
    now = timezone.now()
    horizon = now + dt.timedelta(weeks=MANAGE_WEEKS)
    meetups = (
        circle.meetups.filter(starts_at__gt=now, starts_at__lte=horizon)
        .select_related("venue")
        .annotate(waitlist_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)))
        .order_by("starts_at")
    )
    return {"upcoming_meetups": meetups, "manage_weeks": MANAGE_WEEKS}


def _meetup_page(
    request: AuthenticatedHttpRequest,
    meetup: Meetup,
    *,
    change_form: MeetupChangeForm | None = None,
    cancel_form: CancelMeetupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """One meetup's manage page: who is coming for its hosts; the forms to change or
    cancel it for the circle's facilitators."""
    circle = meetup.circle
    can_manage = circle.can_manage(request.user)
    rsvps = list(
        meetup.rsvps.filter(status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED])
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    context = {
        "circle": circle,
        "meetup": meetup,
        "going": [r for r in rsvps if r.status == RSVP.Status.GOING],
        "waitlist": [r for r in rsvps if r.status == RSVP.Status.WAITLISTED],
        "can_manage": can_manage,
        "can_change": can_manage and not meetup.is_cancelled and not meetup.has_started(),
    }
    if context["can_change"]:
        context |= {
            "change_form": change_form or MeetupChangeForm(meetup=meetup),
            "cancel_form": cancel_form or CancelMeetupForm(),
        }
    return render(request, "hosting/meetup.html", context, status=status)


def _get_meetup_for_facilitator(request: AuthenticatedHttpRequest, slug: str, pk: int) -> Meetup:
    """A meetup the person may change, move or cancel: its circle's facilitators only
    (`circle.can_manage`), never a host in rotation (403)."""
    meetup = _get_meetup_for_host(request, slug, pk)
    if not meetup.circle.can_manage(request.user):
        raise PermissionDenied
    return meetup


@login_required
@require_safe
def meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _meetup_page(request, _get_meetup_for_host(request, slug, pk))


@login_required
@require_POST
def change_meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meetup = _get_meetup_for_facilitator(request, slug, pk)
    form = MeetupChangeForm(request.POST, meetup=meetup)
    if not form.is_valid():
        return _meetup_page(request, meetup, change_form=form, status=400)
    data = form.cleaned_data
    try:
        changed = services.change_meetup(
            meetup=meetup,
            by=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            venue=data["venue"],
            capacity=data["capacity"],
        )
    except services.HostingError as exc:
        form.add_error(None, exc.message)
        return _meetup_page(request, meetup, change_form=form, status=400)
    if not changed:
        messages.info(request, "Nothing changed.")
    elif changed == ["capacity"]:
        messages.success(request, f"Saved: {meetup.capacity} seats.")
    else:
        messages.success(
            request, "Saved. Everyone going or on the waitlist will get an email about it."
        )
    return redirect("hosting:meetup", slug=slug, pk=pk)


@login_required
@require_POST
def cancel_meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meetup = _get_meetup_for_facilitator(request, slug, pk)
    form = CancelMeetupForm(request.POST)
    if not form.is_valid():
        return _meetup_page(request, meetup, cancel_form=form, status=400)
    try:
        services.cancel_meetup(meetup=meetup, by=request.user, message=form.cleaned_data["message"])
    except services.HostingError as exc:
        form.add_error(None, exc.message)
        return _meetup_page(request, meetup, cancel_form=form, status=400)
    messages.success(
        request, "The meetup is cancelled. Everyone going or on the waitlist will get an email."
    )
    return redirect("hosting:manage", slug=slug)


# The series


def _series_page(
    request: AuthenticatedHttpRequest,
    meetup: Meetup,
    form: SeriesChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "hosting/series.html",
        {
            "circle": meetup.circle,
            "meetup": meetup,
            "schedule": meetup.schedule,
            "form": form or SeriesChangeForm(meetup=meetup),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def series(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """ "Change this and the following meetups", from this meetup's date on (rule:
    hosting.services.change_series)."""
    meetup = _get_meetup_for_facilitator(request, slug, pk)
    if meetup.schedule is None:
        raise Http404("This meetup isn't part of a series.")
    if request.method != "POST":
        return _series_page(request, meetup)
    form = SeriesChangeForm(request.POST, meetup=meetup)
    if not form.is_valid():
        return _series_page(request, meetup, form, status=400)
    try:
        change = services.change_series(meetup=meetup, by=request.user, **form.cleaned_data)
    except services.HostingError as exc:
        form.add_error(None, exc.message)
        return _series_page(request, meetup, form, status=400)
    if change.unchanged:
        messages.info(request, "The series already meets like this: nothing changed.")
    else:
        replan = change.replan
        messages.success(
            request,
            f"From {wording.day_and_date(meetup.starts_at, meetup.circle.tz)}, "
            f"the circle meets {wording.when_it_meets(change.schedule)}. "
            f"Kept {len(replan.kept)}, moved {len(replan.moved)}, cancelled "
            f"{len(replan.cancelled)} and added {len(replan.added)} meetups; everyone "
            "affected will get an email.",
        )
    return redirect("hosting:manage", slug=slug)


# Join requests


def _requests_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}


# Members


def _members_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}


# Co-facilitators and the circle's state


def _circle_state_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}


# Rotating hosts


# Messages


# Still meeting


# Reports


def _reports_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}
