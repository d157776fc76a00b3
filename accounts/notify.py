"""How a person is reached: render an email and queue it exactly once per key.

`queue_once` renders the message and writes it as a pending `Notification` row in the
caller's transaction, unless a row with that key exists: the message is then part of the
change that causes it (a waitlist promotion and its email commit together, or neither
does). Sending is a separate step (accounts.outbox): a worker claims the row with a
lease, sends it with a timeout and marks it sent, holding no transaction while the mail
server talks. A hint to deliver goes to the broker after commit; if it is lost, the
sweep every minute sends the message anyway. What can still go twice, and why, is in
accounts.outbox's docstring.

Keys read `<purpose>:<name>:<id>:<name>:<id>…`, e.g. "reminder-24h:meetup:412:seq:0:user:9":
`notification_key` builds one in Python for a message caused by an event, and
`not_yet_sent` builds the same key per row in SQL for a scan that looks for what is due.

Every message carries a signed one-click unsubscribe link (RFC 8058 `List-Unsubscribe`
and `List-Unsubscribe-Post`) for one preference kind of that person.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import CharField, Exists, F, Model, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from accounts import outbox, tasks
from accounts.mime import OutboxEmail
from accounts.models import Notification, User

UNSUBSCRIBE_SALT = "accounts.notify.unsubscribe"

# What a one-click unsubscribe turns off. "all" is used by messages that follow from the
# person's own action (a seat freed up, a meetup called off): it stops every optional email.
PREFERENCES = {
    "remind_24h": ("remind_24h",),
    "remind_2h": ("remind_2h",),
    "weekly_checkin": ("weekly_checkin",),
    "all": ("remind_24h", "remind_2h", "weekly_checkin"),
}
PREFERENCE_LABELS = {
    "remind_24h": "reminder emails a day before a meetup",
    "remind_2h": "reminder emails two hours before a meetup",
    "weekly_checkin": "weekly check-in emails",
    "all": "reminder and check-in emails",
}


def preference_for_template(template: str) -> str:
    """The preference a template's unsubscribe link turns off."""
    if template.startswith("reminder-24h"):
        return "remind_24h"
    if template.startswith("reminder-2h"):
        return "remind_2h"
    if "checkin" in template:
        return "weekly_checkin"
    return "all"


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user: User, kind: str) -> str:
    path = reverse("accounts:unsubscribe", args=[unsubscribe_token(user, kind)])
    return f"{settings.SITE_URL}{path}"


MEETUP_PREHEADER = "Details of your meetup"


def preview_context(user: User, context: dict) -> dict:
    """What the top of an email may say: the part a phone shows on a locked screen and an
    inbox shows beside the subject.

    The first line of every body says when and where (or something neutral), never which
    circle: going to a grief or addiction circle is health information. The circle's name
    is added only for a person who chose `emails_show_circle_name`. `preheader` is the
    hidden first text of the HTML body (templates/emails/_preheader.html), which inbox
    previews show in place of the body's opening words.
    """
    named = user.emails_show_circle_name and context.get("circle_name")
    preheader = context.get("preheader") or (
        MEETUP_PREHEADER if context.get("when") else f"A message from {settings.SITE_NAME}"
    )
    return {
        "preheader": f"{preheader} · {context['circle_name']}" if named else preheader,
        "circle_in_preview": f" · {context['circle_name']}" if named else "",
    }


def build_message(
    *, user: User, template: str, context: dict, unsubscribe_kind: str | None = None
) -> OutboxEmail:
    """Render templates/emails/<template>-subject.txt, -body.txt and -body.html; the
    top of each body follows `preview_context`."""
    kind = unsubscribe_kind or preference_for_template(template)
    link = unsubscribe_url(user, kind)
    ctx = {
        "user": user,
        "display_name": user.display_name,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CRISIS_LINE_TEXT": settings.CRISIS_LINE_TEXT,
        "CRISIS_LINE_URL": settings.CRISIS_LINE_URL,
        "unsubscribe_url": link,
        "unsubscribe_label": PREFERENCE_LABELS[kind],
        **context,
    }
    ctx |= preview_context(user, ctx)
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", ctx).split())
    text = render_to_string(f"emails/{template}-body.txt", ctx)
    html = render_to_string(f"emails/{template}-body.html", ctx)
    message = OutboxEmail(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def queue_once(
    *,
    key: str,
    user: User,
    template: str,
    context: dict,
    unsubscribe_kind: str | None = None,
    optional: str | None = None,
    expires_at: dt.datetime | None = None,
    not_before: dt.datetime | None = None,
) -> bool:
    """Queue the email unless a message with this key exists; returns True when this call
    queued it.

    `not_before` holds it back until then (the outbox leaves a row alone while its
    `claimed_until` is ahead, and the sweep picks it up after): a message a later change
    may make obsolete waits for it, e.g. a meetup moved several times in a few minutes.

    Call it inside the transaction of the change the message is about: the row commits or
    rolls back with it. `key` names the message for its purpose, e.g.
    "reminder-24h:meetup:412:seq:0:user:9". After `expires_at` the message is no longer
    sent (a reminder once its meetup started); None keeps trying until it goes.

    An optional email names its kind (`optional="remind_24h"`, one of
    accounts.models.OPTIONAL_EMAILS) and is skipped, leaving no record, for a person who
    does not want it (User.wants_optional_email), as read now: a preference turned off or
    consent withdrawn after a scan picked the person still stops the message.
    """
    if optional is not None:
        user.refresh_from_db(fields=[optional, "consent_withdrawn_at"])
        if not user.wants_optional_email(optional):
            return False
    if Notification.objects.filter(key=key).exists():
        return False
    message = build_message(
        user=user, template=template, context=context, unsubscribe_kind=unsubscribe_kind
    )
    stored = stored_message(message, user=user, kind=template, expires_at=expires_at)
    note, created = Notification.objects.get_or_create(
        key=key, defaults=stored | {"claimed_until": not_before}
    )
    if created and not_before is None:
        _hint_delivery(note.pk)
    return created


class _DeliveryHint:
    """The messages queued in one transaction, handed to the workers once it commits, in
    chunks (one task per chunk rather than one per message)."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.handed_out = False

    def __call__(self) -> None:
        self.handed_out = True
        for chunk in outbox.chunks(self.ids):
            tasks.deliver_notifications.delay(chunk)


def _hint_delivery(pk: int) -> None:
    """Ask for `pk` to be delivered after commit (at once outside a transaction). A broker
    that is down is logged and skipped (`robust`): the sweep sends the message later."""
    connection = transaction.get_connection()
    hint = None
    if connection.in_atomic_block:
        # Joined only within the same savepoints: a hint of an inner block that rolls back
        # is dropped with it, and one registered by an earlier, finished block is its own.
        savepoints = set(connection.savepoint_ids)
        hint = next(
            (
                callback
                for sids, callback, _ in connection.run_on_commit
                if isinstance(callback, _DeliveryHint)
                and not callback.handed_out
                and sids == savepoints
            ),
            None,
        )
    if hint is None:
        hint = _DeliveryHint()
        hint.ids.append(pk)
        transaction.on_commit(hint, robust=True)
    else:
        hint.ids.append(pk)


def stored_message(
    message: OutboxEmail, *, user: User, kind: str, expires_at: dt.datetime | None
) -> dict[str, object]:
    """The fields of a Notification row that keep `message` for sending later, with a
    Message-ID fixed now so that a copy sent twice (accounts.outbox) carries the same one."""
    html = next((body for body, mimetype in message.alternatives if mimetype == "text/html"), "")
    return {
        "user": user,
        "kind": kind,
        "recipient": message.to[0],
        "subject": message.subject,
        "body": message.body,
        "html": html,
        "headers": {**message.extra_headers, "Message-ID": make_msgid(domain=_mail_domain())},
        "expires_at": expires_at,
    }


def unsaved_message(
    *,
    key: str,
    user: User,
    template: str,
    context: dict,
    expires_at: dt.datetime | None = None,
) -> Notification:
    """The pending outbox row of one message, rendered now and not saved yet: what a scan
    collects for `queue_and_send_chunk`."""
    message = build_message(user=user, template=template, context=context)
    return Notification(
        key=key, **stored_message(message, user=user, kind=template, expires_at=expires_at)
    )


def queue_and_send_chunk(notes: list[Notification]) -> Counter[str]:
    """Queue a scan's chunk of messages and send them here, over one SMTP connection, so
    every worker that takes a chunk sends it (accounts.outbox.insert_and_send: a key that
    exists already is skipped, so a chunk run twice queues and sends nothing twice). For
    rows the caller has just read as due: they are not checked again."""
    return outbox.insert_and_send(notes)


def queue_account_email(
    message: EmailMessage, *, template: str, expires_at: dt.datetime
) -> Notification:
    """Queue one of allauth's emails (accounts.adapter), rendered by allauth, as a row of
    the outbox, and hint its delivery after commit.

    Each is a new message (a second reset request sends a second link), so its key is
    unique by itself: "account:mail:<template>:id:<random>". It belongs to the account
    that holds the address, if any ("no account with this address" goes to an address of
    nobody's). No unsubscribe header: see accounts.adapter."""
    recipient = message.to[0]
    name = template.rsplit("/", 1)[-1]
    html = next(
        (
            body
            for body, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        "",
    )
    text = message.body
    if message.content_subtype == "html":
        html, text = message.body, ""
    note = Notification.objects.create(
        key=notification_key("account", mail=name, id=uuid.uuid4().hex),
        user=User.objects.filter(
            Q(email__iexact=recipient) | Q(emailaddress__email__iexact=recipient)
        ).first(),
        kind=name[:40],
        recipient=recipient,
        subject=message.subject,
        body=text,
        html=html,
        headers={**message.extra_headers, "Message-ID": make_msgid(domain=_mail_domain())},
        expires_at=expires_at,
    )
    _hint_delivery(note.pk)
    return note


def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def notification_key(purpose: str, **ids: object) -> str:
    """The unique key of one message: `notification_key("promoted", meetup=4, user=9)` is
    "promoted:meetup:4:user:9". Names keep the order they are given in."""
    return ":".join([purpose, *(f"{name}:{value}" for name, value in ids.items())])


def not_yet_sent[M: Model](queryset: QuerySet[M], purpose: str, **fields: str) -> QuerySet[M]:
    """The rows of `queryset` whose message has not been sent yet.

    Each row's key is built in SQL exactly as `notification_key` builds it in Python, from
    the fields named (`meetup="meetup_id", user="user_id"` gives
    "reminder-24h:meetup:<meetup_id>:user:<user_id>" for purpose "reminder-24h"), and a
    row is left out when a Notification with that key exists, whatever its status. The key
    is kept on each row as `notification_key`, to hand to `queue_once`.

    A scan runs this to find what is due, then queues each row; the unique key stays the
    guard, so two scans that both see a row here still queue (and send) it once.
    """
    parts: list[Value | Cast] = [Value(purpose)]
    for name, field in fields.items():
        parts += [Value(f":{name}:"), Cast(F(field), CharField())]
    return queryset.annotate(notification_key=Concat(*parts, output_field=CharField())).exclude(
        Exists(Notification.objects.filter(key=OuterRef("notification_key")))
    )


def _read_token(token: str) -> tuple[User, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in PREFERENCES:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    return (user, data["k"]) if user else None


@csrf_exempt  # The signed token is the credential; mail clients POST without a CSRF token.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (link scanners must not unsubscribe anyone); POST, from
    that button or a mail client's RFC 8058 one-click request, turns the preference off."""
    found = _read_token(token)
    if found is None:
        return render(request, "emails/unsubscribe_invalid.html", status=400)
    user, kind = found
    label = PREFERENCE_LABELS[kind]
    if request.method == "POST":
        for field in PREFERENCES[kind]:
            setattr(user, field, False)
        user.save(update_fields=list(PREFERENCES[kind]))
        return render(request, "emails/unsubscribe_done.html", {"label": label})
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "emails/unsubscribe_confirm.html", {"label": label, "token": token})
