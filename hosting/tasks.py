"""Periodic scans of the facilitator's side, thin wrappers over hosting.services, started by
beat (peersupport/celery.py)."""

from __future__ import annotations

from celery import shared_task

from accounts.background import BackgroundTask
from hosting import notifications, services


@shared_task(base=BackgroundTask)
def still_meeting_scan() -> dict[str, int]:
    """Daily: ask the facilitators of circles unconfirmed for a month whether they still
    meet (once a month each), then make dormant the circles unconfirmed for
    STILL_MEETING_DAYS with no meetup ahead. Both are queries for what is due, so running
    twice changes nothing."""
    asked = 0
    while True:
        sent = notifications.send_still_meeting_prompts()
        asked += sent
        if sent < notifications.STILL_MEETING_BATCH:
            break
    return {"asked": asked, "dormant": services.mark_dormant_circles()}


@shared_task(base=BackgroundTask)
def cover_deadline_scan() -> int:
    """Every few minutes: tell the facilitators of each request for cover that nobody has
    accepted by its deadline (once each: the state is in the database, so running twice
    or after a restart tells nobody twice)."""
    return services.tell_facilitators_of_uncovered()
