"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from circles.models import Circle
from hosting import services
from hosting.forms import StartCircleForm
from meetups.models import Meetup


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


def _start_page(
    request: AuthenticatedHttpRequest, form: StartCircleForm, *, preview: bool = False
) -> HttpResponse:
    """The start page; with `preview`, the circle as a seeker will see it above the form."""
    context: dict[str, Any] = {
        "form": form,
        # Looking up the area only: the rest of the form is not judged yet.
        "show_errors": form.is_bound and form.action != "area",
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
    if preview:
        circle = form.new_circle()
        context |= {
            "preview": circle,
            "preview_topics": form.cleaned_data["topics"],
            "preview_schedules": form.new_schedules(circle),
            "preview_venue": form.chosen_venue(),
        }
    if request.htmx and form.action == "area":
        return render(request, "hosting/start.html#venue-section", context)
    status = 400 if context["show_errors"] and form.errors else 200
    return render(request, "hosting/start.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a circle: anyone signed in with a confirmed email may host. "Preview" shows
    the circle as seekers will see it and saves nothing; "Start the circle" creates it
    with its first meetups (hosting.services.host_circle) and opens its manage page."""
    if not request.user.has_verified_email():
        return render(request, "hosting/confirm_email_first.html", status=403)
    if request.method != "POST":
        return _start_page(request, StartCircleForm())
    form = StartCircleForm(request.POST)
    if not form.is_valid() or form.action != "start":
        return _start_page(request, form, preview=form.action == "preview" and not form.errors)
    described = form.new_circle()
    try:
        circle = services.host_circle(
            user=request.user,
            circle=described,
            topics=form.cleaned_data["topics"],
            schedules=form.new_schedules(described),
            venue=form.chosen_venue(),
            agreement_version=form.cleaned_data["agreement_version"],
        )
    except services.HostingError as error:
        form.add_error(None, error.message)
        return _start_page(request, form)
    messages.success(
        request,
        f"{circle.name} has started. Its meetups for the next {services.WEEKS_AHEAD} weeks "
        "are listed below; share the circle's page with people who might like to come.",
    )
    return redirect("hosting:manage", slug=circle.slug)


# Meetups


def _meetups_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {}


# The series


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
