"""allauth's rate limits would make these tests depend on each other (and, on Redis, on
the previous run), so they are off here except where a test turns them on."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_rate_limits(settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = False
