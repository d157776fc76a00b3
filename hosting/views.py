"""The facilitator's pages: start a circle at /circles/new/, and run it at
/circles/<slug>/manage/. Views parse a form, call hosting.services and render; every action
works as a plain form post (redirect and a message), htmx swaps a section in place where it
helps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import geocoding
from accounts.errors import RuleError, refused, refused_in, show_refusal
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.ratelimits import allows, rate_limited
from circles import services as circle_services
from circles import wording
from circles.forms import CheckInTimeForm
from circles.models import Circle, Membership
from hosting import notifications, services
from hosting.attendance import attendance_chart
from hosting.forms import (
    FIND_ADDRESS,
    AcceptCoverForm,
    AttendanceForm,
    CancelMeetupForm,
    CircleEditForm,
    CircleStateForm,
    CoFacilitationAnswerForm,
    CoverRequestForm,
    FindAddressForm,
    HostDecisionForm,
    HostOfferForm,
    JoinRequestForm,
    MeetupChangeForm,
    MeetupMessageForm,
    MeetupReportForm,
    MemberForm,
    NewInviteLinkForm,
    OutlineForm,
    ReportForm,
    ResolveReportForm,
    SeriesChangeForm,
    SettleCoverForm,
    StartCircleForm,
    StillMeetingForm,
    WithdrawInvitationForm,
    with_found_address,
)
from hosting.models import (
    CoFacilitatorInvitation,
    CoverRequest,
    HostOffer,
    Report,
    ReportQuerySet,
)
from hosting.outline import sections
from meetups.models import RSVP, Meetup


def _get_circle_for(
    request: AuthenticatedHttpRequest, slug: str, perm: str = "circles.manage_circle"
) -> Circle:
    """The circle by its slug: 404 when there is none or the person may not see it
    (circles.see_circle), 403 unless they hold `perm` on it."""
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    if not request.user.has_perm(perm, circle):
        raise PermissionDenied
    return circle


def _get_meetup_for(
    request: AuthenticatedHttpRequest, slug: str, pk: int, perm: str = "meetups.host_meetup"
) -> Meetup:
    """A meetup of the circle: 404 when there is none or the person may not see it
    (meetups.see_meetup), 403 unless they hold `perm` on it: meetups.host_meetup to see
    who is coming, message them and mark attendance; meetups.manage_meetup to move or
    call it off."""
    meetup = get_object_or_404(
        Meetup.objects.select_related("circle", "venue"), pk=pk, circle__slug=slug
    )
    if not request.user.has_perm("meetups.see_meetup", meetup):
        raise Http404("No such meetup.")
    if not request.user.has_perm(perm, meetup):
        raise PermissionDenied
    return meetup


def _manage_context(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """Everything the manage page shows, one section after another; each section's
    context comes from its own function below."""
    context: dict[str, Any] = {
        "circle": circle,
        # The link that opens an unlisted circle to people not in it, to share.
        "invite_link": (
            request.build_absolute_uri(circle.invite_url()) if circle.is_unlisted else ""
        ),
    }
    for section in (
        _meetups_section,
        _requests_section,
        _members_section,
        _circle_state_section,
        _checkin_time_section,
        _reports_section,
        _rotation_section,
        _attendance_section,
    ):
        context |= section(request, circle)
    return context


def _attendance_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """How many were going and came at each of the last past meetups (hosting.attendance)."""
    return {"attendance": attendance_chart(circle)}


@login_required
@require_safe
def manage(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for(request, slug)
    return render(request, "hosting/manage.html", _manage_context(request, circle))


# Editing the circle


def _edit_page(
    request: AuthenticatedHttpRequest,
    circle: Circle,
    form: CircleEditForm,
    status: int = 200,
    *,
    address: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {"circle": circle, "form": form, "address": address} | _map_settings()
    return render(request, "hosting/edit.html", context, status=status)


def _map_settings() -> dict[str, Any]:
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "GEOCODER_ON": geocoding.is_on(),
    }


def _find_address(
    request: AuthenticatedHttpRequest, lookup: FindAddressForm
) -> tuple[QueryDict, dict[str, Any]]:
    """The "Find this address" button of a new venue: the form as submitted, with the
    position found filled in, and what to tell the person (the place found, to check on
    the map before saving, or why nothing was found). Nothing is saved. Each press may
    ask an outside service, so it counts toward the person's "geocode" rate limit."""
    if not allows(request, "geocode"):
        return request.POST, {
            "error": gettext(
                "You have looked up many addresses in a short time. Please wait a minute, "
                "or click the place on the map."
            )
        }
    try:
        found = geocoding.find_address(lookup.cleaned_data["venue_address"])
    except geocoding.GeocodingError as error:
        return request.POST, {"error": error.message}
    return with_found_address(request.POST, found), {"found": found}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_circle(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Change what the circle says, who may join and find it, where it meets and its
    seats (rules: hosting.services.edit_circle). Its facilitators only."""
    circle = _get_circle_for(request, slug)
    venue, seats = services.circle_venue(circle), services.default_seats(circle)
    if request.method != "POST":
        return _edit_page(request, circle, CircleEditForm(circle=circle, venue=venue, seats=seats))
    lookup = FindAddressForm(request.POST)
    if lookup.is_valid():
        data, address = _find_address(request, lookup)
        form = CircleEditForm(data, circle=circle, venue=venue, seats=seats)
        return _edit_page(request, circle, form, address=address)
    form = CircleEditForm(request.POST, circle=circle, venue=venue, seats=seats)
    if not form.is_valid():
        return _edit_page(request, circle, form, status=400)
    data = form.cleaned_data
    try:
        edit = services.edit_circle(
            circle=circle,
            by=request.user,
            values=data["values"],
            topics=data["topics"],
            venue=data["venue"],
            seats=data.get("seats"),
        )
    except RuleError as error:
        refused_in(form, error)
        return _edit_page(request, circle, form, status=400)
    if not edit.changed:
        messages.info(request, gettext("Nothing changed."))
        return redirect("hosting:edit_circle", slug=circle.slug)
    notice = gettext("Saved.")
    if "guidelines" in edit.changed:
        notice += " " + gettext("Members will be asked to accept the new guidelines.")
    if edit.meetups_moved:
        notice += " " + ngettext(
            "%(count)d meetup moved to the new place; everyone going will get an email.",
            "%(count)d meetups moved to the new place; everyone going will get an email.",
            edit.meetups_moved,
        ) % {"count": edit.meetups_moved}
    messages.success(request, notice)
    return redirect("hosting:manage", slug=circle.slug)


# Starting a circle


def _start_page(
    request: AuthenticatedHttpRequest,
    form: StartCircleForm,
    *,
    preview: bool = False,
    address: dict[str, Any] | None = None,
) -> HttpResponse:
    """The start page; with `preview`, the circle as a seeker will see it above the form;
    with `address`, what "Find this address" found."""
    context: dict[str, Any] = {
        "form": form,
        # Looking up the area or an address only: the rest of the form is not judged yet.
        "show_errors": form.is_bound and form.action not in ("area", FIND_ADDRESS),
        "address": address,
        **_map_settings(),
    }
    if preview:
        circle = form.new_circle()
        context |= {
            "preview": circle,
            "preview_topics": form.cleaned_data["topics"],
            "preview_schedules": form.new_schedules(circle),
            "preview_venue": form.chosen_venue(),
        }
    if request.htmx and form.action in ("area", FIND_ADDRESS):
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
    lookup = FindAddressForm(request.POST)
    if lookup.is_valid():
        data, address = _find_address(request, lookup)
        return _start_page(request, StartCircleForm(data), address=address)
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
    except RuleError as error:
        refused_in(form, error)
        return _start_page(request, form)
    messages.success(
        request,
        gettext(
            "{name} has started. Its meetups for the next {weeks} weeks are listed below; "
            "share the circle's page with people who might like to come."
        ).format(name=circle.name, weeks=services.WEEKS_AHEAD),
    )
    return redirect("hosting:manage", slug=circle.slug)


# Meetups


def _meetups_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """The meetups made so far (WEEKS_AHEAD weeks ahead), cancelled ones included, with
    how many are going and waiting: one query, however many people RSVP."""
    now = timezone.now()
    horizon = now + dt.timedelta(weeks=services.WEEKS_AHEAD)
    meetups = (
        circle.meetups.filter(starts_at__gt=now, starts_at__lte=horizon)
        .select_related("venue")
        .annotate(waitlist_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)))
        .order_by("starts_at")
    )
    return {"upcoming_meetups": meetups, "manage_weeks": services.WEEKS_AHEAD}


def _meetup_page(
    request: AuthenticatedHttpRequest,
    meetup: Meetup,
    *,
    change_form: MeetupChangeForm | None = None,
    cancel_form: CancelMeetupForm | None = None,
    message_form: MeetupMessageForm | None = None,
    settle_form: SettleCoverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """One meetup's manage page, the one place its hosts act on it: who is coming and,
    from the start, who came; a message to the people going; for the circle's
    facilitators also the host in rotation, a new time, place or number of seats, and
    calling it off with a message. The public meetup page links here."""
    circle = meetup.circle
    can_manage = request.user.has_perm("meetups.manage_meetup", meetup)
    rsvps = list(
        meetup.rsvps.filter(status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED])
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    over = timezone.now() >= meetup.ends_at
    context = {
        "circle": circle,
        "meetup": meetup,
        "going": [r for r in rsvps if r.status == RSVP.Status.GOING],
        "waitlist": [r for r in rsvps if r.status == RSVP.Status.WAITLISTED],
        "can_manage": can_manage,
        "can_change": can_manage and not meetup.is_cancelled and not meetup.has_started(),
        "can_mark_attendance": meetup.has_started() and not meetup.is_cancelled,
        # The rule is hosting.services.message_people_going's; this only hides the box.
        "can_message": not meetup.is_cancelled and not over,
        "message_form": message_form or MeetupMessageForm(),
        "message_going_count": notifications.people_going(meetup, sender=request.user).count(),
        "sent_messages": meetup.messages.select_related("sender").order_by("-created_at")[:10],
        "limits": services.MESSAGE_LIMITS,
    }
    if can_manage:
        context["host_offers"] = list(
            meetup.host_offers.filter(
                status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED]
            )
            .select_related("user")
            .order_by("created_at", "pk")
        )
    if context["can_change"]:
        context |= {
            "change_form": change_form or MeetupChangeForm(meetup=meetup),
            "cancel_form": cancel_form or CancelMeetupForm(),
        }
    context |= _cover_section(request, meetup, can_manage=can_manage, settle_form=settle_form)
    outline_text, context["outline_is_default"] = services.outline_of(circle)
    context["outline"] = sections(outline_text)
    return render(request, "hosting/meetup.html", context, status=status)


def _cover_section(
    request: AuthenticatedHttpRequest,
    meetup: Meetup,
    *,
    can_manage: bool,
    settle_form: SettleCoverForm | None,
) -> dict[str, Any]:
    """The meetup's latest request for cover and what this host may do about it: ask
    (hosting.ask_for_cover; the rule for who asks when a member hosts in rotation is the
    service's, this only hides the button), take the request back, or, for the
    facilitators, settle one nobody has accepted."""
    cover = (
        meetup.cover_requests.select_related("covered_by", "asked_by")
        .order_by("-created_at", "-pk")
        .first()
    )
    ahead = not meetup.is_cancelled and not meetup.has_started()
    is_open = cover is not None and cover.status == CoverRequest.Status.OPEN
    may_ask = (
        ahead
        and not is_open
        and request.user.has_perm("hosting.ask_for_cover", meetup)
        and meetup.host_id in (None, request.user.pk)
    )
    context: dict[str, Any] = {
        "cover": cover,
        "cover_is_open": is_open,
        "may_ask_for_cover": may_ask,
        "may_withdraw_cover": ahead and is_open and cover.asked_by_id == request.user.pk,
        # A facilitator who covers hosts as the facilitators do (Meetup.host stays empty).
        "covering_facilitator": (
            cover.covered_by
            if cover is not None
            and cover.status == CoverRequest.Status.COVERED
            and meetup.host_id is None
            and meetup.circle.is_facilitator(cover.covered_by)
            else None
        ),
        "cover_deadline_hours": settings.COVER_REQUEST_DEADLINE_HOURS,
    }
    if can_manage and ahead and is_open:
        context["settle_form"] = settle_form or SettleCoverForm()
    return context


@login_required
@require_safe
def meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    return _meetup_page(request, _get_meetup_for(request, slug, pk))


@login_required
@require_POST
def change_meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meetup = _get_meetup_for(request, slug, pk, "meetups.manage_meetup")
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
    except RuleError as exc:
        refused_in(form, exc)
        return _meetup_page(request, meetup, change_form=form, status=400)
    if not changed:
        messages.info(request, "Nothing changed.")
    elif changed == ["capacity"]:
        messages.success(
            request,
            ngettext("Saved: {count} seat.", "Saved: {count} seats.", meetup.capacity).format(
                count=meetup.capacity
            ),
        )
    else:
        messages.success(
            request, _("Saved. Everyone going or on the waitlist will get an email about it.")
        )
    return redirect("hosting:meetup", slug=slug, pk=pk)


@login_required
@require_POST
def cancel_meetup(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    meetup = _get_meetup_for(request, slug, pk, "meetups.manage_meetup")
    form = CancelMeetupForm(request.POST)
    if not form.is_valid():
        return _meetup_page(request, meetup, cancel_form=form, status=400)
    try:
        services.cancel_meetup(meetup=meetup, by=request.user, message=form.cleaned_data["message"])
    except RuleError as exc:
        refused_in(form, exc)
        return _meetup_page(request, meetup, cancel_form=form, status=400)
    messages.success(
        request, _("The meetup is cancelled. Everyone going or on the waitlist will get an email.")
    )
    return redirect("hosting:manage", slug=slug)


@login_required
@require_POST
def attendance(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark whether someone with a seat came (its hosts, from the start on). With htmx
    the pressed toggle is swapped in place and keeps the focus."""
    meetup = _get_meetup_for(request, slug, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        raise Http404("No such person.")
    person = form.cleaned_data["user"]
    notice = ""
    try:
        seat = services.mark_attendance(
            meetup=meetup, user=person, attended=form.cleaned_data["attended"], by=request.user
        )
    except RuleError as exc:
        if not request.htmx:
            return refused(request, exc, to=_meetup_url(meetup, "coming"))
        seat = get_object_or_404(RSVP, meetup=meetup, user=person)
        notice = exc.message
    if request.htmx:
        return render(
            request,
            "hosting/meetup.html#attendee",
            {
                "circle": meetup.circle,
                "meetup": meetup,
                "r": seat,
                "can_mark_attendance": True,
                "notice": notice,
                # The swapped-in toggle keeps the focus the pressed one had.
                "announce": True,
            },
        )
    return redirect(_meetup_url(meetup, "coming"))


def _meetup_url(meetup: Meetup, section: str) -> str:
    return f"{reverse('hosting:meetup', args=[meetup.circle.slug, meetup.pk])}#{section}"


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
    meetup = _get_meetup_for(request, slug, pk, "meetups.manage_meetup")
    if meetup.schedule is None:
        raise Http404("This meetup isn't part of a series.")
    if request.method != "POST":
        return _series_page(request, meetup)
    form = SeriesChangeForm(request.POST, meetup=meetup)
    if not form.is_valid():
        return _series_page(request, meetup, form, status=400)
    try:
        change = services.change_series(meetup=meetup, by=request.user, **form.cleaned_data)
    except RuleError as exc:
        refused_in(form, exc)
        return _series_page(request, meetup, form, status=400)
    if change.unchanged:
        messages.info(request, "The series already meets like this: nothing changed.")
    else:
        replan = change.replan
        messages.success(
            request,
            gettext(
                "From {day}, the circle meets {when}. Kept {kept}, moved {moved}, cancelled "
                "{cancelled} and added {added} meetups; everyone affected will get an email."
            ).format(
                day=wording.day_and_date(meetup.starts_at, meetup.circle.tz),
                when=wording.when_it_meets(change.schedule),
                kept=len(replan.kept),
                moved=len(replan.moved),
                cancelled=len(replan.cancelled),
                added=len(replan.added),
            ),
        )
    return redirect("hosting:manage", slug=slug)


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
    circle = _get_circle_for(request, slug)
    form = JoinRequestForm(request.POST, circle=circle)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "requests"))
    membership = form.cleaned_data["membership"]
    name = membership.user.display_name
    back = _manage_url(circle, "requests")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve_request(membership=membership, by=request.user)
            messages.success(
                request, gettext("{name} is a member now. We've emailed them.").format(name=name)
            )
        else:
            services.decline_request(membership=membership, by=request.user)
            messages.success(
                request,
                gettext("You declined {name}'s request. We've let them know.").format(name=name),
            )
    except RuleError as error:
        return refused(request, error, to=back)
    return redirect(back)


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
    invited = {
        invitation.user_id: invitation
        for invitation in circle.co_facilitator_invitations.open().only("pk", "user_id")
    }
    for m in members:
        m.co_facilitator_invitation = invited.get(m.user_id)
    return {
        "members": members,
        # How many come every week: a number only, no names.
        "regulars": sum(m.is_regular for m in members),
        "blocked": [m for m in people if m.status == Membership.Status.REMOVED],
        # Handing over is a facilitator's own step (a moderator who is not one cannot).
        "viewer_facilitates": any(
            m.user_id == request.user.pk and m.role == Membership.Role.FACILITATOR for m in members
        ),
    }


MEMBER_DONE = {
    "remove": _("{name} is no longer in the circle. They may join again."),
    "block": _("{name} is no longer in the circle and can't rejoin it."),
    "unblock": _("{name} may join the circle again."),
    "co_facilitate": _(
        "{name} is invited to co-facilitate. We've emailed them; they become "
        "a co-facilitator once they accept the facilitator agreement."
    ),
    "hand_over": _("{name} hosts the circle now; you stay on as a member."),
}


@login_required
@require_POST
def member_action(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for(request, slug)
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
            services.invite_co_facilitator(membership=membership, by=by)
        else:
            services.hand_over(circle=circle, by=by, to=membership)
    except RuleError as error:
        return refused(request, error, to=_manage_url(circle, "members"))
    messages.success(request, MEMBER_DONE[action].format(name=membership.user.display_name))
    if not by.has_perm("circles.manage_circle", circle):
        return redirect(circle)
    return redirect(_manage_url(circle, "members"))


# Co-facilitators


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def co_facilitator_invitation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The invited member's page (the email's link opens it; its buttons POST): the
    facilitator agreement, accept or decline. Anyone else gets a 404, as for an
    invitation that does not exist; one already answered or withdrawn says so."""
    invitation = get_object_or_404(
        CoFacilitatorInvitation.objects.select_related("circle", "invited_by"),
        pk=pk,
        user=request.user,
    )
    circle = invitation.circle
    form = CoFacilitationAnswerForm()
    status = 200
    if request.method == "POST" and invitation.status == CoFacilitatorInvitation.Status.INVITED:
        form = CoFacilitationAnswerForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["answer"] == "accept":
                    services.accept_co_facilitation(
                        invitation=invitation,
                        agreement_version=form.cleaned_data["agreement_version"],
                    )
                else:
                    services.decline_co_facilitation(invitation=invitation)
            except RuleError as error:
                refused_in(form, error)
            else:
                if form.cleaned_data["answer"] == "accept":
                    messages.success(
                        request,
                        gettext("Thank you. You co-facilitate %(name)s now.")
                        % {"name": circle.name},
                    )
                    return redirect("hosting:manage", circle.slug)
                messages.success(request, gettext("You said no, thank you. Nothing else changes."))
                return redirect(circle)
        status = 400
    invitation.refresh_from_db(fields=["status"])
    return render(
        request,
        "hosting/co_facilitator_invitation.html",
        {"invitation": invitation, "circle": circle, "form": form},
        status=status,
    )


@login_required
@require_POST
def withdraw_co_facilitator_invitation(
    request: AuthenticatedHttpRequest, slug: str, pk: int
) -> HttpResponse:
    """Whoever manages the circle takes back an invitation to co-facilitate (logged)."""
    circle = _get_circle_for(request, slug)
    invitation = get_object_or_404(circle.co_facilitator_invitations.select_related("user"), pk=pk)
    WithdrawInvitationForm(request.POST).is_valid()  # No fields: the button is the answer.
    back = _manage_url(circle, "members")
    try:
        services.withdraw_co_facilitator_invitation(invitation=invitation, by=request.user)
    except RuleError as error:
        return refused(request, error, to=back)
    messages.success(
        request,
        gettext("The invitation to %(name)s is withdrawn.")
        % {"name": invitation.user.display_name},
    )
    return redirect(back)


@require_POST
@login_required
@rate_limited("leave")
def leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member leaves a circle (or withdraws their request), giving up their seats at its
    upcoming meetups and any hosting in rotation (hosting.services.leave_circle). Served
    here, above meetups and circles, because leaving changes all three; the public URL is
    the circle's own."""
    circle = get_object_or_404(Circle.objects.not_archived(), slug=slug)
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    # Someone not in the circle (never was, left, removed) has nothing to leave: refused
    # like every other member-side action, and nothing changes.
    if not request.user.has_perm("circles.leave_circle", circle):
        raise PermissionDenied
    try:
        services.leave_circle(user=request.user, circle=circle)
    except RuleError as error:
        return refused(request, error, to=circle)
    circle.refresh_from_db(fields=["status"])
    if circle.status == Circle.Status.ARCHIVED:
        messages.success(
            request,
            gettext(
                "You have left {name}. Nobody else was in it, so the circle is now closed."
            ).format(name=circle.name),
        )
        return redirect("home")
    messages.success(
        request,
        gettext("You have left {name}. You're welcome back any time.").format(name=circle.name),
    )
    return redirect(circle)


# Co-facilitators and the circle's state


def _circle_state_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {
        "state_form": CircleStateForm(),
        "viewer_is_facilitator": request.user.has_perm("circles.see_support_requests", circle),
    }


def _checkin_time_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    return {
        "checkin_time_form": CheckInTimeForm(
            initial={
                "checkin_weekday": circle.checkin_weekday,
                "checkin_time": circle.checkin_local_time,
            }
        )
    }


@login_required
@require_POST
def checkin_time(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Change the day and time of the circle's weekly check-in prompt (its own zone)."""
    circle = _get_circle_for(request, slug)
    form = CheckInTimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "checkin-time"))
    data = form.cleaned_data
    circle_services.set_checkin_time(
        circle=circle, by=request.user, weekday=data["checkin_weekday"], at=data["checkin_time"]
    )
    messages.success(
        request,
        gettext("Check-ins now go out every {day} at {time}.").format(
            day=wording.weekday_name(circle.checkin_weekday - 1),
            time=wording.clock(circle.checkin_local_time),
        ),
    )
    return redirect(_manage_url(circle, "checkin-time"))


STATE_DONE = {
    "step_down": _("You've stepped down. You're still a member of {name}."),
    "pause": (
        _(
            "{name} is taking a break. Its upcoming meetups are called off and the people "
            "going have been told."
        )
    ),
    "resume": _("{name} is meeting again. Its next meetups are on the calendar."),
    "archive": (
        _(
            "{name} has closed. Its upcoming meetups are called off and the people going "
            "have been told."
        )
    ),
}


@login_required
@require_POST
def circle_state(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for(request, slug)
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
    except RuleError as error:
        return refused(request, error, to=_manage_url(circle, "circle-state"))
    messages.success(request, STATE_DONE[action].format(name=circle.name))
    if not by.has_perm("circles.manage_circle", circle):
        return redirect(circle)
    return redirect(_manage_url(circle, "circle-state"))


@login_required
@require_POST
def new_invite_link(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    circle = _get_circle_for(request, slug)
    form = NewInviteLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(_manage_url(circle, "invite"))
    try:
        services.new_invite_link(circle=circle, by=request.user)
    except RuleError as error:
        return refused(request, error, to=_manage_url(circle, "invite"))
    messages.success(
        request, _("The circle has a new invite link. The old one no longer works: share this one.")
    )
    return redirect(_manage_url(circle, "invite"))


# Rotating hosts


def _get_meetup_for_member(request: AuthenticatedHttpRequest, pk: int) -> Meetup:
    """A meetup by id: 404 when there is none or the person may not see it
    (meetups.see_meetup), 403 unless they may offer to host it (meetups.offer_to_host:
    the circle's active members)."""
    meetup = get_object_or_404(Meetup.objects.select_related("circle"), pk=pk)
    if not request.user.has_perm("meetups.see_meetup", meetup):
        raise Http404("No such meetup.")
    if not request.user.has_perm("meetups.offer_to_host", meetup):
        raise PermissionDenied
    return meetup


@login_required
@require_POST
def offer_to_host(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meetup = _get_meetup_for_member(request, pk)
    HostOfferForm(request.POST).is_valid()  # No fields: the button is the whole form.
    try:
        services.offer_to_host(user=request.user, meetup=meetup)
    except RuleError as exc:
        return refused(request, exc, to=meetup)
    messages.success(
        request,
        gettext("Thank you for offering to host. The facilitators will let you know by email."),
    )
    return redirect(meetup)


@login_required
@require_POST
def withdraw_host_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meetup = _get_meetup_for_member(request, pk)
    HostOfferForm(request.POST).is_valid()
    try:
        services.withdraw_host_offer(user=request.user, meetup=meetup)
    except RuleError as exc:
        return refused(request, exc, to=meetup)
    messages.success(request, gettext("You've taken back your offer to host this meetup."))
    return redirect(meetup)


@login_required
@require_POST
def decide_host_offer(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    circle = _get_circle_for(request, slug)
    offer = get_object_or_404(
        HostOffer.objects.select_related("meetup", "user"), pk=pk, meetup__circle=circle
    )
    form = HostDecisionForm(request.POST)
    back = f"{reverse('hosting:manage', args=[circle.slug])}#rotation"
    if form.is_valid() and form.cleaned_data["back"] == HostDecisionForm.MEETUP:
        back = _meetup_url(offer.meetup, "host")
    if not form.is_valid():
        messages.error(request, "Please choose to confirm or decline.")
        return redirect(back)
    name = offer.user.display_name
    try:
        if form.cleaned_data["decision"] == HostDecisionForm.CONFIRM:
            services.confirm_host(offer=offer, by=request.user)
            notice = gettext("{name} is hosting that meetup. We've emailed them.").format(name=name)
        else:
            services.decline_host(offer=offer, by=request.user)
            notice = gettext("You've declined {name}'s offer. We've emailed them.").format(
                name=name
            )
    except RuleError as exc:
        return refused(request, exc, to=back)
    messages.success(request, notice)
    return redirect(back)


def _rotation_section(request: AuthenticatedHttpRequest, circle: Circle) -> dict[str, Any]:
    """Offers to host the meetups ahead, waiting or confirmed: one query."""
    offers = (
        HostOffer.objects.filter(
            meetup__circle=circle,
            meetup__status=Meetup.Status.SCHEDULED,
            meetup__starts_at__gt=timezone.now(),
            status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED],
        )
        .select_related("user", "meetup")
        .order_by("meetup__starts_at", "created_at")
    )
    return {"host_offers": list(offers)}


# Cover for the host


@login_required
@require_POST
def ask_for_cover(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """ "I can't host this one" from the meetup's host page, or "I can host after all"
    (rules: hosting.services.ask_for_cover, withdraw_cover_request)."""
    meetup = _get_meetup_for(request, slug, pk, "hosting.ask_for_cover")
    back = _meetup_url(meetup, "cover")
    form = CoverRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    try:
        if form.cleaned_data["action"] == CoverRequestForm.ASK:
            services.ask_for_cover(meetup=meetup, by=request.user)
            notice = gettext(
                "We've asked the co-facilitators and the members who offer to host. "
                "You'll get an email when someone says yes."
            )
        else:
            cover = meetup.cover_requests.open().first()
            if cover is None or cover.asked_by_id != request.user.pk:
                raise services.HostingError(
                    gettext("There's no request for cover of yours to take back.")
                )
            services.withdraw_cover_request(cover=cover, by=request.user)
            notice = gettext("Thank you: you're hosting it after all.")
    except RuleError as exc:
        return refused(request, exc, to=back)
    messages.success(request, notice)
    return redirect(back)


@login_required
@require_POST
def settle_cover(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The facilitators' choice for a meetup nobody has accepted to cover: call it off or
    let it run peer-led (rule: hosting.services.settle_uncovered)."""
    meetup = _get_meetup_for(request, slug, pk, "meetups.manage_meetup")
    form = SettleCoverForm(request.POST)
    cover = meetup.cover_requests.open().first()
    if cover is None:
        messages.info(request, gettext("This meetup doesn't need cover any more."))
        return redirect(_meetup_url(meetup, "cover"))
    if not form.is_valid():
        return _meetup_page(request, meetup, settle_form=form, status=400)
    peer_led = form.cleaned_data["choice"] == SettleCoverForm.PEER_LED
    try:
        services.settle_uncovered(
            cover=cover,
            by=request.user,
            run_peer_led=peer_led,
            message=form.cleaned_data["message"],
        )
    except RuleError as exc:
        refused_in(form, exc)
        return _meetup_page(request, meetup, settle_form=form, status=400)
    if peer_led:
        messages.success(
            request, gettext("The meetup runs peer-led: its page says there's no host this time.")
        )
        return redirect(_meetup_url(meetup, "cover"))
    messages.success(
        request, _("The meetup is cancelled. Everyone going or on the waitlist will get an email.")
    )
    return redirect("hosting:manage", slug=slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cover_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The page an email asking for cover links to: the meetup's time and place and a
    button that accepts (a GET never does: mail scanners open every link). The first to
    accept hosts it; anyone later reads that it is covered. Only the people who may
    accept (hosting.cover_meetup) see it; for everyone else it does not exist."""
    cover = get_object_or_404(
        CoverRequest.objects.select_related("meetup__circle", "meetup__venue", "covered_by"),
        pk=pk,
    )
    if not request.user.has_perm("hosting.cover_meetup", cover):
        raise Http404("No such request.")
    meetup = cover.meetup
    status = 200
    if request.method == "POST":
        AcceptCoverForm(request.POST).is_valid()  # No fields: the button is the answer.
        try:
            services.accept_cover(cover=cover, user=request.user)
        except RuleError as exc:
            show_refusal(request, exc)
            status = 409
            cover.refresh_from_db()
        else:
            messages.success(
                request,
                gettext("Thank you: you're hosting this meetup. Everything you need is here."),
            )
            return redirect(_meetup_url(meetup, "coming"))
    return render(
        request,
        "hosting/cover_request.html",
        {
            "cover": cover,
            "meetup": meetup,
            "circle": meetup.circle,
            "ahead": not meetup.is_cancelled and not meetup.has_started(),
            "form": AcceptCoverForm(),
        },
        status=status,
    )


# The meeting outline and the facilitators' guide


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outline(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The circle's meeting outline, written by its facilitators (rules:
    hosting.services.save_outline); its hosts read it on each meetup's host page."""
    circle = _get_circle_for(request, slug)
    text, is_default = services.outline_of(circle)
    form = OutlineForm(initial={"text": text})
    status = 200
    if request.method == "POST":
        form = OutlineForm(request.POST)
        if form.is_valid():
            try:
                changed = services.save_outline(
                    circle=circle, by=request.user, text=form.cleaned_data["text"]
                )
            except RuleError as exc:
                refused_in(form, exc)
            else:
                if changed:
                    messages.success(request, gettext("Saved. Your hosts see the new outline."))
                else:
                    messages.info(request, gettext("Nothing changed."))
                return redirect("hosting:outline", slug=circle.slug)
        status = 400
    return render(
        request,
        "hosting/outline.html",
        {
            "circle": circle,
            "form": form,
            "is_default": is_default,
            "preview": sections(text),
        },
        status=status,
    )


@require_safe
def facilitators_guide(request: HttpRequest) -> HttpResponse:
    """A short page for anyone hosting: keeping it peer support, and what to do if
    someone is in crisis during a meetup (the site's crisis list). Open to everyone."""
    return render(request, "hosting/facilitators.html")


# Messages


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_people_going(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Write to everyone going to one meetup (its facilitators or its rotating host). The
    form is on the meetup's manage page; an old link to this address opens it there."""
    meetup = _get_meetup_for(request, slug, pk)
    if request.method != "POST":
        return redirect(_meetup_url(meetup, "message"))
    form = MeetupMessageForm(request.POST)
    if form.is_valid():
        try:
            sent = services.message_people_going(
                meetup=meetup, sender=request.user, body=form.cleaned_data["body"]
            )
        except RuleError as exc:
            refused_in(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Your message is on its way to %(count)d person going.",
                    "Your message is on its way to %(count)d people going.",
                    sent.recipient_count,
                )
                % {"count": sent.recipient_count},
            )
            return redirect(_meetup_url(meetup, "message"))
    return _meetup_page(request, meetup, message_form=form, status=400)


# Still meeting


@require_http_methods(["GET", "HEAD", "POST"])
def still_meeting(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The page the monthly "are you still meeting?" email links to.

    A GET only shows the button and records nothing: mail scanners and link previews open
    every link in an email, so opening it must never count as an answer. Only the button's
    POST confirms. The signed token is the credential (no login needed): it names the
    circle and the facilitator it was sent to, and expires (STILL_MEETING_TOKEN_MAX_AGE); a forged,
    expired or mismatched token gets a 400 page.
    """
    found = notifications.read_still_meeting_token(token)
    circle = Circle.objects.filter(slug=slug).first()
    user = None
    if found is not None and circle is not None and circle.pk == found[0]:
        user = User.objects.filter(pk=found[1], is_active=True).first()
    if circle is None or user is None:
        return render(
            request,
            "hosting/still_meeting.html",
            {"invalid": True, "link_days": notifications.STILL_MEETING_TOKEN_MAX_AGE.days},
            status=400,
        )
    context: dict[str, Any] = {"circle": circle, "token": token, "form": StillMeetingForm()}
    if request.method == "POST":
        StillMeetingForm(request.POST).is_valid()  # No fields: the button is the answer.
        # The token names who answers; they answer while they facilitate the circle.
        if not user.has_perm("circles.manage_circle", circle):
            refused = _("Only this circle's facilitators can confirm it still meets.")
            return render(
                request, "hosting/still_meeting.html", context | {"refused": refused}, status=403
            )
        try:
            services.confirm_still_meeting(circle=circle, by=user)
        except RuleError as exc:
            return render(
                request,
                "hosting/still_meeting.html",
                context | {"refused": exc.message},
                status=403,
            )
        context["confirmed"] = True
    return render(request, "hosting/still_meeting.html", context)


# Reports

REPORT_SENT = _(
    "Thank you for telling us. Your report is private: the person it is about won't see it. "
    "We've emailed you to confirm we received it."
)


def _member_who_may_report(request: AuthenticatedHttpRequest, circle: Circle) -> None:
    """Only the circle's active members report about it (circles.report_concern; 403 for
    anyone else)."""
    if not request.user.has_perm("circles.report_concern", circle):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("report")
def report_circle(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Report a concern about the circle or a person in it (`?about=<membership id>`
    picks them in advance). The picker names only people the reporter may name
    (services.reportable_people), by display name; anyone else is described in words."""
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    _member_who_may_report(request, circle)
    people = services.reportable_people(circle=circle, reporter=request.user)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, people=people)
        if form.is_valid():
            about = form.cleaned_data["about"]
            try:
                services.report_concern(
                    reporter=request.user,
                    circle=circle,
                    about=about.user if about else None,
                    about_description=form.cleaned_data["someone"],
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            except RuleError as error:
                refused_in(form, error)
            else:
                messages.success(request, REPORT_SENT)
                return redirect(circle)
        status = 400
    else:
        # An `about` that is not one of the choices (stale or forged) just selects nothing.
        form = ReportForm(initial={"about": request.GET.get("about", "")}, people=people)
    return render(request, "hosting/report.html", {"circle": circle, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("report")
def report_meetup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Report a concern about one meetup, or (once it has started) say nobody was there."""
    meetup = get_object_or_404(Meetup.objects.select_related("circle", "venue"), pk=pk)
    if not request.user.has_perm("meetups.see_meetup", meetup):
        raise Http404("No such meetup.")
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
            except RuleError as error:
                refused_in(form, error)
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
    circle = _get_circle_for(request, slug)
    report = get_object_or_404(_facilitators_queue(request, circle), pk=pk)
    if not request.user.has_perm("hosting.handle_report", report):
        raise Http404("No such report.")
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
    except RuleError as error:
        return refused(request, error, to=queue_url)
    messages.success(request, gettext("Resolved. Your note is kept in the circle's log."))
    return redirect(queue_url)
