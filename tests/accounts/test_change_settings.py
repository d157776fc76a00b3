"""Changing my own settings: display name, home town, time zone, reminders."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import regenerate_calendar_token

URL = reverse("accounts:settings")


def _form(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": user.display_name,
        "home_place": user.home_place,
        "timezone": user.timezone,
        "remind_24h": "on" if user.remind_24h else "",
        "remind_2h": "on" if user.remind_2h else "",
        "weekly_checkin": "on" if user.weekly_checkin else "",
        "calendar_shows_circle_name": "on" if user.calendar_shows_circle_name else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_anonymous_is_sent_to_log_in(client: Client, db) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_page_shows_my_settings_and_links(member_client: Client, member: User) -> None:
    regenerate_calendar_token(user=member)  # the feed is off until turned on
    response = member_client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Milo"' in page
    assert reverse("account_email") in page
    assert reverse("account_change_password") in page
    assert reverse("export_data") in page
    assert reverse("delete_account") in page
    assert member.calendar_token in page


def test_save_every_field(member_client: Client, member: User) -> None:
    response = member_client.post(
        URL,
        _form(
            member,
            display_name="  Milo   the Calm ",
            home_place="Shreveport",
            timezone="America/New_York",
            remind_24h="",
            remind_2h="on",
            weekly_checkin="",
            calendar_shows_circle_name="on",
        ),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Milo the Calm"
    assert member.home_place == "Shreveport, LA"
    assert member.home_lat == pytest.approx(32.5, abs=0.1)
    assert member.timezone == "America/New_York"
    assert (member.remind_24h, member.remind_2h, member.weekly_checkin) == (False, True, False)
    assert member.calendar_shows_circle_name is True


def test_new_home_town_brings_its_time_zone(member_client: Client, member: User) -> None:
    member_client.post(URL, _form(member, home_place="Portland, OR"))

    member.refresh_from_db()
    assert member.home_place == "Portland, OR"
    assert member.timezone == "America/Los_Angeles"


def test_clearing_home_town_removes_coordinates(member_client: Client, member: User) -> None:
    User.objects.filter(pk=member.pk).update(
        home_place="Baton Rouge, LA", home_lat=30.44, home_lng=-91.19
    )
    member.refresh_from_db()

    member_client.post(URL, _form(member, home_place=""))

    member.refresh_from_db()
    assert (member.home_place, member.home_lat, member.home_lng) == ("", None, None)


def test_shared_location_can_be_saved_again(member_client: Client, member: User) -> None:
    member_client.post(URL, _form(member, home_place="30.45,-91.18"))
    member.refresh_from_db()
    assert member.home_place == "30.4500, -91.1800"

    response = member_client.post(URL, _form(member, display_name="Milo B"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Milo B"
    assert member.home_lat == pytest.approx(30.45)


def test_ambiguous_home_town_lists_choices(member_client: Client, member: User) -> None:
    response = member_client.post(URL, _form(member, home_place="Portland"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="home_place_choice" value="Portland, OR"' in page
    assert 'name="home_place_choice" value="Portland, ME"' in page
    member.refresh_from_db()
    assert member.home_place == ""


def test_picking_one_of_the_choices_saves_it(member_client: Client, member: User) -> None:
    member_client.post(URL, _form(member, home_place="Portland", home_place_choice="Portland, ME"))

    member.refresh_from_db()
    assert member.home_place == "Portland, ME"
    assert member.timezone == "America/New_York"


def test_a_forged_choice_is_resolved_like_typed_text(member_client: Client, member: User) -> None:
    response = member_client.post(
        URL, _form(member, home_place="Portland", home_place_choice="<img src=x>")
    )

    assert "find that place" in response.content.decode()
    assert "<img src=x>" not in response.content.decode()
    member.refresh_from_db()
    assert member.home_place == ""


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list"),
        ({"timezone": "x" * 5000}, "Choose a time zone from the list"),
        ({"display_name": "M" * 10_000}, "40 characters or fewer"),
        ({"display_name": ""}, "Please choose a display name"),
        ({"home_place": "Qwzxville"}, "find that place"),
        ({"home_place": "p" * 10_000}, "too long for a place name"),
        ({"home_place": "Baton\x00Rouge"}, "Null characters are not allowed"),
    ],
)
def test_bad_input_is_refused_with_a_message(
    member_client: Client, member: User, changes: dict[str, str], error: str
) -> None:
    response = member_client.post(URL, _form(member, **{"remind_24h": "", **changes}))

    assert response.status_code == 200
    assert error in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Milo"
    assert member.remind_24h is True


def test_failed_save_leaves_header_unchanged(member_client: Client, member: User) -> None:
    response = member_client.post(URL, _form(member, display_name="Someone Else", timezone="x"))

    header = response.content.decode().split("</header>")[0]
    assert "Milo" in header
    assert "Someone Else" not in header


def test_html_in_display_name_is_shown_escaped(member_client: Client, member: User) -> None:
    member_client.post(URL, _form(member, display_name="<b>Milo</b>"))

    member.refresh_from_db()
    assert member.display_name == "<b>Milo</b>"
    page = member_client.get(URL).content.decode()
    assert "&lt;b&gt;Milo&lt;/b&gt;" in page
    assert "<b>Milo</b>" not in page


def test_saved_place_is_kept_when_not_retyped(member_client: Client, member: User) -> None:
    User.objects.filter(pk=member.pk).update(
        home_place="Mid City, Baton Rouge", home_lat=30.45, home_lng=-91.15
    )
    member.refresh_from_db()

    response = member_client.post(URL, _form(member, display_name="Milo B"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.home_place, member.home_lat) == (
        "Milo B",
        "Mid City, Baton Rouge",
        30.45,
    )


def test_time_zone_list_offers_real_zones_and_keeps_mine(
    member_client: Client, member: User
) -> None:
    User.objects.filter(pk=member.pk).update(timezone="US/Central")
    member.refresh_from_db()

    page = member_client.get(URL).content.decode()
    response = member_client.post(URL, _form(member, display_name="Milo B"))

    assert '<option value="America/Chicago">' in page
    assert '<option value="US/Central" selected>' in page
    assert 'value="localtime"' not in page
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.timezone) == ("Milo B", "US/Central")
