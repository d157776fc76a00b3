"""The facilitator's side keeps the public URLs /circles/new/ and /circles/<slug>/manage/…;
included before circles' own patterns so /circles/new/ is not read as a circle's slug."""

from django.urls import path

from . import views

app_name = "hosting"

urlpatterns = [
    path("circles/<slug:slug>/manage/", views.manage, name="manage"),
    # Starting a circle
    path("circles/new/", views.start, name="start"),
    # Meetups
    # The series
    # Join requests
    # Members
    # Co-facilitators and the circle's state
    # Rotating hosts
    # Messages
    # Still meeting
    # Reports
]
