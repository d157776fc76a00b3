"""Emails about check-ins and the Celery tasks that send them, each once through
accounts.notify's outbox.

Keys (unique in accounts.Notification):
  checkin-prompt:circle:<id>:week:<yyyyww>:user:<id>   how are you doing this week?
  checkin-support:checkin:<id>:user:<id>               someone would like support (to a facilitator)
  checkin-replies:user:<id>:day:<yyyymmdd>             notes of support on your check-ins

The weekly prompt. Beat runs `prompt_due_checkins` every 15 minutes. It reads the active
circles whose check-in slot (`Circle.checkin_due_at`, indexed) has come, and in the same
query their active members who want the prompt and have no row for this week's key
(`not_yet_sent`); it fans those out in chunks of `PROMPT_CHUNK` to `send_checkin_prompts`,
so every worker helps. A circle's slot moves on to next week only once a scan finds
nobody left to prompt, so a chunk lost on the way (a broker hiccup, a dead worker) is
found again by the next scan and nothing is sent twice (the key). A circle that comes
back from a break, or a slot more than `PROMPT_GRACE` late, is moved on without
prompting: "how was your week" a week late helps nobody.

Replies: `send_reply_digests` tells authors of check-ins about new notes of support, at
most once a day per person (the key carries the day), however often it runs.
"""

from __future__ import annotations

import datetime as dt
import uuid

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import outbox
from accounts.background import BackgroundTask
from accounts.models import Notification, User, wanting_optional_email
from accounts.notify import (
    not_yet_sent,
    notification_key,
    queue_and_send_chunk,
    queue_once,
    unsaved_message,
)
from circles import facilitator_news
from circles.checkins import LINK_DAYS, prompt_links, week_label
from circles.models import CheckIn, CheckInReply, Circle, Membership

PROMPT_CHUNK = 200

PROMPT_GRACE = dt.timedelta(days=1)
PROMPT_PREHEADER = _("How are you doing this week?")
# After these, a message waiting in the outbox (a long mail outage) is dropped, not sent:
# a prompt when its mood links stop working; a call for support and a day's digest of
# notes once they are stale news.
PROMPT_LIFETIME = dt.timedelta(days=LINK_DAYS)
SUPPORT_LIFETIME = dt.timedelta(days=3)
DIGEST_LIFETIME = dt.timedelta(days=1)


def due_prompts(now: dt.datetime) -> QuerySet[Membership]:
    """Active memberships in active circles whose check-in slot has come (and is less than
    PROMPT_GRACE old), of people who want the prompt and have not had it for the slot's
    week. One query, led by the `circle_checkin_due` index."""
    members = Membership.objects.active().filter(
        wanting_optional_email("weekly_checkin", prefix="user__"),
        circle__status=Circle.Status.ACTIVE,
        circle__checkin_due_at__lte=now,
        circle__checkin_due_at__gt=now - PROMPT_GRACE,
        user__is_active=True,
    )
    return not_yet_sent(
        members, "checkin-prompt", circle="circle_id", week="circle__checkin_week", user="user_id"
    )


@shared_task(base=BackgroundTask, name="circles.notifications.prompt_due_checkins")
def prompt_due_checkins(*, now: dt.datetime | None = None, chunk: int = PROMPT_CHUNK) -> int:
    """Fan out this week's prompts that are due, then move on the slots of circles whose
    prompts have all gone; returns how many prompts were handed out."""
    now = now or timezone.now()
    due = list(
        due_prompts(now).order_by("circle_id", "pk").values_list("pk", "circle__checkin_week")
    )
    for start in range(0, len(due), chunk):
        send_checkin_prompts.delay([list(row) for row in due[start : start + chunk]])
    pending = due_prompts(now).filter(circle_id=OuterRef("pk"))
    done = (
        Circle.objects.active()
        .filter(checkin_due_at__lte=now)
        .exclude(Exists(pending))
        .only("pk", "checkin_weekday", "checkin_time", "timezone", "checkin_due_at")
    )
    for circle in done:
        circle.schedule_checkin(after=now)
        Circle.objects.filter(pk=circle.pk, checkin_due_at__lte=now).update(
            checkin_due_at=circle.checkin_due_at, checkin_week=circle.checkin_week
        )
    return len(due)


def prompt_context(membership: Membership, week: int) -> dict[str, object]:
    circle = membership.circle
    return {
        "preheader": PROMPT_PREHEADER,
        "circle_name": circle.name,
        "week_label": week_label(week),
        **prompt_links(user_id=membership.user_id, circle=circle, week=week),
    }


@shared_task(base=BackgroundTask, name="circles.notifications.send_checkin_prompts")
def send_checkin_prompts(due: list[list[int]]) -> int:
    """Queue and send the prompts of one chunk: [membership id, week] pairs. Each is read
    again (still an active member of an active circle, still wanting it); their rows go
    into the outbox in one statement (a key that exists is skipped) and are sent over one
    SMTP connection here, so every worker that takes a chunk sends it. Returns how many
    were sent; whatever could not be sent now, the outbox's sweep sends later."""
    weeks = dict((membership_id, week) for membership_id, week in due)
    members = (
        Membership.objects.active()
        .filter(
            wanting_optional_email("weekly_checkin", prefix="user__"),
            pk__in=weeks,
            circle__status=Circle.Status.ACTIVE,
            user__is_active=True,
        )
        .select_related("user", "circle")
        .order_by("pk")
    )
    expires_at = timezone.now() + PROMPT_LIFETIME
    notes = [
        unsaved_message(
            key=notification_key(
                "checkin-prompt",
                circle=membership.circle_id,
                week=weeks[membership.pk],
                user=membership.user_id,
            ),
            user=membership.user,
            template="checkin-prompt",
            context=prompt_context(membership, weeks[membership.pk]),
            expires_at=expires_at,
        )
        for membership in members
    ]
    # Just read as due (an active member who wants it): no need to check each again.
    return queue_and_send_chunk(notes)["sent"]


def queue_support_wanted(checkin: CheckIn) -> int:
    """Queue the emails telling the circle's facilitators, discreetly, that someone would
    like support: no name, no mood, no note; a link to the page that shows them. Called in
    the check-in's transaction (circles.services.save_checkin), so the emails commit with
    it and a broker that is down delays them, never drops them. Once per check-in (the
    key), so unticking and ticking again sends nothing more. Returns how many were queued."""
    circle = checkin.circle
    url = settings.SITE_URL + reverse("circles:support", args=[circle.slug])
    queued = 0
    for membership in circle.facilitators().filter(user__is_active=True):
        if membership.user_id == checkin.user_id:
            continue
        queued += queue_once(
            key=notification_key("checkin-support", checkin=checkin.pk, user=membership.user_id),
            user=membership.user,
            template="support-request",
            context={
                "preheader": _("Someone in your circle would like support this week"),
                "circle_name": circle.name,
                "support_url": url,
            },
            unsubscribe_kind="weekly_checkin",
            expires_at=timezone.now() + SUPPORT_LIFETIME,
        )
    return queued


@shared_task(base=BackgroundTask, name="circles.notifications.notify_support_wanted")
def notify_support_wanted(checkin_id: int) -> int:
    """`queue_support_wanted` for a check-in id, if it still asks for support (for tasks
    queued under this name before check-ins queued their emails themselves)."""
    checkin = (
        CheckIn.objects.select_related("circle").filter(pk=checkin_id, wants_support=True).first()
    )
    return queue_support_wanted(checkin) if checkin is not None else 0


# Private notes from a facilitator to someone who asked for support.
#
# Key: support-note:from:<sender id>:checkin:<id>:note:<random>. Each note is a new
# message; the outbox row is all that is kept of it.

SUPPORT_NOTE = "support-note"


def support_notes_to(user: User, *, since: dt.datetime) -> int:
    """How many private notes were queued for `user` since then, from anyone."""
    return Notification.objects.filter(
        user=user, kind=SUPPORT_NOTE, key__startswith=SUPPORT_NOTE + ":", created_at__gte=since
    ).count()


def support_notes_from(sender: User, *, since: dt.datetime) -> int:
    """How many private notes `sender` wrote since then, to anyone."""
    return Notification.objects.filter(
        key__startswith=notification_key(SUPPORT_NOTE, **{"from": sender.pk}) + ":",
        created_at__gte=since,
    ).count()


def withdraw_support_notes_from(sender: User) -> int:
    """The private notes `sender` wrote that still wait in the outbox are not sent (their
    account is being deleted, and each note names them); returns how many."""
    return Notification.objects.filter(
        key__startswith=notification_key(SUPPORT_NOTE, **{"from": sender.pk}) + ":",
        status=Notification.Status.PENDING,
    ).update(status=Notification.Status.OBSOLETE, claimed_until=None)


def queue_support_note(*, checkin: CheckIn, sender: User, body: str) -> bool:
    """Queue a facilitator's note to the author of a check-in that asked for support, in
    the author's language. The subject says only the site's name; the body names the
    facilitator (the person asked their facilitators for support) and carries the note as
    written (escaped in the HTML part). Called in circles.services.send_support_note's
    transaction."""
    circle = checkin.circle
    return queue_once(
        key=notification_key(
            SUPPORT_NOTE, **{"from": sender.pk}, checkin=checkin.pk, note=uuid.uuid4().hex
        ),
        user=checkin.user,
        template=SUPPORT_NOTE,
        context={
            "circle_name": circle.name,
            "sender_name": sender.display_name,
            "body": body,
            "circle_url": settings.SITE_URL + circle.get_absolute_url(),
        },
        unsubscribe_kind="weekly_checkin",
        expires_at=timezone.now() + SUPPORT_LIFETIME,
    )


def untold_replies() -> QuerySet[CheckInReply]:
    """Visible replies whose check-in's author has not been told of them yet."""
    return CheckInReply.objects.filter(told_at__isnull=True, hidden_at__isnull=True)


@shared_task(base=BackgroundTask, name="circles.notifications.send_reply_digests")
def send_reply_digests(*, now: dt.datetime | None = None) -> int:
    """Tell each author of check-ins about new notes of support, in one email at most a
    day (the key names the day in the author's zone): replies after today's digest wait
    for tomorrow's. Returns how many digests went."""
    now = now or timezone.now()
    authors = User.objects.filter(
        wanting_optional_email("weekly_checkin"),
        is_active=True,
        pk__in=untold_replies().values("checkin__user_id"),
    ).order_by("pk")
    sent = 0
    for author in authors:
        day = now.astimezone(author.tz).date()
        key = notification_key("checkin-replies", user=author.pk, day=f"{day:%Y%m%d}")
        if Notification.objects.filter(key=key).exists():
            continue
        replies = list(untold_replies().filter(checkin__user=author).values_list("pk", flat=True))
        if not replies:
            continue
        if queue_once(
            key=key,
            user=author,
            template="checkin-replies",
            context={
                "preheader": _("A note of support from your circle"),
                "count": len(replies),
                "my_checkins_url": settings.SITE_URL + reverse("my_checkins"),
            },
            optional="weekly_checkin",
            expires_at=now + DIGEST_LIFETIME,
        ):
            sent += 1
            CheckInReply.objects.filter(pk__in=replies).update(told_at=now)
    return sent


# Checked again just before a message waiting in the outbox is sent (accounts.outbox).


def _prompt_applies(note: Notification) -> bool:
    ids = note.key_parts()
    return (
        Membership.objects.active()
        .filter(
            wanting_optional_email("weekly_checkin", prefix="user__"),
            circle_id=ids["circle"],
            user_id=ids["user"],
            circle__status=Circle.Status.ACTIVE,
            user__is_active=True,
        )
        .exists()
    )


def _support_still_wanted(note: Notification) -> bool:
    return CheckIn.objects.filter(pk=note.key_parts()["checkin"], wants_support=True).exists()


def register_checks() -> None:
    """Called once by CirclesConfig.ready."""
    outbox.register_check("checkin-prompt", _prompt_applies)
    outbox.register_check("checkin-support", _support_still_wanted)
    outbox.register_check(facilitator_news.PURPOSE, facilitator_news.news_still_waits)
