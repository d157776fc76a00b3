"""A member who turned on neutral titles searches for circles: the results change in place,
but the tab's title names no place and the search is not added to the browser's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from circles.models import Circle
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_searching_adds_nothing_to_history_with_neutral_titles(
    page: Page, live_server, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    UserFactory(email="robin@example.org", neutral_titles=True)
    page.goto(live_server.url + "/accounts/login/?next=/circles/%3Fnear%3DBaton%2BRouge")
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Caregivers Online Evening")).to_be_visible()
    address = page.url
    entries = page.evaluate("history.length")

    page.get_by_label("How it meets").select_option(label="In person")

    expect(results.get_by_role("link", name="Caregivers Online Evening")).to_have_count(0)
    assert page.url == address
    assert page.evaluate("history.length") == entries
    assert "Baton Rouge" not in page.title()
    assert page.title().startswith("Find a circle")
