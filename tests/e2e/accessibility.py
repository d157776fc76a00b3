"""Helpers for the accessibility journeys: axe-core (vendored under tests/e2e/vendor, never
served by the site) run in the page, signing in without the login form, and the screen
sizes the site is checked at."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page

from accounts.models import User

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What counts as a failure: axe's two highest impacts.
BLOCKING_IMPACTS = {"serious", "critical"}


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """axe's violations on the page as it is now, every rule axe runs by default plus the
    WCAG 2.2 target size. Evaluated through the DevTools protocol, which the page's CSP
    does not govern, so the site's own CSP stays on while it runs."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {
                rules: { "target-size": { enabled: true } },
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def sign_in(context: BrowserContext, base_url: str, user: User) -> None:
    """Give the browser a session for `user`, as logging in would."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": base_url}]
    )
