"""Background work of accounts: the outbox's delivery and sweep (accounts.outbox), and the
daily purge, thin Celery wrappers started by beat (peersupport/celery.py) or by a hint
after commit (accounts.notify.queue_once)."""

from __future__ import annotations

from celery import shared_task

from accounts import outbox, retention
from accounts.background import BackgroundTask


@shared_task(
    base=BackgroundTask,
    soft_time_limit=outbox.DELIVERY_SOFT_TIME_LIMIT,
    time_limit=outbox.DELIVERY_TIME_LIMIT,
)
def deliver_notifications(ids: list[int] | None = None) -> dict[str, int]:
    """Send one chunk of the outbox: `ids` (those still pending and free), or the oldest."""
    return dict(outbox.deliver(ids))


@shared_task(base=BackgroundTask, soft_time_limit=50, time_limit=60)
def sweep_outbox() -> int:
    """Every minute: expire what is overdue, then hand every pending message nobody holds
    to the workers, in chunks, so all of them help (one chunk while the mail circuit is
    half-open, none while it is open: accounts.outbox.to_hand_out). Returns how many were
    handed out. Two sweeps at once hand out the same chunks twice; each message is still
    claimed by one worker only."""
    ids = outbox.to_hand_out()
    for chunk in outbox.chunks(ids):
        deliver_notifications.delay(chunk)
    return len(ids)


@shared_task(base=BackgroundTask)
def purge_old_notifications() -> dict[str, int]:
    return {
        "purged": retention.purge_old_notifications(),
        "texts_cleared": retention.clear_old_message_texts(),
    }
