"""Real Chromium (Debian's, never a downloaded build) driven by Playwright against
pytest-django's `live_server`, which runs the site in a thread of the test process: emails
land in `mailoutbox` and the test's factories write to the same test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, connections
from playwright.sync_api import Browser, Page, sync_playwright

from circles.models import Circle
from tests.factories import CircleFactory, MeetupFactory, TopicFactory, VenueFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings) -> None:
    """The same address signs up in every run; with Redis the limits outlive a run."""
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _requests_close_their_connections(transactional_db: None) -> Iterator[None]:
    """The live server's request threads close their database connection after each
    request, so none is left open (a browser keeps its sockets alive) when the test
    database is dropped. The settings dict is shared by every thread's connection."""
    settings_dict = connection.settings_dict
    previous = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 0
    yield
    settings_dict["CONN_MAX_AGE"] = previous


@pytest.fixture
def browser(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # test makes between page actions are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        # While Playwright runs, the ORM sees its own connection (Django's connections follow
        # the greenlet's context): close it here, inside, before the test database is dropped.
        connections.close_all()
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def circles_in_baton_rouge(transactional_db: None) -> dict[str, Circle]:
    """Two circles meeting in Baton Rouge, one online, one in Lafayette (80 km away)."""
    grief, parents = (
        TopicFactory(name="Grief", slug="grief"),
        TopicFactory(name="New parenthood", slug="new-parenthood"),
    )
    found = {
        "grief": CircleFactory(name="Grief Circle Mid City", slug="grief-mid-city", topics=[grief]),
        "parents": CircleFactory(
            name="New Parents Coffee Morning", slug="new-parents-coffee", topics=[parents]
        ),
        "online": CircleFactory(
            name="Caregivers Online Evening",
            slug="caregivers-online",
            format=Circle.Format.ONLINE,
            online_url="https://meet.example.org/caregivers",
            area_name="",
            lat=None,
            lng=None,
        ),
        "lafayette": CircleFactory(
            name="Recovery Circle Lafayette",
            slug="recovery-lafayette",
            area_name="Lafayette, LA",
            lat=30.2241,
            lng=-92.0198,
        ),
    }
    for circle in found.values():
        venue = None if circle.is_online else VenueFactory(lat=circle.lat, lng=circle.lng)
        MeetupFactory(circle=circle, venue=venue)
    return found
