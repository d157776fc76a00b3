"""The one shape of a Celery task here: enqueued after commit, retried with backoff.

Every app's tasks are declared with `@shared_task(base=BackgroundTask)`. Work that must
wait for the change that asked for it (the outbox's delivery hint, a cache version bump)
goes through `after_commit` below (the same idea as pretix's `TransactionAwareTask`).
Two rules follow from that:

- The message is published only once the surrounding transaction has committed, so the
  worker always finds the rows it is given, and nothing is sent for a change that rolled
  back. Outside a transaction it is published at once.
- A broker that is down while publishing never fails the change that was committed: the
  delivery hint is registered `robust=True`, so the error is logged and the request
  carries on. Nothing is lost by it: emails are rows of the outbox written with the change
  (accounts.outbox), the message published is only a hint to send them sooner, and the
  sweep every minute sends whatever a lost hint left behind.

On the worker, a task acknowledges its message only after it ran (`acks_late`) and
retries any exception with exponential backoff. That is safe because every task here is
idempotent: emails are queued once per unique key and claimed under a lease before being
sent (accounts.outbox), and the schedule extension creates only meetups that do not exist
yet. No retry countdown (at most `retry_backoff_max`, 10 minutes) comes near the broker's
`visibility_timeout` (an hour).

It lives in `accounts`, the lowest room, so that every app above can use it; it imports
nothing of the other apps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import transaction


class BackgroundTask(DjangoTask):
    """Celery's Django task with this project's retry policy."""

    acks_late = True
    autoretry_for = (Exception,)
    retry_backoff = 30
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


class _Gathered:
    """What `after_commit` gathered under one key in one transaction: handled once."""

    def __init__(self, handle: Callable[[list[Any]], None]) -> None:
        self.handle = handle
        self.items: list[Any] = []
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        self.handle(self.items)


_gathering = threading.local()
_NO_ITEM = object()


def after_commit(
    key: Hashable,
    handle: Callable[[list[Any]], None],
    item: Any = _NO_ITEM,
    *,
    robust: bool = False,
) -> None:
    """Call `handle(items)` once when the current transaction commits, with every item
    given under `key` during it (outside a transaction: at once, with this item alone).
    A rolled-back transaction calls nothing; `robust` logs an error instead of raising it.

    Only Django's public transaction API: each call registers the gathered batch with
    `transaction.on_commit` again (the batch runs once, the later calls do nothing), so a
    savepoint rolled back takes only its own registrations with it and the batch still
    runs at the commit. Batches are kept per thread; what a transaction that rolled back
    gathered is dropped the next time this is asked outside a transaction, and until then
    joins the next transaction's batch (so `handle` must be harmless for items whose rows
    no longer exist, as handing out an outbox id or bumping a cache version is)."""
    batches: dict[Hashable, _Gathered] = _gathering.__dict__.setdefault("batches", {})
    if transaction.get_connection().in_atomic_block:
        batch = batches.get(key)
        if batch is None or batch.done:
            batch = batches[key] = _Gathered(handle)
    else:
        batches.clear()
        batch = _Gathered(handle)
    if item is not _NO_ITEM:
        batch.items.append(item)
    transaction.on_commit(batch, robust=robust)
