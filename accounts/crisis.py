"""The crisis lines a person is shown, in their language (settings.CRISIS_HELP): on every
page (peersupport.context_processors) and in every email (accounts.notify)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def crisis_help(language: str | None = None) -> dict[str, str]:
    """The crisis lines in `language` (the active one when not given): its own lines from
    settings.CRISIS_HELP, else the default ones."""
    code = translation.get_supported_language_variant(language or translation.get_language())
    default = {
        "CRISIS_LINE_TEXT": settings.CRISIS_LINE_TEXT,
        "CRISIS_LINE_URL": settings.CRISIS_LINE_URL,
        "CRISIS_EMERGENCY_TEXT": settings.CRISIS_EMERGENCY_TEXT,
    }
    return settings.CRISIS_HELP.get(code, default)
