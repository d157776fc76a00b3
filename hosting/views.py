"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from circles.models import Circle
from hosting import services
from hosting.forms import MeetupReportForm, ReportForm, ResolveReportForm
from hosting.models import Report, ReportQuerySet
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

REPORT_SENT = (
    "Thank you for telling us. Your report is private: the person it is about won't see it. "
    "We've emailed you to confirm we received it."
)


def _member_who_may_report(request: AuthenticatedHttpRequest, circle: Circle) -> None:
    """Only the circle's active members report about it (403 for anyone else)."""
    if not circle.is_active_member(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_circle(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Report a concern about the circle or one of its members (`?about=<membership id>`
    picks the member in advance; the picker lists display names only)."""
    circle = get_object_or_404(Circle, slug=slug)
    _member_who_may_report(request, circle)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, circle=circle, reporter_id=request.user.pk)
        if form.is_valid():
            about = form.cleaned_data["about"]
            try:
                services.report_concern(
                    reporter=request.user,
                    circle=circle,
                    about=about.user if about else None,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except services.HostingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, REPORT_SENT)
                return redirect(circle)
        status = 400
    else:
        # An `about` that is not one of the choices (stale or forged) just selects nothing.
        form = ReportForm(
            initial={"about": request.GET.get("about", "")},
            circle=circle,
            reporter_id=request.user.pk,
        )
    return render(request, "hosting/report.html", {"circle": circle, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_meetup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Report a concern about one meetup, or (once it has started) say nobody was there."""
    meetup = get_object_or_404(Meetup.objects.select_related("circle", "venue"), pk=pk)
    circle = meetup.circle
    _member_who_may_report(request, circle)
    status = 200
    form = MeetupReportForm(initial={"kind": Report.Kind.CONCERN})
    if request.method == "POST":
        form = MeetupReportForm(request.POST)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                services.report_concern(
                    reporter=request.user,
                    circle=circle,
                    meetup=meetup,
                    kind=kind,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except services.HostingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, REPORT_SENT)
                return redirect(meetup)
        status = 400
    return render(
        request,
        "hosting/report.html",
        {
            "circle": circle,
            "meetup": meetup,
            "form": form,
            "may_say_nobody_there": (
                meetup.has_started()
                and not meetup.is_cancelled
                and not Report.objects.filter(
                    kind=Report.Kind.NOBODY_THERE, meetup=meetup, reporter=request.user
                ).exists()
            ),
        },
        status=status,
    )


def _facilitators_queue(request: AuthenticatedHttpRequest, circle: Circle) -> ReportQuerySet:
    """The reports this circle's facilitators read: routed to them, and never one about
    the person looking (someone reported as a member may have become a facilitator)."""
    return circle.reports.for_facilitators().exclude(about_user=request.user)


def _reports_section(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    failed: tuple[int, ResolveReportForm] | None = None,
) -> dict[str, Any]:
    """Open reports in the facilitators' queue, oldest first, each with its resolve form
    (`failed`: a report's form that came back with errors, shown in its place). Who sent a
    report is not shown: moderators see that in the admin."""
    reports = (
        _facilitators_queue(request, circle)
        .open()
        .select_related("about_user", "meetup")
        .order_by("created_at", "pk")
    )
    return {
        "open_reports": [
            (
                report,
                failed[1]
                if failed and failed[0] == report.pk
                else ResolveReportForm(auto_id=f"report-{report.pk}-%s"),
            )
            for report in reports
        ]
    }


@login_required
@require_POST
def resolve_report(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A facilitator resolves a report in their circle's queue with a note (logged)."""
    circle = _get_circle_for_facilitator(request, slug)
    report = get_object_or_404(_facilitators_queue(request, circle), pk=pk)
    queue_url = reverse("hosting:manage", args=[circle.slug]) + "#reports"
    if report.status == Report.Status.RESOLVED:
        messages.info(request, "This report was already resolved.")
        return redirect(queue_url)
    form = ResolveReportForm(request.POST, auto_id=f"report-{report.pk}-%s")
    if not form.is_valid():
        context = _manage_context(request, circle) | _reports_section(
            request, circle, failed=(report.pk, form)
        )
        return render(request, "hosting/manage.html", context, status=400)
    try:
        services.resolve_report(report=report, by=request.user, note=form.cleaned_data["note"])
    except services.HostingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Resolved. Your note is kept in the circle's log.")
    return redirect(queue_url)
