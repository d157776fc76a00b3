"""Finding a circle, a circle's own page, joining and leaving."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.errors import RuleError, refused, show_refusal
from accounts.http import AuthenticatedHttpRequest, HtmxHttpRequest
from accounts.ratelimits import rate_limited
from circles import cache as browse_cache
from circles import mine, wording
from circles.checkin_views import circle_page_checkins
from circles.forms import (
    AcceptGuidelinesForm,
    CircleSearchForm,
    InviteForm,
    JoinForm,
    TimesZoneForm,
)
from circles.models import Circle, Membership
from circles.services import accept_guidelines, join_circle

ONLINE_SECTION_SIZE = 5


def _query_with(query: QueryDict, **changes: str | None) -> str:
    changed = query.copy()
    for key, value in changes.items():
        changed.pop(key, None)
        if value is not None:
            changed[key] = value
    return "?" + changed.urlencode()


def _search_query(query: QueryDict, form: CircleSearchForm) -> QueryDict:
    """The query without parameters the search form does not know."""
    known = QueryDict(mutable=True)
    for key in form.fields:
        if key in query:
            known.setlist(key, query.getlist(key))
    return known


# The columns a result card and the map show: the rest of a circle stays in the database.

CARD_FIELDS = ("name", "slug", "format", "area_name", "lat", "lng", "timezone", "language")


def _page_of(circles: QuerySet[Circle], number: int) -> Page:
    """One page of matching circles in browse order with the columns a card shows, and how
    many match, from a single query (the count is a window over the matches, which the
    browse indexes answer). A page past the end falls back to the last page, as
    Paginator.get_page does, which costs a second query only then."""
    size = settings.BROWSE_PAGE_SIZE
    rows = circles.only(*CARD_FIELDS).annotate(total=Window(Count("pk")))

    def read(number: int) -> list[Circle]:
        return list(rows[(number - 1) * size : number * size])

    page = read(number)
    if not page and number > 1:
        total = circles.count()
        number = max(1, -(-total // size))
        page = read(number) if total else []
    paginator = Paginator([], size)
    paginator.count = page[0].total if page else 0
    return Page(page, number, paginator)


def _search_results(form: CircleSearchForm, query: QueryDict) -> dict[str, object]:
    """One page of results, and on the first page near a place a few online circles, with
    each circle's topics and next meetup: a fixed handful of queries however many match."""
    page = _page_of(form.circles(), form.cleaned_data["page"] or 1)
    paginator = page.paginator
    results = list(page.object_list)
    online_circles = form.online_circles()
    online: list[Circle] = []
    if online_circles is not None and page.number == 1:
        online = list(online_circles.only(*CARD_FIELDS)[: ONLINE_SECTION_SIZE + 1])
    more_online = len(online) > ONLINE_SECTION_SIZE
    online = online[:ONLINE_SECTION_SIZE]
    shown = results + online
    # Topic names and next meetups as plain values, not model instances: cards only show them.
    shown_circles = Circle.objects.filter(pk__in=[c.pk for c in shown])
    topic_names = shown_circles.topic_names()
    next_meetups = shown_circles.next_meetups()
    for circle in shown:
        circle.topic_names = topic_names.get(circle.pk, [])
        circle.next_meetup = next_meetups.get(circle.pk)
    markers = [
        {"name": c.name, "url": c.get_absolute_url(), "lat": c.lat, "lng": c.lng}
        for c in results
        if not c.is_online and c.lat is not None
    ]
    return {
        "page": page,
        "results": results,
        "count": paginator.count,
        "online_results": online,
        "all_online_url": _query_with(query, format="online", page=None) if more_online else None,
        "unit": form.cleaned_data["unit"],
        # Online circles' times read in the searcher's zone (the search's key carries it).
        "viewer_zone": form.search_timezone().key,
        "place": form.cleaned_data["place"],
        "nearby": form.searches_nearby(),
        "radius": form.cleaned_data["radius"],
        "markers": markers,
        "previous_url": _query_with(query, page=str(page.previous_page_number()))
        if page.has_previous()
        else None,
        "next_url": _query_with(query, page=str(page.next_page_number()))
        if page.has_next()
        else None,
    }


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def browse(request: HtmxHttpRequest) -> HttpResponse:
    """Search circles by place, topic, day, time, format, language, access and words.
    htmx requests get only the results. Anonymous pages are cached whole, and every
    search's part of the page is cached for everyone, until anything shown on them
    changes (circles.cache). Seats left are filled in on the way out (meetups.seats)."""
    # Back and Forward ask for the whole page again, even from htmx.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    # A visitor's whole page is cached by the query string as given (canonical JSON, so
    # no two queries share a key) and served before the search is parsed.
    key = version = None
    if browse_cache.cacheable(request):
        key = browse_cache.query_key("browse", request.GET, partial)
        cached = browse_cache.get_whole_page(key)
        if cached.filled is not None:  # seats filled in and current: nothing more to do
            return HttpResponse(cached.filled)
        version = cached.version
        if cached.marked is not None:
            response = HttpResponse(cached.marked)
            browse_cache.keep_filled(response, key, version)
            return response
    form = CircleSearchForm(request.GET, user=request.user)
    template = "circles/browse.html#results" if partial else "circles/browse.html"
    context: dict[str, object] = {
        "form": form,
        "partial": partial,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    if not form.is_valid():
        context["markers"] = []
        context["place_choices"] = [
            {
                "name": p.name,
                "url": _query_with(request.GET, near=p.name, lat=None, lng=None, page=None),
            }
            for p in form.place_choices
        ]
        return render(request, template, context, status=400)

    # The search's part of the page is cached by what the search means (its cleaned data),
    # so one search written differently shares it, and links on the page carry the
    # search's own parameters only.
    query = _search_query(request.GET, form)

    # A valid search's part of the page (the form, the status line, the results and the
    # map; for htmx just the results) is the same for everyone making that search.
    def render_section() -> str:
        name = "results" if partial else "search"
        section_context = context | _search_results(form, query)
        return render_to_string(f"circles/browse.html#{name}", section_context, request)

    section_key = browse_cache.search_key(form.cleaned_data, partial, form.search_timezone().key)
    section = browse_cache.cached_section(section_key, render_section)
    if partial:
        response = HttpResponse(section)
    else:
        context |= {"search_html": section, "place": form.cleaned_data["place"]}
        response = render(request, template, context)
    browse_cache.set_page(key, version, response.content)
    browse_cache.keep_filled(response, key, version)
    return response


def _get_circle_for(request: HtmxHttpRequest, slug: str, invite: str) -> Circle:
    """The circle by its slug, when its page is open to the person (circles.see_circle)
    or they bring its invite token: 404 otherwise, the same as for a slug nobody has."""
    circle = get_object_or_404(Circle, slug=slug)
    if not (request.user.has_perm("circles.see_circle", circle) or circle.has_invite(invite)):
        raise Http404("No such circle.")
    return circle


def _page_url(circle: Circle, invite: str) -> str:
    """Where the person came in: the invite link when they came by it, for redirects and
    the sign-in links, which would otherwise lead someone not in the circle to a 404."""
    return circle.invite_url() if circle.has_invite(invite) else circle.get_absolute_url()


def _meetup_times(request: HtmxHttpRequest, circle: Circle) -> dict[str, object]:
    """The zone the circle's page shows its meetups' times in. An online circle's read in
    the signed-in viewer's own zone (accounts.User.timezone), with a link to show them in
    the circle's zone (`?zone=circle`) and back; an in-person or hybrid circle's in its own
    zone, where people go. Signed-out viewers, and viewers in the circle's zone, read the
    circle's zone, named in words ("Chicago time")."""
    user = request.user
    own = (
        wording.reader_zone(user.timezone, circle.timezone).key
        if user.is_authenticated
        else circle.timezone
    )
    if not circle.is_online or own == circle.timezone:
        return {"times_zone": circle.timezone, "own_zone": ""}
    in_circles_zone = TimesZoneForm(request.GET).wants_circles_zone()
    return {
        "times_zone": circle.timezone if in_circles_zone else own,
        "own_zone": own,
        "zone_switch_url": _query_with(request.GET, zone=None if in_circles_zone else "circle"),
    }


def _render_detail(
    request: HtmxHttpRequest,
    circle: Circle,
    invite: str,
    join_form: JoinForm | None = None,
    accept_form: AcceptGuidelinesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    membership = circle.membership_of(user)
    meetups = list(circle.meetups.upcoming().select_related("venue")[:4])
    can_manage = user.has_perm("circles.manage_circle", circle)
    invite = invite if circle.has_invite(invite) else ""
    is_member = user.has_perm("circles.see_checkins", circle)
    checkins = circle_page_checkins(circle, user) if is_member else {}
    # The meetups listed that the person has a seat at (meetups' rows, read through the
    # person's relation).
    going_ids = (
        set(
            user.rsvps.filter(meetup__in=meetups, status="going").values_list(
                "meetup_id", flat=True
            )
        )
        if is_member
        else set()
    )
    return render(
        request,
        "circles/detail.html",
        {
            "circle": circle,
            "topics": circle.topics.all(),
            "facilitators": circle.facilitators(),
            "schedules": circle.schedules.current(today=circle.today())
            .select_related("venue")
            .order_by("weekday", "start_time"),
            "meetups": meetups,
            **_meetup_times(request, circle),
            "going_ids": going_ids,
            # Someone who came by an unlisted circle's invite link sees its next meetups
            # but cannot open them until they join.
            "link_meetups": user.has_perm("circles.see_meetups", circle),
            "membership": membership,
            # "You host this circle" instead of the join and leave buttons: hosting, not
            # managing, so a moderator who is a plain member still sees their own buttons.
            "is_facilitator": circle.is_facilitator(user),
            # An invitation to co-facilitate waiting for this member's answer (hosting's
            # rows, read through the relation).
            "co_facilitator_invitation": (
                circle.co_facilitator_invitations.open().filter(user=user).first()
                if is_member
                else None
            ),
            # A link to the manage page (served by hosting, above this room).
            "can_manage": can_manage,
            "waiting": mine.waiting_for(user, circle) if can_manage else 0,
            # The link that opens an unlisted circle, for its facilitators to share.
            "invite_link": (
                request.build_absolute_uri(circle.invite_url())
                if can_manage and circle.is_unlisted
                else ""
            ),
            "page_url": _page_url(circle, invite),
            "join_form": join_form or JoinForm(circle=circle, initial={"invite": invite}),
            # The facilitators changed the guidelines since this member accepted them.
            "guidelines_changed": membership is not None
            and membership.status in Membership.CURRENT
            and membership.guidelines_changed_since_accepted(),
            "accept_form": accept_form or AcceptGuidelinesForm(),
            "checkin_day": wording.weekday_name(circle.checkin_weekday - 1),
            "checkin_clock": wording.clock(circle.checkin_local_time),
            # This week's check-ins, for its active members only (circle_page_checkins).
            "is_member": is_member,
            **checkins,
        },
        status=status,
    )


@require_safe
def detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A circle's page: listed circles for anyone, unlisted ones by their invite link
    (circles.see_circle). A closed circle says so, to whoever may see it."""
    invite = InviteForm(request.GET).token()
    circle = _get_circle_for(request, slug, invite)
    if circle.status == Circle.Status.ARCHIVED:
        return render(request, "circles/closed.html", status=404)
    return _render_detail(request, circle, invite)


@require_POST
@rate_limited("join")
def join(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Join an open circle, or ask to join an approval circle. Joining an unlisted circle
    takes its invite link: the join form carries the token on."""
    invite = InviteForm(request.POST).token()
    circle = _get_circle_for(request, slug, invite)
    if circle.status == Circle.Status.ARCHIVED:
        raise Http404("This circle has closed.")
    if not request.user.is_authenticated:
        return redirect_to_login(_page_url(circle, invite))
    form = JoinForm(request.POST, circle=circle)
    if not form.is_valid():
        return _render_detail(request, circle, invite, join_form=form, status=400)
    try:
        membership = join_circle(
            user=request.user,
            circle=circle,
            accept_guidelines=form.cleaned_data["accept_guidelines"],
            answer=form.cleaned_data.get("answer", ""),
        )
    except RuleError as error:
        return refused(request, error, to=_page_url(circle, invite))
    if membership.status == Membership.Status.PENDING:
        messages.success(
            request,
            _(
                "Thank you. Your request is with the facilitators; you'll be a member once "
                "one of them says yes."
            ),
        )
    else:
        messages.success(
            request, gettext("Welcome to {name}. We're glad you're here.").format(name=circle.name)
        )
    return redirect(circle)


@login_required
@require_POST
def accept_new_guidelines(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A member accepts the circle's guidelines as they are now, from the notice the
    circle's page shows after the facilitators changed them."""
    circle = _get_circle_for(request, slug, "")
    form = AcceptGuidelinesForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, circle, "", accept_form=form, status=400)
    try:
        accept_guidelines(user=request.user, circle=circle)
    except RuleError as error:
        show_refusal(request, error)
    else:
        messages.success(request, gettext("Thank you. You've accepted the new guidelines."))
    return redirect(circle)


@login_required
@require_safe
def my_circles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The circles I belong to or asked to join (circles.mine), beside "My meetups"."""
    return render(request, "circles/my_circles.html", {"my_circles": mine.my_circles(request.user)})
