"""Which week a check-in is for, and the signed links in the weekly prompt.

A check-in belongs to an ISO week in the circle's zone. The page opened without a link is
for the current week; a link from a prompt carries the week it was sent for, so a Sunday
evening prompt answered on Monday still counts for the week it asked about.

A link from the email is signed (django.core.signing) for one person, one circle and one
week, with an optional mood, and expires after `LINK_DAYS` days. It only ever OPENS the
check-in page, with the mood chosen: mail security scanners open every link in a message,
so a link that recorded anything would record moods nobody chose and could raise a false
"I'd like support". The person confirms with the page's button (a POST). The link also
lets its person check in without signing in, on that page only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import dates
from django.utils.text import capfirst
from django.utils.translation import gettext

from circles.models import MOOD_WORDS, Circle, iso_week_number

LINK_SALT = "circles.checkin.link"
LINK_DAYS = 8


def current_week(circle: Circle, now: dt.datetime | None = None) -> int:
    """This ISO week (yyyyww) where the circle meets."""
    return iso_week_number(circle.today(now))


def previous_week(week: int) -> int:
    """The ISO week (yyyyww) before `week`."""
    monday = dt.date.fromisocalendar(week // 100, week % 100, 1) - dt.timedelta(days=7)
    year, number, _ = monday.isocalendar()
    return year * 100 + number


def week_label(week: int) -> str:
    """ "Week of 30 Nov 2026": the Monday a week starts on."""
    monday = dt.date.fromisocalendar(week // 100, week % 100, 1)
    return gettext("Week of {day} {month} {year}").format(
        day=monday.day, month=capfirst(dates.MONTHS_3[monday.month]), year=monday.year
    )


@dataclasses.dataclass(frozen=True)
class CheckInLink:
    user_id: int
    circle_id: int
    week: int
    mood: int | None


def link_token(*, user_id: int, circle_id: int, week: int, mood: int | None = None) -> str:
    return signing.dumps({"u": user_id, "c": circle_id, "w": week, "m": mood}, salt=LINK_SALT)


def read_link(token: str) -> CheckInLink | None:
    """The link's content, or None when it is forged, expired or malformed."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(days=LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, circle_id, week, mood = (data.get(k) for k in "ucwm")
    if not all(isinstance(v, int) for v in (user_id, circle_id, week)):
        return None
    if mood is not None and mood not in MOOD_WORDS:
        return None
    return CheckInLink(user_id=user_id, circle_id=circle_id, week=week, mood=mood)


def checkin_path(circle: Circle, token: str = "") -> str:
    path = reverse("circles:checkin", args=[circle.slug])
    return f"{path}?{urlencode({'t': token}, safe=':')}" if token else path


def prompt_links(*, user_id: int, circle: Circle, week: int) -> dict[str, object]:
    """The prompt's links, absolute: one per mood (each opens the page with it chosen) and
    one to the page with nothing chosen."""

    def url(mood: int | None) -> str:
        token = link_token(user_id=user_id, circle_id=circle.pk, week=week, mood=mood)
        return f"{settings.SITE_URL}{checkin_path(circle, token)}"

    return {
        "moods": [{"word": word, "url": url(mood)} for mood, word in MOOD_WORDS.items()],
        "checkin_url": url(None),
    }
