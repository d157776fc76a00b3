"""Every URL pattern of the site, GET and POST, as each person who is not the circle's
facilitator: the status expected for them, no private field of anyone else in the body,
and no change in the database when they are refused.

The walk covers the whole resolver (our apps, allauth and allauth.mfa, the admin), so a
page added anywhere fails `test_every_url_pattern_is_in_the_sweep` until it has a line in
PAGES saying what each person gets. Private fields are seeded with marker strings
(other people's email addresses, the name of someone going to a meetup, the online
meeting link, a check-in note, a join request's answer, a report's details) and every
body is searched for them. POSTs carry a valid form for the action where the page has
one, so a missing permission check shows as a change, not as a form error.

tests/hosting/test_hosting_permissions.py walks hosting's pages in more depth (the
rotating host, the facilitator's own POSTs); tests/test_hostile_input_everywhere.py and
tests/test_hostile_input_properties.py send hostile values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from accounts.notify import unsubscribe_token
from circles.models import CheckIn, CheckInReply, Circle, Membership
from hosting import notifications as hosting_notifications
from hosting import services as hosting_services
from hosting.forms import REASONS
from hosting.models import CoFacilitatorInvitation, CoverRequest, HostOffer, Report
from meetups import cant_make_it
from meetups import services as meetups_services
from meetups.models import Meetup
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    TopicFactory,
    UserFactory,
    met_at_a_meetup,
)

pytestmark = pytest.mark.django_db

# The people each page is tried as, in the order of the columns of PAGES.
PERSONAS = ("anonymous", "member", "outsider", "other circle's facilitator", "removed member")
ANONYMOUS, MEMBER, OUTSIDER, OTHER_FACILITATOR, REMOVED = PERSONAS

# Marker strings seeded into private fields; none may show where it does not belong.
MARK = "zq7k"
ONLINE_LINK = f"https://video.example.org/{MARK}-online-room"
CHECKIN_NOTE = f"{MARK}-checkin-note"
JOIN_ANSWER = f"{MARK}-join-answer"
REPORT_DETAILS = f"{MARK}-report-details"
ATTENDEE_NAME = f"Ada {MARK}attendee"


@dataclasses.dataclass
class World:
    """A listed, open circle with an online link, hosted by `facilitator`, and what its
    URLs point at. `member` and `attendee` are going to `meetup`; `attendee` wrote a
    check-in for the facilitators and reported `member`; someone is asking to join."""

    circle: Circle
    meetup: Meetup
    facilitator: User
    attendee: User
    request: Membership
    offer: HostOffer
    report: Report
    # The facilitator asked for cover of `meetup`; the attendee, who offers to host, may
    # accept: nobody in the walk.
    cover: CoverRequest
    users: dict[str, User]

    def everyone(self) -> list[User]:
        return [self.facilitator, self.attendee, self.request.user, *self.users.values()]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at its end; each test runs
    in a savepoint inside it (pytest-django), and each person's requests in one more."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield _build_world()
        transaction.set_rollback(True)


def _build_world() -> World:
    def person(role: str, **kwargs: Any) -> User:
        return UserFactory(email=f"{role}.{MARK}mail@example.org", **kwargs)

    facilitator = person("fern", display_name="Fern")
    member = person("milo", display_name="Milo", calendar_feed=True)
    attendee = person("ada", display_name=ATTENDEE_NAME)
    circle = CircleFactory(
        name="Grief Circle Mid City",
        format=Circle.Format.HYBRID,
        online_url=ONLINE_LINK,
        online_url_public=False,
        topics=[TopicFactory(name="Grief")],
    )
    MembershipFactory(circle=circle, user=facilitator, role=Membership.Role.FACILITATOR)
    for user in (member, attendee):
        MembershipFactory(circle=circle, user=user)
    meetup = MeetupFactory(circle=circle, online_url=ONLINE_LINK)
    later = MeetupFactory(circle=circle, starts_at=meetup.starts_at + dt.timedelta(weeks=1))
    for user in (member, attendee):
        meetups_services.rsvp(user=user, meetup=meetup)
    met_at_a_meetup(circle, member, attendee)
    # `attendee` is invited to co-facilitate and has not answered: nobody in the walk.
    hosting_services.invite_co_facilitator(
        membership=circle.memberships.get(user=attendee), by=facilitator
    )

    removed = MembershipFactory(circle=circle, user=person("rex", display_name="Rex"))
    hosting_services.remove_member(membership=removed, by=facilitator, block=True)
    other_facilitator = person("otto", display_name="Otto")
    MembershipFactory(
        circle=CircleFactory(), user=other_facilitator, role=Membership.Role.FACILITATOR
    )
    week = timezone.localdate().isocalendar()
    checkin = CheckIn.objects.create(
        user=attendee,
        circle=circle,
        iso_year=week.year,
        iso_week=week.week,
        mood=2,
        note=CHECKIN_NOTE,
        visibility=CheckIn.Visibility.FACILITATORS,
        wants_support=True,
    )
    # A note of support on it, written by `member` before the check-in was made private.
    CheckInReply.objects.create(checkin=checkin, user=member, body="Been there too.")
    return World(
        circle=circle,
        meetup=meetup,
        facilitator=facilitator,
        attendee=attendee,
        request=MembershipFactory(
            circle=circle,
            user=person("pat", display_name="Pat"),
            status=Membership.Status.PENDING,
            join_answer=JOIN_ANSWER,
        ),
        offer=hosting_services.offer_to_host(user=attendee, meetup=later),
        report=hosting_services.report_concern(
            reporter=attendee,
            circle=circle,
            about=member,
            reason="Talked over people",
            details=REPORT_DETAILS,
        ),
        cover=hosting_services.ask_for_cover(meetup=meetup, by=facilitator),
        users={
            MEMBER: member,
            OUTSIDER: person("olive", display_name="Olive"),
            OTHER_FACILITATOR: other_facilitator,
            REMOVED: removed.user,
        },
    )


def private_markers(world: World, persona: str) -> dict[str, str]:
    """What must not show to `persona`, by what it is. Nobody in the walk is one of the
    circle's facilitators, so nobody sees who is coming, check-ins, join answers or
    reports; the online link is for the circle's members (`member` is going)."""
    me = world.users.get(persona)
    markers = {
        f"email of {user.display_name}": user.email for user in world.everyone() if user != me
    }
    markers |= {
        "name of someone going": ATTENDEE_NAME,
        "check-in note": CHECKIN_NOTE,
        "join request's answer": JOIN_ANSWER,
        "report's details": REPORT_DETAILS,
    }
    if persona != MEMBER:
        markers["online meeting link"] = ONLINE_LINK
    return markers


# What each person gets. Columns, in PERSONAS order: anonymous, member, outsider, another
# circle's facilitator, a removed member. "L" is a redirect to a sign-in page, "302" a
# redirect elsewhere; any other entry is the status code.
Statuses = str


@dataclasses.dataclass(frozen=True)
class Page:
    """One URL pattern (or, with a key ending in ":", every pattern of a namespace): the
    statuses for GET and POST, the pattern's kwargs and a valid POST for its action, from
    the world; `acts`, the people whose POST may change the database (for everyone else,
    and for every GET, nothing is written); `shows`, markers a page shows on purpose."""

    get: Statuses
    post: Statuses
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    acts: frozenset[str] = frozenset()
    shows: frozenset[str] = frozenset()


def _slug(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug}


def _meetup(w: World) -> dict[str, Any]:
    return {"pk": w.meetup.pk}


def _manage_meetup(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": w.meetup.pk}


def _member_feed(w: World) -> dict[str, Any]:
    return {"token": w.users[MEMBER].calendar_token}


# Who may act where, for `acts`.
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
MEMBERS = frozenset({MEMBER})
# Anyone signed in and not removed from the circle may join it (it is open and listed).
MAY_JOIN = frozenset({MEMBER, OUTSIDER, OTHER_FACILITATOR})

# For the admin's patterns: every one refuses everyone in the walk before reading them.
ADMIN_KWARGS = {
    "object_id": "1",
    "content_type_id": "1",
    "pk": 1,
    "id": 1,
    "app_label": "accounts",
    "url": "x/",
}


def _checkin(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": CheckIn.objects.get(user=w.attendee).pk}


def _reply(w: World) -> dict[str, Any]:
    return {"slug": w.circle.slug, "pk": CheckInReply.objects.get(user=w.users[MEMBER]).pk}


def _invitation(w: World) -> dict[str, Any]:
    return {"pk": CoFacilitatorInvitation.objects.get(user=w.attendee).pk}


def _report(w: World) -> dict[str, Any]:
    return {"reason": REASONS[0], "details": "Worried."}


# One line per URL pattern, by its name ("namespace:name", or its route when it has no
# name); a key ending in ":" covers a whole namespace that treats all five people the same.
# Columns: anonymous, member, outsider, other circle's facilitator, removed member.
def _edit_circle(w: World) -> dict[str, Any]:
    """The edit page's form for the walk's circle, renamed."""
    circle = w.circle
    return {
        "name": "Grief Circle Downtown",
        "description": circle.description,
        "topics": list(circle.topics.values_list("pk", flat=True)),
        "guidelines": circle.guidelines,
        "join_policy": circle.join_policy,
        "visibility": circle.visibility,
        "online_url": circle.online_url,
    }


PAGES: dict[str, Page] = {
    "home": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "healthz": Page(get="200 200 200 200 200", post="200 200 200 200 200"),
    # DEBUG and staff only, none of these people (tests/accounts/test_staff_outbox.py).
    "staff_outbox": Page(get="404 404 404 404 404", post="404 404 404 404 404"),
    "robots_txt": Page(get="200 200 200 200 200", post="200 200 200 200 200"),
    "crisis": Page(get="200 200 200 200 200", post="200 200 200 200 200"),
    "privacy": Page(get="200 200 200 200 200", post="200 200 200 200 200"),
    "javascript_catalog": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    # circles
    "circles:browse": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "circles:feed": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "circles:detail": Page(get="200 200 200 200 200", post="405 405 405 405 405", kwargs=_slug),
    # Only someone in the circle accepts its guidelines; the rest are told so.
    "circles:accept_guidelines": Page(
        get="L 405 405 405 405",
        post="L 302 302 302 302",
        kwargs=_slug,
        data=lambda w: {"accept_guidelines": "on"},
        acts=MEMBERS,
    ),
    "circles:join": Page(
        get="405 405 405 405 405",
        post="L 302 302 302 302",
        kwargs=_slug,
        data=lambda w: {"accept_guidelines": "on"},
        acts=MAY_JOIN,
    ),
    # check-ins: the walk's check-in is shared with the facilitators only, and nobody in the
    # walk is one of them; `member` wrote the note of support on it.
    "circles:checkin": Page(
        get="L 200 404 404 404",
        post="L 302 404 404 404",
        kwargs=_slug,
        data=lambda w: {"mood": 3, "visibility": "private"},
        acts=MEMBERS,
    ),
    # Accepting the privacy note from a prompt's link: this POST carries no link.
    "circles:checkin_consent": Page(
        get="405 405 405 405 405", post="400 400 400 400 400", kwargs=_slug
    ),
    "circles:checkin_reply": Page(
        get="L 405 405 405 405",
        post="L 404 404 404 404",
        kwargs=_checkin,
        data=lambda w: {"body": "Thinking of you."},
    ),
    "circles:delete_checkin": Page(
        get="L 405 405 405 405", post="L 404 404 404 404", kwargs=_checkin
    ),
    "circles:delete_reply": Page(
        get="L 405 405 405 405", post="L 302 404 404 404", kwargs=_reply, acts=MEMBERS
    ),
    "circles:hide_reply": Page(get="L 405 405 405 405", post="L 404 404 404 404", kwargs=_reply),
    "circles:support": Page(get="L 403 403 403 403", post="L 405 405 405 405", kwargs=_slug),
    # Only the circle's facilitators write to someone who asked for support.
    "circles:support_note": Page(
        get="L 403 403 403 403",
        post="L 403 403 403 403",
        kwargs=_checkin,
        data=lambda w: {"body": "Thinking of you."},
    ),
    "my_checkins": Page(get="L 200 200 200 200", post="L 405 405 405 405"),
    "my_circles": Page(get="L 200 200 200 200", post="L 405 405 405 405"),
    # meetups
    "meetups:detail": Page(get="200 200 200 200 200", post="405 405 405 405 405", kwargs=_meetup),
    "meetups:ics": Page(get="200 200 200 200 200", post="405 405 405 405 405", kwargs=_meetup),
    "meetups:rsvp": Page(
        get="L 405 405 405 405",
        post="L 302 302 302 302",
        kwargs=_meetup,
        data=lambda w: {"join": "1", "accept_guidelines": "on"},
        acts=MAY_JOIN,
    ),
    "meetups:cancel": Page(
        get="L 405 405 405 405", post="L 302 302 302 302", kwargs=_meetup, acts=MEMBERS
    ),
    # Only a seat offered to the person can be taken: nobody in the walk has one.
    "meetups:claim": Page(get="L 405 405 405 405", post="L 302 302 302 302", kwargs=_meetup),
    # "I come every week": the circle's active members.
    "come_every_week": Page(
        get="L 405 405 405 405", post="L 302 403 403 403", kwargs=_slug, acts=MEMBERS
    ),
    "stop_coming_every_week": Page(
        get="L 405 405 405 405", post="L 302 403 403 403", kwargs=_slug, acts=MEMBERS
    ),
    # The signed link is the credential for one seat (a reminder's "I can't make it").
    "meetups:cant_make_it": Page(
        get="200 200 200 200 200",
        post="200 200 200 200 200",
        kwargs=lambda w: {
            "pk": w.meetup.pk,
            "token": cant_make_it.token(w.users[MEMBER].rsvps.get(meetup=w.meetup)),
        },
        acts=frozenset(PERSONAS),
    ),
    "me:meetups": Page(get="L 200 200 200 200", post="L 405 405 405 405"),
    # The feed's token is the credential: whoever holds it sees that person's meetups.
    "me:calendar": Page(
        get="200 200 200 200 200",
        post="405 405 405 405 405",
        kwargs=_member_feed,
        shows=frozenset({"online meeting link"}),
    ),
    # hosting: the circle's facilitators only, but for what members do
    "hosting:manage": Page(get="L 403 403 403 403", post="L 405 405 405 405", kwargs=_slug),
    "hosting:edit_circle": Page(
        get="L 403 403 403 403", post="L 403 403 403 403", kwargs=_slug, data=_edit_circle
    ),
    "hosting:start": Page(get="L 200 200 200 200", post="L 400 400 400 400"),
    "hosting:meetup": Page(
        get="L 403 403 403 403", post="L 405 405 405 405", kwargs=_manage_meetup
    ),
    "hosting:change_meetup": Page(
        get="L 405 405 405 405", post="L 403 403 403 403", kwargs=_manage_meetup
    ),
    "hosting:cancel_meetup": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_manage_meetup,
        data=lambda w: {"message": "Sorry, no meetup.", "confirm": "on"},
    ),
    "hosting:series": Page(
        get="L 403 403 403 403", post="L 403 403 403 403", kwargs=_manage_meetup
    ),
    "hosting:answer_request": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"membership": w.request.pk, "decision": "approve"},
    ),
    "hosting:member_action": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"membership": w.users[MEMBER].memberships.get().pk, "action": "block"},
    ),
    # The invitation is the attendee's alone (nobody in the walk); withdrawing it is the
    # facilitators'.
    "hosting:co_facilitator_invitation": Page(
        get="L 404 404 404 404",
        post="L 404 404 404 404",
        kwargs=_invitation,
        data=lambda w: {"answer": "decline"},
    ),
    "hosting:withdraw_co_facilitator_invitation": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=lambda w: {"slug": w.circle.slug} | _invitation(w),
    ),
    "hosting:leave": Page(
        get="405 405 405 405 405", post="L 302 403 403 403", kwargs=_slug, acts=MEMBERS
    ),
    "hosting:circle_state": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"action": "archive", "confirm": "on"},
    ),
    "hosting:new_invite_link": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"confirm": "on"},
    ),
    "hosting:checkin_time": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"checkin_weekday": 3, "checkin_time": "09:30"},
    ),
    "hosting:offer_to_host": Page(
        get="L 405 405 405 405", post="L 302 403 403 403", kwargs=_meetup, acts=MEMBERS
    ),
    "hosting:withdraw_host_offer": Page(
        get="L 405 405 405 405", post="L 302 403 403 403", kwargs=_meetup, acts=MEMBERS
    ),
    "hosting:decide_host_offer": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=lambda w: {"slug": w.circle.slug, "pk": w.offer.pk},
        data=lambda w: {"decision": "confirm"},
    ),
    "hosting:attendance": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_manage_meetup,
        data=lambda w: {"user": w.attendee.pk, "attended": "1"},
    ),
    "hosting:message_people_going": Page(
        get="L 403 403 403 403",
        post="L 403 403 403 403",
        kwargs=_manage_meetup,
        data=lambda w: {"body": "Running ten minutes late."},
    ),
    # The signed token is the credential (tests/hosting/test_still_meeting.py).
    "hosting:still_meeting": Page(
        get="200 200 200 200 200",
        post="200 200 200 200 200",
        kwargs=lambda w: {
            "slug": w.circle.slug,
            "token": hosting_notifications.still_meeting_token(w.circle, w.facilitator),
        },
        acts=frozenset(PERSONAS),
    ),
    # A member chooses whom a report is about from the circle's members.
    "hosting:report_circle": Page(
        get="L 200 403 403 403",
        post="L 302 403 403 403",
        kwargs=_slug,
        data=_report,
        acts=MEMBERS,
        shows=frozenset({"name of someone going"}),
    ),
    "hosting:report_meetup": Page(
        get="L 200 403 403 403",
        post="L 302 403 403 403",
        kwargs=_meetup,
        data=lambda w: _report(w) | {"kind": "concern"},
        acts=MEMBERS,
    ),
    "hosting:resolve_report": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=lambda w: {"slug": w.circle.slug, "pk": w.report.pk},
        data=lambda w: {"note": "Talked."},
    ),
    # Cover for the host: asked by the facilitator, answered by who may cover (nobody here).
    "hosting:ask_for_cover": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_manage_meetup,
        data=lambda w: {"action": "withdraw"},
    ),
    "hosting:settle_cover": Page(
        get="L 405 405 405 405",
        post="L 403 403 403 403",
        kwargs=_manage_meetup,
        data=lambda w: {"choice": "peer_led"},
    ),
    "hosting:cover_request": Page(
        get="L 404 404 404 404", post="L 404 404 404 404", kwargs=lambda w: {"pk": w.cover.pk}
    ),
    "hosting:outline": Page(
        get="L 403 403 403 403",
        post="L 403 403 403 403",
        kwargs=_slug,
        data=lambda w: {"text": "# Welcome\nHello."},
    ),
    "hosting:facilitators_guide": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    # accounts: each person's own
    "accounts:settings": Page(get="L 200 200 200 200", post="L 200 200 200 200"),
    "accounts:regenerate_calendar": Page(
        get="L 405 405 405 405", post="L 302 302 302 302", acts=SIGNED_IN
    ),
    "accounts:revoke_calendar": Page(
        get="L 405 405 405 405", post="L 302 302 302 302", acts=SIGNED_IN
    ),
    "accounts:consent": Page(get="L 200 200 200 200", post="L 302 302 302 302", acts=SIGNED_IN),
    "accounts:withdraw_consent": Page(
        get="L 405 405 405 405", post="L 302 302 302 302", acts=SIGNED_IN
    ),
    # The signed token is the credential; GET only asks, POST turns the emails off.
    "accounts:unsubscribe": Page(
        get="200 200 200 200 200",
        post="200 200 200 200 200",
        kwargs=lambda w: {"token": unsubscribe_token(w.attendee, "all")},
        acts=frozenset(PERSONAS),
    ),
    # Everyone may pick a language; the signed-in keep it as their setting.
    "accounts:choose_language": Page(
        get="405 405 405 405 405",
        post="302 302 302 302 302",
        data=lambda w: {"language": "es"},
        acts=SIGNED_IN,
    ),
    "export_data": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "delete_account": Page(get="L 200 200 200 200", post="L 400 400 400 400"),
    # allauth and allauth.mfa
    "account_login": Page(get="200 302 302 302 302", post="200 302 302 302 302"),
    "account_logout": Page(get="302 200 200 200 200", post="302 302 302 302 302"),
    "account_inactive": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "account_signup": Page(get="200 302 302 302 302", post="200 302 302 302 302"),
    "account_reauthenticate": Page(get="L 200 200 200 200", post="L 200 200 200 200"),
    "account_request_reauthentication_code": Page(
        get="L 200 200 200 200", post="L 200 200 200 200"
    ),
    "account_confirm_reauthentication_code": Page(
        get="L 302 302 302 302", post="L 302 302 302 302"
    ),
    "account_email": Page(get="L 200 200 200 200", post="L 302 302 302 302"),
    "account_email_verification_sent": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "account_change_password": Page(get="L 200 200 200 200", post="L 200 200 200 200"),
    "account_set_password": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "account_reset_password": Page(get="200 200 200 200 200", post="200 200 200 200 200"),
    "account_confirm_login_code": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "account_confirm_email": Page(
        get="200 200 200 200 200",
        post="404 404 404 404 404",
        kwargs=lambda w: {"key": "not-a-key"},
    ),
    "account_reset_password_from_key_done": Page(
        get="200 200 200 200 200", post="405 405 405 405 405"
    ),
    "account_reset_password_from_key": Page(
        get="200 200 200 200 200",
        post="200 200 200 200 200",
        kwargs=lambda w: {"uidb36": "1", "key": "not-a-key"},
    ),
    "account_reset_password_done": Page(get="200 200 200 200 200", post="405 405 405 405 405"),
    "mfa_index": Page(get="L 200 200 200 200", post="L 405 405 405 405"),
    "mfa_authenticate": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "mfa_reauthenticate": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "mfa_activate_totp": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "mfa_deactivate_totp": Page(get="L 404 404 404 404", post="L 404 404 404 404"),
    "mfa_view_recovery_codes": Page(get="L 404 404 404 404", post="L 405 405 405 405"),
    "mfa_generate_recovery_codes": Page(get="L 302 302 302 302", post="L 302 302 302 302"),
    "mfa_download_recovery_codes": Page(get="L 404 404 404 404", post="L 404 404 404 404"),
    # The admin is for staff with two-step sign-in (tests/accounts/test_admin_sign_in.py):
    # its login page sends people on to allauth's, and refuses the signed-in.
    "admin:": Page(get="L L L L L", post="L L L L L", kwargs=lambda w: ADMIN_KWARGS),
    "admin:login": Page(get="L 403 403 403 403", post="L 403 403 403 403"),
    "admin:logout": Page(get="302 302 302 302 302", post="302 302 302 302 302"),
}


@dataclasses.dataclass(frozen=True)
class Pattern:
    """One pattern of the resolver: its name ("namespace:name", "" when it has none), its
    route from the root, and each part's pattern to build a URL from."""

    name: str
    namespace: str
    route: str
    parts: tuple[Any, ...]

    @property
    def key(self) -> str:
        """Its line in PAGES: its name (its route when it has none), or its namespace's
        line."""
        own = self.name or self.route
        if own in PAGES:
            return own
        namespace = f"{self.namespace}:"
        return namespace if self.namespace and namespace in PAGES else own

    @property
    def converters(self) -> set[str]:
        names: set[str] = set()
        for part in self.parts:
            names |= set(re.findall(r"<(?:\w+:)?(\w+)>", str(part)))
        return names

    def url(self, kwargs: dict[str, Any]) -> str:
        if self.name:
            return reverse(self.name, kwargs={k: kwargs[k] for k in self.converters})
        # Unnamed (the admin's redirects and catch-all): filled in from the route.
        text = "".join(str(part).removeprefix("^").removesuffix("$") for part in self.parts)
        text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), text)
        return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), text)


def _walk(resolver: URLResolver, parts: tuple, namespace: str) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry, (*parts, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".lstrip(":") if entry.name else ""
            route = "".join(str(p) for p in (*parts, entry.pattern))
            yield Pattern(name, namespace, route, (*parts, entry.pattern))


PATTERNS: list[Pattern] = list(_walk(get_resolver(), (), ""))


def test_every_url_pattern_is_in_the_sweep() -> None:
    missing = sorted({p.key: p.route for p in PATTERNS if p.key not in PAGES}.items())
    lines = "\n".join(
        f'    "{key}": Page(get="? ? ? ? ?", post="? ? ? ? ?"'
        + (", kwargs=…" if "<" in route or "(?P" in route else "")
        + f"),  # /{route}"
        for key, route in missing
    )
    assert not missing, (
        "These URL patterns are not in the sweep. Add a line for each to PAGES in "
        f"tests/test_every_url_for_everyone.py, with the status each person gets "
        f"({', '.join(PERSONAS)}; L is a redirect to sign in):\n{lines}"
    )


def test_the_sweep_names_no_pattern_the_site_no_longer_has() -> None:
    keys = {p.key for p in PATTERNS}
    assert not PAGES.keys() - keys, f"remove from PAGES: {sorted(PAGES.keys() - keys)}"


WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def writes(queries: list[dict[str, Any]]) -> list[str]:
    """The statements that changed the database, leaving out the session's own row (the
    session timeout notes when the person was last seen)."""
    return [
        q["sql"][:120]
        for q in queries
        if WRITES.match(q["sql"]) and "django_session" not in q["sql"]
    ]


SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def status_of(response: HttpResponse) -> str:
    if response.status_code == 302 and response["Location"].startswith(SIGN_IN_PAGES):
        return "L"
    return str(response.status_code)


def body_of(response: HttpResponse) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def check(pattern: Pattern, world: World) -> list[str]:
    page = PAGES[pattern.key]
    kwargs = page.kwargs(world)
    assert pattern.converters <= set(kwargs), f"{pattern.key}: kwargs lack {pattern.converters}"
    url = pattern.url(kwargs)
    expected = {"GET": page.get.split(), "POST": page.post.split()}
    failures = []
    for column, persona in enumerate(PERSONAS):
        client = Client()
        if persona != ANONYMOUS:
            client.force_login(world.users[persona])
        markers = private_markers(world, persona)
        # Each person starts from the same world: what an allowed POST did is undone.
        with transaction.atomic():
            for method in ("GET", "POST"):
                with CaptureQueriesContext(connection) as queries:
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, page.data(world))
                got = status_of(response)
                want = expected[method][column]
                where = f"{method} {url} as {persona}"
                if got != want:
                    failures.append(f"{where}: {got}, expected {want}")
                body = body_of(response)
                for what, marker in markers.items():
                    if what not in page.shows and marker in body:
                        failures.append(f"{where}: the body shows the {what}")
                written = writes(queries.captured_queries)
                if written and (method == "GET" or persona not in page.acts):
                    failures.append(f"{where}: the database changed: {written}")
            transaction.set_rollback(True)
    return failures


@pytest.mark.parametrize(
    "pattern", [p for p in PATTERNS if p.key in PAGES], ids=lambda p: p.name or p.route
)
def test_each_page_for_each_person(pattern: Pattern, world: World) -> None:
    failures = check(pattern, world)
    assert not failures, "\n".join(failures)


# POSTs everyone in the walk is refused: each one acts for the circle's facilitator, so a
# refusal in the walk is the permission check at work, not a bad form. (Attendance is
# marked once a meetup has started: tests/meetups/test_host_meetup.py.)
FACILITATORS_ONLY = [
    "hosting:edit_circle",
    "hosting:cancel_meetup",
    "hosting:answer_request",
    "hosting:member_action",
    "hosting:withdraw_co_facilitator_invitation",
    "hosting:circle_state",
    "hosting:decide_host_offer",
    "hosting:message_people_going",
    "hosting:resolve_report",
    "hosting:checkin_time",
    "hosting:ask_for_cover",
    "hosting:settle_cover",
    "hosting:outline",
    "circles:hide_reply",
    "circles:support_note",
]


@pytest.mark.parametrize("key", FACILITATORS_ONLY)
def test_the_walks_posts_act_for_the_facilitator(key: str, world: World) -> None:
    page = PAGES[key]
    [pattern] = [p for p in PATTERNS if p.name == key]
    client = Client()
    client.force_login(world.facilitator)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.post(pattern.url(page.kwargs(world)), page.data(world))
        transaction.set_rollback(True)

    assert response.status_code in (200, 302)
    assert writes(queries.captured_queries)


def test_the_markers_show_where_they_belong(world: World) -> None:
    """The walk's searches can find what they look for: the facilitator sees the join
    answer, the report and who is coming; the member going sees the online link."""
    facilitator = Client()
    facilitator.force_login(world.facilitator)
    member = Client()
    member.force_login(world.users[MEMBER])

    manage = body_of(facilitator.get(reverse("hosting:manage", args=[world.circle.slug])))
    hosting = body_of(facilitator.get(reverse("hosting:meetup", kwargs=_manage_meetup(world))))
    meetup = body_of(member.get(world.meetup.get_absolute_url()))
    support = body_of(facilitator.get(reverse("circles:support", args=[world.circle.slug])))

    assert JOIN_ANSWER in manage
    assert REPORT_DETAILS in manage
    assert ATTENDEE_NAME in hosting
    assert world.attendee.email not in hosting
    assert ONLINE_LINK in meetup
    assert CHECKIN_NOTE in support
