"""Telling facilitators that someone needs them: new requests to join and new reports
about the circles they host, by email through accounts.notify's outbox.

Each facilitator chooses how (`User.facilitator_alerts`, on their settings page):

- **daily** (the default): at most one email a day per circle. Beat runs
  `send_facilitator_digests` every hour; for each facilitator and circle with something
  new since the last email about that circle (or within LOOKBACK), it queues one digest
  under the key `circle-news:circle:<id>:user:<id>:day:<yyyymmdd>` (the day in the
  facilitator's time zone). The key is the guard: a scan run twice, or by two workers at
  once, sends one. The first scan after something new sends it; anything newer that day
  waits for tomorrow's.
- **immediate**: an email for each new request to join, queued in the request's own
  transaction (`queue_request_notices`, called by circles.services.join_circle; key
  `circle-news:circle:<id>:user:<id>:request:<membership id>:at:<epoch>`, so someone
  asking again after an answer is news again), and for each new report the notice
  hosting already sends its readers (hosting.notifications.notify_report_readers, which
  skips facilitators who chose the digest).

Subjects never name the circle or what waits; the body gives counts and the link to the
manage page, where the facilitator reads the rest after signing in. A digest waiting in
the outbox is dropped (obsolete) when nothing waits any more or the person no longer
hosts the circle.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.background import BackgroundTask
from accounts.models import Notification, User
from accounts.notify import notification_key, queue_once
from circles.mine import reports_waiting, waiting_for
from circles.models import Circle, Membership

PURPOSE = "circle-news"
# Only what arrived this recently counts as new for someone never told before (a new
# facilitator, or the first scan after this feature arrived): old news is on the manage
# page, not in the inbox.
LOOKBACK = dt.timedelta(days=2)
# A notice still waiting in the outbox after this (a long mail outage) is not sent.
NEWS_LIFETIME = dt.timedelta(days=2)
NEWS_PREHEADER = _("Something in a circle you host is waiting for you")

Alerts = User.FacilitatorAlerts


def _prefix(circle_id: int, user_id: int) -> str:
    return notification_key(PURPOSE, circle=circle_id, user=user_id) + ":"


def last_told(circle_id: int, user_id: int) -> dt.datetime | None:
    """When the facilitator was last emailed about this circle's news (either mode)."""
    return Notification.objects.filter(
        user_id=user_id, key__startswith=_prefix(circle_id, user_id)
    ).aggregate(at=Max("created_at"))["at"]


def new_since(circle: Circle, user: User, since: dt.datetime) -> dict[str, int]:
    """Requests to join and open reports for the facilitators that arrived after `since`,
    leaving out reports about `user` or by them (as the manage page does)."""
    requests = circle.memberships.pending().filter(guidelines_accepted_at__gt=since).count()
    reports = (
        circle.reports.for_facilitators()
        .open()
        .filter(created_at__gt=since)
        .exclude(Q(about_user=user) | Q(reporter=user))
        .count()
    )
    return {"requests": requests, "reports": reports}


def _context(circle: Circle, user: User) -> dict[str, object]:
    return {
        "preheader": NEWS_PREHEADER,
        "circle_name": circle.name,
        "requests": circle.memberships.pending().count(),
        "reports": reports_waiting(user, circle),
        "manage_url": settings.SITE_URL + reverse("hosting:manage", args=[circle.slug]),
    }


def queue_request_notices(membership: Membership) -> int:
    """A request to join has just been made: queue an email to each facilitator who
    chose to hear at once. Called inside the request's transaction; returns how many."""
    circle = membership.circle
    asked_at = membership.guidelines_accepted_at or timezone.now()
    queued = 0
    hosts = circle.facilitators().filter(
        user__is_active=True, user__facilitator_alerts=Alerts.IMMEDIATE
    )
    for host in hosts.exclude(user_id=membership.user_id):
        queued += queue_once(
            key=_prefix(circle.pk, host.user_id)
            + f"request:{membership.pk}:at:{int(asked_at.timestamp())}",
            user=host.user,
            template="facilitator-news",
            context=_context(circle, host.user),
            expires_at=timezone.now() + NEWS_LIFETIME,
        )
    return queued


def digests_due(now: dt.datetime) -> list[Membership]:
    """Active facilitators on the daily digest of active or paused circles where a request
    to join or a report arrived within LOOKBACK: the candidates a scan looks at."""
    since = now - LOOKBACK
    asked = Q(
        memberships__status=Membership.Status.PENDING,
        memberships__guidelines_accepted_at__gt=since,
    )
    busy = Circle.objects.exclude(status=Circle.Status.ARCHIVED).filter(
        asked | Q(reports__created_at__gt=since)
    )
    return list(
        Membership.objects.facilitators()
        .filter(
            circle__in=busy.values("pk"),
            user__is_active=True,
            user__facilitator_alerts=Alerts.DAILY,
        )
        .select_related("circle", "user")
        .order_by("circle_id", "user_id")
    )


@shared_task(base=BackgroundTask, name="circles.facilitator_news.send_facilitator_digests")
def send_facilitator_digests(*, now: dt.datetime | None = None) -> int:
    """Queue today's digest for each facilitator and circle with news since the last email
    about it; at most one a day per facilitator and circle (the key names the day in the
    facilitator's zone), however often the scan runs. Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for host in digests_due(now):
        circle, user = host.circle, host.user
        day = now.astimezone(user.tz).date()
        key = _prefix(circle.pk, user.pk) + f"day:{day:%Y%m%d}"
        if Notification.objects.filter(key=key).exists():
            continue
        since = max(filter(None, [last_told(circle.pk, user.pk), now - LOOKBACK]))
        if not any(new_since(circle, user, since).values()):
            continue
        queued += queue_once(
            key=key,
            user=user,
            template="facilitator-news",
            context=_context(circle, user),
            expires_at=now + NEWS_LIFETIME,
        )
    return queued


def news_still_waits(note: Notification) -> bool:
    """Checked just before a notice is sent (accounts.outbox): the person still hosts the
    circle and something still waits there for them."""
    ids = note.key_parts()
    circle = Circle.objects.filter(pk=ids["circle"]).first()
    user = User.objects.filter(pk=ids["user"], is_active=True).first()
    if circle is None or user is None or not circle.is_facilitator(user):
        return False
    return waiting_for(user, circle) > 0
