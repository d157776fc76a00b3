"""A facilitator answers requests to join: approve or decline, the person is emailed either
way under a subject that never names the circle, and their answer is deleted once decided."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from circles.models import Circle, Membership
from hosting.models import ActionLog
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGE = "/circles/grief-circle-mid-city/manage/"
ANSWER = "/circles/grief-circle-mid-city/manage/requests/"


@pytest.fixture
def request_to_join(circle: Circle) -> Membership:
    circle.join_policy = Circle.JoinPolicy.APPROVAL
    circle.join_question = "What brings you to the circle?"
    circle.save()
    return MembershipFactory(
        user=UserFactory(display_name="Sage", email="sage@example.org"),
        circle=circle,
        status=Membership.Status.PENDING,
        join_answer="My mum died in spring.",
    )


def test_the_manage_page_shows_each_request_with_its_answer(
    facilitator_client: Client, request_to_join: Membership
) -> None:
    page = facilitator_client.get(MANAGE).content.decode()

    assert "Sage" in page
    assert "What brings you to the circle?" in page
    assert "My mum died in spring." in page
    assert "sage@example.org" not in page


def test_approving_welcomes_them_emails_them_and_deletes_the_answer(
    facilitator_client: Client,
    facilitator,
    request_to_join: Membership,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(
            ANSWER, {"membership": request_to_join.pk, "decision": "approve"}
        )

    assert response.status_code == 302
    assert response["Location"] == MANAGE + "#requests"
    request_to_join.refresh_from_db()
    assert request_to_join.status == Membership.Status.ACTIVE
    assert request_to_join.join_answer == ""
    (message,) = mail.outbox
    assert message.to == ["sage@example.org"]
    assert message.subject == "Your request to join a circle"
    assert "Grief Circle Mid City" in message.body
    assert "said yes" in message.body
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.subject_user) == (
        "approve",
        facilitator,
        request_to_join.user,
    )


def test_declining_tells_them_kindly_and_they_may_ask_again(
    facilitator_client: Client,
    request_to_join: Membership,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(ANSWER, {"membership": request_to_join.pk, "decision": "decline"})

    request_to_join.refresh_from_db()
    assert request_to_join.status == Membership.Status.LEFT
    assert request_to_join.join_answer == ""
    (message,) = mail.outbox
    assert message.subject == "Your request to join a circle"
    assert "Grief" not in message.subject
    assert "weren't able to welcome you" in message.body
    assert ActionLog.objects.get().action == "decline"
    assert request_to_join.circle.join_refusal(request_to_join.user) is None


def test_a_second_request_after_a_decline_gets_its_own_email(
    facilitator_client: Client,
    request_to_join: Membership,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(ANSWER, {"membership": request_to_join.pk, "decision": "decline"})
    Membership.objects.filter(pk=request_to_join.pk).update(status=Membership.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(ANSWER, {"membership": request_to_join.pk, "decision": "approve"})

    assert [m.subject for m in mail.outbox] == ["Your request to join a circle"] * 2
    assert "said yes" in mail.outbox[1].body


def test_answering_twice_changes_nothing_and_sends_nothing_more(
    facilitator_client: Client,
    request_to_join: Membership,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(ANSWER, {"membership": request_to_join.pk, "decision": "approve"})
        response = facilitator_client.post(
            ANSWER, {"membership": request_to_join.pk, "decision": "decline"}, follow=True
        )

    assert "That request has already been answered." in response.content.decode()
    request_to_join.refresh_from_db()
    assert request_to_join.status == Membership.Status.ACTIVE
    assert len(mail.outbox) == 1
    assert ActionLog.objects.count() == 1


def test_a_request_to_another_circle_cannot_be_answered_from_this_one(
    facilitator_client: Client, request_to_join: Membership
) -> None:
    elsewhere = MembershipFactory(status=Membership.Status.PENDING, join_answer="Private.")

    facilitator_client.post(ANSWER, {"membership": elsewhere.pk, "decision": "approve"})

    elsewhere.refresh_from_db()
    assert (elsewhere.status, elsewhere.join_answer) == (Membership.Status.PENDING, "Private.")


def test_members_cannot_answer_requests(member_client: Client, request_to_join: Membership) -> None:
    response = member_client.post(ANSWER, {"membership": request_to_join.pk, "decision": "approve"})

    assert response.status_code == 403
    request_to_join.refresh_from_db()
    assert request_to_join.status == Membership.Status.PENDING
    assert request_to_join.join_answer == "My mum died in spring."
