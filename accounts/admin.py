"""Moderators find people by display name or email; passwords and consent stay read-only."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import Notification, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name")}),
        ("Place", {"fields": ("home_place", "home_lat", "home_lng", "timezone")}),
        (
            "Emails, calendar and browser",
            {
                "fields": (
                    "remind_24h",
                    "remind_2h",
                    "weekly_checkin",
                    "calendar_shows_circle_name",
                    "emails_show_circle_name",
                    "neutral_titles",
                )
            },
        ),
        (
            "Consent",
            {
                "fields": (
                    "health_data_consent_at",
                    "privacy_notice_version",
                    "consent_withdrawn_at",
                )
            },
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = (
        "health_data_consent_at",
        "privacy_notice_version",
        "consent_withdrawn_at",
        "last_login",
    )
    list_display = ("display_name", "email", "is_active", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("display_name", "email")
    ordering = ("email",)
    filter_horizontal = ("groups",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "status", "user", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("key",)
    readonly_fields = (
        "key",
        "user",
        "kind",
        "status",
        "recipient",
        "subject",
        "expires_at",
        "claimed_until",
        "attempts",
        "last_error",
        "created_at",
        "updated_at",
        "sent_at",
    )
    # The message itself (it may name a circle) stays out of the admin.
    exclude = ("body", "html", "headers")

    def has_add_permission(self, request: object) -> bool:
        return False
