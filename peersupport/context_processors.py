from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

from accounts import geocoding
from accounts.crisis import crisis_help


def site_settings() -> dict[str, object]:
    """Site name, crisis resources and the quick exit: settings only, so the error pages
    (peersupport.errors) can show them without the database."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        **crisis_help(),
        "CRISIS_RESOURCES": settings.CRISIS_RESOURCES,
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        # For the footer's switcher: each language named in itself, never translated
        # (Django's get_available_languages would say "Inglés" on a Spanish page).
        "SITE_LANGUAGES": settings.LANGUAGES,
        "QUICK_EXIT_SIGNS_OUT": settings.QUICK_EXIT_SIGNS_OUT,
        # The server map tiles come from, named in the privacy note (empty: no maps).
        "MAP_TILE_HOST": urlsplit(settings.MAP_TILE_URL.replace("{s}.", "")).hostname or "",
        # The server addresses are looked up on (empty: no geocoder), for the privacy note
        # and the "Find this address" button.
        "GEOCODER_HOST": geocoding.server_host(),
    }


def site(request: HttpRequest) -> dict[str, object]:
    """`site_settings`, shown on every page, and whether the person asked for neutral tab
    titles (base.html then shows `{% block neutral_title %}`, which names no circle, topic
    or place, instead of `{% block title %}`), and whether the navigation links the staff's
    outbox page (DEBUG and staff only)."""
    user = getattr(request, "user", None)
    return {
        **site_settings(),
        "NEUTRAL_TITLES": bool(user is not None and user.is_authenticated and user.neutral_titles),
        "SHOW_OUTBOX_LINK": user is not None and user.has_perm("accounts.read_outbox"),
    }
