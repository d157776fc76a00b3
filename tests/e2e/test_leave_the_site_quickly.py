"""Someone looking at a circle presses "Leave this site quickly" (or Escape three times):
the tab shows a neutral site, and Back never lands on a page of the site again in that
tab. The button sits in a strip along the top that covers nothing, at a desktop's and a
phone's width. A setting signs the person out on the way. Screenshots go to
tests/e2e/artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from circles.models import Circle
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"


def _neutral(settings, live_server) -> str:
    # A neutral page of the test server stands in for the outside site (no network here).
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    return settings.QUICK_EXIT_URL


def test_quick_exit_replaces_the_page_and_back_never_returns_to_the_site(
    page: Page, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    neutral = _neutral(settings, live_server)
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/circles/?near=Baton+Rouge")
    page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())

    # Keyboard first: it is a real link, reached with Tab after "Skip to content".
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Leave this site quickly")
    page.keyboard.press("Enter")
    page.wait_for_url(neutral)

    # Back reaches the search the person made before: it leaves again at once.
    page.go_back()
    page.wait_for_url(neutral)
    assert page.url == neutral
    page.go_back()
    page.wait_for_url(neutral)
    assert page.url == neutral

    # Opening the site afresh in the tab shows it again.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Leave this site quickly")).to_be_visible()


def test_escape_three_times_leaves_too(
    page: Page, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    neutral = _neutral(settings, live_server)
    page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert page.url != neutral  # two are not enough: Escape also closes things
    page.keyboard.press("Escape")
    page.wait_for_url(neutral)


def test_quick_exit_can_sign_out_as_well(
    browser: Browser, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    neutral = _neutral(settings, live_server)
    settings.QUICK_EXIT_SIGNS_OUT = True
    context = browser.new_context()
    context.set_default_timeout(10_000)
    sign_in(context, live_server.url, UserFactory(display_name="Robin"))
    page = context.new_page()
    page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(neutral)
    page.wait_for_timeout(500)  # the sign-out request was sent with keepalive

    page.goto(live_server.url + "/me/meetups/")
    assert "/accounts/login/" in page.url
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_button_covers_no_content(
    browser: Browser,
    live_server,
    circles_in_baton_rouge: dict[str, Circle],
    viewport: dict,
    request: pytest.FixtureRequest,
) -> None:
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    for path in ("/", "/crisis/", circles_in_baton_rouge["grief"].get_absolute_url()):
        page.goto(live_server.url + path)
        button = page.get_by_role("link", name="Leave this site quickly").bounding_box()
        assert button is not None
        # Nothing of the page (banner, navigation, main, footer) starts above its bottom.
        covered = page.evaluate(
            """(bottom) => [...document.querySelectorAll(
                    '.crisis-bar, .site-header, main, footer')]
                .filter((el) => el.getBoundingClientRect().top < bottom - 0.5)
                .map((el) => el.className || el.tagName)""",
            button["y"] + button["height"],
        )
        assert covered == [], path
        assert blocking(axe_violations(page)) == []
        page.screenshot(path=shots / f"{path.strip('/').replace('/', '-') or 'home'}.png")
    context.close()


def test_quick_exit_works_without_javascript(
    no_js_page: Page, live_server, settings, circles_in_baton_rouge: dict[str, Circle]
) -> None:
    neutral = _neutral(settings, live_server)
    no_js_page.goto(live_server.url + circles_in_baton_rouge["grief"].get_absolute_url())

    no_js_page.get_by_role("link", name="Leave this site quickly").click()

    no_js_page.wait_for_url(neutral)
