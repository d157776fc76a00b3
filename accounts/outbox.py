"""Sending what waits in the outbox: claim, check, send, mark, with no transaction open
while the mail server is talking.

Every message is a `Notification` row written with its rendered message in the same
transaction as the change that causes it (`accounts.notify.queue_once`), or by a scan
that found it due. Sending it is a separate step, `deliver`:

1. **Claim** up to `OUTBOX_CHUNK` pending rows whose lease is free, in one short
   transaction (`select_for_update(skip_locked=True)`, so two workers never wait on each
   other nor take the same row), setting `claimed_until = now + LEASE`. Commit.
2. For each row, in id order: past its `expires_at` → marked **expired** (counted, not
   sent); its purpose's registered check says it no longer applies (`register_check`) →
   marked **obsolete**; otherwise sent over the one SMTP connection of the chunk, each
   step bounded by `EMAIL_TIMEOUT`, then marked **sent** by an UPDATE that only matches
   while this worker still holds the lease.
3. A send that fails records `attempts` and `last_error` and sets the lease to a backoff
   (30 s doubling to 10 min), so nobody tries that row again before then. What the
   server said decides the rest (`refused_for_good`):
   - a **5xx** reply about the message (RCPT, MAIL FROM or DATA: an unknown address, a
     message it will never take) counts in `refusals`; `OUTBOX_MAX_REFUSALS` of them mark
     it **failed**;
   - a **4xx** reply about the message ("try again later": greylisting, throttling, a
     full mailbox) only waits, like an outage, and the chunk goes on with the next
     message (another recipient may be taken). Our messages have one recipient each, so
     "per recipient" and "per message" are the same here; a message to several whose
     recipients were all refused counts as refused for good only when every reply is 5xx;
   - anything else (refused connection, timeout, dropped connection, 421) is the server
     or the network: the chunk stops and frees the rows not tried yet.
   An outage or a temporary reply never fails a message: it waits until it is sent or
   expires. An expired message, and one given up, is logged at WARNING with its key.
4. **The mail circuit.** A server that hangs costs a whole `EMAIL_TIMEOUT` per chunk; with
   thousands of messages pending every chunk would pay it. So a timeout opens a circuit
   shared by every worker (a key in the site's cache, Redis in production) for
   `OUTBOX_CIRCUIT_SECONDS`: meanwhile no chunk connects (deliveries and scans' chunks
   leave their rows pending and return at once) and the sweep hands nothing out. Then
   one chunk, and one only (`cache.add`), tries: if the server answers the circuit
   closes, if it times out again the circuit opens for another while. A refused
   connection costs nothing and does not open it. Without a shared cache (Redis down,
   or `make run`'s per-process cache) each process keeps its own circuit, or none: mail
   is slower to give up, never lost. Sending runs on Celery's `mail` queue (settings
   CELERY_TASK_ROUTES), so scans and other tasks on `default` never wait behind it.

Queueing hints delivery after commit (`deliver_notifications.delay_on_commit`); the hint
is only for speed. Beat runs `sweep` every minute, which fans every pending row out in
chunks to the workers: a lost hint (broker down), a dead worker (its lease runs out) or
a long SMTP outage delays a message, never loses it.

**The duplicate window.** A message is sent at most once per claim, and a claim is
exclusive while its lease runs. A message can still go out twice when (a) the mail server
accepted it and the worker died (SIGKILL, power) before the row was marked sent: the
lease runs out and another worker sends it again; or (b) a send outlived its lease. (b)
cannot happen while the delivery task's hard time limit (`DELIVERY_TIME_LIMIT`) is below
`LEASE`: the worker is killed first, which is case (a). Each message keeps the
Message-ID it was given when queued, so a second copy carries the same Message-ID and
many mail services show it once. (c) The database server itself crashes (power, the
operating system; not a worker) within about a second after marking messages sent: the
outbox's bookkeeping commits do not wait for the disk (`bookkeeping_commits`), so those
last marks can be lost and their messages go again once the server is back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mailers
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Notification

log = logging.getLogger(__name__)

# The delivery task is stopped by Celery after these many seconds (soft, then hard); the
# chunk loop itself stops starting new sends after SEND_BUDGET, whatever the pool.
DELIVERY_SOFT_TIME_LIMIT = 120
DELIVERY_TIME_LIMIT = 150
SEND_BUDGET = dt.timedelta(seconds=90)
# Longer than the hard time limit: a lease never runs out under a send still running.
LEASE = dt.timedelta(seconds=DELIVERY_TIME_LIMIT + 30)
# How many pending rows one sweep hands out (in chunks of OUTBOX_CHUNK).
SWEEP_LIMIT = 20_000

Status = Notification.Status

# Replies about the message itself; anything else is the server or the network.
MESSAGE_REPLIES = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def refused_for_good(exc: Exception) -> bool:
    """Whether a reply about the message (one of MESSAGE_REPLIES) is permanent: 5xx. A 4xx
    ("try again later") is temporary and never counts as a refusal. For refused
    recipients, every one of their replies must be 5xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 0)]
    return bool(codes) and all(code >= 500 for code in codes)


def timed_out(exc: BaseException) -> bool:
    """Whether a send failed for want of an answer within EMAIL_TIMEOUT. smtplib turns a
    timeout while reading a reply into SMTPServerDisconnected, raised while handling it."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


CIRCUIT_OPEN_UNTIL = "outbox:mail-circuit:open-until"
CIRCUIT_TRIAL = "outbox:mail-circuit:trial"


def mail_circuit() -> str:
    """The mail circuit's state: "closed" (send), "open" (no chunk connects) or
    "half-open" (one chunk may try)."""
    until = cache.get(CIRCUIT_OPEN_UNTIL)
    if until is None:
        return "closed"
    return "open" if time.time() < until else "half-open"


def _may_connect() -> str | None:
    """Whether this chunk may connect to the mail server: "closed", or "trial" when it is
    the one chunk trying a half-open circuit; None while the circuit holds it back."""
    state = mail_circuit()
    if state == "closed":
        return state
    if state == "half-open" and cache.add(CIRCUIT_TRIAL, True, timeout=LEASE.total_seconds()):
        return "trial"
    return None


def _open_circuit(exc: Exception) -> None:
    seconds = settings.OUTBOX_CIRCUIT_SECONDS
    if seconds <= 0:
        return
    # Kept well past its end, so that when it ends one chunk tries (half-open) rather than
    # every chunk at once; a success deletes it.
    cache.set(CIRCUIT_OPEN_UNTIL, time.time() + seconds, timeout=seconds + 3600)
    cache.delete(CIRCUIT_TRIAL)
    log.warning(
        "outbox: the mail server did not answer (%s: %s); no sending for %d s",
        type(exc).__name__,
        exc,
        seconds,
    )


def _close_circuit() -> None:
    cache.delete_many([CIRCUIT_OPEN_UNTIL, CIRCUIT_TRIAL])
    log.warning("outbox: the mail server answers again; sending resumes")


Check = Callable[[Notification], bool]
_checks: dict[str, Check] = {}


def register_check(purpose: str, check: Check) -> None:
    """Ask `check(notification)` just before a message of `purpose` is sent; when it
    returns False the message no longer applies and is marked obsolete instead. Apps
    register theirs in their AppConfig.ready (meetups.notifications.register_checks)."""
    _checks[purpose] = check


def still_applies(note: Notification) -> bool:
    """What the purpose's check says; a check that breaks counts as "applies": sending a
    message that may be stale is better than dropping one that is not."""
    check = _checks.get(note.purpose)
    if check is None:
        return True
    try:
        return check(note)
    except Exception:
        log.exception("outbox: the check for %s failed", note.key)
        return True


@contextlib.contextmanager
def bookkeeping_commits() -> Iterator[None]:
    """Within the block, commits on this connection do not wait for the disk (PostgreSQL's
    `synchronous_commit = off`; other databases are left as they are).

    The outbox writes a row per message sent. Waiting for the disk to confirm each of
    those commits was most of the time it took to send a reminder: 10,000 of them took
    34 s, and 23 s without the wait (`make bench`). The cost: if the database server
    itself crashes (power, the operating system) within about 0.6 s of such a commit
    (three times `wal_writer_delay`), that commit is lost as a whole; the database stays
    consistent. A lost claim frees its rows again, a lost inserted row is found again by
    its scan, and a lost "sent" mark sends its message again: case (c) of the duplicate
    window in this module's docstring. A worker that dies loses nothing more: the server
    has its commits.

    Used by `deliver` and `insert_and_send` only, never around a change a person made.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            # Inside a transaction that failed, its rollback undoes the SET. Outside one,
            # a connection that cannot reset is closed, never handed to the next task.
            if not connection.in_atomic_block:
                connection.close()


def backoff(attempts: int) -> dt.timedelta:
    """How long a message waits after its `attempts`-th failed send."""
    seconds = settings.OUTBOX_RETRY_BASE * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX))


def _available(now: dt.datetime) -> Q:
    return Q(status=Status.PENDING) & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))


def pending_ids(*, limit: int = SWEEP_LIMIT, now: dt.datetime | None = None) -> list[int]:
    """Ids of pending messages nobody holds, oldest first (the `notification_pending`
    index)."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(_available(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def claim(ids: Iterable[int] | None = None, *, limit: int | None = None) -> list[Notification]:
    """Take up to `limit` pending messages nobody holds (all of `ids`, or the oldest
    OUTBOX_CHUNK), for LEASE.

    One short transaction; rows another worker is claiming at this instant are skipped,
    not waited for. Returns the claimed rows, each with the lease it holds."""
    now = timezone.now()
    until = now + LEASE
    with transaction.atomic():
        rows = Notification.objects.filter(_available(now))
        if ids is not None:
            ids = list(ids)
            rows = rows.filter(pk__in=ids)
        limit = limit or (len(ids) if ids is not None else settings.OUTBOX_CHUNK)
        taken = list(
            rows.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=taken).update(claimed_until=until, updated_at=now)
    return list(Notification.objects.filter(pk__in=taken, claimed_until=until).order_by("pk"))


def _finish(note: Notification, **changes: object) -> bool:
    """Record the outcome of a claimed row, only while its claim still holds."""
    done = Notification.objects.filter(
        pk=note.pk, status=Status.PENDING, claimed_until=note.claimed_until
    ).update(updated_at=timezone.now(), **changes)
    if not done:
        log.warning("outbox: lost the lease on %s before recording it", note.key)
    return bool(done)


def _release(notes: Iterable[Notification]) -> None:
    """Give back claimed rows that were not tried, for the next worker."""
    for note in notes:
        _finish(note, claimed_until=None)


def _failed(note: Notification, exc: Exception, *, refused: bool) -> None:
    """Record a failed send: a refusal for good (`refused`) counts toward giving it up,
    anything else only waits."""
    attempts = note.attempts + 1
    refusals = note.refusals + refused
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if refused and refusals >= settings.OUTBOX_MAX_REFUSALS:
        _finish(
            note,
            status=Status.FAILED,
            attempts=attempts,
            refusals=refusals,
            last_error=error,
            claimed_until=None,
        )
        log.warning("outbox: %s refused %d times, given up unsent: %s", note.key, refusals, error)
        return
    retry_at = timezone.now() + backoff(attempts)
    _finish(note, attempts=attempts, refusals=refusals, last_error=error, claimed_until=retry_at)
    log.info("outbox: %s not sent (attempt %d), next try after %s", note.key, attempts, error)


def _expired(note: Notification) -> int:
    done = _finish(note, status=Status.EXPIRED, claimed_until=None)
    if done:
        _log_expired(note.key, note.attempts, note.last_error)
    return done


def _log_expired(key: str, attempts: int, last_error: str) -> None:
    log.warning(
        "outbox: %s expired unsent after %d attempts%s",
        key,
        attempts,
        f" (last error: {last_error})" if last_error else "",
    )


def expire_overdue(*, now: dt.datetime | None = None) -> int:
    """Mark expired the pending messages nobody holds whose `expires_at` has passed, each
    logged with its key; returns how many. The sweep runs it first, so a message past its
    time is counted and logged even while the mail circuit is open."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = list(
            Notification.objects.filter(_available(now), expires_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", "key", "attempts", "last_error")[:SWEEP_LIMIT]
        )
        Notification.objects.filter(pk__in=[row[0] for row in overdue]).update(
            status=Status.EXPIRED, claimed_until=None, updated_at=now
        )
    for _, key, attempts, last_error in overdue:
        _log_expired(key, attempts, last_error)
    return len(overdue)


def to_hand_out() -> list[int]:
    """What the sweep hands to the workers: every pending message nobody holds while the
    mail circuit is closed, one chunk's worth when it is half-open (that chunk tries the
    server), nothing while it is open. Overdue messages are expired first."""
    expire_overdue()
    state = mail_circuit()
    if state == "open":
        return []
    ids = pending_ids()
    return ids[: settings.OUTBOX_CHUNK] if state == "half-open" else ids


def oldest_pending() -> QuerySet[Notification, dt.datetime]:
    """When the oldest message still waiting to be sent was queued (empty: none waits); by
    id, so the `notification_pending` index answers it. /healthz reports its age."""
    return (
        Notification.objects.filter(status=Status.PENDING)
        .order_by("pk")
        .values_list("created_at", flat=True)[:1]
    )


def send_claimed(notes: list[Notification], *, checked: bool = False) -> Counter[str]:
    """Send claimed rows over one connection; returns how many ended in each status
    ("sent", "expired", "obsolete"), plus "retry" (a failed send), "released" (not tried:
    the server is down, or the chunk ran out of time) and "held" (not tried: the mail
    circuit is open). `checked`: the caller has just read that these still apply (a scan
    that queued them a moment ago), so the registered checks are skipped."""
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + SEND_BUDGET.total_seconds()
    connection = None
    circuit = None
    try:
        for index, note in enumerate(notes):
            now = timezone.now()
            if time.monotonic() > deadline:
                _release(notes[index:])
                counts["released"] += len(notes) - index
                break
            if note.expires_at is not None and note.expires_at <= now:
                counts[Status.EXPIRED.value] += _expired(note)
                continue
            if not checked and not still_applies(note):
                counts[Status.OBSOLETE.value] += _finish(
                    note, status=Status.OBSOLETE, claimed_until=None
                )
                continue
            if circuit is None and (circuit := _may_connect()) is None:
                _release(notes[index:])
                counts["held"] += len(notes) - index
                break
            try:
                if connection is None:
                    # The configured backend, each SMTP step bounded by EMAIL_TIMEOUT.
                    connection = mailers.default
                    connection.open()
                connection.send_messages([note.email_message()])
            except MESSAGE_REPLIES as exc:
                _failed(note, exc, refused=refused_for_good(exc))
                counts["retry"] += 1
            except Exception as exc:
                _failed(note, exc, refused=False)
                counts["retry"] += 1
                _release(notes[index + 1 :])
                counts["released"] += len(notes) - index - 1
                if circuit == "trial" or timed_out(exc):
                    _open_circuit(exc)
                break
            else:
                counts[Status.SENT.value] += _finish(
                    note, status=Status.SENT, sent_at=timezone.now(), claimed_until=None
                )
            if circuit == "trial":  # the server answered
                _close_circuit()
                circuit = "closed"
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.info("outbox: closing the mail connection failed", exc_info=True)
    return +counts  # without the zeros


def deliver(ids: Iterable[int] | None = None, *, checked: bool = False) -> Counter[str]:
    """Claim and send one chunk: the messages `ids` that are still pending and free, or
    the oldest pending ones. Never inside a transaction: the claim commits before any
    SMTP and each outcome is its own short UPDATE, so a worker that dies mid-chunk can
    send again at most the one message it was sending. `checked`: see send_claimed."""
    ids = list(ids) if ids is not None else None
    if mail_circuit() == "open":
        # Left pending and free: the sweep hands them out once the circuit lets it.
        return Counter({"held": len(ids)}) if ids else Counter()
    with bookkeeping_commits():
        notes = claim(ids)
        return send_claimed(notes, checked=checked) if notes else Counter()


def insert_and_send(notes: list[Notification]) -> Counter[str]:
    """Insert new messages already claimed by this worker, in one statement, and send
    them over one connection: what a scan's chunk does with the messages it rendered
    (accounts.notify.queue_and_send_chunk). A key that exists already is skipped, and its
    row is left to whoever holds it or to the sweep, so a chunk run twice sends nothing
    twice. For rows the caller has just read as due: their checks are skipped."""
    until = timezone.now() + LEASE
    for note in notes:
        note.claimed_until = until
    with bookkeeping_commits():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
        mine = list(
            Notification.objects.filter(
                key__in=[note.key for note in notes], claimed_until=until
            ).order_by("pk")
        )
        return send_claimed(mine, checked=True) if mine else Counter()


def chunks(ids: list[int], size: int | None = None) -> Iterable[list[int]]:
    size = size or settings.OUTBOX_CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# What the outbox holds, for `manage.py notifications_status`.

REPORT_COLUMNS = ("pending", "claimed", "sent", "failed", "expired", "obsolete")


def status_counts(*, hours: int = 24, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Per kind: messages waiting and free to send ("pending"), waiting under a lease, being
    sent or before their next try ("claimed"), whatever their age; and those queued in the
    last `hours` that were sent, failed, expired or became obsolete. One query."""
    now = now or timezone.now()
    waiting = Q(status=Status.PENDING)
    leased = Q(claimed_until__gt=now)
    recent = Q(created_at__gte=now - dt.timedelta(hours=hours))
    counts = {
        "pending": Count("pk", filter=waiting & ~leased),
        "claimed": Count("pk", filter=waiting & leased),
        **{
            status: Count("pk", filter=Q(status=status) & recent)
            for status in ("sent", "failed", "expired", "obsolete")
        },
    }
    rows = (
        Notification.objects.filter(waiting | recent)
        .values("kind")
        .annotate(**counts)
        .order_by("kind")
    )
    return {row.pop("kind"): row for row in rows}
