"""A member checks in: from a mood link (which only opens the page), or from the circle's
page; one check-in a week, edited the same week; "I'd like support" tells the
facilitators, discreetly; the lowest mood puts the crisis line beside the form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.tasks import sweep_outbox
from circles.checkins import LINK_SALT, checkin_path, current_week, link_token
from circles.models import CheckIn, Circle
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(circle: Circle) -> str:
    return reverse("circles:checkin", args=[circle.slug])


def valid(**changes: object) -> dict[str, object]:
    return {"mood": 4, "note": "A better week.", "visibility": "private"} | changes


def test_a_mood_link_opens_the_page_with_the_mood_chosen_and_records_nothing(
    client: Client, circle: Circle, member: User, mailoutbox: list
) -> None:
    week = current_week(circle)
    token = link_token(user_id=member.pk, circle_id=circle.pk, week=week, mood=2)

    for _ in range(3):  # a mail scanner, a preview, the person
        page = client.get(checkin_path(circle, token))
        assert page.status_code == 200
    body = page.content.decode()
    assert re.search(r'value="2"[^>]*checked', body)
    assert not re.search(r'value="[1345]"[^>]*checked', body)
    assert "How are you doing this week?" in body
    assert CheckIn.objects.count() == 0
    assert mailoutbox == []


def test_confirming_records_the_checkin_for_the_links_week(
    client: Client, circle: Circle, member: User
) -> None:
    token = link_token(user_id=member.pk, circle_id=circle.pk, week=202601, mood=2)

    response = client.post(url(circle), valid(mood=2, t=token))

    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.user, checkin.circle, checkin.week, checkin.mood) == (member, circle, 202601, 2)


def test_the_same_week_edits_it(member_client: Client, circle: Circle, member: User) -> None:
    member_client.post(url(circle), valid(mood=2))
    member_client.post(url(circle), valid(mood=5, note="Much better", visibility="circle"))

    checkin = CheckIn.objects.get()
    assert (checkin.mood, checkin.note, checkin.visibility) == (5, "Much better", "circle")
    assert checkin.week == current_week(circle)
    page = member_client.get(url(circle)).content.decode()
    assert "Much better" in page
    assert "saving again changes it" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mood": ""}, "Choose the word closest"),
        ({"mood": "9"}, "Choose one of the five words"),
        ({"mood": "x"}, "Choose one of the five words"),
        ({"note": "x" * 2001}, "under 2,000 characters"),
        ({"visibility": "everyone"}, "Choose who may see"),
    ],
)
def test_bad_input_says_what_is_wrong(
    member_client: Client, circle: Circle, data: dict, message: str
) -> None:
    response = member_client.post(url(circle), valid(**data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_an_expired_or_forged_link_is_refused_with_a_page(
    client: Client, circle: Circle, member: User
) -> None:
    forged = signing.dumps({"u": member.pk, "c": circle.pk, "w": 202601, "m": 1}, salt="other")
    expired = link_token(user_id=member.pk, circle_id=circle.pk, week=202601, mood=1)
    for token in (forged, "nonsense"):
        for method in (client.get, client.post):
            response = method(url(circle), {"t": token, **valid()})
            assert response.status_code == 400
            assert "expired" in response.content.decode()
    assert client.get(checkin_path(circle, expired)).status_code == 200
    with time_machine.travel(dt.timedelta(days=8, minutes=1)):
        response = client.get(checkin_path(circle, expired))
        assert response.status_code == 400
        assert client.post(url(circle), valid(t=expired)).status_code == 400
    assert CheckIn.objects.count() == 0


def test_a_link_for_another_circle_or_person(
    member_client: Client, circle: Circle, member: User, outsider: User
) -> None:
    week = current_week(circle)
    theirs = link_token(user_id=outsider.pk, circle_id=circle.pk, week=week, mood=1)
    assert member_client.get(checkin_path(circle, theirs)).status_code == 403
    assert member_client.post(url(circle), valid(t=theirs)).status_code == 403
    # An outsider's own link (they are no member) opens nothing.
    assert Client().get(checkin_path(circle, theirs)).status_code == 404
    assert CheckIn.objects.count() == 0


def test_members_only(
    client: Client, outsider_client: Client, circle: Circle, facilitator_client: Client
) -> None:
    assert client.get(url(circle))["Location"].startswith(reverse("account_login"))
    assert outsider_client.get(url(circle)).status_code == 404
    assert outsider_client.post(url(circle), valid()).status_code == 404
    assert facilitator_client.get(url(circle)).status_code == 200  # facilitators are members
    assert CheckIn.objects.count() == 0


def test_the_lowest_mood_shows_the_crisis_line_beside_the_form(
    member_client: Client, circle: Circle, member: User
) -> None:
    low = link_token(user_id=member.pk, circle_id=circle.pk, week=current_week(circle), mood=1)
    okay = link_token(user_id=member.pk, circle_id=circle.pk, week=current_week(circle), mood=3)

    shown = member_client.get(checkin_path(circle, low)).content.decode()
    hidden = member_client.get(checkin_path(circle, okay)).content.decode()

    assert 'class="crisis-beside is-shown"' in shown
    assert 'id="checkin-crisis"' in hidden and "is-shown" not in hidden
    assert 'href="tel:988"' in shown


def test_notes_are_not_scanned_for_crisis_words(
    member_client: Client, circle: Circle, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    """Grief circles write "died" every week: nothing is raised from words alone."""
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url(circle), valid(mood=3, note="Mum died a year ago today."))
    assert mailoutbox == []


def test_asking_for_support_tells_the_facilitators_once_and_discreetly(
    member_client: Client,
    circle: Circle,
    member: User,
    facilitator: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url(circle), valid(wants_support="on", note="Rough one."))
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(url(circle), valid(wants_support="on", note="Still rough."))

    [message] = mailoutbox
    assert message.to == [facilitator.email]
    assert message.subject == "Someone in your circle would like support this week"
    text = message.body + message.alternatives[0][0]
    for secret in (member.display_name, "Rough one", circle.name):
        assert secret not in text
    assert reverse("circles:support", args=[circle.slug]) in message.body
    assert Notification.objects.filter(key__startswith="checkin-support:").count() == 1

    page = Client()
    page.force_login(facilitator)
    support = page.get(reverse("circles:support", args=[circle.slug])).content.decode()
    assert member.display_name in support
    assert "They kept their check-in to themselves" in support  # private: no note
    assert "Rough one" not in support


def test_the_call_for_support_is_queued_with_the_check_in_and_never_lost(
    member_client: Client, circle: Circle, facilitator: User, mailoutbox: list
) -> None:
    """Written in the check-in's transaction: with no hint delivered after commit (the
    broker down), the message waits in the outbox and the sweep sends it."""
    member_client.post(url(circle), valid(wants_support="on"))  # no on-commit hooks run

    [note] = Notification.objects.filter(key__startswith="checkin-support:")
    assert (note.user, note.status) == (facilitator, "pending")
    assert mailoutbox == []

    sweep_outbox()

    [message] = mailoutbox
    assert message.to == [facilitator.email]


def test_the_rate_limit_answers_429(member_client: Client, circle: Circle, settings) -> None:
    settings.PERSON_RATE_LIMITS = {"checkin": "2/m/user"}
    codes = [member_client.post(url(circle), valid()).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_a_paused_circle_takes_no_checkins(member_client: Client, circle: Circle) -> None:
    circle.status = Circle.Status.PAUSED
    circle.save(update_fields=["status"])
    assert member_client.post(url(circle), valid()).status_code == 404
    assert CheckIn.objects.count() == 0


def test_the_facilitators_page_is_theirs_alone(circle: Circle, member_client: Client) -> None:
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    other = MembershipFactory().user
    stranger = Client()
    stranger.force_login(other)
    support = reverse("circles:support", args=[circle.slug])

    assert member_client.get(support).status_code == 403
    assert staff.get(support).status_code == 403  # check-ins are not for moderators
    assert stranger.get(support).status_code == 403
    assert Client().get(support)["Location"].startswith(reverse("account_login"))


def test_link_salt_is_its_own() -> None:
    assert LINK_SALT == "circles.checkin.link"


def test_the_page_opened_by_a_link_is_never_stored(
    client: Client, circle: Circle, member: User
) -> None:
    token = link_token(user_id=member.pk, circle_id=circle.pk, week=current_week(circle), mood=3)
    response = client.get(checkin_path(circle, token))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
