"""A person reads the site in their language: chosen from the browser's Accept-Language,
then kept once they pick one from the footer; emails and calendars in the recipient's
language whoever caused them; dates as the language says them; crisis lines per language.
English readers see what they always saw."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification, User
from circles import wording
from circles.models import Membership
from meetups import services as meetup_services
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SWITCH = "/me/language/"
# Thursday 7 January 2027, 10:00 in Chicago (CST, UTC-6).
THURSDAY_TEN = dt.datetime(2027, 1, 7, 16, 0, tzinfo=dt.UTC)


def test_english_by_default() -> None:
    page = Client().get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Find a peer support circle" in page


def test_the_browser_language_chooses_spanish() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5").get("/")
    page = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es" dir="ltr">' in page
    assert "Encuentra un círculo de apoyo entre pares" in page
    assert "Find a peer support circle" not in page


def test_a_language_nobody_translated_yet_reads_in_english() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get("/").content.decode()
    assert '<html lang="en"' in page


def test_the_footer_switcher_keeps_the_choice_for_a_visitor() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'name="language"' in client.get("/crisis/").content.decode()
    response = client.post(SWITCH, {"language": "es"}, HTTP_REFERER="http://testserver/crisis/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/crisis/?x=1"
    page = client.get("/crisis/").content.decode()
    assert "Si necesitas ayuda ahora mismo" in page


def test_a_signed_in_person_keeps_their_language_on_every_device() -> None:
    person = UserFactory(language="")
    laptop = Client(HTTP_ACCEPT_LANGUAGE="en")
    laptop.force_login(person)
    laptop.post(SWITCH, {"language": "es"})
    person.refresh_from_db()
    assert person.language == "es"
    phone = Client(HTTP_ACCEPT_LANGUAGE="en-US")
    phone.force_login(person)
    assert "Mis encuentros" in phone.get(reverse("me:meetups")).content.decode()


def test_signing_up_keeps_the_language_it_was_done_in() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Lucía",
            "email": "lucia@example.org",
            "password1": "una frase larga que nadie adivina",
            "password2": "una frase larga que nadie adivina",
            "health_data_consent": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="lucia@example.org").language == "es"


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"language": "xx"}, {}),
        ({"language": ["es", "en"], "next": "https://elsewhere.example/"}, {}),
        ({"language": "es", "next": "//elsewhere.example/"}, {}),
        ({"language": "es"}, {"HTTP_REFERER": "https://elsewhere.example/page"}),
    ],
)
def test_the_switcher_goes_nowhere_else(data: dict, headers: dict) -> None:
    response = Client().post(SWITCH, data, **headers)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_another_site_cannot_switch_the_language() -> None:
    person = UserFactory(language="en")
    client = Client()
    client.force_login(person)
    response = client.post(SWITCH, {"language": "es"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.language == "en"
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_switcher_names_each_language_in_itself(language: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/").content.decode()
    assert '<option value="es" lang="es"' in page
    assert ">Español</option>" in page
    assert ">English</option>" in page


def test_cached_pages_are_kept_apart_by_language(settings) -> None:
    settings.BROWSE_CACHE_SECONDS = 300
    CircleFactory(name="Grief Circle Mid City")
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/circles/").content.decode()
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/circles/").content.decode()
    again = Client(HTTP_ACCEPT_LANGUAGE="en").get("/circles/").content.decode()
    assert "Find a circle" in english
    assert "Buscar un círculo" in spanish
    assert "Find a circle" not in spanish
    assert again == english


def test_crisis_help_in_spanish_gives_the_spanish_service_of_the_same_line() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/crisis/").content.decode()
    assert "https://988lineadevida.org/" in page
    assert "marca 2" in page
    assert 'href="tel:988"' in page
    english = Client().get("/crisis/").content.decode()
    assert "https://988lifeline.org/" in english


def test_search_starts_from_any_language_and_offers_each_in_itself() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/circles/").content.decode()
    page = unicodedata.normalize("NFC", page)
    assert '<option value="" selected>Cualquier idioma</option>' in page
    assert '<option value="es">Español</option>' in page
    assert unicodedata.normalize("NFC", '<option value="vi">Tiếng Việt</option>') in page
    assert page.count("<option", page.index('name="language"')) < 40


@time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC), tick=False)
def test_dates_read_as_the_language_says_them() -> None:
    circle = CircleFactory(timezone="America/Chicago")
    meetup = MeetupFactory(circle=circle, starts_at=THURSDAY_TEN)
    member = UserFactory(verified=True)
    MembershipFactory(user=member, circle=circle)
    client = Client()
    client.force_login(member)
    english = client.get(meetup.get_absolute_url()).content.decode()
    assert "Thursday 7 January 2027" in english
    assert ">10:00 am</time>" in english
    member.language = "es"
    member.save()
    spanish = client.get(meetup.get_absolute_url()).content.decode()
    assert "jueves 7 de enero de 2027" in spanish
    assert ">10:00</time>" in spanish
    # The meetups list says the day and time in one phrase.
    with translation.override("es"):
        assert wording.long_when(THURSDAY_TEN, "America/Chicago") == "jueves 7 de enero, 10:00 CST"
    with translation.override("en"):
        english_words = wording.long_when(THURSDAY_TEN, "America/Chicago")
    assert english_words == "Thursday 7 January, 10:00 am CST"


@time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC), tick=False)
def test_each_email_is_written_in_its_recipients_language() -> None:
    circle = CircleFactory(timezone="America/Chicago")
    facilitator = UserFactory(language="en")
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    meetup = MeetupFactory(circle=circle, starts_at=THURSDAY_TEN)
    lucia = UserFactory(language="es", verified=True)
    ann = UserFactory(language="en", verified=True)
    for person in (lucia, ann):
        MembershipFactory(user=person, circle=circle)
        meetup_services.rsvp(user=person, meetup=meetup)
    with translation.override("en"):  # the facilitator's English page calls it off
        meetup_services.cancel_meetup(meetup=meetup, by=facilitator, message="Lo siento")
    to_lucia = Notification.objects.get(user=lucia, kind="cancelled")
    to_ann = Notification.objects.get(user=ann, kind="cancelled")
    assert to_lucia.subject == "Cancelado: jueves 7 de enero, 10:00 CST"
    assert "se canceló" in to_lucia.body
    assert "988lineadevida.org" in to_lucia.body
    assert 'lang="es"' in to_lucia.html or "Hola" in to_lucia.html
    assert to_ann.subject == "Called off: Thursday 7 January, 10:00 am CST"
    assert "has been called off" in to_ann.body


@time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC), tick=False)
def test_calendars_speak_their_readers_language() -> None:
    circle = CircleFactory(timezone="America/Chicago")
    meetup = MeetupFactory(circle=circle, starts_at=THURSDAY_TEN)
    lucia = UserFactory(language="es", verified=True, calendar_feed=True)
    MembershipFactory(user=lucia, circle=circle)
    meetup_services.rsvp(user=lucia, meetup=meetup)
    # A calendar app fetches the feed with no session and its own Accept-Language.
    feed = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("me:calendar", args=[lucia.calendar_token])
    )
    text = feed.content.decode().replace("\r\n ", "")
    assert f"SUMMARY:Círculo en {meetup.venue.name}" in text
    assert "Detalles: " in text
    one = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("meetups:ics", args=[meetup.pk]))
    assert "SUMMARY:Círculo en" in one.content.decode().replace("\r\n ", "")


def test_the_scripts_words_come_in_the_pages_language() -> None:
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("javascript_catalog"))
    assert "Mostrar mapa" in spanish.content.decode()
    assert "Usar mi ubicaci" in spanish.content.decode()
    english = Client().get(reverse("javascript_catalog")).content.decode()
    assert "Mostrar mapa" not in english
    page = Client().get("/circles/").content.decode()
    assert page.index('src="/jsi18n/"') < page.index("js/browse.js")


def test_the_starting_topics_read_in_spanish_and_others_as_written() -> None:
    grief = TopicFactory(name="Grief and loss", slug="grief")
    TopicFactory(name="Knitting together", slug="knitting")
    CircleFactory(name="Grief Circle Mid City", topics=[grief])
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/circles/").content.decode()
    assert "<li>Duelo y pérdida</li>" in page  # on the circle's card
    assert page.count("Duelo y pérdida") == 2  # and among the topics to search by
    assert "Grief and loss" not in page
    assert "Knitting together" in page
