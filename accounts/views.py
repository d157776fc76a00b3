"""A person's own settings page, and its calendar feed controls."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import SettingsForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User


def _calendar_feed_url(user: User) -> str:
    if not user.calendar_token:
        return ""
    return settings.SITE_URL + reverse("me:calendar", args=[user.calendar_token])


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    # A separate instance, so a form with errors never changes the name in the header.
    person = User.objects.get(pk=request.user.pk)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=person)
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:settings")
    else:
        form = SettingsForm(instance=person)
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "calendar_feed_url": _calendar_feed_url(request.user)},
    )


@login_required
@require_POST
def regenerate_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.regenerate_calendar_token(user=request.user)
    messages.success(
        request, "Your calendar has a new address. The old one no longer works; subscribe again."
    )
    return redirect(reverse("accounts:settings") + "#calendar")


@login_required
@require_POST
def revoke_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.revoke_calendar_token(user=request.user)
    messages.success(request, "Your calendar feed is turned off. Its address no longer works.")
    return redirect(reverse("accounts:settings") + "#calendar")
