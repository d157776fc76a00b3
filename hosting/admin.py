"""Moderators' side of hosting: reports routed to them and the log of what facilitators
and moderators did. Reports about one person stay readable only to moderators here.

A report is read, not edited: every field is read-only, and what a moderator does about
it goes through hosting.services (which log it in ActionLog; Django's LogEntry records
the admin action too):

- resolve with a note: the "Resolve with a note" page of a report, or the list action
  for several at once (with a fixed note);
- hide the circle (make it unlisted, hosting.services.hide_circle): the report's "Hide
  the circle" page, or the list action; closing a circle for good stays the circles
  admin's "Close (archive)";
- remove the person a report is about from its circle (and block them from joining
  again): the report's "Remove them from the circle" page, logged with the report.
  Moderators do not manage circles on the site: they act through the report they handle
  (hosting.handle_report, which needs the second factor, as the admin does).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join

from circles.models import Membership
from hosting import services
from hosting.forms import HideCircleForm, RemoveReportedMemberForm, ResolveReportForm
from hosting.models import ActionLog, Report


class QueueFilter(admin.SimpleListFilter):
    """The moderators' queue by default; the facilitators' reports or all on request."""

    title = "who reads it"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [*Report.RoutedTo.choices, ("all", "All")]

    def _chosen(self) -> str:
        return self.value() or Report.RoutedTo.MODERATORS

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        chosen = self._chosen()
        return queryset if chosen == "all" else queryset.filter(routed_to=chosen)

    def choices(self, changelist: ChangeList) -> Iterator[dict[str, Any]]:
        for value, label in self.lookup_choices:
            yield {
                "selected": self._chosen() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "circle", "kind", "about", "routed_to", "status", "created_at")
    list_filter = (QueueFilter, "status", "kind")
    list_select_related = ("circle", "about_user")
    search_fields = ("reason", "circle__name")
    ordering = ("status", "-created_at")
    actions = ["resolve", "hide_circles"]
    fields = (
        "moderate",
        "circle",
        "meetup",
        "about_user",
        "about_description",
        "reporter",
        "kind",
        "reason",
        "details",
        "routed_to",
        "status",
        "created_at",
        "resolved_by",
        "resolved_at",
        "resolution_note",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports come from members, through hosting.services.report_concern.
        return False

    @admin.display(description="about")
    def about(self, report: Report) -> str:
        if report.about_user is not None:
            return report.about_user.display_name
        if report.about_description:
            return report.about_description
        return "the meetup" if report.meetup_id else "the circle"

    @admin.display(description="what to do")
    def moderate(self, report: Report) -> str:
        links = [
            (reverse("admin:hosting_report_resolve", args=[report.pk]), "Resolve with a note"),
            (reverse("admin:hosting_report_hide_circle", args=[report.pk]), "Hide the circle"),
        ]
        if self._reported_membership(report) is not None:
            links.append(
                (
                    reverse("admin:hosting_report_remove_member", args=[report.pk]),
                    "Remove them from the circle",
                )
            )
        if report.status == Report.Status.RESOLVED:
            links = links[1:]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<id:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="hosting_report_resolve",
            ),
            path(
                "<id:pk>/hide-circle/",
                self.admin_site.admin_view(self.hide_circle_view),
                name="hosting_report_hide_circle",
            ),
            path(
                "<id:pk>/remove-member/",
                self.admin_site.admin_view(self.remove_member_view),
                name="hosting_report_remove_member",
            ),
        ]
        return own + super().get_urls()

    def _moderate_page(
        self, request: HttpRequest, report: Report, form: forms.Form, title: str, button: str
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/hosting/report/moderate.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "report": report,
                "form": form,
                "title": title,
                "button": button,
            },
            status=400 if form.is_bound else 200,
        )

    def _report_or_404(self, request: HttpRequest, pk: int) -> Report:
        if not self.has_change_permission(request):
            raise PermissionDenied
        report = get_object_or_404(Report.objects.select_related("circle", "about_user"), pk=pk)
        if not request.user.has_perm("hosting.handle_report", report):
            raise PermissionDenied
        return report

    @staticmethod
    def _reported_membership(report: Report) -> Membership | None:
        """The membership of the person the report is about, while they are in its circle."""
        if report.about_user_id is None:
            return None
        return report.circle.memberships.active().filter(user_id=report.about_user_id).first()

    def remove_member_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._report_or_404(request, pk)
        membership = self._reported_membership(report)
        if membership is None:
            messages.info(request, "They are no longer in the circle.")
            return redirect("admin:hosting_report_change", report.pk)
        form = RemoveReportedMemberForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.remove_member(
                    membership=membership,
                    by=request.user,
                    block=form.cleaned_data["block"],
                    report=report,
                )
            except services.HostingError as error:
                form.add_error(None, error.message)
            else:
                self.log_change(request, report, "Removed the person it is about.")
                messages.success(request, "They are no longer in the circle.")
                return redirect("admin:hosting_report_change", report.pk)
        return self._moderate_page(
            request, report, form, "Remove them from the circle", "Remove them"
        )

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._report_or_404(request, pk)
        form = ResolveReportForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.resolve_report(
                    report=report, by=request.user, note=form.cleaned_data["note"]
                )
            except services.HostingError as error:
                form.add_error(None, error.message)
            else:
                self.log_change(request, report, "Resolved with a note.")
                messages.success(request, "Resolved. The note is kept in the circle's log.")
                return redirect("admin:hosting_report_change", report.pk)
        return self._moderate_page(request, report, form, "Resolve with a note", "Resolve")

    def hide_circle_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._report_or_404(request, pk)
        form = HideCircleForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.hide_circle(
                    circle=report.circle,
                    by=request.user,
                    report=report,
                    note=form.cleaned_data["note"],
                )
            except services.HostingError as error:
                form.add_error(None, error.message)
            else:
                self.log_change(request, report, "Hid the circle.")
                messages.success(
                    request, "The circle is hidden: unlisted, out of browse and search."
                )
                return redirect("admin:hosting_report_change", report.pk)
        return self._moderate_page(request, report, form, "Hide the circle", "Hide it")

    @admin.action(description="Mark the selected reports resolved")
    def resolve(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        resolved = 0
        for report in queryset.open():
            services.resolve_report(report=report, by=request.user, note="Resolved by a moderator.")
            resolved += 1
        messages.success(request, f"Resolved {resolved} report(s).")

    @admin.action(description="Hide the circles of the selected reports (unlist them)")
    def hide_circles(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset.select_related("circle"):
            services.hide_circle(circle=report.circle, by=request.user, report=report)
        messages.success(request, "Hidden: those circles are unlisted now.")


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
