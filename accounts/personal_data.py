"""accounts' personal data (see accounts.my_data for the contract): the profile, email
addresses, two-step sign-in, the consent record and the log of emails sent.

All of it goes with the user row: email addresses, authenticators and the email log by
cascade. Sessions
hold no relation to the user, only its id in their data: the delete page ends the current
one, and any other (another device) stops working once the user row is gone.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from accounts.models import Notification, User
from accounts.my_data import iso

MODELS = ["accounts.User", "accounts.Notification", "account.EmailAddress", "mfa.Authenticator"]

NOT_EXPORTED = {
    # Django admin's record of what a moderator changed. It describes the moderator's work
    # on other people's rows (its text names them), so it is not the moderator's own data
    # to download; it goes with the moderator's account by cascade.
    "admin.LogEntry": "a moderator's record of changes to other people's data",
}


def export(user: User) -> dict[str, Any]:
    """The profile (without the password hash or the calendar feed token), every email
    address with its verified/primary state, the kinds of two-step sign-in turned on
    (without their secrets or codes), the consent record, and the emails sent or waiting
    to be sent."""
    return {
        "profile": {
            "display_name": user.display_name,
            "email": user.email,
            "home_place": user.home_place,
            "home_lat": user.home_lat,
            "home_lng": user.home_lng,
            "timezone": user.timezone,
            "remind_24h": user.remind_24h,
            "remind_2h": user.remind_2h,
            "weekly_checkin": user.weekly_checkin,
            "facilitator_alerts": user.facilitator_alerts,
            "calendar_shows_circle_name": user.calendar_shows_circle_name,
            "emails_show_circle_name": user.emails_show_circle_name,
            "neutral_titles": user.neutral_titles,
            "calendar_feed_on": bool(user.calendar_token),
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "two_step_sign_in": [
            {
                "type": a.type,
                "created_at": iso(a.created_at),
                "last_used_at": iso(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "consent": {
            "health_data_consent_at": iso(user.health_data_consent_at),
            "privacy_notice_version": user.privacy_notice_version,
            "consent_withdrawn_at": iso(user.consent_withdrawn_at),
        },
        "notifications": [
            {
                "key": n.key,
                "kind": n.kind,
                "status": n.status,
                "subject": n.subject,
                "created_at": iso(n.created_at),
                "sent_at": iso(n.sent_at),
            }
            for n in Notification.objects.filter(user=user).order_by("pk")
        ],
    }


def before_delete(user: User) -> None:
    """Nothing to do first: everything accounts holds about the person goes with the user
    row."""
