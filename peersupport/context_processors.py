from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Site name and crisis resources, shown on every page."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CRISIS_LINE_TEXT": settings.CRISIS_LINE_TEXT,
        "CRISIS_LINE_URL": settings.CRISIS_LINE_URL,
        "CRISIS_LINE_PHONE": settings.CRISIS_LINE_PHONE,
        "CRISIS_EMERGENCY_TEXT": settings.CRISIS_EMERGENCY_TEXT,
    }
