"""The permission matrix: every permission of the site's policy (accounts.rules and each
room's rules.py) against every kind of person, and every URL, feed and email that a
permission guards, walked as each of them.

MATRIX says who holds each permission on each object of one world; the README's table is
made from it (`test_the_readme_shows_the_matrix`), and a permission added to the policy
fails `test_every_permission_is_in_the_matrix` until it has a line. GUARDS names, for
every URL pattern of our own apps, the permission that guards it; a new pattern fails
`test_every_url_pattern_is_classified` until it has one (or a line in OPEN saying why no
permission applies). Each page is then asked for as each person, and its status must
follow the policy: allowed → the page; refused → the 404 of a missing object where the
object is hidden, 403 otherwise, a sign-in redirect for the signed-out. Every body is
searched for marker strings seeded into private fields, which show only to the people
the policy lets see them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rules
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from circles.models import CheckIn, Circle, Membership
from hosting import services as hosting_services
from hosting.models import CoFacilitatorInvitation, CoverRequest, HostOffer, Report
from meetups import services as meetups_services
from meetups.models import RSVP, Meetup
from meetups.notifications import meetup_context
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    ScheduleFactory,
    UserFactory,
)
from tests.test_every_url_for_everyone import PATTERNS, body_of

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "pending",
    "member",
    "invited co-facilitator",
    "removed",
    "blocked",
    "left",
    "host of this meetup",
    "host of another",
    "facilitator",
    "staff without a second factor",
    "staff with a second factor",
)
(
    ANONYMOUS,
    PENDING,
    MEMBER,
    INVITED,
    REMOVED,
    BLOCKED,
    LEFT,
    HOST,
    OTHER_HOST,
    FACILITATOR,
    STAFF,
    MODERATOR,
) = PERSONAS
EVERYONE = frozenset(PERSONAS)
# In the circle now (facilitators are members too; a member invited to co-facilitate is
# an ordinary member until they accept).
ACTIVE = frozenset({MEMBER, INVITED, HOST, OTHER_HOST, FACILITATOR})

MARK = "qv3j"
LINKS = {name: f"https://video.example.org/{MARK}-{name}" for name in ("next", "past", "off")}
CIRCLE_LINK = f"https://video.example.org/{MARK}-circle"
# Dial-in numbers and codes, written without spaces so that every form they take (the
# page's text, a tel: link, a calendar line) carries the marker whole.
PHONES = {"next": "+15550173011", "past": "+15550173022", "off": "+15550173033"}
CODES = {"next": "7301184401", "past": "7302284402", "off": "7303384403"}
CIRCLE_PHONE, CIRCLE_CODE = "+15550173099", "7309984409"
CHECKIN_NOTE = f"{MARK}-checkin-note"
JOIN_ANSWER = f"{MARK}-join-answer"
REPORT_DETAILS = f"{MARK}-report-details"
ATTENDEE_NAME = f"Ada {MARK}attendee"
HOST_NAME = f"Hana {MARK}host"
FORMER_HOST_NAME = f"Rex {MARK}former"


@dataclasses.dataclass
class World:
    """A listed hybrid circle hosted by the facilitator, with an upcoming meetup (`next`,
    hosted in rotation by HOST), a past one (`past`, once hosted by the member since
    removed), a called-off one (`off`) and another upcoming one hosted by OTHER_HOST; a
    check-in the member shared with the circle; a report about the member for the
    facilitators; HOST's request for cover of `next` (the member has offered to host
    `other`, so may accept it). Everyone who was ever in the circle held a seat at the
    meetups."""

    circle: Circle
    meetups: dict[str, Meetup]
    checkin: CheckIn
    report: Report
    offer: HostOffer
    invitation: CoFacilitatorInvitation  # the invited co-facilitator's, not answered yet
    cover: CoverRequest
    users: dict[str, Any]

    def obj(self, name: str) -> object:
        if name == "circle":
            return self.circle
        if name == "checkin":
            return self.checkin
        if name == "report":
            return self.report
        if name == "cover":
            return self.cover
        if name == "none":
            return None
        return self.meetups[name]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def _seat(user: Any, meetup: Meetup) -> None:
    RSVP.objects.update_or_create(meetup=meetup, user=user, defaults={"status": RSVP.Status.GOING})
    Meetup.objects.filter(pk=meetup.pk).update(
        going_count=RSVP.objects.filter(meetup=meetup, status=RSVP.Status.GOING).count()
    )


def _build_world() -> World:
    def person(key: str, name: str, **kwargs: Any) -> Any:
        return UserFactory(
            email=f"{key}.{MARK}mail@example.org", display_name=name, calendar_feed=True, **kwargs
        )

    users = {
        PENDING: person("pat", "Pat"),
        MEMBER: person("milo", "Milo"),
        INVITED: person("ivy", "Ivy"),
        REMOVED: person("rex", FORMER_HOST_NAME),
        BLOCKED: person("bo", "Bo"),
        LEFT: person("lee", "Lee"),
        HOST: person("hana", HOST_NAME),
        OTHER_HOST: person("oscar", "Oscar"),
        FACILITATOR: person("fern", "Fern"),
        STAFF: person("sam", "Sam", is_staff=True, mfa=False),
        MODERATOR: person("mo", "Mo", is_staff=True, mfa=True),
    }
    attendee = person("ada", ATTENDEE_NAME)
    circle = CircleFactory(
        name="Grief Circle Mid City",
        format=Circle.Format.HYBRID,
        online_url=CIRCLE_LINK,
        online_url_public=False,
        dial_in_phone=CIRCLE_PHONE,
        dial_in_code=CIRCLE_CODE,
        dial_in_public=False,
    )
    MembershipFactory(circle=circle, user=users[FACILITATOR], role=Membership.Role.FACILITATOR)
    for key in (MEMBER, INVITED, REMOVED, BLOCKED, LEFT, HOST, OTHER_HOST):
        MembershipFactory(circle=circle, user=users[key])
    MembershipFactory(circle=circle, user=attendee)
    MembershipFactory(
        circle=circle,
        user=users[PENDING],
        status=Membership.Status.PENDING,
        join_answer=JOIN_ANSWER,
    )
    now = timezone.now()
    meetups = {
        "next": MeetupFactory(
            circle=circle,
            online_url=LINKS["next"],
            dial_in_phone=PHONES["next"],
            dial_in_code=CODES["next"],
            host=users[HOST],
            schedule=ScheduleFactory(circle=circle),
        ),
        "past": MeetupFactory(
            circle=circle,
            online_url=LINKS["past"],
            dial_in_phone=PHONES["past"],
            dial_in_code=CODES["past"],
            starts_at=now - dt.timedelta(days=2),
            host=users[REMOVED],
        ),
        "off": MeetupFactory(
            circle=circle,
            online_url=LINKS["off"],
            dial_in_phone=PHONES["off"],
            dial_in_code=CODES["off"],
        ),
        "other": MeetupFactory(
            circle=circle, starts_at=now + dt.timedelta(days=10), host=users[OTHER_HOST]
        ),
    }
    seated = (MEMBER, REMOVED, BLOCKED, LEFT, HOST, FACILITATOR)
    for key in seated:
        for name in ("next", "past", "off"):
            _seat(users[key], meetups[name])
    _seat(attendee, meetups["next"])
    meetups_services.cancel_meetup(meetup=meetups["off"], by=users[FACILITATOR])
    for key, block in ((REMOVED, False), (BLOCKED, True)):
        hosting_services.remove_member(
            membership=users[key].memberships.get(), by=users[FACILITATOR], block=block
        )
    hosting_services.leave_circle(user=users[LEFT], circle=circle)
    week = timezone.localdate().isocalendar()
    checkin = CheckIn.objects.create(
        user=users[MEMBER],
        circle=circle,
        iso_year=week.year,
        iso_week=week.week,
        mood=2,
        note=CHECKIN_NOTE,
        visibility=CheckIn.Visibility.CIRCLE,
        wants_support=True,
    )
    # By someone who met the member at a meetup (hosting.services.reportable_people).
    report = hosting_services.report_concern(
        reporter=users[HOST],
        circle=circle,
        about=users[MEMBER],
        reason="Talked over people",
        details=REPORT_DETAILS,
    )
    offer = HostOffer.objects.create(meetup=meetups["other"], user=users[MEMBER])
    invitation = hosting_services.invite_co_facilitator(
        membership=users[INVITED].memberships.get(), by=users[FACILITATOR]
    )
    cover = hosting_services.ask_for_cover(meetup=meetups["next"], by=users[HOST])
    for meetup in meetups.values():
        meetup.refresh_from_db()
    return World(
        circle=circle,
        meetups=meetups,
        checkin=checkin,
        report=report,
        offer=offer,
        invitation=invitation,
        cover=cover,
        users=users,
    )


def user_of(world: World, persona: str) -> Any:
    return AnonymousUser() if persona == ANONYMOUS else world.users[persona]


# Who holds each permission on each of the world's objects. Read as: (permission, object)
# → the people who hold it; everyone else is refused.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("circles.see_circle", "circle"): EVERYONE,
    ("circles.see_meetups", "circle"): EVERYONE,
    ("circles.manage_circle", "circle"): frozenset({FACILITATOR}),
    ("circles.check_in", "circle"): ACTIVE,
    ("circles.see_checkins", "circle"): ACTIVE,
    ("circles.see_support_requests", "circle"): frozenset({FACILITATOR}),
    ("circles.leave_circle", "circle"): ACTIVE | {PENDING},
    ("circles.come_every_week", "circle"): ACTIVE,
    ("circles.report_concern", "circle"): ACTIVE,
    ("circles.read_checkin", "checkin"): ACTIVE,
    ("circles.reply_to_checkin", "checkin"): ACTIVE - {MEMBER},
    # The member asked for support in that check-in; a check-in that did not ask is
    # nobody's to answer privately (tests/circles/test_support_note.py).
    ("circles.send_support_note", "checkin"): frozenset({FACILITATOR}),
    ("meetups.see_meetup", "next"): EVERYONE,
    ("meetups.host_meetup", "next"): frozenset({FACILITATOR, HOST}),
    ("meetups.host_meetup", "past"): frozenset({FACILITATOR}),
    ("meetups.host_meetup", "other"): frozenset({FACILITATOR, OTHER_HOST}),
    ("meetups.manage_meetup", "next"): frozenset({FACILITATOR}),
    ("meetups.see_online_link", "next"): frozenset({MEMBER, HOST, FACILITATOR}),
    ("meetups.see_online_link", "past"): frozenset({MEMBER, HOST, FACILITATOR}),
    ("meetups.see_online_link", "off"): frozenset(),
    ("meetups.see_online_link", "other"): frozenset({FACILITATOR, OTHER_HOST}),
    ("meetups.see_host_name", "next"): ACTIVE,
    ("meetups.see_host_name", "past"): frozenset(),
    ("meetups.offer_to_host", "next"): ACTIVE,
    ("hosting.moderate", "none"): frozenset({MODERATOR}),
    ("hosting.handle_report", "report"): frozenset({FACILITATOR, MODERATOR}),
    ("hosting.ask_for_cover", "next"): frozenset({FACILITATOR, HOST}),
    ("hosting.ask_for_cover", "past"): frozenset({FACILITATOR}),
    ("hosting.cover_meetup", "cover"): frozenset({MEMBER, FACILITATOR}),
    # The staff's outbox page needs DEBUG, which is off here.
    ("accounts.read_outbox", "none"): frozenset(),
}


def test_every_permission_is_in_the_matrix() -> None:
    registered = set(rules.permissions.permissions.keys())
    assert registered == {perm for perm, _ in MATRIX}


def test_no_permission_shares_a_name_with_a_model_permission() -> None:
    """Django names each model's own permissions `app.add_model`, `change_`, `delete_` and
    `view_`, which the admin asks without an object; a policy permission of the same name
    would answer the admin's question instead."""
    model_perms = {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in apps.get_models()
        for action in model._meta.default_permissions
    }
    assert not set(rules.permissions.permissions.keys()) & model_perms


@pytest.mark.parametrize(("perm", "obj"), list(MATRIX), ids=lambda v: v)
def test_each_permission_as_each_person(perm: str, obj: str, world: World) -> None:
    holders = {p for p in PERSONAS if user_of(world, p).has_perm(perm, world.obj(obj))}
    assert holders == MATRIX[perm, obj]


def readme_table() -> str:
    """The README's matrix: one row per (permission, object), a column per person."""
    short = {
        ANONYMOUS: "anon",
        PENDING: "pending",
        MEMBER: "member",
        INVITED: "invited",
        REMOVED: "removed",
        BLOCKED: "blocked",
        LEFT: "left",
        HOST: "host (this)",
        OTHER_HOST: "host (other)",
        FACILITATOR: "facilitator",
        STAFF: "staff, 1 factor",
        MODERATOR: "staff, 2 factors",
    }
    objects = {
        "circle": "a listed circle",
        "checkin": "a check-in shared with the circle, by the member",
        "next": "an upcoming meetup, hosted by host (this)",
        "past": "a past meetup, hosted by the member since removed",
        "off": "a called-off meetup",
        "other": "another meetup, hosted by host (other)",
        "report": "a report about the member, for the facilitators",
        "cover": "host (this)'s request for cover of their meetup; the member offers to host",
        "none": "the site",
    }
    head = "| permission | on | " + " | ".join(short[p] for p in PERSONAS) + " |"
    rule = "| --- | --- | " + " | ".join("---" for _ in PERSONAS) + " |"
    rows = [
        f"| `{perm}` | {objects[obj]} | "
        + " | ".join("✓" if p in holders else "·" for p in PERSONAS)
        + " |"
        for (perm, obj), holders in MATRIX.items()
    ]
    return "\n".join([head, rule, *rows])


def test_the_readme_shows_the_matrix() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert readme_table() in readme, (
        "The README's permission matrix differs from MATRIX in tests/test_permission_matrix.py; "
        "replace it with:\n" + readme_table()
    )


# Every URL pattern of our own apps, and the permission that guards it.


@dataclasses.dataclass(frozen=True)
class Guard:
    """`perm` on `obj` (a World.obj name) guards the pattern; `hidden` is the permission
    whose refusal answers 404 (the object is not there for that person), otherwise a
    refusal is `refused`. `method` is how the page is asked for, with `data`."""

    perm: str
    obj: str
    kwargs: Callable[[World], dict[str, Any]]
    hidden: str = ""
    hidden_obj: str = ""
    refused: str = "403"
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] = lambda w: {}


def _slug(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug}


def _next(w: World) -> dict[str, Any]:
    return {"pk": w.meetups["next"].pk}


def _manage_next(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": w.meetups["next"].pk}


def _manage_past(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": w.meetups["past"].pk}


def _checkin(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": w.checkin.pk}


VIEW_CIRCLE = {"hidden": "circles.see_circle", "hidden_obj": "circle"}
VIEW_NEXT = {"hidden": "meetups.see_meetup", "hidden_obj": "next"}

GUARDS: dict[str, Guard] = {
    "circles:checkin": Guard("circles.check_in", "circle", _slug, refused="404"),
    "circles:support": Guard("circles.see_support_requests", "circle", _slug, **VIEW_CIRCLE),
    "circles:checkin_reply": Guard(
        "circles.reply_to_checkin",
        "checkin",
        _checkin,
        hidden="circles.read_checkin",
        hidden_obj="checkin",
        refused="302",
        method="POST",
        data=lambda w: {"body": "Thinking of you."},
    ),
    "circles:support_note": Guard("circles.send_support_note", "checkin", _checkin, **VIEW_CIRCLE),
    "hosting:manage": Guard("circles.manage_circle", "circle", _slug, **VIEW_CIRCLE),
    "hosting:edit_circle": Guard("circles.manage_circle", "circle", _slug, **VIEW_CIRCLE),
    "hosting:attendance": Guard(
        "meetups.host_meetup",
        "past",
        _manage_past,
        hidden="meetups.see_meetup",
        hidden_obj="past",
        method="POST",
        data=lambda w: {"user": w.users[MEMBER].pk, "attended": "1"},
    ),
    "hosting:meetup": Guard("meetups.host_meetup", "next", _manage_next, **VIEW_NEXT),
    "hosting:change_meetup": Guard(
        "meetups.manage_meetup", "next", _manage_next, method="POST", **VIEW_NEXT
    ),
    "hosting:cancel_meetup": Guard(
        "meetups.manage_meetup", "next", _manage_next, method="POST", **VIEW_NEXT
    ),
    "hosting:series": Guard("meetups.manage_meetup", "next", _manage_next, **VIEW_NEXT),
    "hosting:answer_request": Guard(
        "circles.manage_circle", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:member_action": Guard(
        "circles.manage_circle", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:circle_state": Guard(
        "circles.manage_circle", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:new_invite_link": Guard(
        "circles.manage_circle", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:checkin_time": Guard(
        "circles.manage_circle", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:leave": Guard("circles.leave_circle", "circle", _slug, method="POST", **VIEW_CIRCLE),
    "come_every_week": Guard(
        "circles.come_every_week", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "stop_coming_every_week": Guard(
        "circles.come_every_week", "circle", _slug, method="POST", **VIEW_CIRCLE
    ),
    "hosting:offer_to_host": Guard(
        "meetups.offer_to_host", "next", _next, method="POST", **VIEW_NEXT
    ),
    "hosting:withdraw_host_offer": Guard(
        "meetups.offer_to_host", "next", _next, method="POST", **VIEW_NEXT
    ),
    "hosting:decide_host_offer": Guard(
        "circles.manage_circle",
        "circle",
        lambda w: {"slug": w.circle.slug, "pk": w.offer.pk},
        method="POST",
        **VIEW_CIRCLE,
    ),
    "hosting:message_people_going": Guard("meetups.host_meetup", "next", _manage_next, **VIEW_NEXT),
    "hosting:report_circle": Guard("circles.report_concern", "circle", _slug, **VIEW_CIRCLE),
    "hosting:report_meetup": Guard("circles.report_concern", "circle", _next, **VIEW_NEXT),
    "hosting:resolve_report": Guard(
        "circles.manage_circle",
        "circle",
        lambda w: {"slug": w.circle.slug, "pk": w.report.pk},
        method="POST",
        **VIEW_CIRCLE,
    ),
    "hosting:ask_for_cover": Guard(
        "hosting.ask_for_cover",
        "next",
        _manage_next,
        method="POST",
        data=lambda w: {"action": "ask"},
        **VIEW_NEXT,
    ),
    "hosting:settle_cover": Guard(
        "meetups.manage_meetup",
        "next",
        _manage_next,
        method="POST",
        data=lambda w: {"choice": "peer_led"},
        **VIEW_NEXT,
    ),
    # Nobody but the people asked to cover may know the request exists.
    "hosting:cover_request": Guard(
        "hosting.cover_meetup",
        "cover",
        lambda w: {"pk": w.cover.pk},
        hidden="hosting.cover_meetup",
        hidden_obj="cover",
    ),
    "hosting:outline": Guard("circles.manage_circle", "circle", _slug, **VIEW_CIRCLE),
    "hosting:withdraw_co_facilitator_invitation": Guard(
        "circles.manage_circle",
        "circle",
        lambda w: {"slug": w.circle.slug, "pk": w.invitation.pk},
        method="POST",
        **VIEW_CIRCLE,
    ),
}

# Patterns of our own apps that no object permission guards, and why.
OPEN: dict[str, str] = {
    "home": "public",
    "healthz": "public",
    "robots_txt": "public",
    "crisis": "public",
    "privacy": "public",
    "javascript_catalog": "public: the words of the site's scripts",
    "staff_outbox": "accounts.read_outbox, an objectless permission (MATRIX)",
    "circles:browse": "public: listed circles only",
    "circles:feed": "public: listed circles only",
    "circles:detail": "circles.see_circle or the invite token (tests/circles)",
    "circles:join": "circles.see_circle or the invite token; joining has its own rules",
    "circles:checkin_consent": "the signed check-in link is the credential, for one person",
    "circles:delete_checkin": "the author's own check-in, looked up by its author",
    "circles:delete_reply": "the author's own note, looked up by its author",
    "circles:hide_reply": "circles.see_support_requests after circles.read_checkin",
    "my_checkins": "the person's own",
    "my_circles": "the person's own",
    "circles:accept_guidelines": "the person's own membership: nobody else's to accept",
    "meetups:detail": "meetups.see_meetup (walked below for its markers)",
    "meetups:ics": "meetups.see_meetup; never carries the online link",
    "meetups:rsvp": "meetups.see_meetup; seats have their own rules",
    "meetups:cancel": "the person's own seat",
    "meetups:claim": "meetups.see_meetup; only a seat offered to the person can be taken",
    "meetups:cant_make_it": "the signed token is the credential for one seat",
    "me:meetups": "the person's own",
    "me:calendar": "the token's owner's own, links by meetups.see_online_link",
    "hosting:start": "any signed-in person may start a circle",
    "hosting:still_meeting": "the signed token is the credential",
    "hosting:facilitators_guide": "public: the guide for hosts",
    "hosting:co_facilitator_invitation": "the invited person's own, looked up by its invitee",
    "accounts:": "the person's own account",
    "export_data": "the person's own data",
    "delete_account": "the person's own account",
}


def _ours(key: str) -> bool:
    """allauth's and the admin's patterns are walked by tests/test_every_url_for_everyone.py."""
    return not key.startswith(("account_", "mfa_", "admin", "^"))


def _key(pattern: Any) -> str:
    if pattern.name in GUARDS or pattern.name in OPEN:
        return pattern.name
    namespace = f"{pattern.namespace}:"
    return namespace if namespace in OPEN else pattern.name or pattern.route


OURS = [p for p in PATTERNS if p.namespace not in ("admin",) and _ours(p.name or p.route)]


def test_every_url_pattern_is_classified() -> None:
    missing = sorted({_key(p) for p in OURS} - GUARDS.keys() - OPEN.keys())
    assert not missing, (
        "Add these patterns to GUARDS (the permission that guards them) or OPEN (why none "
        f"does) in tests/test_permission_matrix.py: {missing}"
    )


def expected_status(world: World, guard: Guard, persona: str) -> set[str]:
    user = user_of(world, persona)
    if persona == ANONYMOUS:
        return {"L"}
    if guard.hidden and not user.has_perm(guard.hidden, world.obj(guard.hidden_obj)):
        return {"404"}
    if not user.has_perm(guard.perm, world.obj(guard.obj)):
        return {guard.refused}
    # Allowed: the page, or the form's answer (a redirect, or the form again with its
    # errors); never a refusal.
    return {"200", "302", "400"}


def status_of(response: Any) -> str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return "L"
    return str(response.status_code)


def read(response: Any) -> str:
    """The body, with calendar lines unfolded (RFC 5545 folds them at 75 octets, which
    would hide a link from a plain search)."""
    return body_of(response).replace("\r\n ", "")


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("key", sorted(GUARDS))
def test_each_guarded_page_follows_the_policy(key: str, world: World) -> None:
    guard = GUARDS[key]
    url = reverse(key, kwargs=guard.kwargs(world))
    failures = []
    for persona in PERSONAS:
        client = _client(world, persona)
        with transaction.atomic():
            if guard.method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, guard.data(world))
            transaction.set_rollback(True)
        got = status_of(response)
        want = expected_status(world, guard, persona)
        if got not in want:
            failures.append(f"{guard.method} {url} as {persona}: {got}, expected {want}")
    assert not failures, "\n".join(failures)


# The private markers, and the permission that lets a person see each.


def allowed_markers(world: World, persona: str) -> dict[str, bool]:
    """Each marker, and whether the policy lets `persona` see it anywhere."""
    user = user_of(world, persona)

    def may(perm: str, obj: str) -> bool:
        return user.has_perm(perm, world.obj(obj))

    manages = may("circles.manage_circle", "circle")
    me = world.users.get(persona)
    return {
        LINKS["next"]: may("meetups.see_online_link", "next"),
        LINKS["past"]: may("meetups.see_online_link", "past"),
        LINKS["off"]: may("meetups.see_online_link", "off"),
        **{
            secret: may("meetups.see_online_link", name)
            for name in ("next", "past", "off")
            for secret in (PHONES[name], CODES[name])
        },
        CIRCLE_LINK: manages,
        CIRCLE_PHONE: manages,
        CIRCLE_CODE: manages,
        CHECKIN_NOTE: may("circles.read_checkin", "checkin"),
        JOIN_ANSWER: manages,
        REPORT_DETAILS: may("hosting.handle_report", "report"),
        ATTENDEE_NAME: manages or may("meetups.host_meetup", "next"),
        HOST_NAME: manages or may("meetups.see_host_name", "next") or persona == HOST,
        FORMER_HOST_NAME: manages or persona == REMOVED,
        **{
            other.email: other == me
            for other in world.users.values()
            if other.email  # everyone's address is private to them
        },
    }


def _pages_to_read(world: World) -> dict[str, str]:
    slug = world.circle.slug
    pages = {
        "circle": reverse("circles:detail", args=[slug]),
        "manage": reverse("hosting:manage", args=[slug]),
        "edit": reverse("hosting:edit_circle", args=[slug]),
        "support": reverse("circles:support", args=[slug]),
        "report form": reverse("hosting:report_circle", args=[slug]),
        "my meetups": reverse("me:meetups"),
        "outline": reverse("hosting:outline", args=[slug]),
        "cover request": reverse("hosting:cover_request", args=[world.cover.pk]),
        "guide for hosts": reverse("hosting:facilitators_guide"),
    }
    for name, meetup in world.meetups.items():
        pages[f"{name} meetup"] = reverse("meetups:detail", args=[meetup.pk])
        pages[f"{name} .ics"] = reverse("meetups:ics", args=[meetup.pk])
        pages[f"{name} host page"] = reverse("hosting:meetup", args=[slug, meetup.pk])
    return pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_private_fields_show_only_to_whom_the_policy_allows(persona: str, world: World) -> None:
    allowed = allowed_markers(world, persona)
    client = _client(world, persona)
    pages = _pages_to_read(world)
    user = world.users.get(persona)
    if user is not None:
        pages["my calendar feed"] = reverse("me:calendar", args=[user.calendar_token])
    failures = []
    for what, url in pages.items():
        response = client.get(url)
        if response.status_code >= 300:
            continue
        body = read(response)
        for marker, ok in allowed.items():
            if not ok and marker in body:
                failures.append(f"{what} ({url}) shows {marker!r} to {persona}")
    assert not failures, "\n".join(failures)


def test_the_markers_show_where_the_policy_allows(world: World) -> None:
    """The searches above can find what they look for."""
    facilitator = _client(world, FACILITATOR)
    member = _client(world, MEMBER)
    manage = read(facilitator.get(reverse("hosting:manage", args=[world.circle.slug])))
    next_page = read(member.get(reverse("meetups:detail", args=[world.meetups["next"].pk])))
    past_page = read(member.get(reverse("meetups:detail", args=[world.meetups["past"].pk])))
    feed = read(member.get(reverse("me:calendar", args=[world.users[MEMBER].calendar_token])))

    assert JOIN_ANSWER in manage and REPORT_DETAILS in manage
    assert LINKS["next"] in next_page and HOST_NAME in next_page
    assert LINKS["past"] in past_page
    assert LINKS["next"] in feed and LINKS["past"] in feed
    assert PHONES["next"] in next_page and CODES["next"] in next_page
    assert PHONES["past"] in feed and CODES["past"] in feed
    edit = read(facilitator.get(reverse("hosting:edit_circle", args=[world.circle.slug])))
    assert CIRCLE_PHONE in edit and CIRCLE_CODE in edit


@pytest.mark.parametrize("persona", PERSONAS)
def test_calendar_feeds_carry_links_by_the_policy(persona: str, world: World) -> None:
    """Each person's private feed, whoever holds its token: an online link for each meetup
    they may see it on, now, and for no other."""
    user = world.users.get(persona)
    if user is None:
        return
    body = read(Client().get(reverse("me:calendar", args=[user.calendar_token])))
    for name in ("next", "past", "off"):
        allowed = user.has_perm("meetups.see_online_link", world.meetups[name])
        assert (LINKS[name] in body) == allowed, name
        assert (PHONES[name] in body) == allowed, name
        assert (CODES[name] in body) == allowed, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_emails_carry_links_by_the_policy(persona: str, world: World) -> None:
    """What every email about a meetup says, written for each person."""
    reader = world.users.get(persona)
    for name in ("next", "past", "off"):
        meetup = world.meetups[name]
        link = meetup_context(meetup, reader=reader)["meeting_link"]
        allowed = reader is not None and reader.has_perm("meetups.see_online_link", meetup)
        assert (link == LINKS[name]) == allowed, name
        assert link in ("", LINKS[name])
        dial_in = meetup_context(meetup, reader=reader)["dial_in"]
        assert (dial_in is not None) == allowed, name
        assert dial_in is None or (dial_in.phone, dial_in.code) == (PHONES[name], CODES[name])


def test_the_open_data_feed_never_carries_a_number_kept_for_members(world: World) -> None:
    body = read(Client().get(reverse("circles:feed")))
    for secret in (CIRCLE_PHONE, CIRCLE_CODE, *PHONES.values(), *CODES.values()):
        assert secret not in body


def test_a_superuser_without_a_second_factor_holds_no_site_permission(world: World) -> None:
    """Django grants an active superuser every permission; the site's policy gives one
    without a second factor what it gives other staff without one, and no more."""
    boss = UserFactory(is_staff=True, is_superuser=True, mfa=False)
    for (perm, obj), holders in MATRIX.items():
        assert boss.has_perm(perm, world.obj(obj)) == (STAFF in holders), (perm, obj)
