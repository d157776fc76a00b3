"""What the circle sees of check-ins: this week's shared ones (name, word, note) and how
many others checked in, for its members only; notes of support, a daily digest to the
author, deleting and hiding; and who may reach each check-in URL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.my_data import delete_user_account
from circles import notifications, services
from circles.checkins import current_week, link_token
from circles.models import CheckIn, CheckInReply, Circle, Membership
from circles.personal_data import export
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def check_in(user: User, circle: Circle, *, visibility: str = "circle", **extra) -> CheckIn:
    return services.save_checkin(
        user=user,
        circle=circle,
        week=current_week(circle),
        mood=extra.pop("mood", 2),
        note=extra.pop("note", "Hard week at work."),
        visibility=visibility,
        wants_support=extra.pop("wants_support", False),
    )


@pytest.fixture
def peer(circle: Circle) -> User:
    return MembershipFactory(circle=circle, user=UserFactory(display_name="Pat")).user


def test_members_see_shared_checkins_and_a_count_of_the_others(
    circle: Circle, member: User, peer: User, facilitator: User, member_client: Client
) -> None:
    check_in(peer, circle, note="Hard week at work.")
    check_in(facilitator, circle, visibility="private", note="Private words")
    check_in(MembershipFactory(circle=circle).user, circle, visibility="facilitators")

    page = member_client.get(circle.get_absolute_url()).content.decode()

    assert "<strong>Pat</strong> is feeling low" in page
    assert "Hard week at work." in page
    assert "and 2 others checked in." in page
    assert "Private words" not in page


@pytest.mark.parametrize("who", ["anonymous", "outsider", "pending", "left", "staff"])
def test_nobody_outside_the_circle_sees_them(circle: Circle, peer: User, who: str) -> None:
    check_in(peer, circle, note="Hard week at work.")
    client = Client()
    if who == "outsider":
        client.force_login(UserFactory())
    elif who == "staff":
        client.force_login(UserFactory(is_staff=True))
    elif who in ("pending", "left"):
        status = Membership.Status.PENDING if who == "pending" else Membership.Status.LEFT
        client.force_login(MembershipFactory(circle=circle, status=status).user)

    page = client.get(circle.get_absolute_url()).content.decode()

    assert "Hard week at work." not in page
    assert "checked in" not in page


def test_a_peer_answers_and_the_author_hears_once_a_day(
    circle: Circle, member: User, peer: User, mailoutbox: list, django_capture_on_commit_callbacks
) -> None:
    def send_reply_digests() -> int:
        # The digests are queued in the outbox and sent once the transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.send_reply_digests()

    # Replies, digests and the outbox's expiry all read the same pinned clock.
    morning = dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)
    with time_machine.travel(morning - dt.timedelta(hours=1), tick=False) as clock:
        checkin = check_in(peer, circle)
        client = Client()
        client.force_login(member)
        answer = reverse("circles:checkin_reply", args=[circle.slug, checkin.pk])

        assert client.post(answer, {"body": "Been there too."}).status_code == 302
        assert client.post(answer, {"body": "Thinking of you."}).status_code == 302
        page = client.get(circle.get_absolute_url()).content.decode()
        assert "Been there too." in page

        clock.move_to(morning)
        assert send_reply_digests() == 1
        [digest] = mailoutbox
        assert digest.to == [peer.email]
        assert digest.subject == "A note of support for you"
        assert "2 notes of support" in digest.body
        assert "Been there too" not in digest.body and member.display_name not in digest.body

        # Another note the same day waits for tomorrow's digest.
        clock.move_to(morning + dt.timedelta(hours=1))
        client.post(answer, {"body": "Sending strength."})
        clock.move_to(morning + dt.timedelta(hours=3))
        assert send_reply_digests() == 0
        assert len(mailoutbox) == 1
        clock.move_to(morning + dt.timedelta(days=1))
        assert send_reply_digests() == 1
        assert "answered your check-in with a note" in mailoutbox[1].body
        clock.move_to(morning + dt.timedelta(days=2))
        assert send_reply_digests() == 0
    assert Notification.objects.filter(key__startswith="checkin-replies:").count() == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a few words"), ("   ", "Write a few words"), ("x" * 501, "500")],
)
def test_a_bad_note_says_why(
    circle: Circle, peer: User, member_client: Client, body: str, message: str
) -> None:
    checkin = check_in(peer, circle)
    answer = reverse("circles:checkin_reply", args=[circle.slug, checkin.pk])

    response = member_client.post(answer, {"body": body}, follow=True)

    assert message in response.content.decode()
    assert CheckInReply.objects.count() == 0


def test_only_shared_checkins_take_notes_and_not_from_their_author(
    circle: Circle, member: User, peer: User, member_client: Client
) -> None:
    private = check_in(peer, circle, visibility="facilitators")
    mine = check_in(member, circle)
    for target, code in ((private, 404), (mine, 302)):
        answer = reverse("circles:checkin_reply", args=[circle.slug, target.pk])
        assert member_client.post(answer, {"body": "Hi"}).status_code == code
    assert CheckInReply.objects.count() == 0


def test_authors_delete_and_facilitators_hide(
    circle: Circle, member: User, peer: User, facilitator_client: Client, member_client: Client
) -> None:
    checkin = check_in(peer, circle)
    reply = services.reply_to_checkin(user=member, checkin=checkin, body="Been there.")
    other = services.reply_to_checkin(user=member, checkin=checkin, body="Unkind words")
    hide = reverse("circles:hide_reply", args=[circle.slug, other.pk])
    delete = reverse("circles:delete_reply", args=[circle.slug, reply.pk])

    assert member_client.post(hide).status_code == 403  # members do not hide
    assert facilitator_client.post(delete).status_code == 404  # nor delete others' notes
    assert facilitator_client.post(hide).status_code == 302
    assert member_client.post(delete).status_code == 302

    assert not CheckInReply.objects.filter(pk=reply.pk).exists()
    assert CheckInReply.objects.get(pk=other.pk).hidden_at is not None
    page = member_client.get(circle.get_absolute_url()).content.decode()
    assert "Unkind words" not in page

    peer_client = Client()
    peer_client.force_login(peer)
    delete_checkin = reverse("circles:delete_checkin", args=[circle.slug, checkin.pk])
    assert member_client.post(delete_checkin).status_code == 404
    assert peer_client.post(delete_checkin).status_code == 302
    assert not CheckIn.objects.exists() and not CheckInReply.objects.exists()


def test_my_weeks_as_a_chart_and_a_table(circle: Circle, member: User) -> None:
    for week, mood in ((202645, 2), (202646, 3), (202647, 5)):
        services.save_checkin(
            user=member,
            circle=circle,
            week=week,
            mood=mood,
            note="",
            visibility="private",
            wants_support=False,
        )
    client = Client()
    client.force_login(member)

    page = client.get(reverse("my_checkins")).content.decode()

    assert '<svg class="mood-chart"' in page and 'aria-hidden="true"' in page
    assert page.count('class="dot"') == 3
    assert '<th scope="row">Week of 2 Nov 2026</th>' in page
    assert page.index("Week of 2 Nov 2026") < page.index("Week of 16 Nov 2026")
    assert "really good" in page
    assert Client().get(reverse("my_checkins")).status_code == 302


def test_checkins_are_not_in_the_admin() -> None:
    assert CheckIn not in admin.site._registry
    assert CheckInReply not in admin.site._registry


def test_export_and_deletion(circle: Circle, member: User, peer: User) -> None:
    mine = check_in(member, circle, note="My own words")
    services.reply_to_checkin(user=peer, checkin=mine, body="Thinking of you")
    services.reply_to_checkin(user=member, checkin=check_in(peer, circle), body="From me")

    data = export(member)

    [checkin] = data["checkins"]
    assert checkin["note"] == "My own words"
    assert checkin["notes_of_support_received"][0]["note"] == "Thinking of you"
    assert set(checkin["notes_of_support_received"][0]) == {"note", "at", "hidden"}  # no author
    assert [r["note"] for r in data["checkin_replies_written"]] == ["From me"]

    delete_user_account(user=member)
    assert not CheckIn.objects.filter(user_id=member.pk).exists()
    assert not CheckInReply.objects.filter(user_id=member.pk).exists()
    assert CheckIn.objects.filter(user=peer).exists()


# The check-in URLs, walked as each persona: only those named may act; everyone else is
# refused (403/404/405, or sent to log in) and nothing changes.
PERSONAS = ["anonymous", "member", "peer", "facilitator", "outsider", "staff", "other_facilitator"]


def _snapshot() -> str:
    rows = [
        list(CheckIn.objects.order_by("pk").values_list()),
        list(CheckInReply.objects.order_by("pk").values_list()),
        list(Notification.objects.order_by("pk").values_list("key")),
        [(m.subject, m.to) for m in mail.outbox],
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_checkin_url_as_everyone(
    persona: str, circle: Circle, member: User, peer: User, facilitator: User
) -> None:
    checkin = check_in(peer, circle)
    reply = services.reply_to_checkin(user=member, checkin=checkin, body="Been there.")
    asking = check_in(
        MembershipFactory(circle=circle).user, circle, visibility="facilitators", wants_support=True
    )
    users = {
        "member": member,
        "peer": peer,
        "facilitator": facilitator,
        "outsider": UserFactory(),
        "staff": UserFactory(is_staff=True),
        "other_facilitator": MembershipFactory(role=Membership.Role.FACILITATOR).user,
    }
    client = Client()
    if persona != "anonymous":
        client.force_login(users[persona])
    slug = circle.slug
    routes = {
        # name: (url, POST data, personas it works for)
        "checkin": (
            reverse("circles:checkin", args=[slug]),
            {"mood": 3, "visibility": "private"},
            {"member", "peer", "facilitator"},
        ),
        # The member's own prompt link is the credential, signed in as them or not.
        "checkin_consent": (
            reverse("circles:checkin_consent", args=[slug]),
            {"t": link_token(user_id=member.pk, circle_id=circle.pk, week=current_week(circle))},
            {"anonymous", "member"},
        ),
        "support": (reverse("circles:support", args=[slug]), {}, {"facilitator"}),
        "checkin_reply": (
            reverse("circles:checkin_reply", args=[slug, checkin.pk]),
            {"body": "Hi"},
            # The author is told notes are for others' check-ins (a message, no change).
            {"member", "facilitator", "peer"},
        ),
        "delete_checkin": (
            reverse("circles:delete_checkin", args=[slug, checkin.pk]),
            {},
            {"peer"},
        ),
        "delete_reply": (reverse("circles:delete_reply", args=[slug, reply.pk]), {}, {"member"}),
        "hide_reply": (reverse("circles:hide_reply", args=[slug, reply.pk]), {}, {"facilitator"}),
        "support_note": (
            reverse("circles:support_note", args=[slug, asking.pk]),
            {"body": "Thinking of you."},
            {"facilitator"},
        ),
        "my_checkins": (reverse("my_checkins"), {}, set(PERSONAS) - {"anonymous"}),
    }
    from circles.urls import urlpatterns

    checkin_names = {p.name for p in urlpatterns} - {
        "browse",
        "feed",
        "detail",
        "join",
        "accept_guidelines",
    }
    assert checkin_names | {"my_checkins"} == routes.keys(), "add new check-in URLs here"

    for name, (url, data, allowed) in routes.items():
        for method in ("get", "post"):
            before = _snapshot()
            response = getattr(client, method)(url, data)
            assert response.status_code < 500, (name, method)
            if persona in allowed:
                assert response.status_code not in (403, 404), (name, method)
            else:
                refused = response.status_code in (403, 404, 405) or (
                    persona == "anonymous"
                    and response.status_code == 302
                    and reverse("account_login") in response["Location"]
                )
                assert refused, (name, method, response.status_code)
                assert _snapshot() == before, (name, method)


def test_someone_who_left_takes_their_checkins_off_the_page(
    circle: Circle, peer: User, member_client: Client
) -> None:
    check_in(peer, circle, note="Hard week at work.")
    circle.memberships.filter(user=peer).update(status=Membership.Status.LEFT)

    page = member_client.get(circle.get_absolute_url()).content.decode()

    assert "Hard week at work." not in page
    assert "checked in" not in page
