"""Turning an address into a position, through a geocoder the deployment chooses (geopy's
Nominatim or Photon clients), for what the offline data cannot do: a venue's street
address, and a postal code or town the offline lists do not hold (accounts.places).

Off by default (`GEOCODER = ""`): nothing leaves the server, a venue's position comes from
the map or is typed, and a place the offline data does not know gets a clear message.
On, every lookup goes to `GEOCODER_URL` (a public server, or one the deployment runs
itself: both Nominatim and Photon are self-hostable), with `GEOCODER_USER_AGENT` and at
most `GEOCODER_TIMEOUT` seconds; the privacy note names the server. Answers, found or
not, are kept in the site's cache for `GEOCODER_CACHE_SECONDS`, so the same text is asked
once (the public Nominatim allows one request a second and asks for caching), and the
whole site asks at most `GEOCODER_PER_MINUTE` times a minute.

Whatever the server does (no answer in time, an error, nonsense, nothing found) a lookup
raises `GeocodingError` with a message for the person, never anything else.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from geopy.exc import GeocoderTimedOut, GeopyError
from geopy.geocoders import Nominatim, Photon

from accounts.errors import RuleError

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 250
MAX_NAME_LENGTH = 250
# Each service's public server, used when GEOCODER_URL is empty.
PUBLIC_SERVERS = {
    "nominatim": "https://nominatim.openstreetmap.org",
    "photon": "https://photon.komoot.io",
}
CLIENTS = {"nominatim": Nominatim, "photon": Photon}
_NOT_FOUND = "not-found"
NOT_FOUND_MESSAGE = _(
    "No place was found for that address. Check it, or click the place on the map."
)


class GeocodingError(RuleError):
    """The address could not be turned into a position; `message` says why."""


@dataclass(frozen=True, slots=True)
class Found:
    """What the geocoder made of an address: its own name for it and its position."""

    name: str
    lat: float
    lng: float
    # ISO 3166 code, upper case; "" when the service did not say.
    country: str = ""


def is_on() -> bool:
    return settings.GEOCODER in CLIENTS


def server_url() -> str:
    return settings.GEOCODER_URL or PUBLIC_SERVERS.get(settings.GEOCODER, "")


def server_host() -> str:
    """The host addresses are sent to, named in the privacy note; "" when off."""
    return (urlsplit(server_url()).hostname or "") if is_on() else ""


def _client() -> Nominatim | Photon:
    url = urlsplit(server_url())
    return CLIENTS[settings.GEOCODER](
        domain=url.netloc + url.path.rstrip("/"),
        scheme=url.scheme or "https",
        user_agent=settings.GEOCODER_USER_AGENT,
        timeout=settings.GEOCODER_TIMEOUT,
    )


def clean_query(text: object) -> str:
    """The text to look up, or GeocodingError for what no address looks like: empty, too
    long, or holding control characters (null bytes included)."""
    if not isinstance(text, str) or not text.strip():
        raise GeocodingError(_("Type the address first."))
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        raise GeocodingError(
            _("That address is too long to look up: keep it under 250 characters.")
        )
    if any(unicodedata.category(char).startswith("C") for char in text):
        raise GeocodingError(_("That address holds characters an address can't have."))
    return text


def _cache_key(text: str) -> str:
    digest = hashlib.sha256(f"{settings.GEOCODER}|{server_url()}|{text.casefold()}".encode())
    return f"geocode:{digest.hexdigest()}"


def _country(raw: object) -> str:
    if not isinstance(raw, dict):
        return ""
    code = (raw.get("address") or {}).get("country_code") or (raw.get("properties") or {}).get(
        "countrycode"
    )
    return code.upper()[:2] if isinstance(code, str) else ""


def _found(location: object) -> Found | None:
    """A geopy Location as a Found, or None for one whose position makes no sense."""
    try:
        lat, lng = float(location.latitude), float(location.longitude)  # type: ignore[attr-defined]
    except (AttributeError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    name = " ".join(str(getattr(location, "address", "") or "").split())
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    return Found(
        name=name[:MAX_NAME_LENGTH],
        lat=round(lat, 6),
        lng=round(lng, 6),
        country=_country(getattr(location, "raw", None)),
    )


def find_address(text: object) -> Found:
    """The position of an address (the first answer the geocoder gives), from the cache
    when the same text was asked before. GeocodingError when the geocoder is off, does
    not answer in time, fails, or finds nothing."""
    if not is_on():
        raise GeocodingError(
            _(
                "Looking up addresses is not available here: click the place on the map, "
                "or type its position."
            )
        )
    query = clean_query(text)
    key = _cache_key(query)
    cached = cache.get(key)
    if cached == _NOT_FOUND:
        raise GeocodingError(NOT_FOUND_MESSAGE)
    if isinstance(cached, Found):
        return cached
    if not _within_site_limit():
        raise GeocodingError(
            _(
                "Many addresses are being looked up right now. Try again in a minute, or "
                "click the place on the map."
            )
        )
    try:
        location = _client().geocode(query, exactly_one=True, **_extra())
    except GeocoderTimedOut:
        log.warning("geocoding: %s did not answer in time", server_host())
        raise GeocodingError(
            _(
                "The address service did not answer in time. Try again, or click the place "
                "on the map."
            )
        ) from None
    except (GeopyError, ValueError, TypeError, KeyError) as exc:
        log.warning("geocoding: %s failed: %s: %s", server_host(), type(exc).__name__, exc)
        raise GeocodingError(
            _(
                "The address service is not working right now. Try again later, or click "
                "the place on the map."
            )
        ) from None
    found = _found(location) if location is not None else None
    if found is None:
        cache.set(key, _NOT_FOUND, timeout=settings.GEOCODER_CACHE_SECONDS)
        raise GeocodingError(NOT_FOUND_MESSAGE)
    cache.set(key, found, timeout=settings.GEOCODER_CACHE_SECONDS)
    return found


def _within_site_limit() -> bool:
    """Count one request to the geocoder against `GEOCODER_PER_MINUTE` for the whole site
    (every process, through the shared cache): searches for places nobody has typed before
    must not flood a public server, whose policy is about one request a second. Cached
    answers do not count. Without a shared cache each process counts its own."""
    limit = settings.GEOCODER_PER_MINUTE
    if limit <= 0:
        return True
    key = f"geocode:minute:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        return True


def _extra() -> dict[str, object]:
    """Nominatim says which country an address is in when asked (addressdetails)."""
    return {"addressdetails": True} if settings.GEOCODER == "nominatim" else {}
