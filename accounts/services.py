"""Changes to a person's own account that have a rule, one transaction each."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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


@transaction.atomic
def accept_privacy_note(*, user: User) -> None:
    """Record that the person accepted the current privacy note
    (settings.PRIVACY_NOTICE_VERSION), now; consent withdrawn earlier is given again."""
    user.health_data_consent_at = timezone.now()
    user.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
    user.consent_withdrawn_at = None
    user.save(
        update_fields=["health_data_consent_at", "privacy_notice_version", "consent_withdrawn_at"]
    )


@transaction.atomic
def withdraw_consent(*, user: User) -> None:
    """Withdraw consent without closing the account: from now on no optional email goes to
    the person (User.wants_optional_email), whatever their reminder settings say. The
    record of what they accepted, and when, stays."""
    if user.consent_withdrawn_at is None:
        user.consent_withdrawn_at = timezone.now()
        user.save(update_fields=["consent_withdrawn_at"])


def choose_language(*, user: User, language: str) -> None:
    """Keep the language a person picked: pages and emails speak it from now on, on every
    device they sign in from."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
