"""Rotating hosts: members offer to host a meetup, facilitators confirm or decline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from circles.models import Circle
from hosting import notifications
from hosting.models import HostOffer
from hosting.services._common import (
    HostingError,
    _locked_meetup,
    _log,
)
from meetups import services as meetups_services
from meetups.models import Meetup
from meetups.services import MeetupError

# Rotating hosts


def _open_for_hosting(meetup: Meetup) -> None:
    if meetup.is_cancelled:
        raise HostingError("This meetup has been cancelled.")
    if meetup.has_started():
        raise HostingError("This meetup has already started.")


def _withdraw_offers_to_host(*, user: User, circle: Circle, by: User, note: str) -> None:
    """Someone leaving the circle (or removed from it) hosts none of its meetups ahead:
    their offers to host them, waiting or confirmed, are withdrawn, each logged (`by`:
    who ended the membership). Their `Meetup.host` is cleared with their seats
    (meetups.services.give_up_seats). Call inside the transaction that ends it."""
    offers = list(
        HostOffer.objects.filter(
            user=user,
            meetup__in=circle.meetups.upcoming(),
            status__in=[HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED],
        )
        .select_for_update(of=("self",))
        .select_related("meetup")
    )
    for offer in offers:
        hosting = offer.status == HostOffer.Status.CONFIRMED
        _log(
            circle=circle,
            actor=by,
            action="host stepped back" if hosting else "offer to host withdrawn",
            subject_user=user,
            meetup=offer.meetup,
            note=note,
        )
    HostOffer.objects.filter(pk__in=[offer.pk for offer in offers]).update(
        status=HostOffer.Status.WITHDRAWN, updated_at=timezone.now()
    )


@transaction.atomic
def offer_to_host(*, user: User, meetup: Meetup) -> HostOffer:
    """A member volunteers to host one meetup in rotation. Rules: an active member of the
    circle who is not already one of its facilitators (they host every meetup), a meetup
    still ahead and not cancelled, and nobody confirmed as its host yet. Offering twice
    changes nothing; an offer withdrawn may be made again; a declined one stays declined
    (the facilitators have answered)."""
    meetup = _locked_meetup(meetup)
    circle = meetup.circle
    if not circle.is_active_member(user):
        raise HostingError("Only members of this circle can offer to host its meetups.")
    if circle.is_facilitator(user):
        raise HostingError("As a facilitator you already host every meetup of this circle.")
    _open_for_hosting(meetup)
    offer = HostOffer.objects.filter(meetup=meetup, user=user).first()
    if offer is not None and offer.status in (HostOffer.Status.OFFERED, HostOffer.Status.CONFIRMED):
        return offer
    if offer is not None and offer.status == HostOffer.Status.DECLINED:
        raise HostingError("The facilitators have already answered your offer for this meetup.")
    if meetup.host_id is not None:
        raise HostingError("Someone is already hosting this meetup.")
    if offer is None:
        return HostOffer.objects.create(meetup=meetup, user=user)
    offer.status, offer.decided_by = HostOffer.Status.OFFERED, None
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    return offer


@transaction.atomic
def withdraw_host_offer(*, user: User, meetup: Meetup) -> HostOffer:
    """A member takes back their offer to host, before the meetup starts. If they were
    confirmed, the meetup goes back to the facilitators (logged, so they can see why)."""
    meetup = _locked_meetup(meetup)
    offer = HostOffer.objects.filter(meetup=meetup, user=user).first()
    if offer is None or offer.status not in (
        HostOffer.Status.OFFERED,
        HostOffer.Status.CONFIRMED,
    ):
        raise HostingError("You haven't offered to host this meetup.")
    if meetup.has_started():
        raise HostingError("This meetup has already started.")
    was_host = offer.status == HostOffer.Status.CONFIRMED
    offer.status = HostOffer.Status.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    if was_host and meetup.host_id == user.pk:
        meetup.host = None
        meetup.save(update_fields=["host", "updated_at"])
        _log(
            circle=meetup.circle,
            actor=user,
            action="host stepped back",
            subject_user=user,
            meetup=meetup,
        )
    return offer


@transaction.atomic
def confirm_host(*, offer: HostOffer, by: User) -> HostOffer:
    """A facilitator confirms a member's offer: the member becomes `Meetup.host` (one
    confirmed host per meetup, a database constraint) and sees who is coming and marks
    attendance for that meetup only. The member must still belong to the circle and the
    meetup must be ahead. A host is coming too: they get a seat through the RSVP service
    like anyone else (their RSVP stands if they already had one). The member is emailed."""
    meetup = _locked_meetup(offer.meetup)
    offer = HostOffer.objects.select_related("user").get(pk=offer.pk, meetup=meetup)
    if offer.status == HostOffer.Status.CONFIRMED:
        return offer
    if offer.status != HostOffer.Status.OFFERED:
        raise HostingError("This offer was withdrawn or already answered.")
    _open_for_hosting(meetup)
    if meetup.host_id is not None:
        raise HostingError("Someone is already hosting this meetup: decline their offer first.")
    if not meetup.circle.is_active_member(offer.user):
        raise HostingError("That person is no longer a member of this circle.")
    offer.status, offer.decided_by = HostOffer.Status.CONFIRMED, by
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    meetup.host = offer.user
    meetup.save(update_fields=["host", "updated_at"])
    try:
        meetups_services.rsvp(user=offer.user, meetup=meetup)
    except MeetupError as exc:
        raise HostingError(exc.message) from exc
    _log(
        circle=meetup.circle,
        actor=by,
        action="confirm host",
        subject_user=offer.user,
        meetup=meetup,
    )
    notifications.notify_host_decision(offer.pk)
    return offer


@transaction.atomic
def decline_host(*, offer: HostOffer, by: User) -> HostOffer:
    """A facilitator declines an offer to host, or takes a confirmed one back (the meetup
    goes back to the facilitators). The member is emailed."""
    meetup = _locked_meetup(offer.meetup)
    offer = HostOffer.objects.select_related("user").get(pk=offer.pk, meetup=meetup)
    if offer.status == HostOffer.Status.DECLINED:
        return offer
    if offer.status == HostOffer.Status.WITHDRAWN:
        raise HostingError("This offer was withdrawn.")
    offer.status, offer.decided_by = HostOffer.Status.DECLINED, by
    offer.save(update_fields=["status", "decided_by", "updated_at"])
    if meetup.host_id == offer.user_id:
        meetup.host = None
        meetup.save(update_fields=["host", "updated_at"])
    _log(
        circle=meetup.circle,
        actor=by,
        action="decline host",
        subject_user=offer.user,
        meetup=meetup,
    )
    notifications.notify_host_decision(offer.pk)
    return offer
