"""Co-facilitating is an invitation: the member is emailed (discreetly), reads the
facilitator agreement on the invitation's page and accepts it, or declines; the inviter
may withdraw it. Until they accept they are an ordinary member everywhere."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import outbox
from accounts.models import Notification, User
from circles.models import Circle, Membership
from hosting import agreement, notifications
from hosting.models import ActionLog, CoFacilitatorInvitation, HostingAgreement, Report
from meetups.models import Meetup

pytestmark = pytest.mark.django_db

MEMBERS = "/circles/grief-circle-mid-city/manage/members/"
MANAGE = "/circles/grief-circle-mid-city/manage/"


def _membership(user: User, circle: Circle) -> Membership:
    return Membership.objects.get(user=user, circle=circle)


@pytest.fixture
def invited(
    facilitator_client: Client, member: User, circle: Circle, django_capture_on_commit_callbacks
) -> CoFacilitatorInvitation:
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            MEMBERS, {"membership": _membership(member, circle).pk, "action": "co_facilitate"}
        )
    assert response.status_code == 302
    return CoFacilitatorInvitation.objects.get()


def _page(invitation: CoFacilitatorInvitation) -> str:
    return reverse("hosting:co_facilitator_invitation", args=[invitation.pk])


def _accept(client: Client, invitation: CoFacilitatorInvitation, **changes: object):
    data = {"answer": "accept", "agreement": "on", "agreement_version": agreement.VERSION}
    return client.post(_page(invitation), data | changes)


def test_inviting_gives_no_power_and_emails_a_discreet_link(
    invited: CoFacilitatorInvitation,
    member: User,
    member_client: Client,
    circle: Circle,
    facilitator: User,
) -> None:
    assert _membership(member, circle).role == Membership.Role.MEMBER
    assert not member.has_perm("circles.manage_circle", circle)
    assert member_client.get(MANAGE).status_code == 403
    assert ActionLog.objects.get().action == "invite co-facilitator"
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    assert message.subject == "An invitation to help host"
    text = message.body + message.alternatives[0][0]
    assert circle.name not in text and circle.slug not in text
    assert facilitator.display_name not in text
    assert _page(invited) in message.body
    # The circle's page shows them the way to answer, and no one else.
    assert _page(invited) in member_client.get(circle.get_absolute_url()).content.decode()


def test_the_link_opens_a_page_and_changes_nothing(
    invited: CoFacilitatorInvitation, member_client: Client, member: User, circle: Circle
) -> None:
    for _ in range(2):  # a mail scanner, then the person
        page = member_client.get(_page(invited))
        assert page.status_code == 200
    body = page.content.decode()
    assert "The facilitator agreement" in body
    assert circle.name in body
    invited.refresh_from_db()
    assert invited.status == CoFacilitatorInvitation.Status.INVITED
    assert _membership(member, circle).role == Membership.Role.MEMBER


def test_accepting_takes_the_agreement_and_then_gives_the_role(
    invited: CoFacilitatorInvitation, member_client: Client, member: User, circle: Circle
) -> None:
    unticked = _accept(member_client, invited, agreement="")
    assert unticked.status_code == 400
    assert _membership(member, circle).role == Membership.Role.MEMBER
    stale = _accept(member_client, invited, agreement_version="2000-01")
    assert stale.status_code == 400
    assert not HostingAgreement.objects.filter(user=member).exists()

    response = _accept(member_client, invited)

    assert response.status_code == 302
    assert _membership(member, circle).role == Membership.Role.FACILITATOR
    assert HostingAgreement.objects.get(user=member, circle=circle).version == agreement.VERSION
    invited.refresh_from_db()
    assert invited.status == CoFacilitatorInvitation.Status.ACCEPTED
    assert ActionLog.objects.filter(action="accept co-facilitation", actor=member).exists()
    assert member_client.get(MANAGE).status_code == 200


def test_declining_leaves_them_a_member(
    invited: CoFacilitatorInvitation, member_client: Client, member: User, circle: Circle
) -> None:
    response = member_client.post(_page(invited), {"answer": "decline"})

    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.status == CoFacilitatorInvitation.Status.DECLINED
    assert _membership(member, circle).role == Membership.Role.MEMBER
    assert ActionLog.objects.filter(action="decline co-facilitation").exists()
    assert _accept(member_client, invited).status_code == 200  # answered: nothing to accept
    assert _membership(member, circle).role == Membership.Role.MEMBER


def test_the_inviter_withdraws_it_and_a_waiting_email_is_not_sent(
    facilitator_client: Client,
    member_client: Client,
    member: User,
    circle: Circle,
) -> None:
    # Queued, not yet delivered (no on-commit hooks run).
    facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "co_facilitate"}
    )
    invitation = CoFacilitatorInvitation.objects.get()
    assert "Withdraw the invitation" in facilitator_client.get(MANAGE).content.decode()

    withdraw = reverse(
        "hosting:withdraw_co_facilitator_invitation", args=[circle.slug, invitation.pk]
    )
    assert member_client.post(withdraw).status_code == 403
    assert facilitator_client.post(withdraw).status_code == 302

    invitation.refresh_from_db()
    assert invitation.status == CoFacilitatorInvitation.Status.WITHDRAWN
    assert ActionLog.objects.filter(action="withdraw co-facilitator invitation").exists()
    assert outbox.deliver()["obsolete"] == 1
    assert mail.outbox == []
    assert Notification.objects.get().status == Notification.Status.OBSOLETE
    _accept(member_client, invitation)
    assert _membership(member, circle).role == Membership.Role.MEMBER


def test_the_invitation_is_theirs_alone(
    invited: CoFacilitatorInvitation, facilitator_client: Client, outsider_client: Client
) -> None:
    for client in (facilitator_client, outsider_client):
        assert client.get(_page(invited)).status_code == 404
        assert _accept(client, invited).status_code == 404
    assert Client().get(_page(invited))["Location"].startswith(reverse("account_login"))


def test_until_they_accept_reports_and_attendee_lists_are_not_theirs(
    invited: CoFacilitatorInvitation,
    member: User,
    member_client: Client,
    circle: Circle,
    meetup: Meetup,
    django_capture_on_commit_callbacks,
) -> None:
    mail.outbox.clear()
    Report.objects.create(
        circle=circle, reporter=None, reason="Something else", routed_to="facilitators"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_report_readers(Report.objects.get().pk)

    assert [m for m in mail.outbox if m.to == [member.email]] == []
    assert member_client.get(f"{MANAGE}meetups/{meetup.pk}/").status_code == 403
    assert invited.status == CoFacilitatorInvitation.Status.INVITED


def test_someone_removed_is_no_longer_invited(
    invited: CoFacilitatorInvitation,
    facilitator_client: Client,
    member_client: Client,
    member: User,
    circle: Circle,
) -> None:
    facilitator_client.post(
        MEMBERS, {"membership": _membership(member, circle).pk, "action": "remove"}
    )

    invited.refresh_from_db()
    assert invited.status == CoFacilitatorInvitation.Status.WITHDRAWN
    _accept(member_client, invited)
    assert not circle.is_facilitator(member)
