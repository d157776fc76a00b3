"""Periodic work for accounts: thin Celery wrappers over services, started by beat
(peersupport/celery.py)."""

from __future__ import annotations

from celery import shared_task

from accounts import retention
from accounts.background import BackgroundTask


@shared_task(base=BackgroundTask)
def purge_old_notifications() -> int:
    return retention.purge_old_notifications()
