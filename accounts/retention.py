"""How long the site keeps records of what happened, and the purge of what is older.

Whom the site emailed, and who came to which meetup, says which circles a person goes to:
health information. Such records are kept for `RETENTION_MONTHS` (default 12) and then
purged by a daily task; each app purges its own rows (`accounts.retention` the sent-email
records, `meetups.retention` attendance), all against the one cutoff given here.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification

# A message's text is kept this long after it was sent (or dropped), for the staff's
# outbox page and for looking into a complaint; then only the record that it went stays.
MESSAGE_TEXT_DAYS = 7


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The moment `RETENTION_MONTHS` calendar months before `now`: records from before it
    are purged. A day the earlier month lacks becomes its last day (31 March less one
    month is 28 or 29 February)."""
    now = now or timezone.now()
    months = now.year * 12 + now.month - 1 - settings.RETENTION_MONTHS
    year, month = divmod(months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return now.replace(year=year, month=month, day=min(now.day, last_day))


@transaction.atomic
def purge_old_notifications(*, now: dt.datetime | None = None) -> int:
    """Delete the records of emails created before the retention cutoff; returns how many.

    A record is the guard that sends a message once (accounts.notify.queue_once). Every key
    names a meetup, a change or a month long past by then, so no scan is looking for it
    and nothing is sent again; a message still pending that old expired long ago.
    """
    deleted, _ = Notification.objects.filter(created_at__lt=retention_cutoff(now)).delete()
    return deleted


def clear_old_message_texts(*, now: dt.datetime | None = None) -> int:
    """Blank the body, HTML and headers of messages finished (sent, failed, expired or
    obsolete) more than MESSAGE_TEXT_DAYS ago; returns how many. A body may name a circle
    and a meetup's place; the row itself (key, kind, subject, status, times) stays until
    the purge above. Pending messages keep theirs: they still have to be sent."""
    now = now or timezone.now()
    return (
        Notification.objects.exclude(status=Notification.Status.PENDING)
        .filter(updated_at__lt=now - dt.timedelta(days=MESSAGE_TEXT_DAYS))
        .exclude(body="", html="", headers={})
        .update(body="", html="", headers={})
    )
