"""How a person is reached: render an email and send it exactly once per key.

Exactly-once, as far as email allows:

1. Inside one transaction, `get_or_create` the Notification row for the key and lock it
   (`select_for_update`; on SQLite the write transaction is the lock).
2. If the row already has `sent_at`, stop: it went out before.
3. Otherwise send, set `sent_at`, commit.

A second caller with the same key waits on the lock and then sees `sent_at`, so a retried
task or a second beat never sends twice. If sending fails, the transaction rolls back
and the next attempt (task retry or the next scan) sends it: nothing is lost. The one
window left is a process dying after the mail server accepted the message and before the
commit; then the message goes out a second time on retry. We choose that (at least once
in a crash) over the alternative (committing first and possibly never sending), because a
missed "your seat is confirmed" email matters more than a rare duplicate.

Keys read `<purpose>:<name>:<id>:<name>:<id>…`, e.g. "reminder-24h:meetup:412:user:9":
`notification_key` builds one in Python for a message sent on an event, and
`not_yet_sent` builds the same key per row in SQL for a scan that looks for what is due.

Every message carries a signed one-click unsubscribe link (RFC 8058 `List-Unsubscribe`
and `List-Unsubscribe-Post`) for one preference kind of that person.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import CharField, Exists, F, Model, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

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
) -> EmailMultiAlternatives:
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
    message = EmailMultiAlternatives(
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


def send_once(
    *,
    key: str,
    user: User,
    template: str,
    context: dict,
    unsubscribe_kind: str | None = None,
    optional: str | None = None,
) -> bool:
    """Send the email unless the message with this key has gone out already.

    Returns True when this call sent it. `key` names the message for its purpose, e.g.
    "reminder-24h:meetup:412:user:9". See the module docstring for the guarantees.

    An optional email names its kind (`optional="remind_24h"`, one of
    accounts.models.OPTIONAL_EMAILS) and is skipped, leaving no record, for a person who
    does not want it (User.wants_optional_email), as read now: a preference turned off or
    consent withdrawn after a scan picked the person still stops the message.
    """
    if optional is not None:
        user.refresh_from_db(fields=[optional, "consent_withdrawn_at"])
        if not user.wants_optional_email(optional):
            return False
    with transaction.atomic():
        note, _ = Notification.objects.get_or_create(
            key=key, defaults={"user": user, "kind": template}
        )
        note = Notification.objects.select_for_update().get(pk=note.pk)
        if note.sent_at is not None:
            return False
        build_message(
            user=user, template=template, context=context, unsubscribe_kind=unsubscribe_kind
        ).send()
        note.sent_at = timezone.now()
        note.save(update_fields=["sent_at"])
    return True


def notification_key(purpose: str, **ids: object) -> str:
    """The unique key of one message: `notification_key("promoted", meetup=4, user=9)` is
    "promoted:meetup:4:user:9". Names keep the order they are given in."""
    return ":".join([purpose, *(f"{name}:{value}" for name, value in ids.items())])


def not_yet_sent[M: Model](queryset: QuerySet[M], purpose: str, **fields: str) -> QuerySet[M]:
    """The rows of `queryset` whose message has not been sent yet.

    Each row's key is built in SQL exactly as `notification_key` builds it in Python, from
    the fields named (`meetup="meetup_id", user="user_id"` gives
    "reminder-24h:meetup:<meetup_id>:user:<user_id>" for purpose "reminder-24h"), and a
    row is left out when a Notification with that key exists. The key is kept on each row
    as `notification_key`, to hand to `send_once`.

    A scan runs this to find what is due, then sends each row with `send_once`, which
    stays the guard: `send_once` commits the Notification row together with the sent
    message, so a send that failed leaves no row and the next scan finds it again, and two
    scans that both see a row here still send it once (the second waits on the first's
    row, then skips).
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
