"""Weekly check-ins: the check-in page (opened by a prompt's mood link or from the circle's
page), notes of support, deleting and hiding, the facilitators' "who would like support"
page, and my weeks at /me/check-ins/.

Who sees what (circles.read_checkin, in circles.rules): a check-in is its author's; "me
and the facilitators" adds the circle's facilitators, "my circle" its active members.
Everyone else, staff included, gets a 404, the same as for a check-in that does not exist.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.errors import RuleError, refused, refused_in
from accounts.http import AuthenticatedHttpRequest, HtmxHttpRequest
from accounts.models import User
from accounts.ratelimits import link_allows, rate_limited, too_many_requests
from accounts.services import accept_privacy_note
from circles import services
from circles.checkins import (
    CheckInLink,
    checkin_path,
    current_week,
    previous_week,
    read_link,
    week_label,
)
from circles.forms import CheckInForm, CheckInLinkForm, CheckInReplyForm, SupportNoteForm
from circles.models import LOWEST_MOOD, MOOD_WORDS, CheckIn, CheckInReply, Circle

CHART_WEEKS = 12


def _link_for(circle: Circle, token: str) -> CheckInLink | None:
    """The signed link `token` carries when it is valid and for this circle."""
    link = read_link(token)
    return link if link is not None and link.circle_id == circle.pk else None


def _checkin_circle(request: HtmxHttpRequest, slug: str, link_token: str) -> Circle:
    """The circle, for someone who may see it: an unlisted circle answers a person who
    may not see it (no valid link for it, and no `circles.see_circle`) with the same
    404 as a slug that does not exist."""
    circle = get_object_or_404(Circle, slug=slug)
    if _link_for(circle, link_token) is None and not request.user.has_perm(
        "circles.see_circle", circle
    ):
        raise Http404("No such circle.")
    return circle


def _expired_link(request: HtmxHttpRequest, circle: Circle) -> HttpResponse:
    login = reverse("account_login") + "?next=" + checkin_path(circle)
    return render(request, "circles/checkin_link_expired.html", {"login_url": login}, status=400)


def _checkin_person(
    request: HtmxHttpRequest, circle: Circle, token: str
) -> tuple[User, int, int | None] | HttpResponse:
    """Who is checking in, for which week, with which mood chosen by the link: the
    person the signed link names (signed in as them, or not signed in at all), else the
    signed-in person for this week. A link that is expired or forged, or for someone else,
    is refused with a page that says so."""
    link = _link_for(circle, token)
    if token and link is None and not request.user.is_authenticated:
        return _expired_link(request, circle)
    if link is None:
        if not request.user.is_authenticated:
            return redirect_to_login(checkin_path(circle))
        return request.user, current_week(circle), None
    if request.user.is_authenticated and request.user.pk != link.user_id:
        raise PermissionDenied(_("This check-in link is for someone else."))
    person = User.objects.filter(pk=link.user_id, is_active=True).first()
    if person is None:
        raise Http404("No such person.")
    return person, link.week, link.mood


def _link_key(circle: Circle, person: User, week: int) -> str:
    """What a signed-out POST is counted by: every mood link of one prompt (one person,
    one circle, one week) counts as one link, so trying the five moods buys nothing."""
    return f"{person.pk}:{circle.pk}:{week}"


def _consent_page(request: HtmxHttpRequest, circle: Circle, token: str) -> HttpResponse:
    """The privacy note, asked for before a signed-out link shows the check-in form to a
    person whose consent is out of date (the signed-in are asked by
    PrivacyConsentMiddleware); its button accepts it for the person the link names."""
    return render(
        request,
        "circles/checkin_consent.html",
        {
            "circle": circle,
            "form": CheckInLinkForm(initial={"t": token}),
            "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
# Personal even to someone not signed in (a prompt's link): never kept by a browser or proxy.
@cache_control(private=True, no_store=True)
@rate_limited("checkin")
def checkin(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """This week's check-in for one circle. A GET only shows the form (with the mood a
    link chose); the button records it. Changing it the same week edits it.

    Opened signed out from a prompt's link, the link is the only credential, so the page
    shows nothing the person wrote before (their note, who may see it, "I'd like
    support": saving replaces them), asks for the privacy note first when their consent
    is out of date, and its POSTs are counted per link (`checkin_link` in
    settings.PERSON_RATE_LIMITS)."""
    data = request.POST if request.method == "POST" else request.GET
    token = CheckInLinkForm(data).token()
    circle = _checkin_circle(request, slug, token)
    found = _checkin_person(request, circle, token)
    if isinstance(found, HttpResponse):
        return found
    person, week, link_mood = found
    if not person.has_perm("circles.check_in", circle):
        raise Http404("No such circle.")
    if _link_for(circle, token) is None:
        token = ""
    signed_in = request.user.is_authenticated
    if (
        request.method == "POST"
        and token
        and not link_allows(request, "checkin_link", key=_link_key(circle, person, week))
    ):
        return too_many_requests(request)
    if not signed_in and person.needs_privacy_consent():
        return _consent_page(request, circle, token)
    existing = CheckIn.objects.filter(user=person, circle=circle).of_week(week).first()
    status = 200
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_checkin(
                    user=person,
                    circle=circle,
                    week=week,
                    mood=data["mood"],
                    note=data["note"],
                    visibility=data["visibility"],
                    wants_support=data["wants_support"],
                )
            except RuleError as error:
                return refused(request, error, to=checkin_path(circle, token))
            thanks = gettext("Thank you for checking in.")
            if data["wants_support"]:
                thanks += " " + gettext("Your facilitators will know you'd like support.")
            messages.success(request, thanks)
            return redirect(checkin_path(circle, token))
        status = 400
    else:
        initial: dict[str, Any] = {"t": token}
        if existing and signed_in:
            initial |= {
                "mood": existing.mood,
                "note": existing.note,
                "visibility": existing.visibility,
                "wants_support": existing.wants_support,
            }
        if link_mood:
            initial["mood"] = link_mood
        form = CheckInForm(initial=initial)
    chosen = form["mood"].value()
    return render(
        request,
        "circles/checkin.html",
        {
            "circle": circle,
            "form": form,
            "existing": existing,
            "week_label": week_label(week),
            "lowest_chosen": str(chosen) == str(LOWEST_MOOD),
            "signed_in": signed_in,
        },
        status=status,
    )


@require_POST
@cache_control(private=True, no_store=True)
def checkin_consent(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The privacy note's button on a check-in link's page: records that the person the
    link names accepts the current note (accounts.services.accept_privacy_note), then
    opens the check-in form. Only a valid link for this circle, of an active member,
    counted like the link's other POSTs."""
    token = CheckInLinkForm(request.POST).token()
    circle = _checkin_circle(request, slug, token)
    if _link_for(circle, token) is None:
        return _expired_link(request, circle)
    found = _checkin_person(request, circle, token)
    if isinstance(found, HttpResponse):
        return found
    person, week, _ = found
    if not person.has_perm("circles.check_in", circle):
        raise Http404("No such circle.")
    if not link_allows(request, "checkin_link", key=_link_key(circle, person, week)):
        return too_many_requests(request)
    if person.needs_privacy_consent():
        accept_privacy_note(user=person)
    return redirect(checkin_path(circle, token))


def _visible_checkin(request: AuthenticatedHttpRequest, slug: str, pk: int) -> CheckIn:
    checkin = get_object_or_404(
        CheckIn.objects.select_related("circle", "user"), pk=pk, circle__slug=slug
    )
    if not request.user.has_perm("circles.read_checkin", checkin):
        raise Http404("No such check-in.")
    return checkin


@login_required
@require_POST
@rate_limited("checkin_reply")
def reply(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A note of support on a check-in shared with the circle."""
    checkin = _visible_checkin(request, slug, pk)
    form = CheckInReplyForm(request.POST)
    page = checkin.circle.get_absolute_url() + "#checkins"
    if not request.user.has_perm("circles.reply_to_checkin", checkin):
        messages.error(
            request,
            "This is your own check-in: notes of support are for others'."
            if checkin.user_id == request.user.pk
            else "You can answer check-ins shared with a circle you belong to.",
        )
        return redirect(page)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["body"]))
        return redirect(page)
    services.reply_to_checkin(user=request.user, checkin=checkin, body=form.cleaned_data["body"])
    messages.success(request, _("Your note is on its way. Thank you."))
    return redirect(page)


@login_required
@require_POST
def delete_checkin(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    checkin = get_object_or_404(CheckIn, pk=pk, circle__slug=slug, user=request.user)
    services.delete_checkin(user=request.user, checkin=checkin)
    messages.success(request, _("Your check-in is deleted."))
    return redirect("my_checkins")


@login_required
@require_POST
def delete_reply(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    found = get_object_or_404(
        CheckInReply.objects.select_related("checkin__circle"),
        pk=pk,
        checkin__circle__slug=slug,
        user=request.user,
    )
    services.delete_reply(user=request.user, reply=found)
    messages.success(request, _("Your note is deleted."))
    return redirect(found.checkin.circle.get_absolute_url() + "#checkins")


@login_required
@require_POST
def hide_reply(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A facilitator hides a note of support on a check-in shared with their circle."""
    found = get_object_or_404(
        CheckInReply.objects.select_related("checkin__circle", "checkin__user"),
        pk=pk,
        checkin__circle__slug=slug,
    )
    if not request.user.has_perm("circles.read_checkin", found.checkin):
        raise Http404("No such note.")
    if not request.user.has_perm("circles.see_support_requests", found.checkin.circle):
        raise PermissionDenied
    services.hide_reply(by=request.user, reply=found)
    messages.success(request, _("The note is hidden."))
    return redirect(found.checkin.circle.get_absolute_url() + "#checkins")


@login_required
@require_safe
def support(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """For the circle's facilitators: who would like support this week and last, with
    what they chose to share with the facilitators. Not for staff: check-ins are members'
    words, not moderators' business."""
    circle = get_object_or_404(Circle, slug=slug)
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    if not request.user.has_perm("circles.see_support_requests", circle):
        raise PermissionDenied
    this_week = current_week(circle)
    last_week = previous_week(this_week)
    weeks = [this_week, last_week]
    asking = (
        CheckIn.objects.filter(circle=circle, wants_support=True)
        .filter(iso_year__in={w // 100 for w in weeks}, iso_week__in={w % 100 for w in weeks})
        .select_related("user")
        .order_by("-iso_year", "-iso_week", "user__display_name")
    )
    rows = [c for c in asking if c.week in weeks]
    for row in rows:
        row.week_text = week_label(row.week)
    return render(request, "circles/support.html", {"circle": circle, "rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def support_note(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A facilitator writes privately to someone who asked for support (the form, and
    sending it through the outbox)."""
    checkin = get_object_or_404(
        CheckIn.objects.select_related("circle", "user"), pk=pk, circle__slug=slug
    )
    circle = checkin.circle
    if not request.user.has_perm("circles.see_circle", circle):
        raise Http404("No such circle.")
    if not request.user.has_perm("circles.send_support_note", checkin):
        raise PermissionDenied
    form = SupportNoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_support_note(
                sender=request.user, checkin=checkin, body=form.cleaned_data["body"]
            )
        except RuleError as error:
            refused_in(form, error)
        else:
            messages.success(
                request,
                gettext("Your note to {name} is on its way.").format(
                    name=checkin.user.display_name
                ),
            )
            return redirect("circles:support", slug=circle.slug)
    return render(
        request,
        "circles/support_note.html",
        {"circle": circle, "checkin": checkin, "form": form, "week_text": week_label(checkin.week)},
        status=400 if form.errors else 200,
    )


@dataclasses.dataclass
class Chart:
    """A small line chart of one circle's weeks, as SVG coordinates drawn on the server."""

    circle: Circle
    checkins: list[CheckIn]
    width: int = 360
    height: int = 130
    # Room at the left for the five levels' words ("really good" … "really low").
    gutter: int = 80

    @property
    def points(self) -> list[dict[str, object]]:
        count = max(len(self.checkins), 2)
        step = (self.width - self.gutter - 20) / (count - 1)
        return [
            {
                "x": round(self.gutter + i * step, 1),
                "y": round(10 + (5 - c.mood) * (self.height - 30) / 4, 1),
                "label": f"{week_label(c.week)}: {c.mood_word}",
            }
            for i, c in enumerate(self.checkins)
        ]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p['x']},{p['y']}" for p in self.points)

    @property
    def gridlines(self) -> list[dict[str, object]]:
        return [
            {
                "y": round(10 + (5 - mood) * (self.height - 30) / 4, 1),
                # The word sits on its line, its baseline a little below.
                "label_y": round(14 + (5 - mood) * (self.height - 30) / 4, 1),
                "word": word,
            }
            for mood, word in MOOD_WORDS.items()
        ]


@login_required
@require_safe
def my_checkins(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My weeks: for each circle, a chart of my last weeks and the list beside it (the
    table is what screen readers read; the chart is hidden from them)."""
    mine = (
        CheckIn.objects.filter(user=request.user)
        .select_related("circle")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=CheckInReply.objects.filter(hidden_at__isnull=True).order_by("pk"),
            )
        )
        .order_by("circle__name", "circle_id", "-iso_year", "-iso_week")
    )
    charts: dict[int, Chart] = {}
    for item in mine:
        chart = charts.setdefault(item.circle_id, Chart(circle=item.circle, checkins=[]))
        chart.checkins.append(item)
    for chart in charts.values():
        for item in chart.checkins:
            item.week_text = week_label(item.week)
        chart.checkins = list(reversed(chart.checkins[:CHART_WEEKS]))
    return render(request, "circles/my_checkins.html", {"charts": list(charts.values())})


def circle_page_checkins(circle: Circle, user: User) -> dict[str, object]:
    """What the circle's page shows its active members about this week's check-ins: those
    shared with the circle (name, mood word, note, notes of support) and how many others
    checked in without sharing."""
    week = current_week(circle)
    # Someone who left or was removed takes their check-ins off the circle's page.
    this_week = (
        CheckIn.objects.filter(circle=circle)
        .of_week(week)
        .filter(user__in=circle.memberships.active().values("user"))
    )
    shared = list(
        this_week.shared_with_circle()
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=CheckInReply.objects.filter(hidden_at__isnull=True)
                .select_related("user")
                .order_by("pk"),
            )
        )
        .order_by("created_at")
    )
    return {
        "checkin_week": week_label(week),
        "shared_checkins": shared,
        "unshared_count": this_week.exclude(visibility=CheckIn.Visibility.CIRCLE).count(),
        "my_checkin": this_week.filter(user=user).first(),
        "reply_form": CheckInReplyForm(),
    }
