"""Attendance is kept for `RETENTION_MONTHS` (see accounts.retention), then forgotten."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.retention import retention_cutoff
from meetups.models import RSVP


@transaction.atomic
def forget_old_attendance(*, now: dt.datetime | None = None) -> int:
    """Clear whether people came (`RSVP.attended`) to meetups that started before the
    retention cutoff; returns how many RSVPs changed. The RSVP itself stays, as the
    meetup's history of seats, with no record of who was there."""
    return RSVP.objects.filter(
        meetup__starts_at__lt=retention_cutoff(now), attended__isnull=False
    ).update(attended=None)
