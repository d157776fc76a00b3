"""The crisis help a deployment lists: on the crisis page (one click from every page), on
the error pages, and beside the lowest mood of a check-in.

Each resource says whom it is for and how to reach it: `call` (a number for a tel: link;
a comma is a pause, so "988,1" dials 988 then presses 1), `text` (a number for an sms:
link) with an optional `text_body` ("HOME"), a `url`, and `emergency` for the line that
says when to call the emergency number. The US list below is the default; a deployment
replaces it whole with the CRISIS_RESOURCES environment variable, a JSON list of objects
with the same keys (`name` is required; every other key is optional).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# What a tel: or sms: number may hold: digits, +, and the pause (,) after a number.
_NUMBER = re.compile(r"\A\+?[0-9][0-9,]*\Z")


@dataclass(frozen=True)
class CrisisResource:
    name: str
    description: str = ""
    call: str = ""
    call_label: str = ""
    text: str = ""
    text_body: str = ""
    url: str = ""
    emergency: bool = False

    @property
    def tel_href(self) -> str:
        return f"tel:{self.call}" if self.call else ""

    @property
    def sms_href(self) -> str:
        if not self.text:
            return ""
        # "?&body=" is read by both iOS and Android messaging apps.
        return (
            f"sms:{self.text}?&body={quote(self.text_body)}"
            if self.text_body
            else f"sms:{self.text}"
        )


# Written for the site's readers, so translated; a deployment's own list is used as written.
US_DEFAULTS: list[dict[str, object]] = [
    {
        "name": _("988 Suicide & Crisis Lifeline"),
        "description": _("Anyone in emotional distress or thinking about suicide, any time, free."),
        "call": "988",
        "text": "988",
        "url": "https://988lifeline.org/",
    },
    {
        "name": _("Crisis Text Line"),
        "description": _("A trained volunteer by text, any time, free."),
        "text": "741741",
        "text_body": "HOME",
        "url": "https://www.crisistextline.org/",
    },
    {
        "name": _("The Trevor Project"),
        "description": _("LGBTQ+ young people under 25, any time, free."),
        "call": "18664887386",
        "call_label": "1-866-488-7386",
        "text": "678678",
        "text_body": "START",
        "url": "https://www.thetrevorproject.org/get-help/",
    },
    {
        "name": _("Veterans Crisis Line"),
        "description": _("Veterans, service members and their families: call 988, then press 1."),
        "call": "988,1",
        "call_label": _("988, then 1"),
        "text": "838255",
        "url": "https://www.veteranscrisisline.net/",
    },
    {
        "name": "911",
        "description": _("If you or someone else is in immediate danger."),
        "call": "911",
        "emergency": True,
    },
]


def parse(raw: str) -> list[CrisisResource]:
    """The resources from CRISIS_RESOURCES (JSON), or the US defaults when it is empty.
    A malformed list stops the site at start-up rather than showing broken help links."""
    if not raw.strip():
        return [CrisisResource(**entry) for entry in US_DEFAULTS]
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"CRISIS_RESOURCES is not valid JSON: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise ImproperlyConfigured("CRISIS_RESOURCES must be a non-empty JSON list.")
    known = {f.name for f in fields(CrisisResource)}
    resources = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ImproperlyConfigured("Each CRISIS_RESOURCES entry needs a name.")
        unknown = set(entry) - known
        if unknown:
            raise ImproperlyConfigured(f"CRISIS_RESOURCES: unknown keys {sorted(unknown)}.")
        for key in ("call", "text"):
            if entry.get(key) and not _NUMBER.match(str(entry[key])):
                raise ImproperlyConfigured(f"CRISIS_RESOURCES: {key} must be a phone number.")
        url = str(entry.get("url", ""))
        if url and not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("CRISIS_RESOURCES: url must start with https://.")
        resources.append(CrisisResource(**entry))
    return resources
