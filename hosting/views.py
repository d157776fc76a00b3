"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from circles.models import Circle
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
