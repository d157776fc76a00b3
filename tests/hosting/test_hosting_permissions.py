"""Who may open every hosting URL: a walk over hosting/urls.py, GET and POST, as each persona.

Every pattern of `hosting.urls.urlpatterns` must have an entry in ROUTES, which names the
personas the page legitimately works for (the member-side actions served by hosting, and
the still-meeting page whose signed token is the credential). Everyone else gets a 403,
404 or 405 (anonymous people the login page), and nothing in the database or the mail
outbox changes. POSTs carry a valid form for the action, so a missing check would show as
a change, not as a form error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.models import Notification, User
from circles.models import Circle, Membership, Schedule, Venue
from hosting import notifications, services
from hosting.agreement import VERSION as AGREEMENT
from hosting.forms import REASONS
from hosting.models import (
    ActionLog,
    CoFacilitatorInvitation,
    CoverRequest,
    HostingAgreement,
    HostOffer,
    MeetingOutline,
    MeetupMessage,
    Report,
)
from hosting.urls import urlpatterns
from meetups.models import RSVP, Meetup
from meetups.services import extend_schedule, rsvp
from tests.factories import (
    CircleFactory,
    MembershipFactory,
    ScheduleFactory,
    UserFactory,
    met_at_a_meetup,
)

pytestmark = pytest.mark.django_db

# Everyone the walk tries, besides the circle's facilitator.
ANONYMOUS = "anonymous"
MEMBER = "member"
OUTSIDER = "outsider"
OTHER_FACILITATOR = "other circle's facilitator"
REMOVED = "removed member"
HOST = "rotating host"
PERSONAS = [ANONYMOUS, MEMBER, OUTSIDER, OTHER_FACILITATOR, REMOVED, HOST]
# Signed in and in the circle: the people member-side actions are for.
MEMBERS = frozenset({MEMBER, HOST})
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}


@dataclasses.dataclass
class World:
    """The circle and everything its URLs point at."""

    circle: Circle
    meetup: Meetup  # hosted in rotation by HOST, from a schedule, MEMBER going
    other_meetup: Meetup  # nobody hosts it; MEMBER has offered to
    request: Membership  # waiting for an answer
    membership: Membership  # MEMBER's
    offer: HostOffer  # MEMBER's offer for other_meetup
    report: Report  # about MEMBER, in the facilitators' queue
    invitation: CoFacilitatorInvitation  # MEMBER invited to co-facilitate, not answered
    # The facilitator asked for cover of other_meetup; MEMBER and HOST, who have offered to
    # host, may accept.
    cover: CoverRequest
    token: str  # the facilitator's still-meeting link
    users: dict[str, User]


@pytest.fixture
def world(circle: Circle, facilitator: User, member: User) -> World:
    schedule = ScheduleFactory(circle=circle, starts_on=timezone.localdate(timezone=circle.tz))
    extend_schedule(schedule=schedule, until=schedule.starts_on + dt.timedelta(weeks=5))
    meetup, other_meetup = Meetup.objects.filter(circle=circle).order_by("starts_at")[1:3]
    rsvp(user=member, meetup=meetup)

    host = MembershipFactory(circle=circle, user=UserFactory(display_name="Hal")).user
    services.confirm_host(offer=services.offer_to_host(user=host, meetup=meetup), by=facilitator)
    # A member who hosted a meetup once, then was removed and blocked.
    removed = MembershipFactory(circle=circle, user=UserFactory(display_name="Rex"))
    services.confirm_host(
        offer=services.offer_to_host(user=removed.user, meetup=meetup.circle.meetups.last()),
        by=facilitator,
    )
    services.remove_member(membership=removed, by=facilitator, block=True)

    other_circle = CircleFactory()
    other_facilitator = MembershipFactory(
        circle=other_circle, role=Membership.Role.FACILITATOR
    ).user
    reporter = MembershipFactory(circle=circle).user
    met_at_a_meetup(circle, reporter, member)
    return World(
        circle=circle,
        meetup=meetup,
        other_meetup=other_meetup,
        request=MembershipFactory(
            circle=circle, status=Membership.Status.PENDING, join_answer="May I come?"
        ),
        membership=circle.memberships.get(user=member),
        offer=services.offer_to_host(user=member, meetup=other_meetup),
        report=services.report_concern(
            reporter=reporter, circle=circle, about=member, reason="Talked over people"
        ),
        invitation=services.invite_co_facilitator(
            membership=circle.memberships.get(user=member), by=facilitator
        ),
        cover=services.ask_for_cover(meetup=other_meetup, by=facilitator),
        token=notifications.still_meeting_token(circle, facilitator),
        users={
            MEMBER: member,
            OUTSIDER: UserFactory(display_name="Olive"),
            OTHER_FACILITATOR: other_facilitator,
            REMOVED: removed.user,
            HOST: host,
        },
    )


@dataclasses.dataclass(frozen=True)
class Route:
    """How to reach one URL pattern: its kwargs and a valid POST for its action, from the
    world; and the personas for whom the page legitimately works."""

    kwargs: Callable[[World], dict[str, Any]]
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    allowed: frozenset[str] = frozenset()


def _slug(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug}


def _meetup(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": w.meetup.pk}


def _series(w: World) -> dict[str, Any]:
    local = w.meetup.local_start
    return {
        "frequency": Schedule.Frequency.WEEKLY,
        "weekday": local.weekday(),
        "week_of_month": "",
        "start_time": "20:00",
        "duration_minutes": 60,
        "capacity": 5,
        "venue": w.meetup.venue_id,
    }


def _change(w: World) -> dict[str, Any]:
    moved = w.meetup.local_start + dt.timedelta(days=1)
    return {
        "date": moved.date().isoformat(),
        "start_time": "19:00",
        "duration_minutes": 60,
        "capacity": 4,
        "venue": w.meetup.venue_id,
    }


ROUTES: dict[str, Route] = {
    "manage": Route(_slug),
    "edit_circle": Route(
        _slug, lambda w: {"name": "Renamed", "description": "New words.", "guidelines": "Be kind."}
    ),
    # Anyone signed in may start a circle (the form page; an empty POST saves nothing).
    "start": Route(lambda w: {}, allowed=SIGNED_IN),
    "meetup": Route(_meetup, allowed=frozenset({HOST})),
    "change_meetup": Route(_meetup, _change),
    "cancel_meetup": Route(_meetup, lambda w: {"message": "Sorry, no meetup.", "confirm": "on"}),
    "series": Route(_meetup, _series),
    # Marked from the start on: before it, the host's POST is refused by the rule, not them.
    "attendance": Route(
        _meetup, lambda w: {"user": w.users[MEMBER].pk, "attended": "1"}, allowed=frozenset({HOST})
    ),
    "answer_request": Route(_slug, lambda w: {"membership": w.request.pk, "decision": "approve"}),
    "member_action": Route(_slug, lambda w: {"membership": w.membership.pk, "action": "block"}),
    "leave": Route(_slug, allowed=MEMBERS),
    "circle_state": Route(_slug, lambda w: {"action": "archive", "confirm": "on"}),
    # The walk's circle is listed, so the facilitator's POST changes nothing either; the
    # unlisted case is in test_new_invite_link.py.
    "new_invite_link": Route(_slug, lambda w: {"confirm": "on"}),
    "checkin_time": Route(_slug, lambda w: {"checkin_weekday": 3, "checkin_time": "09:30"}),
    "offer_to_host": Route(lambda w: {"pk": w.other_meetup.pk}, allowed=MEMBERS),
    "withdraw_host_offer": Route(lambda w: {"pk": w.other_meetup.pk}, allowed=MEMBERS),
    "decide_host_offer": Route(
        lambda w: {"slug": w.circle.slug, "pk": w.offer.pk}, lambda w: {"decision": "confirm"}
    ),
    "message_people_going": Route(
        _meetup, lambda w: {"body": "Running ten minutes late."}, allowed=frozenset({HOST})
    ),
    # The signed token is the credential: whoever holds the facilitator's link may answer
    # (see test_a_link_for_someone_else_is_refused for the links that are not theirs).
    "still_meeting": Route(
        lambda w: {"slug": w.circle.slug, "token": w.token}, allowed=frozenset(PERSONAS)
    ),
    "report_circle": Route(
        _slug, lambda w: {"reason": REASONS[0], "details": "Worried."}, allowed=MEMBERS
    ),
    "report_meetup": Route(
        lambda w: {"pk": w.meetup.pk},
        lambda w: {"kind": "concern", "reason": REASONS[0], "details": "Worried."},
        allowed=MEMBERS,
    ),
    "resolve_report": Route(
        lambda w: {"slug": w.circle.slug, "pk": w.report.pk}, lambda w: {"note": "Talked."}
    ),
    # The invited member answers their own invitation; nobody else sees it.
    "co_facilitator_invitation": Route(
        lambda w: {"pk": w.invitation.pk},
        lambda w: {"answer": "accept", "agreement": "on", "agreement_version": AGREEMENT},
        allowed=frozenset({MEMBER}),
    ),
    "withdraw_co_facilitator_invitation": Route(
        lambda w: {"slug": w.circle.slug, "pk": w.invitation.pk}
    ),
    # "I can't host this one": the meetup's host asks; the facilitators settle.
    "ask_for_cover": Route(_meetup, lambda w: {"action": "ask"}, allowed=frozenset({HOST})),
    "settle_cover": Route(
        lambda w: {"slug": w.circle.slug, "pk": w.other_meetup.pk},
        lambda w: {"choice": "peer_led"},
    ),
    # The page the ask links to: for the people who may cover (offered to host), alone.
    "cover_request": Route(lambda w: {"pk": w.cover.pk}, allowed=frozenset({MEMBER, HOST})),
    "outline": Route(_slug, lambda w: {"text": "# Ours\nOur way."}),
    "facilitators_guide": Route(lambda w: {}, allowed=frozenset(PERSONAS)),
}

PATTERNS: list[URLPattern] = [p for p in urlpatterns if isinstance(p, URLPattern)]

# What the walk watches: every table the hosting pages could change.
WATCHED: list[type[Model]] = [
    Circle,
    Membership,
    Schedule,
    Venue,
    Meetup,
    RSVP,
    HostingAgreement,
    CoFacilitatorInvitation,
    HostOffer,
    MeetupMessage,
    Report,
    ActionLog,
    Notification,
    CoverRequest,
    MeetingOutline,
]


def snapshot() -> dict[str, tuple[int, str]]:
    """Row counts and a digest of every watched table, and the mail outbox."""
    state = {}
    for model in WATCHED:
        rows = list(model.objects.order_by("pk").values_list())
        state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    outbox = [(m.subject, tuple(m.to)) for m in mail.outbox]
    state["mail outbox"] = (len(outbox), hashlib.sha256(repr(outbox).encode()).hexdigest())
    return state


def client_for(persona: str, world: World) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(world.users[persona])
    return client


def is_refused(response: HttpResponse, persona: str) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    login = resolve_url(settings.LOGIN_URL)
    return (
        persona == ANONYMOUS
        and response.status_code == 302
        and response["Location"].startswith(login)
    )


def requests_to(name: str, world: World) -> Iterator[tuple[str, str, dict[str, Any]]]:
    route = ROUTES[name]
    url = reverse(f"hosting:{name}", kwargs=route.kwargs(world))
    yield "GET", url, {}
    yield "POST", url, route.data(world)


def send(client: Client, method: str, url: str, data: dict[str, Any], capture) -> HttpResponse:
    # Run on-commit work as it would run, so an email a service enqueued lands in the outbox.
    with capture(execute=True):
        if method == "GET":
            return client.get(url)
        return client.post(url, data)


def test_every_hosting_url_is_in_the_walk() -> None:
    names = [p.name for p in PATTERNS]
    assert len(names) == len(set(names)), "every hosting URL needs its own name"
    unclassified = set(names) - ROUTES.keys()
    assert not unclassified, f"add these hosting URLs to ROUTES in this file: {unclassified}"
    assert not ROUTES.keys() - set(names), "ROUTES names URLs hosting no longer has"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", [p.name for p in PATTERNS])
def test_nobody_else_runs_a_circle(
    name: str, persona: str, world: World, django_capture_on_commit_callbacks
) -> None:
    assert name in ROUTES, f"classify hosting:{name} in ROUTES"
    pattern = next(p for p in PATTERNS if p.name == name)
    assert set(ROUTES[name].kwargs(world)) == set(pattern.pattern.converters)
    client = client_for(persona, world)
    allowed = persona in ROUTES[name].allowed

    for method, url, data in requests_to(name, world):
        before = snapshot()
        response = send(client, method, url, data, django_capture_on_commit_callbacks)

        if allowed:
            # A method the page does not take (405) is no refusal of the person.
            assert response.status_code not in (403, 404), (method, url, response.status_code)
            assert not is_refused(response, persona) or response.status_code == 405
            assert response.status_code < 500
        else:
            assert is_refused(response, persona), (method, url, response.status_code)
            assert snapshot() == before, (method, url)


@pytest.mark.parametrize("name", [p.name for p in PATTERNS])
def test_the_rotating_host_reaches_no_other_meetup(
    name: str, world: World, django_capture_on_commit_callbacks
) -> None:
    """HOST hosts `world.meetup` only: pointed at the meetup nobody hosts, every page
    that is not a member's own refuses them and changes nothing."""
    elsewhere = dataclasses.replace(world, meetup=world.other_meetup)
    client = client_for(HOST, elsewhere)

    for method, url, data in requests_to(name, elsewhere):
        before = snapshot()
        response = send(client, method, url, data, django_capture_on_commit_callbacks)

        if name in ("meetup", "message_people_going") and method == "GET":
            assert response.status_code == 403, (method, url)
        if HOST not in ROUTES[name].allowed or name in (
            "meetup",
            "message_people_going",
            "attendance",
            "ask_for_cover",
        ):
            assert is_refused(response, HOST), (method, url, response.status_code)
            assert snapshot() == before, (method, url)


def test_the_rotating_host_sees_their_meetup_and_messages_its_people(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = client_for(HOST, world)

    page = client.get(reverse("hosting:meetup", kwargs=_meetup(world)))
    assert page.status_code == 200
    assert "Milo" in page.content.decode()  # who is coming
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("hosting:message_people_going", kwargs=_meetup(world)),
            {"body": "See you there."},
        )
    assert sent.status_code == 302
    assert MeetupMessage.objects.filter(meetup=world.meetup, sender=world.users[HOST]).exists()


@pytest.mark.parametrize("persona", [MEMBER, OUTSIDER, OTHER_FACILITATOR, REMOVED])
def test_a_link_for_someone_else_is_refused(
    persona: str, world: World, django_capture_on_commit_callbacks
) -> None:
    """The still-meeting token is the credential, so a token naming anyone but one of the
    circle's facilitators (another circle's facilitator, a member, someone removed) or made
    for another circle never records an answer."""
    user = world.users[persona]
    other_circle = user.memberships.exclude(circle=world.circle).first()
    circle = other_circle.circle if other_circle else world.circle
    token = notifications.still_meeting_token(circle, user)
    url = reverse("hosting:still_meeting", kwargs={"slug": world.circle.slug, "token": token})
    client = Client()

    for method in ("GET", "POST"):
        before = snapshot()
        response = send(client, method, url, {}, django_capture_on_commit_callbacks)

        assert snapshot() == before
        if method == "POST":
            assert response.status_code in (400, 403)


# Every POST the walk sends is one the circle's facilitator may make, and it changes
# something: a refusal in the walk is the permission check at work, not a bad form.
ACTS_FOR_THE_FACILITATOR = [
    "change_meetup",
    "cancel_meetup",
    "series",
    "answer_request",
    "member_action",
    "circle_state",
    "checkin_time",
    "decide_host_offer",
    "message_people_going",
    "still_meeting",
    "resolve_report",
    "settle_cover",
    "outline",
]


@pytest.mark.parametrize("name", ACTS_FOR_THE_FACILITATOR)
def test_the_walks_posts_act_for_the_facilitator(
    name: str, world: World, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    client.force_login(facilitator)
    _, url, data = list(requests_to(name, world))[1]
    before = snapshot()

    response = send(client, "POST", url, data, django_capture_on_commit_callbacks)

    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert snapshot() != before
