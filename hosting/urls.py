"""The facilitator's side keeps the public URLs /circles/new/ and /circles/<slug>/manage/…;
included before circles' own patterns so /circles/new/ is not read as a circle's slug."""

from django.urls import path

from . import views

app_name = "hosting"

urlpatterns = [
    path("circles/<slug:slug>/manage/", views.manage, name="manage"),
    # Starting a circle
    # Meetups
    path("circles/<slug:slug>/manage/meetups/<int:pk>/", views.meetup, name="meetup"),
    path(
        "circles/<slug:slug>/manage/meetups/<int:pk>/change/",
        views.change_meetup,
        name="change_meetup",
    ),
    path(
        "circles/<slug:slug>/manage/meetups/<int:pk>/cancel/",
        views.cancel_meetup,
        name="cancel_meetup",
    ),
    # The series
    path("circles/<slug:slug>/manage/meetups/<int:pk>/series/", views.series, name="series"),
    # Join requests
    # Members
    # Co-facilitators and the circle's state
    # Rotating hosts
    # Messages
    # Still meeting
    # Reports
]
