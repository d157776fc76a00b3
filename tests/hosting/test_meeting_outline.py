"""A circle's meeting outline: its hosts read it on each meetup's host page (the default
until the facilitators write their own, in the reader's language); the facilitators
edit it as plain text, escaped; the guide for hosts is open to everyone and lists the
site's crisis help."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from circles.models import Circle
from hosting import services
from hosting.models import ActionLog, MeetingOutline
from hosting.outline import OUTLINE_MAX_LENGTH, default_outline, sections
from meetups.models import Meetup

pytestmark = pytest.mark.django_db


def outline_url(circle: Circle) -> str:
    return f"/circles/{circle.slug}/manage/outline/"


def host_page(meetup: Meetup) -> str:
    return f"/circles/{meetup.circle.slug}/manage/meetups/{meetup.pk}/"


def test_the_default_outline_follows_peer_support_practice() -> None:
    titles = [section.title for section in sections(default_outline())]

    assert titles == ["Welcome and guidelines", "Check-in round", "Open sharing", "Closing"]
    assert "Share the air" in default_outline()


def test_sections_read_headings_and_paragraphs() -> None:
    text = "Before we start.\n\n# One\nfirst line\nsecond line\n\nnext paragraph\n#\n# Two\n"

    found = sections(text)

    assert [(s.title, s.paragraphs) for s in found] == [
        ("", ["Before we start."]),
        ("One", ["first line\nsecond line", "next paragraph"]),
        ("Two", []),
    ]


def test_hosts_see_the_default_outline_on_the_host_page(facilitator_client: Client, meetup) -> None:
    page = facilitator_client.get(host_page(meetup)).content.decode()

    assert "Meeting outline" in page
    assert "Check-in round" in page
    assert "Print the outline" in page
    assert 'media="print"' in page
    assert "/facilitators/" in page


def test_the_facilitators_write_their_own_and_it_is_escaped(
    facilitator_client: Client, facilitator, circle, meetup
) -> None:
    response = facilitator_client.post(
        outline_url(circle),
        {"text": "# Arrive <script>alert(1)</script>\nTea first.\n\n# Go round\nNames."},
        follow=True,
    )

    assert "Saved." in response.content.decode()
    assert MeetingOutline.objects.get(circle=circle).updated_by == facilitator
    page = facilitator_client.get(host_page(meetup)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Arrive &lt;script&gt;" in page
    assert "Tea first." in page and "Check-in round" not in page
    assert ActionLog.objects.filter(action="edit meeting outline").count() == 1


def test_an_empty_outline_brings_the_default_back(facilitator, circle) -> None:
    services.save_outline(circle=circle, by=facilitator, text="# Ours\nOur way.")

    assert services.save_outline(circle=circle, by=facilitator, text="  ") is True

    assert not MeetingOutline.objects.exists()
    assert services.outline_of(circle) == (default_outline(), True)
    # Saving the default as it reads changes nothing.
    assert services.save_outline(circle=circle, by=facilitator, text=default_outline()) is False


def test_the_default_reads_in_the_readers_language(facilitator, facilitator_client, meetup) -> None:
    facilitator.language = "es"
    facilitator.save(update_fields=["language"])

    page = facilitator_client.get(host_page(meetup), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Ronda de check-in" in page


@pytest.mark.parametrize("text", ["x" * (OUTLINE_MAX_LENGTH + 1), "a\x00b"])
def test_bad_outlines_are_refused_and_nothing_is_saved(
    facilitator_client: Client, circle, text
) -> None:
    response = facilitator_client.post(outline_url(circle), {"text": text})

    assert response.status_code == 400
    assert not MeetingOutline.objects.exists()


def test_only_the_facilitators_edit_it(member_client: Client, client: Client, circle) -> None:
    assert member_client.get(outline_url(circle)).status_code == 403
    assert member_client.post(outline_url(circle), {"text": "# Mine"}).status_code == 403
    assert client.get(outline_url(circle)).status_code == 302
    assert not MeetingOutline.objects.exists()


def test_the_manage_page_links_the_outline_and_the_guide(
    facilitator_client: Client, circle
) -> None:
    page = facilitator_client.get(f"/circles/{circle.slug}/manage/").content.decode()

    assert outline_url(circle) in page
    assert "/facilitators/" in page


def test_the_guide_for_hosts_is_open_and_lists_the_crisis_help(client: Client, settings) -> None:
    page = client.get("/facilitators/").content.decode()

    assert "not a therapist" in page
    assert "If someone is in crisis during a meetup" in page
    assert "step out" in page
    assert "emergency services" in page
    for resource in settings.CRISIS_RESOURCES:
        assert escape(str(resource.name)) in page
