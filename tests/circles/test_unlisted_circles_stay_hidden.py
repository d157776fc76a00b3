"""Unlisted circles are found only through their invite link: counting meetup ids or
guessing slugs shows nothing, and nobody joins one without the link. Meetups of unlisted
and archived circles show to the circle's active members, facilitators and staff only."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from circles.models import Circle, Membership
from meetups.models import RSVP, Meetup
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MISSING = 999_999


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def quiet(facilitator: User, member: User) -> Circle:
    circle = CircleFactory(
        name="Quiet Recovery Tuesdays", slug="quiet", visibility=Circle.Visibility.UNLISTED
    )
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    return circle


@pytest.fixture
def quiet_meetup(quiet: Circle) -> Meetup:
    return MeetupFactory(circle=quiet, note="Back room, ring the bell")


def _people_outside(circle: Circle) -> dict[str, User | None]:
    pending, removed, left = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=pending, circle=circle, status=Membership.Status.PENDING)
    MembershipFactory(user=removed, circle=circle, status=Membership.Status.REMOVED)
    MembershipFactory(user=left, circle=circle, status=Membership.Status.LEFT)
    return {
        "anonymous": None,
        "outsider": UserFactory(),
        "asking to join": pending,
        "removed": removed,
        "left": left,
    }


def test_meetups_of_an_unlisted_circle_are_not_found_by_counting(
    quiet: Circle, quiet_meetup: Meetup
) -> None:
    missing = _client().get(f"/meetups/{MISSING}/")
    for who, user in _people_outside(quiet).items():
        client = _client(user)
        for url in (f"/meetups/{quiet_meetup.pk}/", f"/meetups/{quiet_meetup.pk}.ics"):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 404, (who, url)
            assert "Quiet Recovery" not in body and "ring the bell" not in body, (who, url)
            assert body == missing.content.decode(), (who, url)


def test_members_and_facilitators_see_an_unlisted_circles_meetups(
    quiet: Circle, quiet_meetup: Meetup, member: User, facilitator: User
) -> None:
    for user in (member, facilitator):
        client = _client(user)
        page = client.get(f"/meetups/{quiet_meetup.pk}/")
        assert page.status_code == 200
        assert "Quiet Recovery Tuesdays" in page.content.decode()
        assert client.get(f"/meetups/{quiet_meetup.pk}.ics").status_code == 200


@pytest.mark.parametrize("second_factor", [False, True])
def test_staff_outside_an_unlisted_circle_do_not_see_it(
    quiet: Circle, quiet_meetup: Meetup, second_factor: bool
) -> None:
    """Staff are ordinary people on the site: moderators read what a report shows, in the
    admin, and see a circle's pages only as its members do."""
    client = _client(UserFactory(is_staff=True, mfa=second_factor))
    assert client.get("/circles/quiet/").status_code == 404
    assert client.get(f"/meetups/{quiet_meetup.pk}/").status_code == 404
    assert client.get(f"/meetups/{quiet_meetup.pk}.ics").status_code == 404


def test_meetups_of_an_archived_circle_show_to_its_members_only(
    circle: Circle, meetup: Meetup, member: User, outsider: User
) -> None:
    circle.status = Circle.Status.ARCHIVED
    circle.save()

    assert _client().get(f"/meetups/{meetup.pk}/").status_code == 404
    assert _client(outsider).get(f"/meetups/{meetup.pk}.ics").status_code == 404
    assert _client(member).get(f"/meetups/{meetup.pk}/").status_code == 200


def test_outsiders_cannot_rsvp_join_or_cancel_on_an_unlisted_circles_meetup(
    quiet: Circle, quiet_meetup: Meetup, outsider: User
) -> None:
    """An open unlisted circle is not joined from a meetup's page: the answers are the
    404 of a meetup that does not exist, and nothing changes."""
    assert quiet.join_policy == Circle.JoinPolicy.OPEN
    client = _client(outsider)
    for url, data in (
        (f"/meetups/{quiet_meetup.pk}/rsvp/", {"join": "1", "accept_guidelines": "on"}),
        (f"/meetups/{quiet_meetup.pk}/rsvp/", {}),
        (f"/meetups/{quiet_meetup.pk}/cancel/", {}),
        (f"/meetups/{quiet_meetup.pk}/host/offer/", {}),
        (f"/meetups/{quiet_meetup.pk}/report/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 404, url

    assert not Membership.objects.filter(user=outsider).exists()
    assert not RSVP.objects.filter(user=outsider).exists()


def test_an_unlisted_circles_page_needs_its_invite_link(quiet: Circle) -> None:
    missing = _client().get("/circles/no-such-circle/")
    for who, user in _people_outside(quiet).items():
        if who == "asking to join":
            continue  # Someone asking to join sees their request on the page.
        client = _client(user)
        for url in ("/circles/quiet/", "/circles/quiet/?invite=wrong"):
            response = client.get(url)
            assert response.status_code == 404, (who, url)
            assert response.content.decode() == missing.content.decode(), (who, url)

    with_link = _client().get(f"/circles/quiet/?invite={quiet.invite_token}")
    assert with_link.status_code == 200
    assert "Quiet Recovery Tuesdays" in with_link.content.decode()


def test_people_in_an_unlisted_circle_see_its_page_without_the_link(
    quiet: Circle, member: User, facilitator: User
) -> None:
    pending = UserFactory()
    MembershipFactory(user=pending, circle=quiet, status=Membership.Status.PENDING)
    for user in (member, facilitator, pending):
        assert _client(user).get("/circles/quiet/").status_code == 200


def test_the_facilitator_sees_the_invite_link_to_share(
    quiet: Circle, facilitator: User, member: User
) -> None:
    link = f"http://testserver/circles/quiet/?invite={quiet.invite_token}"
    assert link in _client(facilitator).get("/circles/quiet/").content.decode()
    assert link in _client(facilitator).get("/circles/quiet/manage/").content.decode()
    assert quiet.invite_token not in _client(member).get("/circles/quiet/").content.decode()


def test_invite_tokens_are_unguessable_and_differ_per_circle(quiet: Circle) -> None:
    other = CircleFactory(visibility=Circle.Visibility.UNLISTED)
    assert len(quiet.invite_token) >= 40
    assert quiet.invite_token != other.invite_token
    assert not quiet.has_invite(other.invite_token)
    assert not quiet.has_invite("")


def test_joining_an_unlisted_circle_takes_its_invite_link(
    quiet: Circle, quiet_meetup: Meetup, outsider: User
) -> None:
    client = _client(outsider)

    for data in ({}, {"invite": "wrong"}):
        response = client.post("/circles/quiet/join/", {"accept_guidelines": "on", **data})
        assert response.status_code == 404
    assert not Membership.objects.filter(user=outsider).exists()

    page = client.get(f"/circles/quiet/?invite={quiet.invite_token}").content.decode()
    # The join form carries the token on; the meetups are listed but not linked yet.
    assert f'name="invite" value="{quiet.invite_token}"' in page
    assert f"/meetups/{quiet_meetup.pk}/" not in page

    client.post("/circles/quiet/join/", {"accept_guidelines": "on", "invite": quiet.invite_token})

    assert quiet.is_active_member(outsider)
    page = client.get("/circles/quiet/").content.decode()
    assert f"/meetups/{quiet_meetup.pk}/" in page
    assert client.get(f"/meetups/{quiet_meetup.pk}/").status_code == 200


def test_signing_in_from_the_invite_link_comes_back_to_it(quiet: Circle) -> None:
    page = _client().get(f"/circles/quiet/?invite={quiet.invite_token}").content.decode()
    assert f"next=/circles/quiet/%3Finvite%3D{quiet.invite_token}" in page

    response = _client().post(
        "/circles/quiet/join/", {"accept_guidelines": "on", "invite": quiet.invite_token}
    )
    assert response.status_code == 302
    assert f"invite%3D{quiet.invite_token}" in response["Location"]


def test_circle_and_meetup_pages_are_never_indexed(circle: Circle, meetup: Meetup) -> None:
    noindex = '<meta name="robots" content="noindex">'
    assert noindex in _client().get(circle.get_absolute_url()).content.decode()
    assert noindex in _client().get(meetup.get_absolute_url()).content.decode()
    circle.status = Circle.Status.ARCHIVED
    circle.save()
    assert noindex in _client().get(circle.get_absolute_url()).content.decode()


def test_an_unlisted_circles_other_pages_do_not_confirm_its_slug(
    quiet: Circle, quiet_meetup: Meetup, outsider: User
) -> None:
    """Guessing an unlisted circle's slug on its manage, leave and report pages answers
    404 as for a slug nobody has, not the 403 that would say it exists."""
    client = _client(outsider)
    for url in (
        "/circles/quiet/manage/",
        f"/circles/quiet/manage/meetups/{quiet_meetup.pk}/",
        "/circles/quiet/report/",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/circles/quiet/leave/", "/circles/quiet/manage/members/"):
        assert client.post(url).status_code == 404, url


def test_an_unlisted_circles_check_in_page_answers_like_a_missing_slug(quiet: Circle) -> None:
    """Anyone who may not see the circle, with no link or a bad one, GET or POST, gets the
    same answer as for a slug nobody has: no sign-in redirect, no "link expired" page."""
    for who, user in _people_outside(quiet).items():
        client = _client(user)
        for query in ("", "?t=nonsense"):
            for method in ("get", "post"):
                missing = getattr(client, method)(f"/circles/nobody-has-this/check-in/{query}")
                found = getattr(client, method)(f"/circles/quiet/check-in/{query}")
                assert found.status_code == missing.status_code == 404, (who, query, method)
                assert found.content == missing.content, (who, query, method)
                assert "Quiet Recovery" not in found.content.decode()
