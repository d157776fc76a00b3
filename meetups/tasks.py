"""Periodic work for meetups: thin Celery wrappers that call services.

The emails and the tasks that send them live in meetups.notifications (services enqueue
those after commit); only what beat runs over a service stays here.
"""

from __future__ import annotations

from celery import shared_task

from accounts.background import BackgroundTask
from meetups import retention, services


@shared_task(base=BackgroundTask)
def extend_all_schedules() -> int:
    return services.extend_all_schedules()


@shared_task(base=BackgroundTask)
def forget_old_attendance() -> int:
    return retention.forget_old_attendance()


@shared_task(base=BackgroundTask)
def pass_on_lapsed_offers() -> int:
    """Every minute: last-minute seat offers not confirmed in time pass to the next person
    waiting. The offers are rows with their end time, so a worker that dies or restarts
    loses nothing: the next run finds what is still due."""
    return services.pass_on_lapsed_offers()
