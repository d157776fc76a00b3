"""Seats left on pages kept in the page cache (browse results, the home page)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from meetups.seats import mark

register = template.Library()


@register.simple_tag
def seats_left(meetup_id: int) -> SafeString:
    """ "3 seats left" or "full, waitlist open": a mark that meetups.seats fills in as the
    page leaves the site, so RSVPs don't make cached pages stale."""
    return mark(meetup_id)
