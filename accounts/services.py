"""Changes to a person's own account that have a rule, one transaction each."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User, new_calendar_token


@transaction.atomic
def regenerate_calendar_token(*, user: User) -> str:
    """Give the person a new private calendar feed address. The old address stops working
    at once, so a leaked link can be shut off. Returns the new token."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


@transaction.atomic
def revoke_calendar_token(*, user: User) -> None:
    """Turn the private calendar feed off: no address works until a new one is made."""
    user.calendar_token = None
    user.save(update_fields=["calendar_token"])
