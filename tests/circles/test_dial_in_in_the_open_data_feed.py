"""/circles/feed.json publishes a circle's dial-in number (`conference_phone`) and its
access code (`conference_phone_notes`) only when the circle's facilitators chose to
(`dial_in_public`); an online circle with a published number and no published link is
listed, and reads as active to the meeting finders."""

from __future__ import annotations

import pytest
from django.utils import timezone

from circles.models import Circle
from tests.circles import meeting_finders
from tests.circles.test_feed_in_meeting_finders import (
    assert_reads_right,
    by_name,
    fetch,
    meets,
    online_circle,
)
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db

PHONE = "+1 (555) 010-4477"
CODE = "918 273 645"


@pytest.fixture(autouse=True)
def _fresh_feed(settings) -> None:
    settings.BROWSE_CACHE_SECONDS = 0


def test_only_published_numbers_go_out(client):
    meets(
        circle=online_circle(
            name="Phone published", dial_in_phone=PHONE, dial_in_code=CODE, dial_in_public=True
        ),
        venue=None,
    )
    meets(
        circle=online_circle(
            name="Phone for members only",
            dial_in_phone=PHONE,
            dial_in_code=CODE,
            online_url_public=True,
        ),
        venue=None,
    )
    meets(
        circle=CircleFactory(
            name="Hybrid, phone published",
            format=Circle.Format.HYBRID,
            online_url="https://zoom.us/j/1",
            dial_in_phone="+44 20 7946 0011",
            dial_in_public=True,
        ),
    )
    meets(
        circle=CircleFactory(
            name="In person with a stray number", dial_in_phone=PHONE, dial_in_public=True
        ),
    )

    rows = by_name(fetch(client))

    published = rows["Phone published"]
    assert published["conference_phone"] == "+15550104477"
    assert published["conference_phone_notes"] == "Access code: 918 273 645"
    assert "conference_url" not in published  # the link stays with the members
    assert rows["Hybrid, phone published"]["conference_phone"] == "+442079460011"
    assert "conference_phone_notes" not in rows["Hybrid, phone published"]
    for name in ("Phone for members only", "In person with a stray number"):
        assert "conference_phone" not in rows[name] and "conference_phone_notes" not in rows[name]
        assert "5550104477" not in str(rows[name]) and "918 273" not in str(rows[name])
    assert_reads_right(list(rows.values()))
    assert all(
        listing.active for listing in meeting_finders.load(list(rows.values()), timezone.now())
    )


def test_an_online_circle_keeping_its_number_for_members_stays_out(client):
    meets(circle=online_circle(name="Members only", dial_in_phone=PHONE), venue=None)

    assert fetch(client) == []
