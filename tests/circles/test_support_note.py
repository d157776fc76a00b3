"""From "who would like support", a facilitator writes privately to someone who asked:
one email through the outbox, in the recipient's language, limited in number; only the
circle's facilitators, and only to someone whose check-in asked for support."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from circles.checkins import current_week, previous_week
from circles.models import CheckIn, Circle, Membership
from circles.services import SUPPORT_NOTE_LIMITS
from tests.factories import CircleFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Wednesday afternoon in Baton Rouge.
NOW = dt.datetime(2030, 3, 6, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def checkin_of(user: User, circle: Circle, *, wants_support: bool = True, week: int = 0) -> CheckIn:
    week = week or current_week(circle)
    return CheckIn.objects.create(
        user=user,
        circle=circle,
        iso_year=week // 100,
        iso_week=week % 100,
        mood=2,
        visibility=CheckIn.Visibility.PRIVATE,
        wants_support=wants_support,
    )


def note_url(checkin: CheckIn) -> str:
    return reverse("circles:support_note", args=[checkin.circle.slug, checkin.pk])


def notes_to(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="support-note").order_by("pk"))


def test_the_support_list_links_to_a_private_note(
    circle: Circle, member: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    page = facilitator_client.get(reverse("circles:support", args=[circle.slug])).content.decode()
    assert note_url(checkin) in page
    assert "Write to Milo privately" in page


def test_a_facilitator_sends_a_private_note(
    circle: Circle, member: User, facilitator: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    form = facilitator_client.get(note_url(checkin))
    assert form.status_code == 200
    assert "Write to Milo privately" in form.content.decode()

    response = facilitator_client.post(
        note_url(checkin), {"body": "Thinking of you. Coffee before Tuesday's meetup?"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("circles:support", args=[circle.slug])
    [note] = notes_to(member)
    assert note.recipient == member.email
    assert note.subject == "A message for you on Peer Support Circles"
    assert circle.name not in note.subject
    assert "Thinking of you. Coffee before Tuesday's meetup?" in note.body
    assert "Fern (host), who hosts Grief Circle Mid City" in note.body
    assert note.key.startswith(f"support-note:from:{facilitator.pk}:checkin:{checkin.pk}:note:")
    assert note.status == Notification.Status.PENDING


def test_the_note_is_escaped_in_the_html_and_kept_as_written_in_the_text(
    circle: Circle, member: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    facilitator_client.post(note_url(checkin), {"body": "<b>hi</b> & <script>x()</script>"})
    [note] = notes_to(member)
    assert "<script>x()</script>" not in note.html
    assert "&lt;script&gt;x()&lt;/script&gt;" in note.html
    assert "<b>hi</b> & <script>x()</script>" in note.body


def test_the_note_is_in_the_recipients_language(
    circle: Circle, member: User, facilitator_client: Client
) -> None:
    member.language = "es"
    member.save()
    facilitator_client.post(note_url(checkin_of(member, circle)), {"body": "Hola"})
    [note] = notes_to(member)
    assert "A message for you" not in note.subject
    assert "You asked for support" not in note.body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a few words first."),
        ("   ", "Write a few words first."),
        ("x" * 1001, "Please keep it under 1,000 characters."),
    ],
)
def test_an_empty_or_overlong_note_is_refused(
    body: str, message: str, circle: Circle, member: User, facilitator_client: Client
) -> None:
    response = facilitator_client.post(note_url(checkin_of(member, circle)), {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert notes_to(member) == []


def test_notes_are_limited_per_recipient_and_per_sender(
    circle: Circle, member: User, facilitator: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    for n in range(SUPPORT_NOTE_LIMITS["recipient"]):
        assert facilitator_client.post(note_url(checkin), {"body": f"Note {n}"}).status_code == 302
    refused = facilitator_client.post(note_url(checkin), {"body": "One more"})
    assert refused.status_code == 400
    assert "the most we send" in refused.content.decode()
    assert len(notes_to(member)) == SUPPORT_NOTE_LIMITS["recipient"]

    # To others, up to the sender's own limit in 24 hours.
    others = []
    for _ in range(SUPPORT_NOTE_LIMITS["sender"]):
        person = UserFactory()
        MembershipFactory(user=person, circle=circle)
        others.append(checkin_of(person, circle))
    sent = [facilitator_client.post(note_url(c), {"body": "Hi"}).status_code for c in others]
    room = SUPPORT_NOTE_LIMITS["sender"] - SUPPORT_NOTE_LIMITS["recipient"]
    assert sent == [302] * room + [400] * (len(others) - room)

    # A day later the limits start again.
    with time_machine.travel(NOW + dt.timedelta(days=1, minutes=1), tick=False):
        assert facilitator_client.post(note_url(checkin), {"body": "Tomorrow"}).status_code == 302


def test_only_this_week_and_last(circle: Circle, member: User, facilitator_client: Client) -> None:
    last = checkin_of(member, circle, week=previous_week(current_week(circle)))
    assert facilitator_client.post(note_url(last), {"body": "Hi"}).status_code == 302
    old = checkin_of(member, circle, week=previous_week(previous_week(current_week(circle))))
    response = facilitator_client.post(note_url(old), {"body": "Hi"})
    assert response.status_code == 400
    assert "more than two weeks old" in response.content.decode()


def test_someone_who_left_gets_no_note(
    circle: Circle, member: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    Membership.objects.filter(user=member, circle=circle).update(status=Membership.Status.LEFT)
    response = facilitator_client.post(note_url(checkin), {"body": "Hi"})
    assert response.status_code == 400
    assert "no longer in the circle" in response.content.decode()
    assert notes_to(member) == []


# Who may write: the permission (circles.send_support_note), walked for every persona in
# tests/test_permission_matrix.py; here the cases the matrix's one check-in does not have.


def test_a_check_in_that_did_not_ask_for_support_is_nobodys_to_answer(
    circle: Circle, member: User, facilitator: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(member, circle, wants_support=False)
    assert not facilitator.has_perm("circles.send_support_note", checkin)
    assert facilitator_client.get(note_url(checkin)).status_code == 403
    assert facilitator_client.post(note_url(checkin), {"body": "Hi"}).status_code == 403
    assert notes_to(member) == []


def test_only_facilitators_of_that_circle(
    circle: Circle, member: User, outsider: User, member_client: Client
) -> None:
    checkin = checkin_of(member, circle)
    other_host = UserFactory()
    MembershipFactory(user=other_host, circle=CircleFactory(), role=Membership.Role.FACILITATOR)
    peer = UserFactory()
    MembershipFactory(user=peer, circle=circle)
    staff = UserFactory(is_staff=True, is_superuser=True)
    for person in (member, outsider, other_host, peer, staff):
        assert not person.has_perm("circles.send_support_note", checkin), person
        client = Client()
        client.force_login(person)
        assert client.post(note_url(checkin), {"body": "Hi"}).status_code == 403
    assert Client().get(note_url(checkin)).status_code == 302  # to sign in
    assert notes_to(member) == []


def test_a_facilitators_own_check_in_is_not_theirs_to_answer(
    circle: Circle, facilitator: User, facilitator_client: Client
) -> None:
    checkin = checkin_of(facilitator, circle)
    assert facilitator_client.get(note_url(checkin)).status_code == 403


def test_a_check_in_of_another_circle_is_not_found_under_this_one(
    circle: Circle, facilitator_client: Client
) -> None:
    elsewhere = CircleFactory()
    person = UserFactory()
    MembershipFactory(user=person, circle=elsewhere)
    checkin = checkin_of(person, elsewhere)
    url = reverse("circles:support_note", args=[circle.slug, checkin.pk])
    assert facilitator_client.get(url).status_code == 404


def test_a_facilitator_who_deletes_their_account_takes_back_the_notes_not_sent_yet(
    circle: Circle, member: User, facilitator: User, facilitator_client: Client
) -> None:
    from circles.personal_data import before_delete

    facilitator_client.post(note_url(checkin_of(member, circle)), {"body": "Hi"})
    MembershipFactory(user=UserFactory(), circle=circle, role=Membership.Role.FACILITATOR)
    before_delete(facilitator)
    [note] = notes_to(member)
    assert note.status == Notification.Status.OBSOLETE
