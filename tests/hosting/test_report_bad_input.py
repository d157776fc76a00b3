"""Whatever arrives in a report or a resolve form, the person gets a clear message or a
404, never a 500, and nothing is half-saved; HTML is shown escaped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from circles.models import Circle, Membership
from hosting.models import ActionLog, Report
from meetups.models import Meetup
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    met_at_a_meetup,
)

pytestmark = pytest.mark.django_db

REPORT_URL = "/circles/grief-circle-mid-city/report/"
MANAGE_URL = "/circles/grief-circle-mid-city/manage/"
SCRIPT = '<script>alert("x")</script><b>bold</b>'


@pytest.fixture
def rowan(circle: Circle, member: User) -> User:
    user = UserFactory(display_name='<img src=x onerror="alert(1)">Rowan')
    MembershipFactory(user=user, circle=circle)
    met_at_a_meetup(circle, member, user)
    return user


def test_html_in_a_report_is_kept_as_written_and_shown_escaped(
    member_client: Client, facilitator_client: Client, circle: Circle, rowan: User
) -> None:
    about = Membership.objects.get(circle=circle, user=rowan)

    picker = member_client.get(REPORT_URL).content.decode()
    response = member_client.post(
        REPORT_URL, {"about": about.pk, "reason": "Something else", "details": SCRIPT}
    )
    queue = facilitator_client.get(MANAGE_URL).content.decode()

    assert '<img src=x onerror="alert(1)">' not in picker
    assert response.status_code == 302
    assert Report.objects.get().details == SCRIPT
    assert SCRIPT not in queue
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in queue
    assert '<img src=x onerror="alert(1)">' not in queue


def test_details_of_100000_characters_get_a_message_beside_the_field(
    member_client: Client, circle: Circle
) -> None:
    response = member_client.post(
        REPORT_URL, {"about": "", "reason": "Something else", "details": "x" * 100_000}
    )

    assert response.status_code == 400
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    assert not Report.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "reason", ["", "Whatever I like", "<script>alert(1)</script>", "y" * 100_000]
)
def test_a_reason_that_is_not_one_of_the_choices(
    member_client: Client, circle: Circle, reason: str
) -> None:
    response = member_client.post(REPORT_URL, {"about": "", "reason": reason})

    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Report.objects.exists()


def test_forged_people_to_report(member_client: Client, circle: Circle, member: User) -> None:
    elsewhere = MembershipFactory(circle=CircleFactory())
    left = MembershipFactory(circle=circle, status=Membership.Status.LEFT)
    yourself = Membership.objects.get(circle=circle, user=member)

    for about in (elsewhere.pk, left.pk, yourself.pk, 10**30, "abc", "1 OR 1=1", "-1"):
        response = member_client.post(REPORT_URL, {"about": about, "reason": "Something else"})
        assert response.status_code == 400, about
        body = response.content.decode()
        assert "Choose someone you met at this circle&#x27;s meetups, or the circle." in body
    assert not Report.objects.exists()


@pytest.mark.parametrize("about", ["abc", "99999999", str(10**30), "<script>"])
def test_a_forged_about_in_the_link_just_selects_nobody(
    member_client: Client, circle: Circle, about: str
) -> None:
    response = member_client.get(REPORT_URL, {"about": about})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_forged_kinds_of_report(member_client: Client, meetup: Meetup) -> None:
    url = f"/meetups/{meetup.pk}/report/"
    for kind in ("", "spam", "resolved", "x" * 100_000):
        response = member_client.post(url, {"kind": kind, "reason": "Something else"})
        assert response.status_code == 400
    response = member_client.post(url, {"kind": "concern", "reason": ""})
    assert "Please choose what happened." in response.content.decode()
    assert not Report.objects.exists()


def test_nobody_there_about_a_cancelled_meetup(member_client: Client, circle: Circle) -> None:
    start = timezone.now() - dt.timedelta(hours=2)
    cancelled = MeetupFactory(
        circle=circle,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=Meetup.Status.CANCELLED,
    )

    response = member_client.post(f"/meetups/{cancelled.pk}/report/", {"kind": "nobody_there"})

    assert response.status_code == 400
    assert "called off" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/circles/no-such-circle/report/",
        "/meetups/999999/report/",
        f"/meetups/{10**30}/report/",
    ],
)
def test_unknown_circles_and_meetups_are_404(
    member_client: Client, circle: Circle, url: str
) -> None:
    assert member_client.get(url).status_code == 404
    assert member_client.post(url, {"reason": "Something else"}).status_code == 404


def test_a_meetup_of_another_circle_is_not_reported_through_yours(
    member_client: Client, circle: Circle
) -> None:
    other = MeetupFactory(circle=CircleFactory())

    response = member_client.post(
        f"/meetups/{other.pk}/report/", {"kind": "concern", "reason": "Something else"}
    )

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_forged_reports_to_resolve_are_404(facilitator_client: Client, circle: Circle) -> None:
    other_circle = CircleFactory()
    elsewhere = Report.objects.create(
        circle=other_circle, reason="Something else", routed_to="facilitators"
    )

    for pk in (elsewhere.pk, 999999, 10**30):
        response = facilitator_client.post(f"{MANAGE_URL}reports/{pk}/resolve/", {"note": "x"})
        assert response.status_code == 404
    assert facilitator_client.post(f"{MANAGE_URL}reports/abc/resolve/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Report.Status.OPEN
    assert not ActionLog.objects.exists()


def test_a_resolve_note_of_100000_characters_or_html(
    facilitator_client: Client, circle: Circle, rowan: User
) -> None:
    report = Report.objects.create(
        circle=circle, about_user=rowan, reason="Something else", routed_to="facilitators"
    )
    url = f"{MANAGE_URL}reports/{report.pk}/resolve/"

    too_long = facilitator_client.post(url, {"note": "n" * 100_000})

    assert too_long.status_code == 400
    assert "Ensure this value has at most 2000 characters" in too_long.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert facilitator_client.post(url, {"note": SCRIPT}).status_code == 302
    report.refresh_from_db()
    assert report.resolution_note == SCRIPT
    assert ActionLog.objects.get().note == SCRIPT


def test_moderators_forms_in_the_admin(circle: Circle) -> None:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    report = Report.objects.create(circle=circle, reason="Whole circle worry", details=SCRIPT)

    page = client.get(f"/admin/hosting/report/{report.pk}/resolve/").content.decode()
    too_long = client.post(f"/admin/hosting/report/{report.pk}/resolve/", {"note": "n" * 100_000})
    hide_too_long = client.post(
        f"/admin/hosting/report/{report.pk}/hide-circle/", {"note": "n" * 100_000}
    )

    assert SCRIPT not in page
    assert too_long.status_code == 400
    assert hide_too_long.status_code == 400
    assert client.get("/admin/hosting/report/999999/resolve/").status_code == 404
    assert client.post("/admin/hosting/report/999999/hide-circle/").status_code == 404
    report.refresh_from_db()
    circle.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert circle.visibility == Circle.Visibility.LISTED
    assert not ActionLog.objects.exists()
