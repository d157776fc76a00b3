"""Emails about hosting and the Celery tasks that send them.

Services enqueue these with `task.delay_on_commit(...)` (accounts.background), so imports
run views → services → notifications → models and a broker outage never fails a committed
change. Every email goes through accounts.notify.send_once with a unique key; subjects and
first lines name the time and place, never the circle or its topic.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.background import BackgroundTask
from accounts.models import User
from accounts.notify import notification_key, send_once
from hosting.models import Report

# Starting a circle


# Meetups


# The series


# Join requests


# Members


# Co-facilitators and the circle's state


# Rotating hosts


# Messages


# Still meeting


# Reports
#
# Keys:
#   report-received:report:<id>:user:<id>   the reporter's acknowledgement
#   report-queue:report:<id>:user:<id>      a reader's notice (a facilitator or a moderator)
#
# Neither email names the circle, the person reported or what happened: the reader opens
# the report on the site, behind their sign-in. Moderators are the site's active staff
# users (they have accounts, so each notice is a send_once with its own key and unsubscribe
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
    return send_once(
        key=notification_key("report-received", report=report.pk, user=report.reporter_id),
        user=report.reporter,
        template="report-received",
        context={
            "report": report,
            "for_moderators": report.routed_to == Report.RoutedTo.MODERATORS,
            "nobody_there": report.kind == Report.Kind.NOBODY_THERE,
        },
    )


def report_readers(report: Report) -> list[User]:
    """Who is told of a new report: the circle's active facilitators, or the site's active
    staff for the moderators' queue; never the person it is about, nor its own reporter."""
    if report.routed_to == Report.RoutedTo.MODERATORS:
        readers = User.objects.filter(is_staff=True)
    else:
        readers = User.objects.filter(
            pk__in=report.circle.memberships.facilitators().values("user_id")
        )
    leave_out = Q(pk=report.about_user_id) | Q(pk=report.reporter_id)
    return list(readers.filter(is_active=True).exclude(leave_out).order_by("pk"))


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
        sent += send_once(
            key=notification_key("report-queue", report=report.pk, user=reader.pk),
            user=reader,
            template=template,
            context={"queue_url": f"{settings.SITE_URL}{path}"},
        )
    return sent
