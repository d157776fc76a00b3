"""A geocoder on 127.0.0.1 that speaks the JSON of Nominatim's /search and Photon's /api,
as the mail tests run a local SMTP sink: the site's geopy clients talk HTTP to it for
real, nothing is mocked.

What it answers depends on what is asked (`q`): PLACES maps a lower-cased query to a
position; SLOW stalls longer than any test's GEOCODER_TIMEOUT; BROKEN answers 500;
NONSENSE answers with text that is not JSON; anything else finds nothing. Each request's
query and User-Agent are kept in `asked`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.test import override_settings

HIGHLAND = "3350, Highland Road, Baton Rouge, Louisiana, 70802, United States"
# query → (lat, lng, name, country code)
PLACES = {
    "3350 highland rd, baton rouge": (30.4133, -91.1800, HIGHLAND, "us"),
    "10115 berlin": (52.5323, 13.3846, "10115, Mitte, Berlin, Deutschland", "de"),
    "10115": (52.5323, 13.3846, "10115, Mitte, Berlin, Deutschland", "de"),
    "h2x 1y4": (45.5105, -73.5680, "H2X 1Y4, Montréal, Québec, Canada", "ca"),
    "far away nowhere": (95.0, 200.0, "Off the map", "zz"),
    "hostile name": (30.45, -91.18, "<script>alert('geo')</script> Café\x00\x07 Royal", "us"),
}  # fmt: skip
SLOW = "slow street"
BROKEN = "broken street"
NONSENSE = "nonsense street"


class GeocoderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.asked: list[tuple[str, str, str]] = []  # (path, query, user agent)
        self.stall = threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: GeocoderServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = (parse_qs(url.query).get("q") or [""])[0]
        self.server.asked.append((url.path, query, self.headers.get("User-Agent", "")))
        wanted = " ".join(query.lower().split())
        if wanted == SLOW:
            self.server.stall.wait(5)
            time.sleep(0.1)
        if wanted == BROKEN:
            self._send(500, b"Internal Server Error", "text/plain")
            return
        if wanted == NONSENSE:
            self._send(200, b"<html>not json</html>", "application/json")
            return
        found = PLACES.get(wanted)
        if url.path.rstrip("/").endswith("/api"):
            self._send(200, json.dumps(_photon(found)).encode(), "application/json")
        else:
            self._send(200, json.dumps(_nominatim(found)).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


def _nominatim(found: tuple | None) -> list[dict]:
    if found is None:
        return []
    lat, lng, name, country = found
    return [
        {
            "place_id": 1,
            "lat": str(lat),
            "lon": str(lng),
            "display_name": name,
            "address": {"country_code": country},
        }
    ]


def _photon(found: tuple | None) -> dict:
    if found is None:
        return {"type": "FeatureCollection", "features": []}
    lat, lng, name, country = found
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lng, lat]},
                "properties": {"name": name, "countrycode": country.upper()},
            }
        ],
    }


@contextlib.contextmanager
def running_geocoder(
    service: str = "nominatim", *, timeout: float = 1.0
) -> Iterator[GeocoderServer]:
    """The server, with the site's settings pointing at it (GEOCODER_URL under a path, as
    a self-hosted one behind a proxy often is)."""
    server = GeocoderServer()
    try:
        with override_settings(
            GEOCODER=service,
            GEOCODER_URL=f"{server.url}/geo",
            GEOCODER_TIMEOUT=timeout,
            GEOCODER_USER_AGENT="circles-tests",
        ):
            yield server
    finally:
        server.stall.set()
        server.shutdown()
        server.server_close()
