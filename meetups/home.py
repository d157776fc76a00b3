"""The home page: search by place, topic and day, and the meetups coming up near you.

Cached like browse pages are (circles.cache): whole for anonymous visitors, and the search
with the meetups coming up per home place for everyone. Seats left are filled in on the
way out (meetups.seats).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from accounts.http import HtmxHttpRequest
from accounts.models import User
from circles import cache as browse_cache
from circles.forms import CircleSearchForm
from circles.mine import my_circles
from circles.models import Circle
from meetups.models import RSVP, Meetup
from meetups.services import waitlist_position

HOME_MEETUPS = 6
HOME_RADIUS_KM = 50.0


def _upcoming_meetups(request: HtmxHttpRequest) -> list[dict[str, object]]:
    """The next meetups of listed circles near the person's home place when we know it,
    anywhere otherwise; online circles always count as near."""
    circles = Circle.objects.listed()
    user = request.user
    if user.is_authenticated and user.home_lat is not None and user.home_lng is not None:
        nearby = circles.near(user.home_lat, user.home_lng, HOME_RADIUS_KM).values("pk")
        circles = circles.filter(Q(format=Circle.Format.ONLINE) | Q(pk__in=nearby))
    # Asked as "the meetup's circle is one of these" rather than as a join: Postgres then
    # walks the meetups in time order checking each circle against the set, instead of a
    # parallel join that took several times as long near a place at 100,000 circles.
    meetups = Meetup.objects.filter(
        status=Meetup.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
        circle__in=circles.values("pk"),
    )
    rows = meetups.order_by("starts_at").values(
        "circle__name",
        "circle__slug",
        "circle__timezone",
        "circle__format",
        "circle__area_name",
        "pk",
        "starts_at",
        "venue__name",
    )[:HOME_MEETUPS]
    return [
        {
            "circle_name": row["circle__name"],
            "circle_slug": row["circle__slug"],
            "timezone": row["circle__timezone"],
            "online": row["circle__format"] == Circle.Format.ONLINE,
            "area_name": row["circle__area_name"],
            "id": row["pk"],
            "starts_at": row["starts_at"],
            "venue_name": row["venue__name"] or "",
        }
        for row in rows
    ]


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Search by place, topic and day; what's coming up near you."""
    key = version = None
    if browse_cache.cacheable(request):
        key = browse_cache.page_key("home", {}, False)
        cached, version = browse_cache.get_page(key)
        if cached is not None:
            return HttpResponse(cached)
    context: dict[str, object] = {"home_html": _home_section(request)}
    if request.user.is_authenticated:
        context |= _my_part(request.user)
    response = render(request, "home.html", context)
    browse_cache.set_page(key, version, response.content)
    return response


def _home_section(request: HtmxHttpRequest) -> SafeString:
    """The home page's search and the meetups coming up, near the person's home place when
    we know it: the same for everyone with that home place, so cached by it like searches
    are (see circles.cache)."""
    user = request.user
    near_home = user.is_authenticated and user.home_lat is not None
    # Online circles' times read in the person's zone (the site's for visitors).
    zone = user.timezone if user.is_authenticated and user.timezone else settings.TIME_ZONE
    # Signed in, the person's own part leads the page and the search is its second part.
    home: dict[str, object] = {"zone": zone, "signed_in": user.is_authenticated}
    if near_home:
        home |= {"place": user.home_place, "lat": user.home_lat, "lng": user.home_lng}

    def render_section() -> str:
        form = CircleSearchForm(initial={"near": home.get("place", "")}, user=user)
        context = {
            "form": form,
            "meetups": _upcoming_meetups(request),
            "near_home": near_home,
            "viewer_zone": zone,
            "signed_in": user.is_authenticated,
        }
        return render_to_string("home.html#section", context, request)

    key = browse_cache.page_key("home-section", home, False)
    return browse_cache.cached_section(key, render_section)


MY_NEXT_MEETUPS = 3


def _my_part(user: User) -> dict[str, object]:
    """What leads a signed-in person's home page, never cached: their next meetups with
    their place in each (going or the waitlist, and "I can't make it"), and their circles
    (circles.mine: the next meetup, this week's check-in, what waits for a facilitator)."""
    seats = list(
        RSVP.objects.filter(
            user=user,
            status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED],
            meetup__status=Meetup.Status.SCHEDULED,
            meetup__starts_at__gt=timezone.now(),
        )
        .select_related("meetup__circle", "meetup__venue")
        .order_by("meetup__starts_at")[:MY_NEXT_MEETUPS]
    )
    for seat in seats:
        seat.position = waitlist_position(seat)
    return {"my_seats": seats, "my_circles": my_circles(user)}
