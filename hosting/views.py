"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from circles.models import Circle, Membership
from hosting import services
from hosting.forms import CircleStateForm, JoinRequestForm, MemberForm
from meetups import services as meetups_services
from meetups.models import Meetup
from meetups.services import MeetupError


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


def _meetups_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}


# The series


# Join requests


def _requests_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """Each request waiting for an answer, oldest first, with the person's display name
    and their answer to the join question: one query however many there are."""
    return {
        "join_requests": list(
            circle.memberships.pending().select_related("user").order_by("created_at", "pk")
        )
    }


def _manage_url(circle: Circle, section: str) -> str:
    return f"{reverse('hosting:manage', args=[circle.slug])}#{section}"


@login_required
@require_POST
def answer_request(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for_facilitator(request, slug)
    form = JoinRequestForm(request.POST, circle=circle)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "requests"))
    membership = form.cleaned_data["membership"]
    name = membership.user.display_name
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve_request(membership=membership, by=request.user)
            messages.success(request, f"{name} is a member now. We've emailed them.")
        else:
            services.decline_request(membership=membership, by=request.user)
            messages.success(request, f"You declined {name}'s request. We've let them know.")
    except services.HostingError as error:
        messages.error(request, error.message)
    return redirect(_manage_url(circle, "requests"))


def _first_error(form: forms.Form) -> str:
    """The form's first error, as one sentence for a message at the top of the page (the
    section's buttons carry no visible fields to show it beside)."""
    return next(iter(form.errors.values()))[0]


# Members


def _members_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """Everyone in the circle, facilitators first, by display name (never an email), and
    the people blocked from rejoining: two queries however many there are."""
    people = circle.memberships.filter(
        status__in=[Membership.Status.ACTIVE, Membership.Status.REMOVED]
    ).select_related("user")
    members = sorted(
        (m for m in people if m.status == Membership.Status.ACTIVE),
        key=lambda m: (m.role != Membership.Role.FACILITATOR, m.user.display_name.casefold()),
    )
    return {
        "members": members,
        "blocked": [m for m in people if m.status == Membership.Status.REMOVED],
        # Handing over is a facilitator's own step (a moderator who is not one cannot).
        "viewer_facilitates": any(
            m.user_id == request.user.pk and m.role == Membership.Role.FACILITATOR for m in members
        ),
    }


MEMBER_DONE = {
    "remove": "{name} is no longer in the circle. They may join again.",
    "block": "{name} is no longer in the circle and can't rejoin it.",
    "unblock": "{name} may join the circle again.",
    "co_facilitate": "{name} co-facilitates the circle now.",
    "hand_over": "{name} hosts the circle now; you stay on as a member.",
}


@login_required
@require_POST
def member_action(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for_facilitator(request, slug)
    form = MemberForm(request.POST, circle=circle)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "members"))
    membership = form.cleaned_data["membership"]
    action = form.cleaned_data["action"]
    by = request.user
    try:
        if action in ("remove", "block"):
            services.remove_member(membership=membership, by=by, block=action == "block")
        elif action == "unblock":
            services.unblock_member(membership=membership, by=by)
        elif action == "co_facilitate":
            services.make_co_facilitator(membership=membership, by=by)
        else:
            services.hand_over(circle=circle, by=by, to=membership)
    except services.HostingError as error:
        messages.error(request, error.message)
        return redirect(_manage_url(circle, "members"))
    messages.success(request, MEMBER_DONE[action].format(name=membership.user.display_name))
    if not circle.can_manage(by):
        return redirect(circle)
    return redirect(_manage_url(circle, "members"))


@require_POST
@login_required
def leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member leaves a circle (or withdraws their request), giving up their seats at its
    upcoming meetups (meetups.services.leave_circle). Served here, above meetups and
    circles, because leaving changes both; the public URL is the circle's own."""
    circle = get_object_or_404(Circle.objects.not_archived(), slug=slug)
    try:
        meetups_services.leave_circle(user=request.user, circle=circle)
    except MeetupError as error:
        messages.error(request, error.message)
        return redirect(circle)
    circle.refresh_from_db(fields=["status"])
    if circle.status == Circle.Status.ARCHIVED:
        messages.success(
            request,
            f"You have left {circle.name}. Nobody else was in it, so the circle is now closed.",
        )
        return redirect("home")
    messages.success(request, f"You have left {circle.name}. You're welcome back any time.")
    return redirect(circle)


# Co-facilitators and the circle's state


def _circle_state_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {
        "state_form": CircleStateForm(),
        "viewer_is_facilitator": circle.is_facilitator(request.user),
    }


STATE_DONE = {
    "step_down": "You've stepped down. You're still a member of {name}.",
    "pause": (
        "{name} is taking a break. Its upcoming meetups are called off and the people "
        "going have been told."
    ),
    "resume": "{name} is meeting again. Its next meetups are on the calendar.",
    "archive": (
        "{name} has closed. Its upcoming meetups are called off and the people going "
        "have been told."
    ),
}


@login_required
@require_POST
def circle_state(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for_facilitator(request, slug)
    form = CircleStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "circle-state"))
    action = form.cleaned_data["action"]
    by = request.user
    change = {
        "step_down": services.step_down,
        "pause": services.pause_circle,
        "resume": services.resume_circle,
        "archive": services.archive_circle,
    }[action]
    try:
        change(circle=circle, by=by)
    except services.HostingError as error:
        messages.error(request, error.message)
        return redirect(_manage_url(circle, "circle-state"))
    messages.success(request, STATE_DONE[action].format(name=circle.name))
    if not circle.can_manage(by):
        return redirect(circle)
    return redirect(_manage_url(circle, "circle-state"))


# Rotating hosts


# Messages


# Still meeting


# Reports


def _reports_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}
