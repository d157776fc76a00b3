"""Moderators' side of hosting: reports routed to them and the log of what facilitators
and moderators did. Reports about one person stay readable only to moderators here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hosting import services
from hosting.models import ActionLog, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "circle", "kind", "routed_to", "status", "created_at")
    list_filter = ("status", "routed_to", "kind")
    search_fields = ("reason", "circle__name")
    raw_id_fields = ("circle", "meetup", "about_user", "reporter", "resolved_by")
    readonly_fields = ("created_at", "resolved_at", "resolved_by")
    actions = ["resolve"]

    @admin.action(description="Mark the selected reports resolved")
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        resolved = 0
        for report in queryset.open():
            services.resolve_report(report=report, by=request.user, note="Resolved by a moderator.")
            resolved += 1
        messages.success(request, f"Resolved {resolved} report(s).")


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "circle", "action", "actor")
    list_filter = ("action",)
    search_fields = ("circle__name", "action")
    raw_id_fields = ("circle", "actor", "subject_user", "meetup", "report")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
