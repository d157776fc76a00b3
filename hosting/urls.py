"""The facilitator's side keeps the public URLs /circles/new/ and /circles/<slug>/manage/…;
included before circles' own patterns so /circles/new/ is not read as a circle's slug."""

from django.urls import path

from . import views

app_name = "hosting"

urlpatterns = [
    path("circles/<slug:slug>/manage/", views.manage, name="manage"),
    # Starting a circle
    # Meetups
    # The series
    # Join requests
    # Members
    # Co-facilitators and the circle's state
    # Rotating hosts
    # Messages
    # Still meeting
    # Reports
    path("circles/<slug:slug>/report/", views.report_circle, name="report_circle"),
    path("meetups/<int:pk>/report/", views.report_meetup, name="report_meetup"),
    path(
        "circles/<slug:slug>/manage/reports/<int:pk>/resolve/",
        views.resolve_report,
        name="resolve_report",
    ),
]
