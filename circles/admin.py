"""Moderators' view of circles. Closing a circle goes through circles.services.

Check-ins are not registered: they are members' own words, not for moderators to read.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from circles import services
from circles.models import Circle, Membership, MembershipQuerySet, Schedule, Topic, Venue


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "step_free")
    search_fields = ("name", "address")
    raw_id_fields = ("created_by",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "status", "guidelines_version", "guidelines_accepted_at")
    readonly_fields = ("guidelines_version", "guidelines_accepted_at")
    raw_id_fields = ("user",)


class ScheduleInline(admin.TabularInline):
    model = Schedule
    extra = 0
    fields = ("frequency", "weekday", "week_of_month", "start_time", "duration_minutes", "venue")
    raw_id_fields = ("venue",)


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ("name", "format", "area_name", "visibility", "status", "created_at")
    list_filter = ("status", "visibility", "format", "join_policy", "topics")
    search_fields = ("name", "slug", "area_name")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("topics",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [MembershipInline, ScheduleInline]
    actions = ["close_circles"]

    @admin.action(description="Close the selected circles (archive)")
    def close_circles(self, request: HttpRequest, queryset: QuerySet[Circle]) -> None:
        for circle in queryset:
            services.archive_circle(circle=circle, by=request.user)
        messages.success(request, f"Closed {queryset.count()} circle(s).")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Join requests to approval circles, until facilitators approve them on their own
    pages. Approving goes through circles.services."""

    list_display = ("user", "circle", "role", "status", "created_at")
    list_filter = ("status", "role")
    search_fields = ("circle__name", "user__display_name")
    raw_id_fields = ("user", "circle")
    # "Comes every week" takes seats (meetups.services.become_regular): not set here.
    readonly_fields = (
        "join_answer",
        "guidelines_version",
        "guidelines_accepted_at",
        "regular_since",
    )
    actions = ["approve_requests"]

    @admin.action(description="Approve the selected join requests")
    def approve_requests(self, request: HttpRequest, queryset: MembershipQuerySet) -> None:
        approved = 0
        for membership in queryset.pending():
            services.approve_member(membership=membership, by=request.user)
            approved += 1
        messages.success(request, f"Approved {approved} join request(s).")
