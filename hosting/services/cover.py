""" "I can't host this one": a meetup's host asks for cover, someone accepts, or the
facilitators settle it when nobody has.

Who hosts once someone accepts:
- a member (who has offered to host in this circle) becomes the meetup's host in
  rotation (`Meetup.host`, through a confirmed HostOffer, as if the facilitators had
  confirmed their offer);
- a facilitator hosts it as the circle's facilitators do: `Meetup.host` is cleared (the
  facilitators host every meetup without one) and the request records who covers it.
The person who asked keeps their seat, if they had one: they may still come.

If nobody has accepted by the request's `answer_by` (COVER_REQUEST_DEADLINE_HOURS before
the start, or half way to the start for a request made later than that), the scan
(`tell_facilitators_of_uncovered`) tells the facilitators once; they call the meetup off
or let it run peer-led without a host. Until they choose, a late acceptance still counts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hosting import notifications
from hosting.models import CoverRequest, HostOffer
from hosting.services._common import HostingError, _locked_meetup, _log
from hosting.services.series import cancel_meetup
from meetups import services as meetups_services
from meetups.models import Meetup

# How many uncovered requests one scan settles before it looks again.
COVER_SCAN_BATCH = 200


def cover_deadline() -> dt.timedelta:
    return dt.timedelta(hours=settings.COVER_REQUEST_DEADLINE_HOURS)


def answer_by_for(meetup: Meetup, now: dt.datetime) -> dt.datetime:
    """When the facilitators hear that nobody has accepted: COVER_REQUEST_DEADLINE_HOURS
    before the start, or, for a request made later than that, half way from now to the
    start (so the people asked still have some time)."""
    deadline = meetup.starts_at - cover_deadline()
    return deadline if deadline > now else now + (meetup.starts_at - now) / 2


def _ahead(meetup: Meetup) -> None:
    if meetup.is_cancelled:
        raise HostingError(_("This meetup has been cancelled."))
    if meetup.has_started():
        raise HostingError(_("This meetup has already started."))


def _locked_request(cover: CoverRequest) -> tuple[CoverRequest, Meetup]:
    meetup = _locked_meetup(cover.meetup)
    cover = (
        CoverRequest.objects.select_for_update(of=("self",))
        .select_related("asked_by")
        .get(pk=cover.pk)
    )
    cover.meetup = meetup
    return cover, meetup


@transaction.atomic
def ask_for_cover(*, meetup: Meetup, by: User) -> CoverRequest:
    """The meetup's host asks for someone to host it instead. Rules: a meetup ahead and
    not cancelled; when a member hosts it in rotation, only they ask (the facilitators
    are not its host); asking again while a request is open changes nothing. The people
    who may cover it (hosting.cover_meetup) are emailed once each, discreetly."""
    meetup = _locked_meetup(meetup)
    _ahead(meetup)
    if meetup.host_id is not None and meetup.host_id != by.pk:
        raise HostingError(
            _("A member hosts this meetup in rotation: they can ask for cover themselves.")
        )
    existing = CoverRequest.objects.open().filter(meetup=meetup).first()
    if existing is not None:
        return existing
    cover = CoverRequest.objects.create(
        meetup=meetup, asked_by=by, answer_by=answer_by_for(meetup, timezone.now())
    )
    _log(circle=meetup.circle, actor=by, action="ask for cover", meetup=meetup)
    notifications.notify_cover_request(cover.pk)
    return cover


@transaction.atomic
def withdraw_cover_request(*, cover: CoverRequest, by: User) -> CoverRequest:
    """The host can host after all: the request closes (emails not yet sent are not)."""
    cover, meetup = _locked_request(cover)
    if cover.status != CoverRequest.Status.OPEN:
        raise HostingError(_("This request for cover is already settled."))
    cover.status = CoverRequest.Status.WITHDRAWN
    cover.save(update_fields=["status", "updated_at"])
    _log(circle=meetup.circle, actor=by, action="withdraw cover request", meetup=meetup)
    return cover


@transaction.atomic
def accept_cover(*, cover: CoverRequest, user: User) -> CoverRequest:
    """`user` (who holds hosting.cover_meetup) hosts the meetup instead: the first to
    accept does; anyone later hears it is covered (HostingError). See the module's
    docstring for who becomes its host. They get a seat through the RSVP service."""
    cover, meetup = _locked_request(cover)
    if cover.status == CoverRequest.Status.COVERED and cover.covered_by_id == user.pk:
        return cover
    if cover.status == CoverRequest.Status.COVERED:
        raise HostingError(_("Someone else has already said yes: this meetup is covered."))
    if cover.status != CoverRequest.Status.OPEN:
        raise HostingError(_("This meetup doesn't need cover any more."))
    _ahead(meetup)
    circle = meetup.circle
    if not circle.is_active_member(user):
        raise HostingError(_("Only members of this circle can host its meetups."))
    was_host = meetup.host_id
    if was_host is not None:
        HostOffer.objects.filter(
            meetup=meetup, user_id=was_host, status=HostOffer.Status.CONFIRMED
        ).update(status=HostOffer.Status.WITHDRAWN, updated_at=timezone.now())
    if circle.is_facilitator(user):
        meetup.host = None
    else:
        offer, _created = HostOffer.objects.get_or_create(meetup=meetup, user=user)
        offer.status, offer.decided_by = HostOffer.Status.CONFIRMED, cover.asked_by
        offer.save(update_fields=["status", "decided_by", "updated_at"])
        meetup.host = user
    meetup.save(update_fields=["host", "updated_at"])
    cover.status, cover.covered_by = CoverRequest.Status.COVERED, user
    cover.save(update_fields=["status", "covered_by", "updated_at"])
    meetups_services.rsvp(user=user, meetup=meetup)
    _log(circle=circle, actor=user, action="cover meetup", subject_user=user, meetup=meetup)
    notifications.notify_cover_accepted(cover.pk)
    return cover


@transaction.atomic
def settle_uncovered(
    *, cover: CoverRequest, by: User, run_peer_led: bool, message: str = ""
) -> CoverRequest:
    """A facilitator settles a request nobody has accepted: call the meetup off (through
    cancel_meetup: the people going and waiting are told as for any cancellation, with
    `message`) or let it run peer-led without a host (its page says so)."""
    cover, meetup = _locked_request(cover)
    if cover.status != CoverRequest.Status.OPEN:
        raise HostingError(_("This request for cover is already settled."))
    _ahead(meetup)
    cover.settled_by = by
    if run_peer_led:
        cover.status = CoverRequest.Status.PEER_LED
        _log(circle=meetup.circle, actor=by, action="run peer-led", meetup=meetup)
    else:
        cover.status = CoverRequest.Status.CANCELLED
        cancel_meetup(meetup=meetup, by=by, message=message)
    cover.save(update_fields=["status", "settled_by", "updated_at"])
    return cover


def tell_facilitators_of_uncovered(
    now: dt.datetime | None = None, batch: int = COVER_SCAN_BATCH
) -> int:
    """Tell the facilitators of each open request past its `answer_by` (meetup still
    ahead) that nobody has accepted, once: the request is marked told in the same
    transaction as the emails are queued, and rows another worker holds are skipped, so
    a second scan, a retry or a worker killed halfway never tells twice and the next scan
    picks up what a dead one dropped. Returns how many requests this run settled."""
    now = now or timezone.now()
    told = 0
    while True:
        with transaction.atomic():
            due = list(
                CoverRequest.objects.open()
                .filter(
                    answer_by__lte=now,
                    facilitators_told_at__isnull=True,
                    meetup__status=Meetup.Status.SCHEDULED,
                    meetup__starts_at__gt=now,
                )
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("answer_by", "pk")[:batch]
            )
            for cover in due:
                notifications.notify_cover_uncovered(cover.pk)
            CoverRequest.objects.filter(pk__in=[c.pk for c in due]).update(
                facilitators_told_at=now, updated_at=now
            )
        told += len(due)
        if len(due) < batch:
            return told
