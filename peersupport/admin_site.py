"""The admin site: moderators sign in through allauth and need two-step sign-in.

The admin's own login form has no rate limit and no second factor, so its login page only
sends people on: to allauth's login (rate limited, with the MFA step) when signed out, to
allauth's two-step sign-in page when a staff member has not set it up yet, back to the
admin once both hold.
"""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        """The site's moderators (hosting.moderate): active staff with an active
        authenticator (an app or recovery codes)."""
        return request.user.has_perm("hosting.moderate")

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        next_url = next_url or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url)
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        if not is_mfa_enabled(user):
            messages.info(
                request,
                "The admin needs two-step sign-in. Set up an authenticator app here, then "
                "open the admin again.",
            )
            return redirect("mfa_index")
        return HttpResponseRedirect(next_url)
