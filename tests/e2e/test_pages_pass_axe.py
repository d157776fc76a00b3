"""Every main page, signed out and signed in, on a desktop and a phone screen, has no
serious or critical axe-core violation (WCAG 2.2 target size included), and everything on
it, the crisis line included, sits in a landmark. The pages with a map are also checked
with the map shown, since Leaflet adds controls of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from circles.models import Membership
from meetups import services
from tests.e2e.accessibility import DESKTOP, PHONE, axe_violations, blocking, sign_in
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser

# A tile server nobody answers: the map's controls are checked without reaching the network.
TILE_URL = "https://tiles.invalid/{z}/{x}/{y}.png"


@dataclass
class Site:
    person: object
    pages_signed_out: dict[str, str]
    pages_signed_in: dict[str, str]


@pytest.fixture
def site(transactional_db: None, settings) -> Site:
    settings.MAP_TILE_URL = TILE_URL
    grief = TopicFactory(name="Grief", slug="grief")
    robin = UserFactory(email="robin@example.org", display_name="Robin")
    hosted = CircleFactory(name="Evening Grief Circle", slug="evening-grief", topics=[grief])
    MembershipFactory(user=robin, circle=hosted, role=Membership.Role.FACILITATOR)
    ScheduleFactory(circle=hosted)
    joined = CircleFactory(name="New Parents Coffee Morning", slug="new-parents", topics=[grief])
    MembershipFactory(user=robin, circle=joined)
    venue = VenueFactory(name="Rosie's Coffee", address="3003 Government St, Baton Rouge, LA")
    soon = timezone.now() + dt.timedelta(days=2)
    going = MeetupFactory(circle=joined, venue=venue, starts_at=soon)
    later = MeetupFactory(circle=joined, venue=venue, starts_at=soon + dt.timedelta(days=7))
    services.rsvp(user=robin, meetup=going)
    services.rsvp(user=robin, meetup=later)
    hosted_meetup = MeetupFactory(circle=hosted, venue=venue, starts_at=soon)
    sam = UserFactory(display_name="Sam")
    MembershipFactory(user=sam, circle=hosted)
    services.rsvp(user=sam, meetup=hosted_meetup)
    browse = reverse("circles:browse") + "?near=Baton+Rouge&radius=50&unit=km"
    public = {
        "home": reverse("home"),
        "browse": browse,
        "circle": joined.get_absolute_url(),
        "meetup": going.get_absolute_url(),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "privacy": reverse("privacy"),
        "crisis": reverse("crisis"),
        "guide for hosts": reverse("hosting:facilitators_guide"),
    }
    return Site(
        person=robin,
        pages_signed_out=public,
        pages_signed_in={
            **{k: v for k, v in public.items() if k not in {"login", "signup", "password reset"}},
            "my meetups": reverse("me:meetups"),
            "settings": reverse("accounts:settings"),
            "host a circle": reverse("hosting:start"),
            "manage": reverse("hosting:manage", args=[hosted.slug]),
            "meetup as facilitator": hosted_meetup.get_absolute_url(),
            "meetup's host page": reverse("hosting:meetup", args=[hosted.slug, hosted_meetup.pk]),
            "meeting outline": reverse("hosting:outline", args=[hosted.slug]),
        },
    )


def _problems(page: Page, base_url: str, pages: dict[str, str]) -> list[str]:
    found: list[str] = []
    for name, path in pages.items():
        response = page.goto(base_url + path)
        assert response is not None and response.ok, (name, response and response.status)
        violations = axe_violations(page)
        # Besides the serious and critical: all content, the crisis line included, is in
        # a landmark (axe's "region", a moderate rule).
        for violation in blocking(violations) + [v for v in violations if v["id"] == "region"]:
            found.append(f"{name}: {violation}")
        show_map = page.get_by_role("button", name="Show map")
        if show_map.count():
            show_map.first.click()
            expect(page.locator(".leaflet-container").first).to_be_visible()
            for violation in blocking(axe_violations(page)):
                found.append(f"{name} with the map: {violation}")
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_main_pages_have_no_serious_or_critical_axe_violations(
    browser: Browser, live_server, site: Site, viewport: dict, signed_in: bool
) -> None:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    if signed_in:
        sign_in(context, live_server.url, site.person)
    page = context.new_page()
    pages = site.pages_signed_in if signed_in else site.pages_signed_out

    problems = _problems(page, live_server.url, pages)

    context.close()
    assert not problems, "\n".join(problems)
