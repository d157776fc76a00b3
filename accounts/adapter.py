"""Site-specific rules for allauth: a new account is saved once, with its display name,
home place, time zone, language and consent record already on it; allauth's own emails
(confirming an address, resetting a password) are written in the recipient's language."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.forms import Form
from django.http import HttpRequest
from django.utils import translation

from accounts.forms import SignupForm
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        if isinstance(form, SignupForm):
            form.apply_profile(user)
        # The language the person signed up in is the one their emails are written in
        # until they choose another from the footer.
        user.language = translation.get_language()
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """In the language of the account the address belongs to; for an address with no
        account (a password reset asked for a stranger's address), the page's language."""
        person = context.get("user")
        if not isinstance(person, User):
            person = User.objects.filter(email__iexact=email).first()
        language = person.email_language if person is not None else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
