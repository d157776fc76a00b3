"""The one error a broken rule raises, and the one place it becomes what a person sees.

Every app's services raise a subclass of `RuleError` (CircleError, MeetupError,
HostingError, …) with a `message` written for the person who asked. Because they share
this base, a service that calls another room's service lets its error pass unchanged,
and a view catches `RuleError` whichever room said no. A view shows the refusal with
`refused(request, error, to=…)` (the message at the top of the page it sends them to),
`show_refusal(request, error)` (the same, on the page it renders itself) or
`refused_in(form, error)` (the message above the form it renders again).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


class RuleError(Exception):
    """A rule said no; `message` is written for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def show_refusal(request: HttpRequest, error: RuleError) -> None:
    """The refusal at the top of the next page the person sees."""
    messages.error(request, error.message)


def refused(request: HttpRequest, error: RuleError, *, to: Any) -> HttpResponseRedirect:
    """Send the person to `to` (anything `redirect` takes) with the refusal on top."""
    show_refusal(request, error)
    return redirect(to)


def refused_in(form: forms.BaseForm, error: RuleError) -> None:
    """Put the refusal above the form, which the view then shows again."""
    form.add_error(None, error.message)
