"""Listed circles as open data, in the Meeting Guide JSON format
(https://github.com/code4recovery/spec): a JSON array with one entry per schedule.

What goes out is only what the circle's public page shows: name, description, when,
where, access notes. Nothing about members; an online link only when the facilitators
chose to publish it (`online_url_public`). The Meeting Guide format describes weekly
meetings; every-other-week and monthly schedules are included with their rhythm spelled
out in `notes`, so a reader is not misled into expecting them every week.

One query builds the whole feed, and the result is cached under the browse version, which
any change to a circle, schedule or venue bumps.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from circles import wording
from circles.cache import get_page, page_key, set_page
from circles.models import Circle, Schedule

LANGUAGE_TYPES = {"en": "EN", "es": "S", "fr": "FR", "de": "DE", "pt": "POR", "it": "ITA"}


def _rhythm(schedule: Schedule) -> str:
    """Every other week and monthly schedules spelled out, since the format means weekly."""
    if schedule.frequency == Schedule.Frequency.WEEKLY:
        return ""
    return f"Meets {wording.recurrence_in_sentence(schedule)}."


def _types(circle: Circle, schedule: Schedule) -> list[str]:
    types = []
    if circle.step_free or (schedule.venue and schedule.venue.step_free):
        types.append("X")
    if circle.sign_language:
        types.append("ASL")
    if circle.fragrance_free:
        types.append("FF")
    if circle.language in LANGUAGE_TYPES:
        types.append(LANGUAGE_TYPES[circle.language])
    return types


def meeting(schedule: Schedule) -> dict:
    """One Meeting Guide entry for a schedule of a listed circle."""
    circle = schedule.circle
    venue = schedule.venue if circle.format != Circle.Format.ONLINE else None
    start = dt.datetime.combine(dt.date(2000, 1, 1), schedule.start_time)
    end = start + dt.timedelta(minutes=schedule.duration_minutes)
    notes = " ".join(part for part in (_rhythm(schedule), circle.description.strip()) if part)
    entry: dict = {
        "name": circle.name,
        "slug": f"{circle.slug}-{schedule.pk}",
        # Meeting Guide counts days from Sunday = 0; Python from Monday = 0.
        "day": (schedule.weekday + 1) % 7,
        "time": f"{schedule.start_time:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "timezone": circle.timezone,
        "types": _types(circle, schedule),
        "notes": notes,
        "region": circle.area_name,
        "url": f"{settings.SITE_URL}{circle.get_absolute_url()}",
        "updated": circle.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if venue:
        entry |= {
            "location": venue.name,
            "formatted_address": venue.address,
            "latitude": round(venue.lat, 5),
            "longitude": round(venue.lng, 5),
            "approximate": "no",
        }
        if venue.accessibility_notes:
            entry["location_notes"] = venue.accessibility_notes
    elif circle.area_name:
        entry |= {"formatted_address": circle.area_name, "approximate": "yes"}
        if circle.lat is not None and circle.lng is not None:
            entry |= {"latitude": round(circle.lat, 5), "longitude": round(circle.lng, 5)}
    if circle.format != Circle.Format.IN_PERSON and circle.online_url_public and circle.online_url:
        entry["conference_url"] = circle.online_url
    return entry


def meetings() -> list[dict]:
    schedules = (
        Schedule.objects.current()
        .filter(circle__in=Circle.objects.listed())
        .select_related("circle", "venue")
        .order_by("circle__name", "weekday", "start_time", "pk")
    )
    return [meeting(schedule) for schedule in schedules]


@require_safe
@cache_control(public=True, max_age=900)
def meeting_guide_feed(request: HttpRequest) -> HttpResponse:
    key = page_key("feed", {}, partial=False)
    body, version = get_page(key)
    if body is None:
        body = json.dumps(meetings(), ensure_ascii=False).encode()
        set_page(key, version, body)
    response = HttpResponse(body, content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
