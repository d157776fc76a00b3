"""Emails about hosting, queued once each through accounts.notify.queue_once.

Services call these functions inside their own transaction (a Celery task called directly
runs in the calling process), so each email's outbox row commits with the change that
causes it, or neither does; accounts.outbox sends it afterwards, and a broker outage only
delays it. They stay tasks under their names so hints queued before still run. Imports run
views → services → notifications → models. Every message has a unique key and stops being
worth sending at the meetup's start, or NOTICE_EXPIRY after it was queued; subjects and
first lines name the time and place, never the circle or its topic.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import outbox
from accounts.background import BackgroundTask
from accounts.models import Notification, User
from accounts.notify import build_message, not_yet_sent, notification_key, queue_once
from circles.models import Circle, Membership
from hosting.models import (
    ActionLog,
    CoFacilitatorInvitation,
    CoverRequest,
    HostOffer,
    MeetupMessage,
    Report,
)
from meetups.models import RSVP, Meetup
from meetups.notifications import meetup_context

# A notice not about one meetup is not sent once this old (a mail outage that long).
NOTICE_EXPIRY = dt.timedelta(days=3)


def _notice_expiry() -> dt.datetime:
    return timezone.now() + NOTICE_EXPIRY


# Join requests
#
# Key: join-approved:decision:<ActionLog id>:user:<id> (or join-declined:…): one email per
# decision, so someone declined who asks again and is welcomed hears both times.

# The action logged for a decision, and the email that tells the person.
JOIN_DECISIONS = {"approve": "join-approved", "decline": "join-declined"}


@shared_task(base=BackgroundTask)
def notify_join_decision(entry_id: int) -> bool:
    """Tell the person who asked to join how the facilitators decided (the ActionLog entry
    of an "approve" or "decline"). The subject never names the circle; the body may, as
    the person asked to join it themselves."""
    entry = (
        ActionLog.objects.select_related("circle", "subject_user")
        .filter(pk=entry_id, action__in=JOIN_DECISIONS)
        .first()
    )
    if entry is None or entry.subject_user is None or not entry.subject_user.is_active:
        return False
    template = JOIN_DECISIONS[entry.action]
    circle = entry.circle
    return queue_once(
        key=notification_key(template, decision=entry.pk, user=entry.subject_user_id),
        user=entry.subject_user,
        template=template,
        context={
            "circle_name": circle.name,
            "circle_url": f"{settings.SITE_URL}{circle.get_absolute_url()}",
            "browse_url": f"{settings.SITE_URL}{reverse('circles:browse')}",
        },
        expires_at=_notice_expiry(),
    )


# Co-facilitators and the circle's state
#
# Key: co-facilitator-invitation:invitation:<id>:user:<id>. The email names neither the
# circle nor who invited: the page behind the link, after sign-in, does. It is not sent
# once the invitation was answered or withdrawn (`_invitation_still_open`).


@shared_task(base=BackgroundTask)
def notify_co_facilitator_invitation(invitation_id: int) -> bool:
    """Tell a member they are invited to co-facilitate, with a link to the invitation's
    page, where they read the facilitator agreement and accept or decline."""
    invitation = (
        CoFacilitatorInvitation.objects.open()
        .select_related("user")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.user.is_active:
        return False
    path = reverse("hosting:co_facilitator_invitation", args=[invitation.pk])
    return queue_once(
        key=notification_key(
            "co-facilitator-invitation", invitation=invitation.pk, user=invitation.user_id
        ),
        user=invitation.user,
        template="co-facilitator-invitation",
        context={"invitation_url": f"{settings.SITE_URL}{path}"},
        expires_at=_notice_expiry(),
    )


def _invitation_still_open(note: Notification) -> bool:
    return CoFacilitatorInvitation.objects.open().filter(pk=note.key_parts()["invitation"]).exists()


def register_checks() -> None:
    """Called once by HostingConfig.ready."""
    outbox.register_check("co-facilitator-invitation", _invitation_still_open)
    outbox.register_check("cover-request", _cover_still_open)
    outbox.register_check("cover-uncovered", _cover_still_open)


# Rotating hosts


@shared_task(base=BackgroundTask)
def notify_host_decision(offer_id: int) -> bool:
    """Tell a member the facilitators' answer to their offer to host: confirmed (with
    what hosting one meetup means) or declined (including a confirmation taken back).
    Keys: host-confirmed:offer:<id>:user:<id>, host-declined:offer:<id>:user:<id>."""
    offer = (
        HostOffer.objects.select_related("user", "meetup__circle", "meetup__venue")
        .filter(pk=offer_id, status__in=[HostOffer.Status.CONFIRMED, HostOffer.Status.DECLINED])
        .first()
    )
    if offer is None or not offer.user.is_active or offer.meetup.is_cancelled:
        return False
    template = "host-confirmed" if offer.status == HostOffer.Status.CONFIRMED else "host-declined"
    return queue_once(
        key=notification_key(template, offer=offer.pk, user=offer.user_id),
        user=offer.user,
        template=template,
        context=meetup_context(offer.meetup),
        expires_at=offer.meetup.starts_at,
    )


# Cover for the host
#
# Keys:
#   cover-request:cover:<id>:user:<id>     asking one person to host instead
#   cover-found:cover:<id>:user:<id>       telling the person who asked that it is covered
#   cover-uncovered:cover:<id>:user:<id>   telling a facilitator that nobody has accepted
#
# One key per request and person: a second request for the same meetup (the new host
# cannot either) asks again. Subjects name neither the circle nor its topic; an ask or an
# "uncovered" notice still waiting in the outbox is dropped once the request is settled.


def _cover_still_open(note: Notification) -> bool:
    return CoverRequest.objects.open().filter(pk=note.key_parts()["cover"]).exists()


def _cover(cover_id: int) -> CoverRequest | None:
    return (
        CoverRequest.objects.select_related("meetup__circle", "meetup__venue", "asked_by")
        .filter(pk=cover_id)
        .first()
    )


def cover_candidates(cover: CoverRequest) -> list[User]:
    """Who is asked to cover: the circle's facilitators and the members who have offered
    to host one of its meetups (an offer waiting or confirmed), each only while they may
    accept (hosting.cover_meetup: never the person who asked, nor anyone no longer in the
    circle)."""
    circle = cover.meetup.circle
    offered = HostOffer.objects.filter(
        meetup__circle=circle, status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED]
    ).values("user_id")
    candidates = (
        User.objects.filter(
            Q(pk__in=circle.memberships.facilitators().values("user_id")) | Q(pk__in=offered),
            is_active=True,
        )
        .exclude(pk=cover.asked_by_id)
        .order_by("pk")
    )
    return [user for user in candidates if user.has_perm("hosting.cover_meetup", cover)]


def _cover_context(cover: CoverRequest) -> dict:
    path = reverse("hosting:cover_request", args=[cover.pk])
    host_page = reverse("hosting:meetup", args=[cover.meetup.circle.slug, cover.meetup_id])
    return meetup_context(cover.meetup) | {
        "cover_url": f"{settings.SITE_URL}{path}",
        "host_page_url": f"{settings.SITE_URL}{host_page}",
    }


@shared_task(base=BackgroundTask)
def notify_cover_request(cover_id: int) -> int:
    """Ask each person who may cover, once each, whether they could host the meetup; the
    link opens a page whose button accepts. Returns how many this run queued (a second
    run queues nothing)."""
    cover = _cover(cover_id)
    if cover is None or cover.status != CoverRequest.Status.OPEN:
        return 0
    context = _cover_context(cover)
    sent = 0
    for user in cover_candidates(cover):
        sent += queue_once(
            key=notification_key("cover-request", cover=cover.pk, user=user.pk),
            user=user,
            template="cover-request",
            context=context,
            expires_at=cover.meetup.starts_at,
        )
    return sent


@shared_task(base=BackgroundTask)
def notify_cover_accepted(cover_id: int) -> bool:
    """Tell the person who asked that someone hosts the meetup instead."""
    cover = _cover(cover_id)
    if (
        cover is None
        or cover.status != CoverRequest.Status.COVERED
        or cover.asked_by is None
        or not cover.asked_by.is_active
    ):
        return False
    return queue_once(
        key=notification_key("cover-found", cover=cover.pk, user=cover.asked_by_id),
        user=cover.asked_by,
        template="cover-found",
        context=_cover_context(cover),
        expires_at=cover.meetup.starts_at,
    )


@shared_task(base=BackgroundTask)
def notify_cover_uncovered(cover_id: int) -> int:
    """Tell each active facilitator, once, that nobody has accepted to cover, with a link
    to the host page where they choose: call it off, or let it run peer-led."""
    cover = _cover(cover_id)
    if cover is None or cover.status != CoverRequest.Status.OPEN:
        return 0
    context = _cover_context(cover)
    sent = 0
    for membership in cover.meetup.circle.facilitators().filter(user__is_active=True):
        sent += queue_once(
            key=notification_key("cover-uncovered", cover=cover.pk, user=membership.user_id),
            user=membership.user,
            template="cover-uncovered",
            context=context,
            expires_at=cover.meetup.starts_at,
        )
    return sent


# Messages


def people_going(meetup: Meetup, *, sender: User | None = None) -> QuerySet[User]:
    """Who a message to the people going reaches: everyone with a seat (not the
    waitlist) whose account is active, never the sender themself."""
    going = User.objects.filter(
        rsvps__meetup=meetup, rsvps__status=RSVP.Status.GOING, is_active=True
    )
    return going.exclude(pk=sender.pk) if sender is not None else going


@shared_task(base=BackgroundTask)
def send_meetup_message(message_id: int) -> int:
    """Email a host's message to each person going, once each (key
    message:<message id>:user:<id>), unless the meetup was cancelled since. The body is
    the host's plain text: the text part carries it as written, the HTML part escaped.
    Returns how many this run sent (a retry sends only what is left)."""
    message = (
        MeetupMessage.objects.select_related("sender", "meetup__circle", "meetup__venue")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.meetup.is_cancelled:
        return 0
    meetup = message.meetup
    context = _message_context(message, named=message.sender is not None)
    sent = 0
    for user in people_going(meetup, sender=message.sender):
        sent += queue_once(
            key=notification_key("message", message=message.pk, user=user.pk),
            user=user,
            template="meetup-message",
            context=context,
            expires_at=meetup.starts_at,
        )
    return sent


def _message_context(message: MeetupMessage, *, named: bool) -> dict:
    return meetup_context(message.meetup) | {
        "body": message.body,
        "sender_name": message.sender.display_name if named and message.sender else _("The host"),
    }


def forget_sender(sender: User) -> int:
    """Take `sender`'s name out of their messages to the people going that still wait in
    the outbox (their account is being deleted): each is rendered again, signed "The
    host", keeping its Message-ID. Returns how many changed. The only email that names
    someone other than its recipient is this one; every other keeps names out."""
    changed = 0
    for message in MeetupMessage.objects.filter(sender=sender).select_related(
        "meetup__circle", "meetup__venue"
    ):
        context = _message_context(message, named=False)
        waiting = Notification.objects.filter(
            key__startswith=notification_key("message", message=message.pk) + ":",
            status=Notification.Status.PENDING,
        ).select_related("user")
        for note in waiting:
            rendered = build_message(user=note.user, template="meetup-message", context=context)
            note.subject = rendered.subject
            note.body = rendered.body
            note.html = next(body for body, kind in rendered.alternatives if kind == "text/html")
            note.save(update_fields=["subject", "body", "html", "updated_at"])
            changed += 1
    return changed


# Still meeting

STILL_MEETING_SALT = "hosting.still-meeting"
# The link in a monthly email keeps working until the next two have gone out.
STILL_MEETING_TOKEN_MAX_AGE = dt.timedelta(days=45)
# How long without a "yes, we're still meeting" (and with no meetup ahead) before a
# circle goes dormant (hosting.services.circles_gone_quiet); its facilitators are asked
# monthly from STILL_MEETING_ASK_AFTER on.
STILL_MEETING_DAYS = 60
STILL_MEETING_ASK_AFTER = dt.timedelta(days=30)
STILL_MEETING_BATCH = 200


def still_meeting_token(circle: Circle, user: User) -> str:
    """A signed, expiring token naming the circle and the facilitator it was sent to."""
    return signing.dumps({"c": circle.pk, "u": user.pk}, salt=STILL_MEETING_SALT)


def read_still_meeting_token(token: str) -> tuple[int, int] | None:
    """(circle id, user id) from a token made by still_meeting_token, or None when it is
    forged, damaged or older than STILL_MEETING_TOKEN_MAX_AGE."""
    try:
        data = signing.loads(token, salt=STILL_MEETING_SALT, max_age=STILL_MEETING_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too.
        return None
    if not isinstance(data, dict) or not {"c", "u"} <= data.keys():
        return None
    return int(data["c"]), int(data["u"])


def still_meeting_url(circle: Circle, user: User) -> str:
    path = reverse("hosting:still_meeting", args=[circle.slug, still_meeting_token(circle, user)])
    return f"{settings.SITE_URL}{path}"


def _still_meeting_context(circle: Circle, user: User) -> dict:
    return {
        "circle": circle,
        "circle_name": circle.name,
        "confirm_url": still_meeting_url(circle, user),
        "manage_url": f"{settings.SITE_URL}{reverse('hosting:manage', args=[circle.slug])}",
        "link_days": STILL_MEETING_TOKEN_MAX_AGE.days,
        "quiet_days": STILL_MEETING_DAYS,
    }


def still_meeting_purpose(now: dt.datetime) -> str:
    """The monthly prompt's key purpose, "still-meeting:2026-03": one prompt per
    facilitator, circle and calendar month (keys read
    still-meeting:<yyyy-mm>:circle:<id>:user:<id>)."""
    return f"still-meeting:{now:%Y-%m}"


def due_still_meeting_prompts(now: dt.datetime) -> QuerySet[Membership]:
    """Active facilitators of active circles nobody has confirmed for
    STILL_MEETING_ASK_AFTER, not yet asked this month: one query."""
    cutoff = now - STILL_MEETING_ASK_AFTER
    unconfirmed = Q(circle__confirmed_active_at__lt=cutoff) | Q(
        circle__confirmed_active_at__isnull=True, circle__created_at__lt=cutoff
    )
    due = Membership.objects.facilitators().filter(
        unconfirmed, circle__status=Circle.Status.ACTIVE, user__is_active=True
    )
    return (
        not_yet_sent(due, still_meeting_purpose(now), circle="circle_id", user="user_id")
        .select_related("user", "circle")
        .order_by("pk")
    )


def send_still_meeting_prompts(
    now: dt.datetime | None = None, batch: int = STILL_MEETING_BATCH
) -> int:
    """Send up to `batch` monthly "are you still meeting?" emails that are due; the next
    scan picks up the rest. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for membership in due_still_meeting_prompts(now)[:batch]:
        sent += queue_once(
            key=membership.notification_key,
            user=membership.user,
            template="still-meeting",
            context=_still_meeting_context(membership.circle, membership.user),
            expires_at=now + NOTICE_EXPIRY,
        )
    return sent


@shared_task(base=BackgroundTask)
def notify_dormant(circle_id: int, day: str) -> int:
    """Tell a dormant circle's facilitators it left search and how to bring it back (the
    same one-click confirmation). Key dormant:<yyyy-mm-dd>:circle:<id>:user:<id>, the day
    it went dormant, so a circle that wakes and goes quiet again is told again."""
    circle = Circle.objects.filter(pk=circle_id, status=Circle.Status.DORMANT).first()
    if circle is None:
        return 0
    sent = 0
    for membership in circle.facilitators().filter(user__is_active=True):
        sent += queue_once(
            key=notification_key(f"dormant:{day}", circle=circle.pk, user=membership.user_id),
            user=membership.user,
            template="circle-dormant",
            context=_still_meeting_context(circle, membership.user),
            expires_at=_notice_expiry(),
        )
    return sent


# Reports
#
# Keys:
#   report-received:report:<id>:user:<id>   the reporter's acknowledgement
#   report-queue:report:<id>:user:<id>      a reader's notice (a facilitator or a moderator)
#
# Neither email names the circle, the person reported or what happened: the reader opens
# the report on the site, behind their sign-in. Moderators are the site's active staff
# users (they have accounts, so each notice is a queued email with its own key and unsubscribe
# link; settings.ADMINS has no accounts and is for server errors).


def _report(report_id: int) -> Report | None:
    return (
        Report.objects.select_related("circle", "reporter")
        .filter(pk=report_id, status=Report.Status.OPEN)
        .first()
    )


@shared_task(base=BackgroundTask)
def notify_report_received(report_id: int) -> bool:
    """Thank the reporter and say who reads their report; nothing about its content."""
    report = _report(report_id)
    if report is None or report.reporter is None or not report.reporter.is_active:
        return False
    return queue_once(
        key=notification_key("report-received", report=report.pk, user=report.reporter_id),
        user=report.reporter,
        template="report-received",
        context={
            "report": report,
            "for_moderators": report.routed_to == Report.RoutedTo.MODERATORS,
            "nobody_there": report.kind == Report.Kind.NOBODY_THERE,
        },
        expires_at=_notice_expiry(),
    )


def hears_at_once(facilitator: User) -> bool:
    """Whether a facilitator chose an email for each new report rather than the digest."""
    return facilitator.facilitator_alerts == User.FacilitatorAlerts.IMMEDIATE


def report_readers(report: Report) -> list[User]:
    """Who is told of a new report: whoever may handle it (hosting.handle_report: the
    circle's active facilitators, or the site's moderators for the moderators' queue);
    never the person it is about, nor its own reporter."""
    if report.routed_to == Report.RoutedTo.MODERATORS:
        readers = User.objects.filter(is_staff=True)
    else:
        readers = User.objects.filter(
            pk__in=report.circle.memberships.facilitators().values("user_id")
        )
    leave_out = Q(pk=report.about_user_id) | Q(pk=report.reporter_id)
    candidates = readers.filter(is_active=True).exclude(leave_out).order_by("pk")
    return [user for user in candidates if user.has_perm("hosting.handle_report", report)]


@shared_task(base=BackgroundTask)
def notify_report_readers(report_id: int) -> int:
    """Tell each reader once that a report waits in their queue; returns how many sent."""
    report = _report(report_id)
    if report is None:
        return 0
    if report.routed_to == Report.RoutedTo.MODERATORS:
        template = "report-for-moderators"
        path = reverse("admin:hosting_report_change", args=[report.pk])
    else:
        template = "report-for-facilitators"
        path = reverse("hosting:manage", args=[report.circle.slug]) + "#reports"
    sent = 0
    for reader in report_readers(report):
        if template == "report-for-facilitators" and not hears_at_once(reader):
            continue  # Told in the day's digest (circles.facilitator_news).
        sent += queue_once(
            key=notification_key("report-queue", report=report.pk, user=reader.pk),
            user=reader,
            template=template,
            context={"queue_url": f"{settings.SITE_URL}{path}"},
            expires_at=_notice_expiry(),
        )
    return sent
