"""Deleting my account: confirmed with my password, never leaving a circle without a host."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Notification, User
from circles.models import CheckIn, Circle, Membership
from hosting.models import ActionLog, Report
from meetups import services as meetup_services
from meetups.models import RSVP
from tests.factories import MeetupFactory, MembershipFactory, UserFactory

URL = reverse("delete_account")
PASSWORD = "correct horse battery"


def _delete(client: Client, password: str = PASSWORD):
    return client.post(URL, {"action": "delete", "password": password})


def test_anonymous_is_sent_to_log_in(client: Client, db) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_page_explains_and_asks_for_password(member_client: Client, circle: Circle) -> None:
    page = member_client.get(URL).content.decode()

    assert 'name="password"' in page
    assert "given up" in page
    assert reverse("export_data") in page


def test_wrong_password_deletes_nothing(
    member_client: Client, member: User, circle: Circle
) -> None:
    response = _delete(member_client, password="not my password")

    assert response.status_code == 200
    assert "That password isn" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    assert Membership.objects.filter(user=member).exists()
    assert member_client.get(reverse("accounts:settings")).status_code == 200


def test_unknown_action_is_refused(member_client: Client, member: User) -> None:
    response = member_client.post(URL, {"action": "<script>", "password": PASSWORD})

    assert response.status_code == 400
    assert User.objects.filter(pk=member.pk).exists()


def test_deleting_removes_everything_and_frees_my_seat(
    member_client: Client, member: User, facilitator: User, circle: Circle
) -> None:
    meetup = MeetupFactory(circle=circle, capacity=1)
    waiting = UserFactory(display_name="Wren")
    MembershipFactory(user=waiting, circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)
    meetup_services.rsvp(user=waiting, meetup=meetup)
    assert RSVP.objects.get(user=waiting).status == RSVP.Status.WAITLISTED
    CheckIn.objects.create(user=member, circle=circle, iso_year=2026, iso_week=47, mood=3)
    report = Report.objects.create(circle=circle, reporter=member, reason="Spam link")
    Notification.objects.create(key=f"test:user:{member.pk}", user=member, kind="test")

    response = _delete(member_client)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Membership.objects.filter(user_id=member.pk).exists()
    assert not RSVP.objects.filter(user_id=member.pk).exists()
    assert not CheckIn.objects.filter(user_id=member.pk).exists()
    assert not Notification.objects.filter(user_id=member.pk).exists()
    report.refresh_from_db()
    assert report.reporter is None
    assert RSVP.objects.get(user=waiting, meetup=meetup).status == RSVP.Status.GOING
    meetup.refresh_from_db()
    assert meetup.going_count == 1
    assert User.objects.filter(pk=facilitator.pk).exists()
    assert "_auth_user_id" not in member_client.session
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your account and everything in it has been deleted."
    ]


def test_last_facilitator_is_asked_to_hand_over_or_archive(
    facilitator_client: Client, facilitator: User, member: User, outsider: User, circle: Circle
) -> None:
    page = facilitator_client.get(URL).content.decode()

    assert "Grief Circle Mid City" in page
    assert "only facilitator" in page
    assert f'<option value="{member.pk}">Milo</option>' in page
    assert outsider.display_name not in page
    assert member.email not in page
    assert 'name="password"' not in page


def test_last_facilitator_cannot_delete_even_by_posting(
    facilitator_client: Client, facilitator: User, circle: Circle
) -> None:
    response = _delete(facilitator_client)

    assert response.status_code == 200
    assert "Hand it over to another member or archive it first" in response.content.decode()
    assert User.objects.filter(pk=facilitator.pk).exists()
    assert circle.is_facilitator(facilitator)


def test_hand_over_then_delete(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    response = facilitator_client.post(
        URL, {"action": "hand_over", "circle": circle.pk, f"circle-{circle.pk}-to_user": member.pk}
    )

    assert response.status_code == 302
    assert circle.is_facilitator(member)
    assert not circle.is_facilitator(facilitator)

    response = _delete(facilitator_client)

    assert response.status_code == 302
    assert not User.objects.filter(pk=facilitator.pk).exists()
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE
    assert circle.is_facilitator(member)


def test_archive_then_delete(facilitator_client: Client, facilitator: User, circle: Circle) -> None:
    response = facilitator_client.post(URL, {"action": "archive", "circle": circle.pk})

    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ARCHIVED

    _delete(facilitator_client)

    assert not User.objects.filter(pk=facilitator.pk).exists()
    assert Circle.objects.filter(pk=circle.pk).exists()


def test_hand_over_only_to_an_active_member(
    facilitator_client: Client, facilitator: User, outsider: User, circle: Circle
) -> None:
    response = facilitator_client.post(
        URL,
        {"action": "hand_over", "circle": circle.pk, f"circle-{circle.pk}-to_user": outsider.pk},
    )

    assert response.status_code == 200
    assert "one of the circle" in response.content.decode()
    assert circle.is_facilitator(facilitator)
    assert not Membership.objects.filter(user=outsider, circle=circle).exists()


def test_cannot_settle_someone_elses_circle(
    member_client: Client, member: User, circle: Circle
) -> None:
    response = member_client.post(URL, {"action": "archive", "circle": circle.pk})

    assert response.status_code == 404
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE


def test_a_circle_with_another_facilitator_does_not_block(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    Membership.objects.filter(user=member, circle=circle).update(role=Membership.Role.FACILITATOR)

    _delete(facilitator_client)

    assert not User.objects.filter(pk=facilitator.pk).exists()
    assert circle.is_facilitator(member)


def test_guessing_the_password_is_slowed_down(
    member_client: Client, member: User, settings
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    # On Redis the counts outlive the test database, whose ids start again each run.
    ratelimit.clear(RequestFactory().get("/"), action="reauthenticate", user=member)

    for _ in range(2):
        assert "That password isn" in _delete(member_client, "guess").content.decode()
    response = _delete(member_client)

    assert "Too many tries" in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_a_host_alone_in_a_circle_may_delete_and_the_circle_is_archived(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    Membership.objects.filter(user=member, circle=circle).update(status=Membership.Status.LEFT)

    page = facilitator_client.get(URL).content.decode()

    assert 'name="password"' in page
    assert "archived when you delete your account" in page
    assert "Grief Circle Mid City" in page

    response = _delete(facilitator_client)

    assert response.status_code == 302
    assert not User.objects.filter(pk=facilitator.pk).exists()
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ARCHIVED


def test_a_refused_deletion_changes_nothing(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    meetup = MeetupFactory(circle=circle, capacity=1)
    meetup_services.rsvp(user=facilitator, meetup=meetup)

    _delete(facilitator_client)

    assert RSVP.objects.get(user=facilitator, meetup=meetup).status == RSVP.Status.GOING
    circle.refresh_from_db()
    assert circle.status == Circle.Status.ACTIVE


def test_handing_over_before_deleting_moves_reports_about_the_new_host_to_moderators(
    facilitator_client: Client, facilitator: User, member: User, circle: Circle
) -> None:
    """The delete page's hand-over is the manage page's: the new host never reads a report
    about themselves, and the hand-over is in the circle's log."""
    report = Report.objects.create(
        circle=circle,
        about_user=member,
        reporter=facilitator,
        reason="Something else",
        routed_to=Report.RoutedTo.FACILITATORS,
    )

    facilitator_client.post(
        URL, {"action": "hand_over", "circle": circle.pk, f"circle-{circle.pk}-to_user": member.pk}
    )

    assert circle.is_facilitator(member)
    report.refresh_from_db()
    assert report.routed_to == Report.RoutedTo.MODERATORS
    assert set(ActionLog.objects.filter(circle=circle).values_list("action", flat=True)) == {
        "hand over",
        "re-route report",
    }


def test_archiving_before_deleting_calls_off_the_upcoming_meetups(
    facilitator_client: Client,
    facilitator: User,
    member: User,
    circle: Circle,
    django_capture_on_commit_callbacks,
) -> None:
    meetup = MeetupFactory(circle=circle)
    meetup_services.rsvp(user=member, meetup=meetup)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(URL, {"action": "archive", "circle": circle.pk})

    assert response.status_code == 302
    meetup.refresh_from_db()
    assert meetup.status == meetup.Status.CANCELLED
    assert Notification.objects.filter(user=member, key__startswith="cancelled:").exists()
    assert ActionLog.objects.filter(circle=circle, action="archive").exists()
