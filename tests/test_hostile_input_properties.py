"""Hypothesis drives every public form and query parameter with hostile values (any
unicode, huge and negative numbers, NaN and infinities, null bytes, overlong text, lists
where one value is expected), each sent by the person the form is for, with and without
htmx: never a 500, and what was typed never comes back unescaped (a `<script>` marker).

The fields come from the form classes themselves (`base_fields`), so a field added to a
form is driven without touching this file; a new form needs one line in FORMS.
tests/test_hostile_input_everywhere.py sends a fixed list of values to every page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import (
    ConsentForm,
    DeleteAccountForm,
    LanguageForm,
    SettingsForm,
    SignupForm,
)
from accounts.models import User
from circles.checkins import current_week
from circles.forms import (
    AcceptGuidelinesForm,
    CheckInForm,
    CheckInLinkForm,
    CircleSearchForm,
    JoinForm,
    SupportNoteForm,
)
from circles.models import CheckIn, Circle, Membership
from hosting import notifications as hosting_notifications
from hosting import services as hosting_services
from hosting.forms import (
    AcceptCoverForm,
    AttendanceForm,
    CancelMeetupForm,
    CircleEditForm,
    CircleStateForm,
    CoFacilitationAnswerForm,
    CoverRequestForm,
    FindAddressForm,
    HostDecisionForm,
    JoinRequestForm,
    MeetupChangeForm,
    MeetupMessageForm,
    MeetupReportForm,
    MemberForm,
    NewInviteLinkForm,
    OutlineForm,
    ReportForm,
    ResolveReportForm,
    SeriesChangeForm,
    SettleCoverForm,
    StartCircleForm,
    WithdrawInvitationForm,
)
from hosting.models import CoFacilitatorInvitation, CoverRequest, HostOffer, Report
from meetups import forms as meetup_forms
from meetups import services as meetups_services
from meetups.models import Meetup
from tests.factories import MeetupFactory, MembershipFactory, UserFactory, met_at_a_meetup

pytestmark = pytest.mark.django_db

# Typed into fields; a page that echoes input unescaped shows it as it is.
MARKER = "<script>hq7"

SPECIAL = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "on",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "99999999999999999999999",
    "-99999999999999999999999",
    "9" * 400,
    "\x00",
    "a\x00b",
    "\u202e",
    "\ufeff",
    "２０２６",  # fullwidth digits
    "2026-02-30",
    "25:61",
    "../../etc/passwd",
    "' OR 1=1 --",
    "%00",
    MARKER,
    f'"><{MARKER[1:]}',
]

HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(str),
    st.text(max_size=8).map(lambda t: f"{t}{MARKER}{t}"),
    st.integers(min_value=1_000, max_value=30_000).map(lambda n: "x" * n),
)
# Mostly one value; sometimes several for a field that expects one.
VALUE = st.one_of(HOSTILE, st.lists(HOSTILE, min_size=2, max_size=3))


def fields_of(*form_classes: type[forms.BaseForm], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every field the forms declare, and the names their views or __init__ add."""
    names = [name for form in form_classes for name in form.base_fields]
    return tuple(dict.fromkeys([*names, *extra]))


@dataclasses.dataclass
class World:
    circle: Circle
    meetup: Meetup
    offer: HostOffer
    report: Report
    invitation: CoFacilitatorInvitation
    # The member's check-in this week, asking for support.
    asking: CheckIn
    cover: CoverRequest
    users: dict[str, User | None]


@pytest.fixture
def world(circle: Circle, facilitator: User, member: User, outsider: User, meetup: Meetup) -> World:
    meetups_services.rsvp(user=member, meetup=meetup)
    MembershipFactory(circle=circle, status=Membership.Status.PENDING, join_answer="May I come?")
    reporter = MembershipFactory(circle=circle, user=UserFactory()).user
    met_at_a_meetup(circle, reporter, member)
    later = MeetupFactory(circle=circle)
    week = current_week(circle)
    asking = CheckIn.objects.create(
        user=member,
        circle=circle,
        iso_year=week // 100,
        iso_week=week % 100,
        mood=2,
        visibility=CheckIn.Visibility.FACILITATORS,
        wants_support=True,
    )
    return World(
        circle=circle,
        meetup=meetup,
        offer=hosting_services.offer_to_host(user=member, meetup=later),
        report=hosting_services.report_concern(
            reporter=reporter, circle=circle, about=member, reason="Talked over people"
        ),
        invitation=hosting_services.invite_co_facilitator(
            membership=circle.memberships.get(user=member), by=facilitator
        ),
        asking=asking,
        # Asked after the member offered to host `later`: they may accept.
        cover=hosting_services.ask_for_cover(meetup=meetup, by=facilitator),
        users={
            "anonymous": None,
            "member": member,
            "outsider": outsider,
            "facilitator": facilitator,
        },
    )


@dataclasses.dataclass(frozen=True)
class Form:
    """Who fills it in, how it is sent, where, and the fields it reads."""

    who: str
    method: str
    url: Callable[[World], str]
    fields: tuple[str, ...]


def _to(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name)


def _slug(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.circle.slug])


def _meetup(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.meetup.pk])


def _manage_meetup(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"slug": w.circle.slug, "pk": w.meetup.pk})


SEARCH = fields_of(CircleSearchForm)

FORMS: dict[str, Form] = {
    # Finding a circle
    "home search": Form("anonymous", "GET", lambda w: "/", SEARCH),
    "browse": Form("anonymous", "GET", _to("circles:browse"), SEARCH),
    "browse, signed in": Form("member", "GET", _to("circles:browse"), SEARCH),
    "open data feed": Form("anonymous", "GET", _to("circles:feed"), SEARCH),
    "circle page": Form("anonymous", "GET", _slug("circles:detail"), ("invite",)),
    "join": Form("outsider", "POST", _slug("circles:join"), fields_of(JoinForm)),
    "accept new guidelines": Form(
        "member", "POST", _slug("circles:accept_guidelines"), fields_of(AcceptGuidelinesForm)
    ),
    # Weekly check-ins
    "check in": Form("member", "POST", _slug("circles:checkin"), fields_of(CheckInForm)),
    "check in from a link": Form(
        "anonymous", "POST", _slug("circles:checkin"), fields_of(CheckInForm)
    ),
    "accept the privacy note from a check-in link": Form(
        "anonymous", "POST", _slug("circles:checkin_consent"), fields_of(CheckInLinkForm)
    ),
    # Signing up and in
    "signup": Form(
        "anonymous",
        "POST",
        _to("account_signup"),
        fields_of(SignupForm, extra=("password1", "password2")),
    ),
    "login": Form(
        "anonymous",
        "POST",
        _to("account_login"),
        fields_of(LoginForm, extra=("login", "next")),
    ),
    "password reset": Form(
        "anonymous",
        "POST",
        _to("account_reset_password"),
        fields_of(ResetPasswordForm),
    ),
    # Meetups
    "rsvp": Form("member", "POST", _meetup("meetups:rsvp"), fields_of(meetup_forms.RSVPForm)),
    "rsvp, joining": Form(
        "outsider", "POST", _meetup("meetups:rsvp"), fields_of(meetup_forms.RSVPForm)
    ),
    "give up a seat": Form("member", "POST", _meetup("meetups:cancel"), ("from",)),
    "take an offered seat": Form(
        "member", "POST", _meetup("meetups:claim"), fields_of(meetup_forms.ClaimSeatForm)
    ),
    "come every week": Form("member", "POST", _slug("come_every_week"), ("from",)),
    "stop coming every week": Form("member", "POST", _slug("stop_coming_every_week"), ("from",)),
    # Reports
    "report a circle": Form(
        "member", "POST", _slug("hosting:report_circle"), fields_of(ReportForm)
    ),
    "report a meetup": Form(
        "member", "POST", _meetup("hosting:report_meetup"), fields_of(MeetupReportForm)
    ),
    # The person's own
    "settings": Form("member", "POST", _to("accounts:settings"), fields_of(SettingsForm)),
    "consent": Form("member", "POST", _to("accounts:consent"), fields_of(ConsentForm)),
    "consent page": Form("member", "GET", _to("accounts:consent"), ("next",)),
    "choose a language": Form(
        "member", "POST", _to("accounts:choose_language"), fields_of(LanguageForm)
    ),
    "choose a language, signed out": Form(
        "anonymous", "POST", _to("accounts:choose_language"), fields_of(LanguageForm)
    ),
    "delete my account": Form(
        "member",
        "POST",
        _to("delete_account"),
        fields_of(DeleteAccountForm, extra=("action",)),
    ),
    # Hosting
    "start a circle": Form(
        "outsider",
        "POST",
        _to("hosting:start"),
        fields_of(StartCircleForm, extra=("action",)),
    ),
    "change a meetup": Form(
        "facilitator",
        "POST",
        _manage_meetup("hosting:change_meetup"),
        fields_of(MeetupChangeForm, extra=("venue",)),
    ),
    "change the series": Form(
        "facilitator",
        "POST",
        _manage_meetup("hosting:series"),
        fields_of(SeriesChangeForm, extra=("venue",)),
    ),
    "cancel a meetup with a message": Form(
        "facilitator", "POST", _manage_meetup("hosting:cancel_meetup"), fields_of(CancelMeetupForm)
    ),
    "attendance": Form(
        "facilitator",
        "POST",
        _manage_meetup("hosting:attendance"),
        fields_of(AttendanceForm),
    ),
    "message people going": Form(
        "facilitator",
        "POST",
        _manage_meetup("hosting:message_people_going"),
        fields_of(MeetupMessageForm),
    ),
    "edit the circle": Form(
        "facilitator", "POST", _slug("hosting:edit_circle"), fields_of(CircleEditForm)
    ),
    "find a venue's address": Form(
        "facilitator",
        "POST",
        _slug("hosting:edit_circle"),
        fields_of(CircleEditForm, FindAddressForm),
    ),
    "write to someone who asked for support": Form(
        "facilitator",
        "POST",
        lambda w: reverse("circles:support_note", args=[w.circle.slug, w.asking.pk]),
        fields_of(SupportNoteForm),
    ),
    "answer a join request": Form(
        "facilitator", "POST", _slug("hosting:answer_request"), fields_of(JoinRequestForm)
    ),
    "act on a member": Form(
        "facilitator", "POST", _slug("hosting:member_action"), fields_of(MemberForm)
    ),
    "circle state": Form(
        "facilitator", "POST", _slug("hosting:circle_state"), fields_of(CircleStateForm)
    ),
    "new invite link": Form(
        "facilitator", "POST", _slug("hosting:new_invite_link"), fields_of(NewInviteLinkForm)
    ),
    "answer an invitation to co-facilitate": Form(
        "member",
        "POST",
        lambda w: reverse("hosting:co_facilitator_invitation", args=[w.invitation.pk]),
        fields_of(CoFacilitationAnswerForm),
    ),
    "withdraw an invitation to co-facilitate": Form(
        "facilitator",
        "POST",
        lambda w: reverse(
            "hosting:withdraw_co_facilitator_invitation", args=[w.circle.slug, w.invitation.pk]
        ),
        fields_of(WithdrawInvitationForm),
    ),
    "decide a host offer": Form(
        "facilitator",
        "POST",
        lambda w: reverse("hosting:decide_host_offer", args=[w.circle.slug, w.offer.pk]),
        fields_of(HostDecisionForm),
    ),
    "resolve a report": Form(
        "facilitator",
        "POST",
        lambda w: reverse("hosting:resolve_report", args=[w.circle.slug, w.report.pk]),
        fields_of(ResolveReportForm),
    ),
    "ask for cover": Form(
        "facilitator", "POST", _manage_meetup("hosting:ask_for_cover"), fields_of(CoverRequestForm)
    ),
    "settle a meetup nobody covers": Form(
        "facilitator", "POST", _manage_meetup("hosting:settle_cover"), fields_of(SettleCoverForm)
    ),
    "accept to cover": Form(
        "member",
        "POST",
        lambda w: reverse("hosting:cover_request", args=[w.cover.pk]),
        fields_of(AcceptCoverForm, extra=("action",)),
    ),
    "edit the meeting outline": Form(
        "facilitator", "POST", _slug("hosting:outline"), fields_of(OutlineForm)
    ),
    "still meeting": Form(
        "anonymous",
        "POST",
        lambda w: reverse(
            "hosting:still_meeting",
            args=[
                w.circle.slug,
                hosting_notifications.still_meeting_token(w.circle, w.users["facilitator"]),
            ],
        ),
        ("confirm",),
    ),
}


def body_of(response: HttpResponse) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def send(client: Client, form: Form, url: str, data: dict[str, Any], htmx: bool) -> HttpResponse:
    headers = {"HX-Request": "true"} if htmx else {}
    if form.method == "GET":
        return client.get(url, data, headers=headers)
    return client.post(url, data, headers=headers)


@pytest.mark.parametrize("name", FORMS)
def test_hostile_values_never_break_a_form(name: str, world: World) -> None:
    form = FORMS[name]
    client = Client()
    if (user := world.users[form.who]) is not None:
        client.force_login(user)
    url = form.url(world)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        data=st.fixed_dictionaries({}, optional=dict.fromkeys(form.fields, VALUE)),
        htmx=st.booleans(),
    )
    def typed_in(data: dict[str, Any], htmx: bool) -> None:
        response = send(client, form, url, data, htmx)

        assert response.status_code < 500, (form.method, url, data)
        assert MARKER.encode() not in body_of(response), (form.method, url, data)

    typed_in()
