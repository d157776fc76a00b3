"""Moderators' view of meetups and RSVPs. Changes that have rules go through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.errors import RuleError
from meetups import services
from meetups.models import RSVP, Meetup


class RSVPInline(admin.TabularInline):
    model = RSVP
    extra = 0
    fields = ("user", "status", "regular", "offer_expires_at", "requested_at", "attended")
    readonly_fields = fields
    can_delete = False
    ordering = ("status", "requested_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Meetup | None = None) -> bool:
        return False


@admin.register(Meetup)
class MeetupAdmin(admin.ModelAdmin):
    list_display = ("circle", "starts_at", "venue", "capacity", "going_count", "status")
    list_filter = ("status",)
    search_fields = ("circle__name", "venue__name")
    date_hierarchy = "starts_at"
    raw_id_fields = ("circle", "schedule", "venue")
    readonly_fields = (
        "going_count",
        "seats_offered",
        "status",
        "sequence",
        "capacity",
        "created_at",
        "updated_at",
    )
    inlines = [RSVPInline]
    actions = ["cancel_meetups"]

    @admin.action(description="Cancel the selected meetups and email everyone going")
    def cancel_meetups(self, request: HttpRequest, queryset: QuerySet[Meetup]) -> None:
        cancelled = 0
        for meetup in queryset:
            try:
                services.cancel_meetup(meetup=meetup, by=request.user)
            except RuleError as exc:
                messages.error(request, f"{meetup}: {exc.message}")
            else:
                cancelled += 1
        messages.success(request, f"Cancelled {cancelled} meetup(s).")


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ("meetup", "user", "status", "requested_at", "attended")
    list_filter = ("status",)
    raw_id_fields = ("meetup", "user")
    readonly_fields = (
        "meetup",
        "user",
        "status",
        "regular",
        "offer_expires_at",
        "requested_at",
        "attended",
        "created_at",
    )
