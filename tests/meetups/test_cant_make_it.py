"""A member who can't make a meetup gives their seat away from the reminder: the link opens
a page (changing nothing, whoever opens it), the button frees the seat, and the first
person waiting is offered it by email (this close to the start) or gets it at once. The
link works signed out, until the start."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, User
from circles.models import Circle
from meetups import cant_make_it, services
from meetups.models import RSVP, Meetup
from meetups.notifications import send_due_reminders
from tests.factories import MeetupFactory, MembershipFactory, UserFactory, VenueFactory

LINK = re.compile(r"https?://\S+/meetups/\d+/cant-make-it/\S+/")


@pytest.fixture
def full(circle: Circle, member: User) -> Meetup:
    """Tomorrow, one seat, taken by `member`; "First" then "Second" waiting."""
    starts = timezone.now() + dt.timedelta(hours=20)
    meetup = MeetupFactory(
        circle=circle,
        capacity=1,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        venue=VenueFactory(name="Rosie's Coffee", address="12 Main St, Baton Rouge, LA"),
    )
    services.rsvp(user=member, meetup=meetup)
    for name in ("First", "Second"):
        person = UserFactory(display_name=name, email=f"{name.lower()}@example.org")
        MembershipFactory(user=person, circle=circle)
        services.rsvp(user=person, meetup=meetup)
    return meetup


def seat_of(meetup: Meetup, user: User) -> RSVP:
    return RSVP.objects.get(meetup=meetup, user=user)


def path_of(seat: RSVP) -> str:
    return urlsplit(cant_make_it.url(seat)).path


def statuses(meetup: Meetup) -> dict[str, str]:
    return {r.user.display_name: r.status for r in meetup.rsvps.select_related("user")}


def state(meetup: Meetup) -> tuple:
    meetup.refresh_from_db()
    return (
        statuses(meetup),
        meetup.going_count,
        len(mail.outbox),
        Notification.objects.count(),
    )


def post_with_csrf(client: Client, path: str):
    """What the browser does: open the page (which sets the CSRF cookie), press the button."""
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token, "the page has a form with a CSRF token"
    return client.post(path, {"csrfmiddlewaretoken": token[1]})


def test_the_link_in_the_reminder_opens_the_page_and_changes_nothing(
    full: Meetup, member: User, settings
):
    assert send_due_reminders() == 1
    [reminder] = mail.outbox
    [url] = set(LINK.findall(reminder.body))
    assert url in reminder.alternatives[0][0]
    before = state(full)

    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(urlsplit(url).path)
    head = anonymous.head(urlsplit(url).path)

    assert page.status_code == 200 and head.status_code == 200
    text = page.content.decode()
    assert "Free my seat" in text
    assert "Rosie&#x27;s Coffee" in text
    assert 'method="post"' in text and "csrfmiddlewaretoken" in text
    assert "no-store" in page["Cache-Control"]
    assert "noindex" in text
    # Tabs and history name no circle, whatever the person's settings.
    assert full.circle.name not in re.search(r"<title>(.*?)</title>", text, re.S)[1]
    assert state(full) == before
    assert seat_of(full, member).status == RSVP.Status.GOING


def test_the_button_frees_the_seat_and_the_first_waiting_is_offered_it_by_email(
    full: Meetup, member: User, django_capture_on_commit_callbacks
):
    anonymous = Client(enforce_csrf_checks=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_with_csrf(anonymous, path_of(seat_of(full, member)))

    assert response.status_code == 200
    assert "Thank you for letting us know" in response.content.decode()
    # Less than a day before the start, the seat is held for the first person waiting to
    # confirm (tests/meetups/test_last_minute_seats.py).
    assert statuses(full) == {
        "Milo": RSVP.Status.CANCELLED,
        "First": RSVP.Status.WAITLISTED,
        "Second": RSVP.Status.WAITLISTED,
    }
    first = User.objects.get(display_name="First")
    assert seat_of(full, first).has_open_offer()
    full.refresh_from_db()
    assert (full.going_count, full.seats_offered) == (0, 1)
    [offer] = mail.outbox
    assert offer.to == ["first@example.org"]
    assert "A seat is free for you" in offer.subject
    assert Notification.objects.filter(key__startswith=f"offered:meetup:{full.pk}:user:{first.pk}:")


def test_in_a_circle_that_gives_seats_at_once_the_first_waiting_gets_it(
    full: Meetup, member: User, django_capture_on_commit_callbacks
):
    Circle.objects.filter(pk=full.circle_id).update(offer_window_minutes=0)

    with django_capture_on_commit_callbacks(execute=True):
        post_with_csrf(Client(enforce_csrf_checks=True), path_of(seat_of(full, member)))

    assert statuses(full)["First"] == RSVP.Status.GOING
    full.refresh_from_db()
    assert full.going_count == 1
    [promotion] = mail.outbox
    assert "seat opened up" in promotion.subject
    first = User.objects.get(display_name="First")
    assert Notification.objects.filter(key=f"promoted:meetup:{full.pk}:user:{first.pk}").exists()


def test_a_post_without_the_csrf_token_is_refused(full: Meetup, member: User):
    before = state(full)

    response = Client(enforce_csrf_checks=True).post(path_of(seat_of(full, member)))

    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()
    assert state(full) == before


def test_pressing_twice_frees_one_seat_and_says_so(
    full: Meetup, member: User, client: Client, django_capture_on_commit_callbacks
):
    path = path_of(seat_of(full, member))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path)
        second = client.post(path)

    assert first.status_code == 200
    assert second.status_code == 410
    assert "already free" in second.content.decode()
    assert statuses(full)["Second"] == RSVP.Status.WAITLISTED
    assert [m.to for m in mail.outbox] == [["first@example.org"]]


def test_a_link_stops_working_when_the_meetup_starts(full: Meetup, member: User, client: Client):
    path = path_of(seat_of(full, member))
    Meetup.objects.filter(pk=full.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1),
        ends_at=timezone.now() + dt.timedelta(minutes=59),
    )
    before = state(full)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "already started" in response.content.decode()
    assert state(full) == before


def test_a_link_for_a_meetup_called_off_changes_nothing(
    full: Meetup, member: User, facilitator: User, client: Client
):
    path = path_of(seat_of(full, member))
    services.cancel_meetup(meetup=full, by=facilitator)
    before = state(full)

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "called off" in response.content.decode()
    assert state(full) == before


def test_a_seat_given_up_already_says_so(full: Meetup, member: User, client: Client):
    path = path_of(seat_of(full, member))
    services.cancel_rsvp(user=member, meetup=full)

    response = client.get(path)

    assert response.status_code == 410
    assert "already free" in response.content.decode()


def _resigned(payload: object, salt: str = cant_make_it.SALT) -> str:
    return signing.dumps(payload, salt=salt)


def test_a_changed_or_foreign_token_is_refused_plainly(
    full: Meetup, member: User, client: Client, settings
):
    seat = seat_of(full, member)
    good = cant_make_it.token(seat)
    other_meetup = MeetupFactory(circle=full.circle)
    second = seat_of(full, User.objects.get(display_name="Second"))
    tokens = [
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # the signature changed
        good[:20],  # cut short
        "x",
        # Our key, but another purpose's salt (an unsubscribe link's, say).
        _resigned({"r": seat.pk, "m": full.pk, "u": member.pk}, salt="accounts.notify.unsubscribe"),
        # Ids that do not belong together: this seat with someone else's id.
        _resigned({"r": seat.pk, "m": full.pk, "u": second.user_id}),
        _resigned({"r": 2**63, "m": full.pk, "u": member.pk}),
        _resigned({"r": "1", "m": full.pk, "u": member.pk}),
        _resigned([seat.pk, full.pk, member.pk]),
    ]
    before = state(full)

    for value in tokens:
        for method in (client.get, client.post):
            response = method(f"/meetups/{full.pk}/cant-make-it/{value}/")
            assert response.status_code == 400, value
            assert "This link doesn't work" in response.content.decode()
    # A good link on another meetup's address.
    response = client.post(f"/meetups/{other_meetup.pk}/cant-make-it/{good}/")
    assert response.status_code == 400
    assert state(full) == before


def test_someone_elses_link_frees_only_their_seat(
    full: Meetup, member: User, circle: Circle, django_capture_on_commit_callbacks
):
    """Another member signed in who opens Second's link is told it is someone else's, and
    the button gives up Second's place, never their own."""
    second = User.objects.get(display_name="Second")
    member_client = Client()
    member_client.force_login(member)
    path = path_of(seat_of(full, second))

    page = member_client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        done = member_client.post(path)

    assert "sent to someone else" in page.content.decode()
    assert "Leave the waitlist" in page.content.decode()
    assert done.status_code == 200
    assert statuses(full) == {
        "Milo": RSVP.Status.GOING,
        "First": RSVP.Status.WAITLISTED,
        "Second": RSVP.Status.CANCELLED,
    }
    assert mail.outbox == []


def test_the_page_is_rate_limited_per_link(full: Meetup, member: User, client: Client, settings):
    settings.PERSON_RATE_LIMITS = {"cant_make_it": "30/m/ip,3/m/key"}
    path = path_of(seat_of(full, member))

    codes = [client.get(path).status_code for _ in range(4)]
    other = client.get(path_of(seat_of(full, User.objects.get(display_name="Second"))))

    assert codes == [200, 200, 200, 429]
    assert other.status_code == 200
    assert seat_of(full, member).status == RSVP.Status.GOING


def test_the_page_is_rate_limited_per_address(full: Meetup, client: Client, settings):
    settings.PERSON_RATE_LIMITS = {"cant_make_it": "3/m/ip,10/m/key"}

    codes = [client.get(f"/meetups/{full.pk}/cant-make-it/guess{n}/").status_code for n in range(4)]

    assert codes == [400, 400, 400, 429]
