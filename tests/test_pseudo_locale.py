"""Words typed outside the translation API: the main pages rendered in a pseudo-language
whose catalog, made here, marks every translated string ⟦like this⟧ (ours, Django's and
allauth's). Whatever still reads as words once the marked parts and the people's own
words are taken out was written in English past the catalogs, and no translation could
reach it.

People's own words (circle names, descriptions, venues, display names, topics) are seeded
with Ω so they can be told apart; the site's settings (its name, the crisis lines) are
the deployment's words, set here to Ω words too. Languages named in themselves (the
switcher, a circle's language) are meant to stay as they are.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from accounts.notify import build_message
from circles.forms import circle_languages
from circles.models import Circle, Membership
from meetups import services as meetup_services
from tests.catalogs import LOCALE
from tests.factories import (
    CircleFactory,
    MeetupFactory,
    MembershipFactory,
    ScheduleFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

PSEUDO = "qps"
CATALOGS = [
    LOCALE / "es" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "conf" / "locale" / "es" / "LC_MESSAGES" / "django.po",
    *Path(django.__file__).parent.glob("contrib/*/locale/es/LC_MESSAGES/django.po"),
    Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po",
]
MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")


def _pseudo(text: str) -> str:
    return f"⟦{text}⟧"


def _write_pseudo_catalog(root: Path) -> None:
    """One catalog with every msgid of ours, Django's and allauth's, each marked."""
    pseudo = Catalog(locale="en", domain="django")
    for po in CATALOGS:
        with po.open("rb") as source:
            for message in read_po(source):
                if not message.id:
                    continue
                if isinstance(message.id, tuple):
                    string = tuple(_pseudo(form) for form in message.id)
                else:
                    string = _pseudo(message.id)
                pseudo.add(message.id, string, context=message.context)
    folder = root / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "django.mo").open("wb") as out:
        write_mo(out, pseudo)


class _ShownText(HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, and the
    attributes read out or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._in_zone = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        # Time zones are named by their IANA names ("America/Port of Spain"), not in words.
        zone = tag == "option" and "/" in (attributes.get("value") or "")
        if tag in ("script", "style", "template") or zone:
            self._hidden += 1
            self._in_zone = zone
        self.parts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") or (tag == "option" and self._in_zone):
            self._hidden -= 1
            self._in_zone = False

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def unmarked_words(html: str) -> list[str]:
    parser = _ShownText()
    parser.feed(html)
    text = " ".join(parser.parts)
    while MARKED.search(text):
        text = MARKED.sub(" ", text)
    for name in [name for _, name in settings.LANGUAGES] + [n for _, n in circle_languages()]:
        text = text.replace(name, " ")
    words = []
    for token in text.split():
        if "Ω" in token or "/" in token or "@" in token:
            continue  # people's words, time zone names, addresses
        word = token.strip(".,:;·()“”\"'!?–—-…✓")
        # Time zone abbreviations (CST, UTC) and units come from the clock, not the site.
        if re.fullmatch(r"[A-Z]{2,5}|km|mi|⟦|⟧", word) or not re.search(r"[^\W\d_]{2,}", word):
            continue
        words.append(word)
    return words


@pytest.fixture
def pseudo(settings, tmp_path: Path) -> None:
    _write_pseudo_catalog(tmp_path)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "⟦Pseudo⟧")]
    settings.SITE_NAME = "ΩSite"
    settings.CRISIS_HELP = {
        PSEUDO: {
            "CRISIS_LINE_TEXT": "ΩCrisis ΩLine",
            "CRISIS_LINE_URL": "https://crisis.example.org/",
            "CRISIS_EMERGENCY_TEXT": "ΩEmergency",
        }
    }


def _client(user: object | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=PSEUDO)
    if user is not None:
        client.force_login(user)
    return client


def _world() -> dict[str, object]:
    facilitator = UserFactory(display_name="ΩFern", verified=True)
    member = UserFactory(display_name="ΩMilo", verified=True, calendar_feed=True)
    seeker = UserFactory(display_name="ΩSam", verified=True)
    circle = CircleFactory(
        name="ΩGrief ΩCircle",
        description="ΩWords ΩOf ΩThe ΩFacilitators",
        guidelines="ΩOur ΩGuidelines",
        area_name="ΩBaton ΩRouge",
        join_question="ΩWhat ΩBrings ΩYou?",
        topics=[TopicFactory(name="ΩGrief", slug="grief")],
    )
    venue = VenueFactory(name="ΩCorner ΩCoffee", address="Ω100 ΩMain")
    ScheduleFactory(circle=circle, venue=venue)
    MembershipFactory(user=facilitator, circle=circle, role=Membership.Role.FACILITATOR)
    MembershipFactory(user=member, circle=circle)
    meetup = MeetupFactory(circle=circle, venue=venue)
    meetup_services.rsvp(user=member, meetup=meetup)
    CircleFactory(
        name="ΩApproval ΩCircle",
        join_policy=Circle.JoinPolicy.APPROVAL,
        description="Ω",
        guidelines="Ω",
        area_name="ΩBaton ΩRouge",
    )
    return {
        "facilitator": facilitator,
        "member": member,
        "seeker": seeker,
        "circle": circle,
        "meetup": meetup,
    }


def _pages(w: dict) -> list[tuple[str, object | None, str]]:
    circle, meetup = w["circle"], w["meetup"]
    return [
        ("home", None, reverse("home")),
        ("browse", None, reverse("circles:browse") + "?near=Baton+Rouge"),
        ("browse, nothing found", None, reverse("circles:browse") + "?q=Ωnothing"),
        ("circle, signed out", None, circle.get_absolute_url()),
        ("circle, seeker", w["seeker"], circle.get_absolute_url()),
        ("circle, member", w["member"], circle.get_absolute_url()),
        ("circle, facilitator", w["facilitator"], circle.get_absolute_url()),
        ("meetup, member", w["member"], meetup.get_absolute_url()),
        ("meetup, seeker", w["seeker"], meetup.get_absolute_url()),
        ("meetup, facilitator", w["facilitator"], meetup.get_absolute_url()),
        ("my meetups", w["member"], reverse("me:meetups")),
        ("check in", w["member"], reverse("circles:checkin", args=[circle.slug])),
        ("my check-ins", w["member"], reverse("my_checkins")),
        ("settings", w["member"], reverse("accounts:settings")),
        ("manage", w["facilitator"], reverse("hosting:manage", args=[circle.slug])),
        ("host a circle", w["seeker"], reverse("hosting:start")),
        (
            "a meetup's host page",
            w["facilitator"],
            reverse("hosting:meetup", args=[circle.slug, meetup.pk]),
        ),
        ("meeting outline", w["facilitator"], reverse("hosting:outline", args=[circle.slug])),
        ("guide for hosts", None, reverse("hosting:facilitators_guide")),
        ("log in", None, reverse("account_login")),
        ("sign up", None, reverse("account_signup")),
        ("crisis", None, reverse("crisis")),
        ("privacy", None, reverse("privacy")),
    ]


def test_the_main_pages_show_no_word_outside_the_catalogs(pseudo: None) -> None:
    world = _world()
    found = {}
    for name, user, url in _pages(world):
        response = _client(user).get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert response["Content-Language"] == PSEUDO, name
        words = unmarked_words(response.content.decode())
        if words:
            found[name] = sorted(set(words))
    assert not found, f"Words outside the translation API, by page: {found}"


def test_the_check_finds_a_word_typed_outside_the_api() -> None:
    assert unmarked_words("<p>⟦Find a circle⟧ near ΩPlace</p>") == ["near"]
    assert unmarked_words('<button aria-label="Close">⟦Send⟧</button>') == ["Close"]
    assert unmarked_words("<p>⟦On the ⟦first⟧ Tuesday⟧ · 6:30 CST</p>") == []


def test_pseudo_catalog_marks_our_strings(pseudo: None) -> None:
    response = _client().get(reverse("crisis"))
    assert "⟦Crisis resources⟧" in response.content.decode()


EMAILS = sorted(
    path.name.removesuffix("-subject.txt")
    for path in (settings.BASE_DIR / "templates" / "emails").glob("*-subject.txt")
    if not path.name.startswith("_")
)
VARIABLE = re.compile(r"{{\s*(\w+)|{%\s*(?:if|elif)\s+(?:not\s+)?(\w+)")


def _variables(template: str) -> set[str]:
    """The names a template and the templates it includes read."""
    source = get_template(template).template.source
    names = {name for match in VARIABLE.finditer(source) for name in match.groups() if name}
    for included in re.findall(r'{%\s*include\s+"([^"]+)"', source):
        names |= _variables(included)
    return names


@pytest.mark.parametrize("template", EMAILS)
def test_every_email_shows_no_word_outside_the_catalogs(pseudo: None, template: str) -> None:
    """Each email with every part it can show turned on (each variable a word of its own)."""
    person = UserFactory(display_name="ΩRobin", language=PSEUDO)
    names = set()
    for part in ("subject.txt", "body.txt", "body.html"):
        names |= _variables(f"emails/{template}-{part}")
    # Numbers: what `{% blocktranslate count … %}` counts.
    numbers = {"count", "requests", "reports"}
    context = {name: f"Ω{name}" for name in names - numbers}
    context |= dict.fromkeys(numbers, 2)
    context |= {
        "moods": [{"word": "Ωword", "url": "https://example.org/Ω"}],
        "going": True,
        "meetup": MeetupFactory(),
    }
    message = build_message(user=person, template=template, context=context)
    html = message.alternatives[0][0]
    found = {
        part: unmarked_words(text)
        for part, text in (("subject", message.subject), ("text", message.body), ("html", html))
    }
    assert not any(found.values()), found
