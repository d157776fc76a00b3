"""A person's own settings page, its calendar feed controls, and the pages to download
one's data and delete the account (see accounts.my_data)."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import my_data, services
from accounts.errors import show_refusal
from accounts.forms import (
    ConsentForm,
    DeleteAccountForm,
    DeletePageActionForm,
    LanguageForm,
    SettingsForm,
)
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.ratelimits import rate_limited


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
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:settings")
    else:
        form = SettingsForm(instance=person)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "calendar_feed_url": _calendar_feed_url(request.user),
            "consent_withdrawn": request.user.consent_withdrawn_at is not None,
            "privacy_notice_version": request.user.privacy_notice_version,
        },
    )


@csrf_exempt
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The footer's language switcher, for everyone: the language cookie for this
    browser, and the person's setting (accounts.User.language) when signed in; then back
    to the page. A form without JavaScript.

    No CSRF token: the footer is on pages cached whole for visitors who are not signed in
    (circles.cache), where a token would be someone else's. A request another site makes
    is refused by the browser's own word for it (Sec-Fetch-Site), and could not reach an
    account anyway: the session cookie is SameSite=Lax, so such a POST arrives signed
    out. The worst it could do is the language of one browser."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return HttpResponseForbidden()
    form = LanguageForm(request.POST, request=request)
    if not form.is_valid():
        return redirect(form.cleaned_data.get("next") or "home")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.choose_language(user=request.user, language=language)
    response = redirect(form.cleaned_data["next"] or "home")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
def consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The privacy note's summary and a button to accept it: where a person is sent when
    the note changed since they last accepted it (PrivacyConsentMiddleware), and where one
    who withdrew consent gives it again."""
    if request.method == "POST":
        form = ConsentForm(request.POST, request=request)
        if form.is_valid():
            services.accept_privacy_note(user=request.user)
            messages.success(request, _("Thank you. Your consent is recorded."))
            return redirect(form.cleaned_data["next"] or "home")
    else:
        form = ConsentForm(request=request, initial={"next": request.GET.get("next", "")})
    return render(
        request,
        "accounts/consent.html",
        {
            "form": form,
            "privacy_notice_version": settings.PRIVACY_NOTICE_VERSION,
            "accepted_version": request.user.privacy_notice_version,
            "withdrawn": request.user.consent_withdrawn_at is not None,
        },
    )


@login_required
@require_POST
def withdraw_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.withdraw_consent(user=request.user)
    messages.success(
        request,
        _(
            "Your consent is withdrawn. Your account stays, and we send you no reminders or "
            "other optional emails."
        ),
    )
    return redirect(reverse("accounts:settings") + "#consent")


@login_required
@require_POST
def regenerate_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.regenerate_calendar_token(user=request.user)
    messages.success(
        request, _("Your calendar has a new address. The old one no longer works; subscribe again.")
    )
    return redirect(reverse("accounts:settings") + "#calendar")


@login_required
@require_POST
def revoke_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.revoke_calendar_token(user=request.user)
    messages.success(request, _("Your calendar feed is turned off. Its address no longer works."))
    return redirect(reverse("accounts:settings") + "#calendar")


@login_required
@reauthentication_required
@never_cache
@rate_limited("export", count_get=True)
def export_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything about the person in one file, after they enter their password again (a
    session left signed in on a shared computer must not hand it out)."""
    data = my_data.collect_my_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The password form, shown once nothing blocks the deletion, beside each provider's
    part of the page (e.g. circles to hand over first), whose buttons it hands on."""
    user = request.user
    parts = my_data.delete_page_parts(request)
    form = DeleteAccountForm(request=request, user=user)
    if request.method == "POST":
        actions = ["delete", *(action for part in parts for action in part.actions)]
        pressed = DeletePageActionForm(request.POST, actions=actions)
        if not pressed.is_valid():
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        action = pressed.cleaned_data["action"]
        if action == "delete":
            form = DeleteAccountForm(request.POST, request=request, user=user)
            if form.is_valid():
                try:
                    my_data.delete_user_account(user=user)
                except my_data.AccountDeletionBlocked as blocked:
                    show_refusal(request, blocked)
                else:
                    logout(request)
                    messages.success(
                        request, _("Your account and everything in it has been deleted.")
                    )
                    return redirect("home")
        else:
            part = next(part for part in parts if action in part.actions)
            response = part.handle(request, action)
            if response is not None:
                return response
    return render(
        request,
        "accounts/delete_account.html",
        {
            "form": form,
            "parts": parts,
            "blocked": any(part.blocks_deletion for part in parts),
        },
    )
