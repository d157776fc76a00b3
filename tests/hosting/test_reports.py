"""A member reports a concern; the right people read it; the person reported sees nothing;
facilitators and moderators resolve it, and what they do is logged."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from circles.facilitator_news import send_facilitator_digests
from circles.models import Circle, Membership
from hosting.models import ActionLog, Report
from meetups.models import Meetup
from tests.factories import (
    MeetupFactory,
    MembershipFactory,
    UserFactory,
    accept_invitation,
    met_at_a_meetup,
)

pytestmark = pytest.mark.django_db

REPORT_URL = "/circles/grief-circle-mid-city/report/"
MANAGE_URL = "/circles/grief-circle-mid-city/manage/"


@pytest.fixture
def moderator() -> User:
    return UserFactory(display_name="Mo (moderator)", is_staff=True, is_superuser=True)


@pytest.fixture
def moderator_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def rowan(circle: Circle, member: User) -> User:
    """Another member of the circle, the one reported, whom Milo met at a meetup."""
    user = UserFactory(display_name="Rowan", email="rowan.private@example.com")
    MembershipFactory(user=user, circle=circle)
    met_at_a_meetup(circle, member, user)
    return user


@pytest.fixture
def past_meetup(circle: Circle) -> Meetup:
    start = timezone.now() - dt.timedelta(hours=1)
    return MeetupFactory(circle=circle, starts_at=start, ends_at=start + dt.timedelta(hours=1))


def _membership(circle: Circle, user: User) -> Membership:
    return Membership.objects.get(circle=circle, user=user)


def _subjects_to(user: User) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def test_the_report_page_lists_members_by_display_name_only(
    member_client: Client, rowan: User, facilitator: User, member: User
) -> None:
    page = member_client.get(REPORT_URL).content.decode()

    assert "Rowan" in page
    assert "Fern (host)" in page
    assert "The circle as a whole" in page
    assert rowan.email not in page
    assert facilitator.email not in page
    assert ">Milo</option>" not in page  # not yourself
    assert ">Rowan</option>" in page


def test_a_member_reports_another_member_to_the_facilitators(
    member_client: Client,
    circle: Circle,
    member: User,
    rowan: User,
    facilitator: User,
    django_capture_on_commit_callbacks,
) -> None:
    # A facilitator who chose to hear of each report at once (the default is the daily
    # digest: test_a_member_reports_a_concern_about_a_meetup).
    facilitator.facilitator_alerts = User.FacilitatorAlerts.IMMEDIATE
    facilitator.save(update_fields=["facilitator_alerts"])
    about = _membership(circle, rowan)
    assert f'value="{about.pk}" selected' in (
        member_client.get(f"{REPORT_URL}?about={about.pk}").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            REPORT_URL,
            {"about": about.pk, "reason": "Someone broke confidentiality", "details": "Outside"},
        )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.about_user, report.reporter, report.kind) == (rowan, member, "concern")
    assert report.routed_to == Report.RoutedTo.FACILITATORS
    assert _subjects_to(member) == ["We received your report"]
    assert _subjects_to(facilitator) == ["A report for your circle's queue"]
    assert _subjects_to(rowan) == []
    for message in mail.outbox:
        assert "Rowan" not in message.subject
        assert "Grief" not in message.subject
        assert "Rowan" not in message.body
        assert "Outside" not in message.body
    assert f"{MANAGE_URL}#reports" in mail.outbox[1].body


def test_a_report_about_a_facilitator_goes_to_the_moderators(
    member_client: Client,
    circle: Circle,
    member: User,
    facilitator: User,
    moderator: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            REPORT_URL,
            {"about": _membership(circle, facilitator).pk, "reason": "Something else"},
        )

    report = Report.objects.get()
    assert report.routed_to == Report.RoutedTo.MODERATORS
    assert _subjects_to(facilitator) == []
    assert _subjects_to(moderator) == ["A report for the moderators"]
    assert f"/admin/hosting/report/{report.pk}/change/" in mail.outbox[-1].body
    assert _subjects_to(member) == ["We received your report"]


def test_a_report_about_the_whole_circle_goes_to_the_moderators(
    member_client: Client,
    circle: Circle,
    facilitator: User,
    moderator: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(REPORT_URL, {"about": "", "reason": "Selling, spam or recruiting"})

    report = Report.objects.get()
    assert (report.about_user, report.meetup, report.routed_to) == (None, None, "moderators")
    assert _subjects_to(facilitator) == []
    assert _subjects_to(moderator) == ["A report for the moderators"]


def test_a_member_reports_a_concern_about_a_meetup(
    member_client: Client, meetup: Meetup, facilitator: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            f"/meetups/{meetup.pk}/report/",
            {"kind": "concern", "reason": "The meetup was not as described"},
        )

    assert response.status_code == 302
    assert response["Location"] == f"/meetups/{meetup.pk}/"
    report = Report.objects.get()
    assert (report.meetup, report.kind, report.routed_to) == (meetup, "concern", "facilitators")
    # By default facilitators hear of it in the day's digest, not at once.
    assert _subjects_to(facilitator) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_facilitator_digests() == 1
    assert _subjects_to(facilitator) == ["Something is waiting for you on Peer Support Circles"]


def test_nobody_was_there_once_the_meetup_started_and_once_only(
    member_client: Client,
    member: User,
    past_meetup: Meetup,
    meetup: Meetup,
    django_capture_on_commit_callbacks,
) -> None:
    url = f"/meetups/{past_meetup.pk}/report/"
    assert "Nobody was there?" in member_client.get(url).content.decode()
    assert "Nobody was there?" not in (
        member_client.get(f"/meetups/{meetup.pk}/report/").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = member_client.post(url, {"kind": "nobody_there"})
    again = member_client.post(url, {"kind": "nobody_there"})
    too_early = member_client.post(f"/meetups/{meetup.pk}/report/", {"kind": "nobody_there"})

    assert first.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.meetup, report.routed_to) == (
        "nobody_there",
        past_meetup,
        "facilitators",
    )
    assert report.reason == "Nobody was there"
    assert again.status_code == 400
    assert "already told us nobody was there" in again.content.decode()
    assert too_early.status_code == 400
    assert "once the meetup has started" in too_early.content.decode()
    assert Report.objects.count() == 1
    assert _subjects_to(member) == ["We received your report"]
    assert "Nobody was there?" not in member_client.get(url).content.decode()


def test_only_the_circles_members_may_report(
    outsider_client: Client, client: Client, circle: Circle, meetup: Meetup
) -> None:
    assert outsider_client.get(REPORT_URL).status_code == 403
    assert outsider_client.post(REPORT_URL, {"reason": "Something else"}).status_code == 403
    assert outsider_client.get(f"/meetups/{meetup.pk}/report/").status_code == 403
    assert client.get(REPORT_URL).status_code == 302
    assert Report.objects.count() == 0


def test_members_find_the_link_on_the_circle_and_meetup_pages(
    member_client: Client, outsider_client: Client, meetup: Meetup, circle: Circle
) -> None:
    assert REPORT_URL in member_client.get(circle.get_absolute_url()).content.decode()
    assert (
        f"/meetups/{meetup.pk}/report/"
        in member_client.get(f"/meetups/{meetup.pk}/").content.decode()
    )
    assert REPORT_URL not in outsider_client.get(circle.get_absolute_url()).content.decode()


def test_the_person_reported_never_sees_the_report(
    circle: Circle, member: User, rowan: User, meetup: Meetup
) -> None:
    Report.objects.create(
        circle=circle,
        about_user=rowan,
        reporter=member,
        reason="Someone was unkind, disrespectful or harassing",
        details="Secret words",
        routed_to=Report.RoutedTo.FACILITATORS,
    )
    client = Client()
    client.force_login(rowan)

    pages = [
        client.get(circle.get_absolute_url()),
        client.get(f"/meetups/{meetup.pk}/"),
        client.get("/me/meetups/"),
    ]
    # The download asks for the password again first (see test_sign_in_security.py).
    client.post(reverse("account_reauthenticate"), {"password": "correct horse battery"})
    export = client.get("/me/export.json")

    for page in pages:
        assert page.status_code == 200
        assert "Secret words" not in page.content.decode()
        assert "unkind" not in page.content.decode()
    assert client.get(MANAGE_URL).status_code == 403
    assert "Secret words" not in export.content.decode()
    assert json.loads(export.content)["reports"] == []


def test_the_queue_shows_reports_to_facilitators_but_not_who_sent_them(
    facilitator_client: Client, circle: Circle, member: User, rowan: User
) -> None:
    Report.objects.create(
        circle=circle,
        about_user=rowan,
        reporter=member,
        reason="Selling, spam or recruiting",
        details="Flyers for a course",
        routed_to=Report.RoutedTo.FACILITATORS,
    )
    Report.objects.create(circle=circle, reporter=member, reason="About the whole circle")

    page = facilitator_client.get(MANAGE_URL).content.decode()
    # The manage page lists members by name elsewhere; the queue must not name the reporter.
    queue = page[page.index('<section id="reports"') :]
    queue = queue[: queue.index("</section>")]

    assert "Flyers for a course" in queue
    assert "About Rowan" in queue
    assert 'href="#members"' in queue
    assert "Milo" not in queue
    assert "About the whole circle" not in page


def test_the_queue_leaves_out_reports_about_the_facilitator_looking(
    circle: Circle, facilitator_client: Client, member: User, rowan: User
) -> None:
    """Rowan was reported as a member, then became a co-facilitator: the other
    facilitator still sees the report, Rowan does not, and cannot resolve it."""
    report = Report.objects.create(
        circle=circle,
        about_user=rowan,
        reporter=member,
        reason="Someone broke confidentiality",
        details="Told a friend",
        routed_to=Report.RoutedTo.FACILITATORS,
    )
    Membership.objects.filter(circle=circle, user=rowan).update(role=Membership.Role.FACILITATOR)
    rowan_client = Client()
    rowan_client.force_login(rowan)

    assert "Told a friend" in facilitator_client.get(MANAGE_URL).content.decode()
    assert "Told a friend" not in rowan_client.get(MANAGE_URL).content.decode()
    response = rowan_client.post(f"{MANAGE_URL}reports/{report.pk}/resolve/", {"note": "Fine"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_a_facilitator_resolves_a_report_with_a_note_and_it_is_logged(
    facilitator_client: Client, facilitator: User, circle: Circle, member: User, rowan: User
) -> None:
    report = Report.objects.create(
        circle=circle,
        about_user=rowan,
        reporter=member,
        reason="Something else",
        routed_to=Report.RoutedTo.FACILITATORS,
    )

    response = facilitator_client.post(
        f"{MANAGE_URL}reports/{report.pk}/resolve/", {"note": "Talked with Rowan; all good."}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{MANAGE_URL}#reports"
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert report.resolved_by == facilitator
    assert report.resolution_note == "Talked with Rowan; all good."
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.circle, entry.report) == (
        "resolve report",
        facilitator,
        circle,
        report,
    )
    assert entry.subject_user == rowan
    assert entry.note == "Talked with Rowan; all good."
    assert entry.created_at is not None
    assert "Talked with Rowan" not in facilitator_client.get(MANAGE_URL).content.decode()


def test_a_note_is_needed_to_resolve(
    facilitator_client: Client, circle: Circle, rowan: User
) -> None:
    report = Report.objects.create(
        circle=circle, about_user=rowan, reason="Something else", routed_to="facilitators"
    )

    response = facilitator_client.post(f"{MANAGE_URL}reports/{report.pk}/resolve/", {"note": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert not ActionLog.objects.exists()


def test_facilitators_cannot_resolve_the_moderators_reports(
    facilitator_client: Client, circle: Circle
) -> None:
    report = Report.objects.create(circle=circle, reason="About the whole circle")

    response = facilitator_client.post(
        f"{MANAGE_URL}reports/{report.pk}/resolve/", {"note": "Nothing to see"}
    )

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_moderators_see_their_queue_in_the_admin(
    moderator_client: Client, circle: Circle, member: User, rowan: User
) -> None:
    theirs = Report.objects.create(circle=circle, reporter=member, reason="Whole circle worry")
    Report.objects.create(
        circle=circle, about_user=rowan, reason="Facilitators' one", routed_to="facilitators"
    )

    listing = moderator_client.get("/admin/hosting/report/").content.decode()
    everything = moderator_client.get("/admin/hosting/report/?queue=all").content.decode()
    change = moderator_client.get(f"/admin/hosting/report/{theirs.pk}/change/").content.decode()

    assert f"/admin/hosting/report/{theirs.pk}/change/" in listing
    assert "Rowan" not in listing
    assert "Rowan" in everything
    assert "Whole circle worry" in change
    assert "Milo" in change
    assert f"/admin/hosting/report/{theirs.pk}/resolve/" in change
    # Moderators act through the report, not the circle's manage page; a report about no
    # one in particular offers no removal.
    assert MANAGE_URL not in change
    assert "/remove-member/" not in change


def test_moderators_resolve_a_report_with_a_note_in_the_admin(
    moderator_client: Client, moderator: User, circle: Circle
) -> None:
    report = Report.objects.create(circle=circle, reason="Whole circle worry")
    url = f"/admin/hosting/report/{report.pk}/resolve/"

    assert moderator_client.get(url).status_code == 200
    response = moderator_client.post(url, {"note": "Spoke with the facilitators."})

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert report.resolved_by == moderator
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.report, entry.note) == (
        "resolve report",
        moderator,
        report,
        "Spoke with the facilitators.",
    )
    assert LogEntry.objects.filter(object_id=str(report.pk), user=moderator).exists()


def test_moderators_hide_a_circle_and_it_is_logged(
    moderator_client: Client, moderator: User, circle: Circle
) -> None:
    report = Report.objects.create(circle=circle, reason="Whole circle worry")
    assert circle.visibility == Circle.Visibility.LISTED

    response = moderator_client.post(
        f"/admin/hosting/report/{report.pk}/hide-circle/", {"note": "Looking into it"}
    )

    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.visibility == Circle.Visibility.UNLISTED
    assert circle.status == Circle.Status.ACTIVE
    assert not Circle.objects.listed().filter(pk=circle.pk).exists()
    entry = ActionLog.objects.get()
    assert (entry.action, entry.actor, entry.circle, entry.report, entry.note) == (
        "hide circle",
        moderator,
        circle,
        report,
        "Looking into it",
    )
    assert LogEntry.objects.filter(object_id=str(report.pk), user=moderator).exists()
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_moderators_hide_circles_from_the_list(
    moderator_client: Client, moderator: User, circle: Circle
) -> None:
    report = Report.objects.create(circle=circle, reason="Whole circle worry")

    moderator_client.post(
        "/admin/hosting/report/", {"action": "hide_circles", "_selected_action": [report.pk]}
    )

    circle.refresh_from_db()
    assert circle.visibility == Circle.Visibility.UNLISTED
    assert ActionLog.objects.get().action == "hide circle"


def test_facilitators_cannot_use_the_moderators_pages(
    facilitator_client: Client, circle: Circle
) -> None:
    report = Report.objects.create(circle=circle, reason="Whole circle worry")

    response = facilitator_client.post(
        f"/admin/hosting/report/{report.pk}/hide-circle/", {"note": "Mine"}
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    circle.refresh_from_db()
    assert circle.visibility == Circle.Visibility.LISTED
    assert not ActionLog.objects.exists()


def test_the_database_keeps_one_nobody_there_per_person_per_meetup(
    circle: Circle, member: User, past_meetup: Meetup
) -> None:
    said = {"circle": circle, "meetup": past_meetup, "reporter": member, "kind": "nobody_there"}
    Report.objects.create(**said, reason="Nobody was there")
    Report.objects.create(**(said | {"kind": "concern"}), reason="Something else")

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**said, reason="Nobody was there")


@pytest.mark.parametrize("action", ["co_facilitate", "hand_over"])
def test_reports_about_a_member_who_becomes_a_facilitator_go_to_the_moderators(
    action: str,
    circle: Circle,
    facilitator: User,
    facilitator_client: Client,
    member: User,
    rowan: User,
    moderator: User,
    django_capture_on_commit_callbacks,
) -> None:
    """Made a co-facilitator, or handed the circle: their open reports leave the
    facilitators' queue for the moderators' (Report.route), who are told once; a resolved
    one stays where it was."""
    open_report, resolved = (
        Report.objects.create(
            circle=circle,
            about_user=rowan,
            reporter=member,
            reason="Someone broke confidentiality",
            details=details,
            routed_to=Report.RoutedTo.FACILITATORS,
            status=status,
        )
        for details, status in (
            ("Told a friend", Report.Status.OPEN),
            ("Long ago", Report.Status.RESOLVED),
        )
    )

    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(
            f"{MANAGE_URL}members/",
            {"membership": _membership(circle, rowan).pk, "action": action},
        )
        if action == "co_facilitate":
            accept_invitation(rowan, circle)

    assert circle.is_facilitator(rowan)
    open_report.refresh_from_db()
    resolved.refresh_from_db()
    assert open_report.routed_to == Report.RoutedTo.MODERATORS
    assert resolved.routed_to == Report.RoutedTo.FACILITATORS
    # Made a co-facilitator, they accepted the invitation themselves.
    actor = rowan if action == "co_facilitate" else facilitator
    assert ActionLog.objects.filter(
        action="re-route report", report=open_report, actor=actor, subject_user=rowan
    ).exists()
    assert len(_subjects_to(moderator)) == 1
    assert _subjects_to(rowan) in ([], ["An invitation to help host"])
    # Out of every facilitator's queue, into the admin's.
    assert "Told a friend" not in facilitator_client.get(MANAGE_URL).content.decode()
    assert open_report in Report.objects.for_moderators().open()
