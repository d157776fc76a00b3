"""What a host types into /circles/new/, as a POST: a weekly in-person circle in Baton Rouge
at a new coffee shop, starting today. Tests change one answer at a time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone

from circles.models import Topic
from hosting import agreement

URL = "/circles/new/"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def today_in_chicago() -> dt.date:
    return timezone.now().astimezone(CHICAGO).date()


def answers(**changes: Any) -> dict[str, Any]:
    topic, _ = Topic.objects.get_or_create(slug="grief", defaults={"name": "Grief"})
    data: dict[str, Any] = {
        "action": "start",
        "name": "Mid City Grief Circle",
        "description": "For people missing someone. We listen and share.",
        "topics": [topic.pk],
        "language": "en",
        "format": "in_person",
        "area": "Baton Rouge, LA",
        "venue": "new",
        "venue_name": "Corner Coffee",
        "venue_address": "100 Main St, Baton Rouge, LA",
        "venue_lat": "30.4515",
        "venue_lng": "-91.1871",
        "venue_step_free": "on",
        "venue_notes": "Level entrance.",
        "online_url": "",
        "join_policy": "open",
        "join_question": "",
        "visibility": "listed",
        "guidelines": "What is shared here stays here.",
        "capacity": "10",
        "accessibility_notes": "",
        "frequency": "weekly",
        "weekday": "1",
        "start_time": "18:30",
        "duration_minutes": "90",
        "starts_on": today_in_chicago().isoformat(),
        "until": "",
        "checkin_weekday": "3",
        "checkin_time": "19:00",
        "agreement": "on",
        "agreement_version": agreement.VERSION,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
