"""A meetup's hosts write to everyone going: one email each, sent by a Celery task after
commit, with a discreet subject and the message escaped; rate limited and logged."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from accounts import outbox
from accounts.models import Notification
from accounts.my_data import delete_user_account
from hosting import services
from hosting.models import ActionLog, MeetupMessage
from hosting.notifications import send_meetup_message
from meetups.models import RSVP, Meetup
from tests.factories import MeetupFactory, MembershipFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/message/"


def day(meetup: Meetup) -> str:
    local = meetup.local_start
    return f"{local:%a} {local.day} {local:%b}"


@pytest.fixture
def going(meetup, member) -> list:
    """The member and two more going, one person waiting."""
    people = [member, UserFactory(display_name="Quinn"), UserFactory(display_name="Rowan")]
    for person in people:
        RSVPFactory(meetup=meetup, user=person)
    RSVPFactory(meetup=meetup, user=UserFactory(), status=RSVP.Status.WAITLISTED)
    return people


def test_one_email_each_to_the_people_going_through_a_task(
    facilitator_client: Client, facilitator, meetup, going, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = facilitator_client.post(url(meetup), {"body": "We're at the back table."})

    # Nothing is sent inside the request: the task is enqueued once the change commits.
    assert response.status_code == 302
    assert mail.outbox == []
    assert callbacks
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in going)
    message = MeetupMessage.objects.get(meetup=meetup)
    assert (message.sender, message.recipient_count) == (facilitator, 3)
    assert ActionLog.objects.filter(action="message", actor=facilitator, meetup=meetup).exists()
    page = facilitator_client.get(url(meetup), follow=True).content.decode()
    assert "Your message is on its way to 3 people going." in page
    assert "We&#x27;re at the back table." in page

    # A retried task sends nothing twice.
    assert send_meetup_message(message.pk) == 0
    assert len(mail.outbox) == 3


def test_the_subject_is_discreet_and_the_body_escaped(
    facilitator_client: Client, meetup, going, django_capture_on_commit_callbacks
) -> None:
    body = '<script>alert("x")</script> <b>Bring</b> a mug & a friend'
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(url(meetup), {"body": body})

    email = mail.outbox[0]
    html = email.alternatives[0][0]
    assert email.subject == f"A message about your meetup on {day(meetup)}"
    assert "Grief" not in email.subject
    assert body in email.body  # plain text, as written
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "mug &amp; a friend" in html
    assert email.body.splitlines()[0].startswith(meetup.local_start.strftime("%A"))


def test_the_sender_is_not_emailed_their_own_message(
    facilitator_client: Client, facilitator, meetup, going, django_capture_on_commit_callbacks
) -> None:
    RSVPFactory(meetup=meetup, user=facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(url(meetup), {"body": "See you soon."})

    assert facilitator.email not in [m.to[0] for m in mail.outbox]
    assert len(mail.outbox) == 3


def test_three_messages_per_meetup_a_day(
    facilitator_client: Client, meetup, going, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            facilitator_client.post(url(meetup), {"body": f"Note {n}"})
        response = facilitator_client.post(url(meetup), {"body": "One too many"})

    assert response.status_code == 400
    assert "3 messages in the last 24 hours" in response.content.decode()
    assert MeetupMessage.objects.filter(meetup=meetup).count() == 3
    assert len(mail.outbox) == 9


def test_ten_messages_per_sender_a_day(facilitator, circle, member) -> None:
    meetups = [MeetupFactory(circle=circle) for _ in range(4)]
    for meetup in meetups:
        RSVPFactory(meetup=meetup, user=member)
    for n in range(10):
        services.message_people_going(meetup=meetups[n // 3], sender=facilitator, body=f"{n}")

    with pytest.raises(services.HostingError, match="You have sent 10 messages"):
        services.message_people_going(meetup=meetups[3], sender=facilitator, body="more")
    assert MeetupMessage.objects.count() == 10


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_message_is_refused(
    facilitator_client: Client, meetup, going, body: str
) -> None:
    response = facilitator_client.post(url(meetup), {"body": body})

    assert response.status_code == 400
    assert not MeetupMessage.objects.exists()


def test_nobody_going_means_nothing_to_send(facilitator_client: Client, meetup) -> None:
    response = facilitator_client.post(url(meetup), {"body": "Hello?"})

    assert "nobody to message" in response.content.decode()
    assert not MeetupMessage.objects.exists()


def test_the_rotating_host_may_message_that_meetup(
    member_client: Client, member, circle, django_capture_on_commit_callbacks
) -> None:
    meetup = MeetupFactory(circle=circle, host=member)
    quinn = UserFactory()
    RSVPFactory(meetup=meetup, user=quinn)

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url(meetup), {"body": "I'm hosting tonight."})

    [email] = mail.outbox
    assert email.to == [quinn.email]
    assert "Milo, who is hosting" in email.body


def test_members_outsiders_and_other_facilitators_may_not(
    member_client: Client, outsider_client: Client, client: Client, meetup, going
) -> None:
    elsewhere = UserFactory()
    MembershipFactory(user=elsewhere, role="facilitator")
    other_facilitator = Client()
    other_facilitator.force_login(elsewhere)

    for who in (member_client, outsider_client, other_facilitator):
        assert who.get(url(meetup)).status_code == 403
        assert who.post(url(meetup), {"body": "hi"}).status_code == 403
    assert client.post(url(meetup), {"body": "hi"}).status_code == 302  # to the login page
    assert not MeetupMessage.objects.exists()


def test_a_deleted_hosts_name_leaves_the_messages_still_waiting(
    facilitator, meetup, going, circle
) -> None:
    """Messages queued before the host deleted their account go out without the name:
    "The host" writes instead (hosting.personal_data.before_delete)."""
    host = MembershipFactory(circle=circle, user=UserFactory(display_name="Hal Quietname")).user
    services.confirm_host(offer=services.offer_to_host(user=host, meetup=meetup), by=facilitator)
    services.message_people_going(meetup=meetup, sender=host, body="Back table.")
    # Queued with the message; the outbox has not sent them yet.
    to_people_going = Notification.objects.filter(key__startswith="message:")
    assert to_people_going.filter(body__contains="Hal Quietname").count() == 3

    delete_user_account(user=host)
    outbox.deliver()

    assert len(mail.outbox) == 3
    for sent in mail.outbox:
        text = sent.subject + sent.body + sent.alternatives[0][0]
        assert "Hal Quietname" not in text
        assert "The host, who is hosting your meetup" in sent.body
        assert "Back table." in sent.body
    assert not Notification.objects.filter(html__contains="Hal Quietname").exists()
