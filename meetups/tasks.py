"""Background work for meetups: thin Celery wrappers that take ids and call services.

Every email goes through accounts.notify.send_once and its unique Notification key, so a
retried task, a second beat or a worker killed halfway never sends twice.
"""

from __future__ import annotations

from celery import shared_task

from meetups import emails, services

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRY)
def notify_promoted(rsvp_id: int) -> bool:
    return emails.notify_promoted(rsvp_id=rsvp_id)


@shared_task(**RETRY)
def notify_cancelled(meetup_id: int) -> int:
    return emails.notify_cancelled(meetup_id=meetup_id)


@shared_task(**RETRY)
def send_due_reminders() -> int:
    return emails.send_due_reminders()


@shared_task(**RETRY)
def extend_all_schedules() -> int:
    return services.extend_all_schedules()
