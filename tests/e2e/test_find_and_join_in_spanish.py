"""A Spanish speaker, whose browser asks for Spanish, finds a circle that meets in Spanish,
signs up, confirms their email, joins, saves a seat and checks in: every step in Spanish,
the confirmation email too."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from circles.models import CheckIn, Membership
from meetups.models import RSVP
from tests.factories import CircleFactory, MeetupFactory, MembershipFactory, TopicFactory

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


@pytest.fixture
def spanish_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="es-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_spanish_speaker_finds_joins_saves_a_seat_and_checks_in(
    spanish_page: Page, live_server, mailoutbox: list, transactional_db: None
) -> None:
    page = spanish_page
    circle = CircleFactory(
        name="Círculo de Duelo en Español",
        slug="circulo-de-duelo",
        language="es",
        description="Para quienes extrañan a alguien.",
        topics=[TopicFactory(name="Grief", slug="grief")],
    )
    MembershipFactory(circle=circle, role=Membership.Role.FACILITATOR)
    meetup = MeetupFactory(circle=circle)

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Encuentra un círculo de apoyo entre pares"
    )
    page.get_by_label("Cerca de").fill("Baton Rouge")
    page.get_by_label("Cerca de").press("Enter")
    results = page.locator("#results")
    results.get_by_role("link", name="Círculo de Duelo en Español").click()
    expect(page.get_by_role("heading", name="Sobre este círculo")).to_be_visible()
    page.locator(".join").get_by_role("link", name="regístrate").click()

    page.get_by_label("Nombre visible").fill("Lucía")
    page.get_by_label(re.compile(r"^Correo electrónico")).fill("lucia@example.org")
    page.get_by_label(re.compile(r"^Contraseña:?$")).fill("una mañana tranquila junto al río")
    page.get_by_label(re.compile(r"^Contraseña \(de nuevo\)")).fill(
        "una mañana tranquila junto al río"
    )
    page.get_by_label(re.compile("Acepto")).check()
    page.get_by_role("button", name="Crear mi cuenta").click()
    expect(page.get_by_role("heading", name="Revisa tu correo")).to_be_visible()

    [confirmation] = mailoutbox
    assert "Confirma" in confirmation.body, confirmation.body
    page.goto(CONFIRM_LINK.search(confirmation.body).group(0))
    page.get_by_role("button", name="Sí, soy yo").click()

    expect(page).to_have_url(live_server.url + circle.get_absolute_url())
    page.get_by_label("Leí las pautas del círculo y las acepto").check()
    page.get_by_role("button", name="Unirme", exact=True).click()
    expect(page.get_by_role("heading", name="Eres miembro")).to_be_visible()

    page.goto(live_server.url + meetup.get_absolute_url())
    page.get_by_role("button", name="Confirmar asistencia: guárdame un lugar").click()
    expect(page.locator("#rsvp-notice")).to_have_text("¡Vas! Te guardamos un lugar.")

    page.goto(live_server.url + circle.get_absolute_url())
    page.get_by_role("link", name="Hacer el check-in de esta semana").click()
    expect(page.get_by_role("heading", name="¿Cómo te va esta semana?")).to_be_visible()
    page.get_by_label("bien", exact=True).check()
    page.get_by_label("Mi círculo").check()
    page.get_by_role("button", name="Hacer check-in").click()
    expect(page.get_by_text("Gracias por hacer tu check-in.")).to_be_visible()

    lucia = User.objects.get(email="lucia@example.org")
    assert lucia.language == "es"
    assert Membership.objects.get(user=lucia, circle=circle).status == Membership.Status.ACTIVE
    assert RSVP.objects.get(user=lucia, meetup=meetup).status == RSVP.Status.GOING
    assert CheckIn.objects.get(user=lucia).mood == 4
