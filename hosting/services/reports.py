"""Reports of concern: filed by members, handled by facilitators or moderators."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from circles.models import Circle, Membership, MembershipQuerySet
from hosting import notifications
from hosting.models import Report
from hosting.services._common import (
    HostingError,
    _log,
)
from meetups.models import RSVP, Meetup

# Reports

# A member may file this many reports a day: enough for any real trouble, and a ceiling on
# the emails one person can send to facilitators and moderators.
REPORTS_PER_DAY = 10
REASON_MAX = 200
DETAILS_MAX = 4000
NOTE_MAX = 2000
ABOUT_DESCRIPTION_MAX = Report._meta.get_field("about_description").max_length


def reportable_people(*, circle: Circle, reporter: User) -> MembershipQuerySet:
    """Whom `reporter` may name in a report about `circle`: its active members they met,
    and its facilitators (whose names its page shows anyway). Never everyone in the
    circle: members see seat counts, not who else belongs.

    "Met" means both were going to one of the circle's meetups that has started and was
    not called off, and neither was marked absent by its host (a host who never marks
    attendance leaves everyone going counted as there). Anyone else the reporter
    describes in words (`report_concern(about_description=...)`)."""
    was_there = RSVP.objects.filter(
        meetup__circle=circle,
        meetup__status=Meetup.Status.SCHEDULED,
        meetup__starts_at__lte=timezone.now(),
        status=RSVP.Status.GOING,
    ).exclude(attended=False)
    met = was_there.filter(meetup__in=was_there.filter(user=reporter).values("meetup"))
    return (
        circle.memberships.active()
        .filter(Q(user__in=met.values("user")) | Q(role=Membership.Role.FACILITATOR))
        .exclude(user=reporter)
    )


@transaction.atomic
def report_concern(
    *,
    reporter: User,
    circle: Circle,
    reason: str,
    details: str = "",
    meetup: Meetup | None = None,
    about: User | None = None,
    about_description: str = "",
    kind: str = Report.Kind.CONCERN,
) -> Report:
    """A member privately reports a concern about their circle, one of its meetups or one
    of its members, or says nobody was there for a meetup that has started.

    Who may report: an active member of the circle (facilitators included) with a verified
    email, up to REPORTS_PER_DAY a day. The person reported is one of `reportable_people`
    (someone the reporter met there, or a facilitator), or someone they describe in
    words (`about_description`), never both. "Nobody was there" is about a meetup that has
    started and was not called off, once per person per meetup (also a constraint).

    The report goes where `Report.route` says (the circle's facilitators, or the site's
    moderators for a facilitator or the whole circle). The reporter gets an
    acknowledgement and the readers a discreet notice, both after commit. The person
    reported is told nothing.
    """
    if not reporter.has_verified_email():
        raise HostingError("Please confirm your email address first, then send your report.")
    if not circle.is_active_member(reporter):
        raise HostingError("Only members of this circle can report a concern about it.")
    if meetup is not None and meetup.circle_id != circle.pk:
        raise HostingError("That meetup is not one of this circle's.")
    about_description = about_description.strip()
    if about is not None:
        if about.pk == reporter.pk:
            raise HostingError("Choose someone else, or tell us about the circle as a whole.")
        if not reportable_people(circle=circle, reporter=reporter).filter(user=about).exists():
            raise HostingError(
                gettext("Choose someone you met at one of this circle's meetups, or describe them.")
            )
        if about_description:
            raise HostingError(gettext("Choose a name or describe the person, not both."))
    if len(about_description) > ABOUT_DESCRIPTION_MAX:
        raise HostingError(
            gettext("Please keep the description under %(max)d characters.")
            % {"max": ABOUT_DESCRIPTION_MAX}
        )
    if kind == Report.Kind.NOBODY_THERE:
        if meetup is None or about is not None or about_description:
            raise HostingError("Say which meetup nobody was at.")
        if meetup.is_cancelled:
            raise HostingError("This meetup was called off, so nobody was expected there.")
        if not meetup.has_started():
            raise HostingError("You can tell us nobody was there once the meetup has started.")
        if Report.objects.filter(kind=kind, meetup=meetup, reporter=reporter).exists():
            raise HostingError("You have already told us nobody was there. Thank you.")
        reason = reason or Report.Kind.NOBODY_THERE.label
    elif kind != Report.Kind.CONCERN:
        raise HostingError("Choose what you are telling us about.")
    reason, details = reason.strip(), details.strip()
    if not reason:
        raise HostingError("Please say what the concern is.")
    if len(reason) > REASON_MAX:
        raise HostingError(f"Please keep the reason under {REASON_MAX} characters.")
    if len(details) > DETAILS_MAX:
        raise HostingError(f"Please keep the details under {DETAILS_MAX} characters.")
    since = timezone.now() - dt.timedelta(days=1)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= REPORTS_PER_DAY:
        raise HostingError(
            "You have sent several reports today. If someone is in danger, call your local "
            "emergency number; otherwise please write again tomorrow."
        )
    report = Report(
        circle=circle,
        meetup=meetup,
        about_user=about,
        about_description=about_description,
        reporter=reporter,
        kind=kind,
        reason=reason,
        details=details,
    )
    report.routed_to = report.route()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two "nobody was there" at once from the same person: the constraint kept one.
        raise HostingError("You have already told us nobody was there. Thank you.") from None
    notifications.notify_report_received(report.pk)
    notifications.notify_report_readers(report.pk)
    return report


def reroute_open_reports(*, circle: Circle, about: User, by: User) -> list[Report]:
    """Send the circle's open reports about `about` where `Report.route` says now: called
    when they become one of its facilitators, so reports about them leave the
    facilitators' queue for the moderators' (never judged by the person reported or by
    their co-facilitators). Each move is logged and the new readers are told once. Call
    inside the transaction that changed their role."""
    moved = []
    reports = circle.reports.open().filter(about_user=about).select_for_update()
    for report in reports.select_related("circle"):
        routed_to = report.route()
        if routed_to == report.routed_to:
            continue
        report.routed_to = routed_to
        report.save(update_fields=["routed_to"])
        _log(
            circle=circle,
            actor=by,
            action="re-route report",
            subject_user=about,
            report=report,
            note=f"Now read by: {report.get_routed_to_display()}.",
        )
        notifications.notify_report_readers(report.pk)
        moved.append(report)
    return moved


@transaction.atomic
def resolve_report(*, report: Report, by: User, note: str = "") -> Report:
    """Close a report with a note. The circle's facilitators resolve what is routed to them
    (never a report about themselves); moderators resolve anything."""
    report = Report.objects.select_for_update().select_related("circle").get(pk=report.pk)
    if report.status == Report.Status.RESOLVED:
        return report
    if len(note.strip()) > NOTE_MAX:
        raise HostingError(f"Please keep the note under {NOTE_MAX} characters.")
    report.status = Report.Status.RESOLVED
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    _log(
        circle=report.circle,
        actor=by,
        action="resolve report",
        subject_user=report.about_user,
        meetup=report.meetup,
        report=report,
        note=report.resolution_note,
    )
    return report


@transaction.atomic
def hide_circle(
    *, circle: Circle, by: User, report: Report | None = None, note: str = ""
) -> Circle:
    """A moderator hides a circle: it becomes unlisted, so it leaves browse, search, the
    home page and the open-data feed at once, while its members keep it (page, meetups,
    RSVPs) and nothing is cancelled. It is the step short of closing: a moderator undoes
    it by listing the circle again in the circles admin, and closes a circle for good
    with "Close (archive)" there. Only moderators (hosting.moderate) hide circles, and it is logged
    (with the report that led to it) when it changes something."""
    if len(note.strip()) > NOTE_MAX:
        raise HostingError(f"Please keep the note under {NOTE_MAX} characters.")
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.visibility == Circle.Visibility.UNLISTED:
        return circle
    circle.visibility = Circle.Visibility.UNLISTED
    circle.save(update_fields=["visibility", "updated_at"])
    _log(circle=circle, actor=by, action="hide circle", report=report, note=note.strip())
    return circle
