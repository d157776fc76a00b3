"""The one shape of a Celery task here: enqueued after commit, retried with backoff.

Every app's tasks are declared with `@shared_task(base=BackgroundTask)`, and a service
enqueues one with `task.delay_on_commit(...)` (Celery's Django task, the same idea as
pretix's `TransactionAwareTask`). Two rules follow from that:

- The message is published only once the surrounding transaction has committed, so the
  worker always finds the rows it is given, and nothing is sent for a change that rolled
  back. Outside a transaction it is published at once.
- A broker that is down while publishing never fails the change that was committed: the
  callback is registered `robust=True`, so the error is logged and the request carries
  on. Nothing is lost by it: emails are rows of the outbox written with the change
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

import functools
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import transaction


class BackgroundTask(DjangoTask):
    """Celery's Django task, with a robust on-commit enqueue and this project's retry policy."""

    acks_late = True
    autoretry_for = (Exception,)
    retry_backoff = 30
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """`delay(...)` once the current transaction commits; a broker error is logged."""
        transaction.on_commit(functools.partial(self.delay, *args, **kwargs), robust=True)

    def apply_async_on_commit(self, *args: Any, **kwargs: Any) -> None:
        """`apply_async(...)` once the current transaction commits; a broker error is logged."""
        transaction.on_commit(functools.partial(self.apply_async, *args, **kwargs), robust=True)
