"""The server's logs keep no calendar token, no signed link and no search terms: the
access log has no address, path or query, and Django's error log names the URL pattern
rather than the path."""

from __future__ import annotations

import json
import logging
import re
import shlex
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "a" * 20 + "SecretCalendarToken"


def _granian_commands() -> list[list[str]]:
    cmd = json.loads((ROOT / "Dockerfile").read_text().split("\nCMD ", 1)[1].strip())
    compose = (ROOT / "docker-compose.yml").read_text()
    web = re.search(r'sh -c "(exec granian[^"]*)"', compose)
    assert web, "docker-compose.yml runs granian for web"
    return [shlex.split(cmd[-1]), shlex.split(web.group(1))]


def test_the_access_log_leaves_out_address_path_and_query() -> None:
    for command in _granian_commands():
        if "--access-log" not in command:
            continue
        fmt = command[command.index("--access-log-fmt") + 1]
        for atom in ("%(path)s", "%(query_string)s", "%(addr)s"):
            assert atom not in fmt


def test_an_error_response_is_logged_by_its_route_not_its_path(db, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(f"/me/calendar/{TOKEN}.ics?q=grief")

    assert response.status_code == 404
    assert caplog.records, "the 404 is logged"
    text = "\n".join(caplog.messages)
    assert TOKEN not in text and "grief" not in text
    assert "/me/calendar/<str:token>.ics" in text
