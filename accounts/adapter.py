"""Site-specific rules for allauth: a new account is saved once, with its display name,
home place, time zone and consent record already on it."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.forms import Form
from django.http import HttpRequest

from accounts.forms import SignupForm
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        if isinstance(form, SignupForm):
            form.apply_profile(user)
        if commit:
            user.save()
        return user
