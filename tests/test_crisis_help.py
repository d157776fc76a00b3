"""Crisis help for this audience: a list each deployment sets (CRISIS_RESOURCES, the US
list by default) with large call and text buttons, on the crisis page, the error pages
and beside the lowest mood of a check-in."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from peersupport import crisis

pytestmark = pytest.mark.django_db


def test_the_us_list_is_the_default() -> None:
    names = [str(r.name) for r in crisis.parse("")]

    assert names == [
        "988 Suicide & Crisis Lifeline",
        "Crisis Text Line",
        "The Trevor Project",
        "Veterans Crisis Line",
        "911",
    ]


def test_the_crisis_page_has_large_call_and_text_buttons(client: Client) -> None:
    html = client.get("/crisis/").content.decode()

    assert '<a class="button crisis-button" href="tel:988">Call 988</a>' in html
    assert 'href="sms:988"' in html
    assert 'href="sms:741741?&amp;body=HOME">Text HOME to 741741</a>' in html
    assert 'href="tel:988,1">Call 988, then 1</a>' in html
    assert 'href="tel:911">Call 911</a>' in html
    assert "immediate danger" in html


def test_a_deployment_replaces_the_list(client: Client, settings) -> None:
    settings.CRISIS_RESOURCES = crisis.parse(
        json.dumps(
            [
                {"name": "Samaritans", "call": "116123", "url": "https://www.samaritans.org/"},
                {"name": "Emergency", "call": "999", "emergency": True},
            ]
        )
    )

    html = client.get("/crisis/").content.decode()

    listed = html.split('<ul class="crisis-list">', 1)[1].split("</ul>", 1)[0]
    assert 'href="tel:116123"' in listed and 'href="tel:999"' in listed
    assert "988" not in listed


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        '{"name": "x"}',
        '[{"call": "988"}]',
        '[{"name": "x", "call": "javascript:alert(1)"}]',
        '[{"name": "x", "url": "javascript:alert(1)"}]',
        '[{"name": "x", "colour": "red"}]',
    ],
)
def test_a_malformed_list_stops_the_site_at_start_up(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        crisis.parse(raw)
