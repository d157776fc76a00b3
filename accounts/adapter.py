"""Site-specific rules for allauth: a new account is saved once, with its display name,
home place, time zone and consent record already on it; and allauth's emails go through
the outbox like every other message.

**allauth's emails** (the address confirmation, the password reset link and its "no
account with this address" answer, the notices of a changed email address or password,
the two-step sign-in notices that allauth.mfa sends through this adapter) are rendered as
allauth renders them, then written as a row of the outbox (`accounts.notify.
queue_account_email`) at the moment allauth would have sent them: in the request's
transaction when there is one (allauth's views mostly run without one, so the row commits
right after the change it follows). A worker sends it after commit. Sign-up and password
reset therefore answer at once whatever the mail server does, and the email follows when
the server takes it. If the process dies between saving an account and writing its
confirmation, the next sign-in of that unverified account sends the confirmation again
(allauth does so with mandatory verification).

Each row expires when what it carries stops being useful: a reset link with the link
(`PASSWORD_RESET_TIMEOUT`), a confirmation with its key (allauth's
`EMAIL_CONFIRMATION_EXPIRE_DAYS`), a sign-in code with the code; notices after three
days, as every other notice. These are transactional emails about the person's own
account: they carry no unsubscribe link and no `List-Unsubscribe` header, and go out
whatever the person's email preferences or consent say (RFC 8058's one-click
unsubscribe is for mail people can choose not to get).
"""

from __future__ import annotations

import datetime as dt

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.forms import Form
from django.http import HttpRequest
from django.utils import timezone

from accounts.forms import SignupForm
from accounts.models import User
from accounts.notify import queue_account_email

NOTICE_LIFETIME = dt.timedelta(days=3)


def account_email_lifetime(template_prefix: str) -> dt.timedelta:
    """How long an allauth email is worth sending after it was queued."""
    name = template_prefix.rsplit("/", 1)[-1]
    if name in {"password_reset_key", "unknown_account"}:
        return dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    if name in {"email_confirmation", "email_confirmation_signup"}:
        return dt.timedelta(days=allauth_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS)
    if name == "login_code":
        return dt.timedelta(seconds=allauth_settings.LOGIN_BY_CODE_TIMEOUT)
    if name == "password_reset_code":
        return dt.timedelta(seconds=allauth_settings.PASSWORD_RESET_BY_CODE_TIMEOUT)
    return NOTICE_LIFETIME


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        if isinstance(form, SignupForm):
            form.apply_profile(user)
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render as allauth does, then queue in the outbox instead of sending here."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        queue_account_email(
            message,
            template=template_prefix,
            expires_at=timezone.now() + account_email_lifetime(template_prefix),
        )
