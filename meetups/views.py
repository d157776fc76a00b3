"""The meetup page, RSVPs, my meetups and calendar files.

Views parse the request, call meetups.services and render. With htmx, the RSVP control
and my-meetups list swap in place as partials of their page; without JavaScript each form
posts and redirects back with a message. The hosts' controls live on one page, the
meetup's manage page (hosting); the public page links there.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import batch
from accounts.errors import RuleError, show_refusal
from accounts.http import AuthenticatedHttpRequest, HtmxHttpRequest
from accounts.models import User
from accounts.ratelimits import link_rate_limited, rate_limited
from circles import wording
from circles.models import Circle, Membership
from meetups import cant_make_it as cant_make_it_link
from meetups import ics, services
from meetups.forms import (
    HOME,
    MY_CIRCLES,
    MY_MEETUPS,
    CancelRSVPForm,
    ClaimSeatForm,
    EveryWeekForm,
    RSVPForm,
)
from meetups.models import RSVP, Meetup, seat_question

# How far back the private feed reaches, so recent meetups stay in people's calendars.
FEED_HISTORY_DAYS = 90


def _get_meetup(request: HttpRequest, pk: int) -> Meetup:
    """The meetup, when the person may see it (meetups.see_meetup): 404 otherwise, the
    same as for an id nobody has."""
    meetup = get_object_or_404(Meetup.objects.select_related("circle", "venue", "host"), pk=pk)
    if not request.user.has_perm("meetups.see_meetup", meetup):
        raise Http404("No such meetup.")
    return meetup


def _viewer_rsvp(user: User, meetup: Meetup) -> RSVP | None:
    if not user.is_authenticated:
        return None
    return RSVP.objects.filter(meetup=meetup, user=user).first()


def _rsvp_context(request: HttpRequest, meetup: Meetup, *, notice: str = "") -> dict:
    """What the RSVP control and seat count need, for the page and its partial."""
    user = request.user
    circle = meetup.circle
    seat = _viewer_rsvp(user, meetup)
    membership = circle.membership_of(user)
    is_member = circle.is_active_member(user)
    going = seat is not None and seat.status == RSVP.Status.GOING
    # The online link and the dial-in number and code: one permission for all three.
    sees_link = user.has_perm("meetups.see_online_link", meetup)
    return {
        # A last-minute seat held for this person: a button to take it, and until when.
        "offer_until": seat.offer_expires_at if seat and seat.has_open_offer() else None,
        "meetup": meetup,
        "circle": meetup.circle,
        "seat": seat,
        "going": going,
        "position": services.waitlist_position(seat) if seat else None,
        "is_member": is_member,
        "membership": membership,
        # Joining and RSVPing in one step, for someone not in the circle and not already
        # asking to join it.
        "can_join_here": (
            user.is_authenticated
            and not is_member
            and (membership is None or membership.status != Membership.Status.PENDING)
            and circle.join_refusal(user, at_once=True) is None
        ),
        "verified": user.is_authenticated and user.has_verified_email(),
        "open_for_rsvp": not meetup.is_cancelled and not meetup.has_started(),
        "meeting_link": meetup.meeting_link if sees_link else "",
        "dial_in": meetup.dial_in if sees_link else None,
        "notice": notice,
    }


def _meetup_zones(user: User, meetup: Meetup) -> dict[str, object]:
    """The zone the meetup's page says its time in (`shown_zone`), and the other zone it
    adds a line for (`other_zone`). An in-person or hybrid meetup reads in the circle's
    zone, where people go, with the signed-in viewer's own time beside it when that zone
    differs; an online one reads in the viewer's zone, with the circle's time beside it
    (`other_is_circles`). Signed-out viewers read the circle's zone, named in words."""
    circle = meetup.circle
    own = (
        wording.reader_zone(user.timezone, circle.timezone).key
        if user.is_authenticated
        else circle.timezone
    )
    if own == circle.timezone:
        return {"shown_zone": circle.timezone, "other_zone": "", "other_is_circles": False}
    if circle.is_online:
        return {"shown_zone": own, "other_zone": circle.timezone, "other_is_circles": True}
    return {"shown_zone": circle.timezone, "other_zone": own, "other_is_circles": False}


@require_safe
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    meetup = _get_meetup(request, pk)
    user = request.user
    context = _rsvp_context(request, meetup)
    is_facilitator = user.has_perm("meetups.manage_meetup", meetup)
    context |= {
        "venue": meetup.venue,
        **_meetup_zones(user, meetup),
        "is_facilitator": is_facilitator,
        # Hosts find their controls on the meetup's manage page, linked from here.
        "can_host": user.has_perm("meetups.host_meetup", meetup),
        # A member's own offer to host this meetup in rotation (read through the relation).
        "host_offer": (
            meetup.host_offers.filter(user=user).first()
            if context["is_member"] and not is_facilitator
            else None
        ),
        "google_url": ics.google_calendar_url(meetup, user),
        "outlook_url": ics.outlook_calendar_url(meetup, user),
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "meetups/detail.html", context)


def _rsvp_response(
    request: AuthenticatedHttpRequest, meetup: Meetup, notice: str, ok: bool
) -> HttpResponse:
    if request.htmx:
        meetup.refresh_from_db()
        # The answer is announced by the page's live region and receives focus.
        context = _rsvp_context(request, meetup, notice=notice)
        return render(
            request,
            "meetups/detail.html#rsvp",
            context | {"announce": True, "notice_says_going": ok and context["going"]},
        )
    (messages.success if ok else messages.error)(request, notice)
    return redirect(meetup)


def _rsvp_notice(seat: RSVP) -> str:
    if seat.status == RSVP.Status.GOING:
        return _("You're going. We've saved you a seat.")
    position = getattr(seat, "position", None) or services.waitlist_position(seat)
    return gettext(
        "The meetup is full, so you're on the waitlist (number {position}). "
        "We'll email you if a seat opens up."
    ).format(position=position)


@login_required
@require_POST
@rate_limited("rsvp")
def rsvp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = RSVPForm(request.POST)
    form.is_valid()  # Both fields are optional yes/no flags: the form is always valid.
    try:
        if form.cleaned_data["join"]:
            # Joining from a meetup's page needs the page: a meetup of an unlisted circle
            # is not (meetups.see_meetup), so its circle is joined by its invite link only.
            meetup = _get_meetup(request, pk)
            seat = services.join_and_rsvp(
                user=request.user,
                meetup=meetup,
                accept_guidelines=form.cleaned_data["accept_guidelines"],
            )
        else:
            # The service reads and locks the meetup itself; it is known here only by id.
            # Only active members get a seat, and they may see the meetup, so who may see
            # it is asked only when the RSVP is refused (keeping the busiest write lean).
            meetup = Meetup(pk=pk)
            seat = services.rsvp(user=request.user, meetup=meetup)
    except Meetup.DoesNotExist:
        raise Http404("No such meetup.") from None
    except RuleError as exc:
        meetup = _get_meetup(request, pk)
        return _rsvp_response(request, meetup, exc.message, ok=False)
    return _rsvp_response(request, meetup, _rsvp_notice(seat), ok=True)


@login_required
@require_POST
@rate_limited("rsvp")
def cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give up my seat or waitlist place, from the meetup page or from my meetups."""
    meetup = _get_meetup(request, pk)
    back_to = CancelRSVPForm(request.POST).back_to()
    try:
        services.cancel_rsvp(user=request.user, meetup=meetup)
    except RuleError as exc:
        notice, ok = exc.message, False
    else:
        notice, ok = _("Your RSVP is cancelled. Thank you for freeing the seat."), True
    if back_to == HOME:
        (messages.success if ok else messages.error)(request, notice)
        return redirect("home")
    if back_to == MY_MEETUPS:
        if request.htmx:
            return render(
                request,
                "meetups/my_meetups.html#upcoming",
                _my_meetups_context(request.user) | {"notice": notice, "announce": True},
            )
        (messages.success if ok else messages.error)(request, notice)
        return redirect("me:meetups")
    return _rsvp_response(request, meetup, notice, ok)


@login_required
@require_POST
@rate_limited("rsvp")
def claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take the last-minute seat offered to me (services.claim_offered_seat), from the
    button on the meetup's page that the offer's email links to."""
    meetup = _get_meetup(request, pk)
    ClaimSeatForm(request.POST).is_valid()  # No fields: the meetup and the person say it all.
    try:
        services.claim_offered_seat(user=request.user, meetup=meetup)
    except RuleError as exc:
        return _rsvp_response(request, meetup, exc.message, ok=False)
    return _rsvp_response(request, meetup, _("The seat is yours. See you there."), ok=True)


def _get_circle_for_every_week(request: AuthenticatedHttpRequest, slug: str) -> Circle:
    """The circle: 404 unless its page is open to the person (circles.see_circle), 403
    unless they may come every week (circles.come_every_week)."""
    circle = get_object_or_404(Circle.objects.not_archived(), slug=slug)
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    if not request.user.has_perm("circles.come_every_week", circle):
        raise PermissionDenied
    return circle


def _every_week_answer(
    request: AuthenticatedHttpRequest, circle: Circle, form: EveryWeekForm
) -> HttpResponse:
    return redirect("my_circles" if form.back_to() == MY_CIRCLES else circle)


@login_required
@require_POST
@rate_limited("rsvp")
def come_every_week(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """ "I come every week": a seat at every meetup ahead and at each new one
    (services.become_regular), from the circle's page."""
    circle = _get_circle_for_every_week(request, slug)
    form = EveryWeekForm(request.POST)
    try:
        services.become_regular(user=request.user, circle=circle)
    except RuleError as error:
        show_refusal(request, error)
    else:
        waiting = RSVP.objects.filter(
            user=request.user,
            regular=True,
            status=RSVP.Status.WAITLISTED,
            meetup__in=circle.meetups.upcoming(),
        ).count()
        messages.success(
            request,
            _("You come every week: we've saved you a seat at each meetup ahead.")
            if not waiting
            else gettext(
                "You come every week. Some meetups are full, so you're on their waitlist "
                "({count}); we'll email you if a seat opens up."
            ).format(count=waiting),
        )
    return _every_week_answer(request, circle, form)


@login_required
@require_POST
@rate_limited("rsvp")
def stop_coming_every_week(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Stop coming every week (services.stop_being_regular): the seats held as a regular
    are given up, one-off RSVPs stay."""
    circle = _get_circle_for_every_week(request, slug)
    form = EveryWeekForm(request.POST)
    services.stop_being_regular(user=request.user, circle=circle)
    messages.success(
        request,
        _(
            "You no longer come every week. Your seats held as a regular are free for "
            "others; RSVP to any meetup you'd still like to come to."
        ),
    )
    return _every_week_answer(request, circle, form)


PAGE = "meetups/cant_make_it.html"


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@link_rate_limited("cant_make_it")
def cant_make_it(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A reminder's "I can't make it" link (meetups.cant_make_it), signed in or not.

    GET shows which seat and a button, and changes nothing: mail scanners open every link.
    The button POSTs (with the CSRF token, like every form of the site; the signed link
    says which seat, so the form has no fields) and gives the seat up through
    `services.cancel_rsvp`, which promotes the first person waiting and emails them. A
    link that was never good answers 400; one that no longer can be used (the meetup
    started or was called off, the seat is already free) answers 410, each with a page
    saying so.
    """
    reading = cant_make_it_link.read(token, meetup_id=pk)
    seat, refusal = reading.seat, reading.refusal
    state = "confirm"
    if seat is not None and refusal is None and request.method == "POST":
        try:
            services.cancel_rsvp(user=seat.user, meetup=seat.meetup)
        except services.MeetupError:
            # It started between the page and the button: say so, as a link read now would.
            seat.meetup.refresh_from_db()
            refusal = cant_make_it_link.refusal_for(seat) or cant_make_it_link.Refusal.STARTED
        else:
            state = "done"
    if seat is None or refusal is not None:
        refusal = refusal or cant_make_it_link.Refusal.INVALID
        context = _seat_context(request, seat, token) if seat else {}
        context["state"] = refusal.value
        return render(request, PAGE, context, status=refusal.status_code)
    return render(request, PAGE, _seat_context(request, seat, token) | {"state": state})


def _seat_context(request: HttpRequest, seat: RSVP, token: str) -> dict:
    """What the "I can't make it" page says about a seat: when (in its holder's zone, as
    their reminder said), where, and whether someone else is signed in here."""
    meetup = seat.meetup
    zone = wording.reader_zone(seat.user.timezone, meetup.circle.timezone)
    viewer = request.user
    return {
        "token": token,
        "seat": seat,
        "meetup": meetup,
        "when": wording.long_when(meetup.starts_at, zone),
        "venue": meetup.venue,
        "someone_else": viewer.is_authenticated and viewer.pk != seat.user_id,
    }


@require_safe
def ics_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One meetup as an .ics file, for whoever may see the meetup: never with the online
    link or the dial-in number (the file is shared and forwarded)."""
    meetup = _get_meetup(request, pk)
    path = reverse("meetups:ics", args=[meetup.pk])
    body = ics.calendar([meetup], path=path, viewer=request.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meetup-{meetup.pk}.ics"'
    return response


def _my_meetups_context(user: User) -> dict:
    now = timezone.now()
    mine = RSVP.objects.filter(user=user).select_related("meetup__circle", "meetup__venue")
    upcoming = list(
        mine.filter(
            status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            meetup__starts_at__gt=now,
        ).order_by("meetup__starts_at")
    )
    for seat in upcoming:
        seat.position = services.waitlist_position(seat)
    past = mine.filter(status=RSVP.Status.GOING, meetup__starts_at__lte=now).order_by(
        "-meetup__starts_at"
    )[:20]
    return {"upcoming": upcoming, "past": past}


@login_required
@require_safe
def my_meetups(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _my_meetups_context(request.user)
    context["feed_url"] = (
        request.build_absolute_uri(reverse("me:calendar", args=[request.user.calendar_token]))
        if request.user.calendar_token
        else ""
    )
    return render(request, "meetups/my_meetups.html", context)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Everything the token's owner is going to, with online links and dial-in numbers;
    revoked or unknown token: 404."""
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if not token or user is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=FEED_HISTORY_DAYS)
    meetups = list(
        Meetup.objects.filter(
            rsvps__user=user, rsvps__status=RSVP.Status.GOING, starts_at__gte=since
        ).select_related("circle", "venue")
    )
    # Calendar apps fetch the feed without the person's session or browser: it speaks the
    # owner's language, as their emails do.
    with translation.override(user.email_language), batch.one_batch():
        # Read for the whole feed at once: the person's memberships of these circles (their
        # seats are what the query above found).
        Membership.objects.remember_for((m.circle_id, user.pk) for m in meetups)
        for meetup in meetups:
            batch.remember(seat_question(meetup.pk, user.pk), True)
        body = ics.calendar(
            meetups,
            path=reverse("me:calendar", args=[token]),
            viewer=user,
            links_for={m.pk for m in meetups if user.has_perm("meetups.see_online_link", m)},
            name=settings.SITE_NAME,
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
