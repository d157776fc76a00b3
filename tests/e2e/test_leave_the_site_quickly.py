"""Someone looking at a circle presses "Leave this site quickly": the tab shows a neutral
site, and Back does not bring the circle's page back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from circles.models import Circle

pytestmark = pytest.mark.browser


def test_quick_exit_replaces_the_page_and_its_history_entry(
    page: Page, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    # A neutral page of the test server stands in for the outside site (no network here).
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    page.goto(live_server.url + "/")
    page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())

    # Keyboard first: it is a real link, reached with Tab after "Skip to content".
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Leave this site quickly")
    page.keyboard.press("Enter")

    page.wait_for_url(live_server.url + "/healthz")
    page.go_back()
    page.wait_for_url(live_server.url + "/")
    assert page.url == live_server.url + "/"


def test_quick_exit_works_without_javascript(
    no_js_page: Page, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    no_js_page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())

    no_js_page.get_by_role("link", name="Leave this site quickly").click()

    no_js_page.wait_for_url(live_server.url + "/healthz")
