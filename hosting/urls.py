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
    path("circles/<slug:slug>/manage/requests/", views.answer_request, name="answer_request"),
    # Members
    path("circles/<slug:slug>/manage/members/", views.member_action, name="member_action"),
    # Leaving gives up seats at meetups too, so it is served here, above circles and meetups.
    path("circles/<slug:slug>/leave/", views.leave, name="leave"),
    # Co-facilitators and the circle's state
    path("circles/<slug:slug>/manage/state/", views.circle_state, name="circle_state"),
    # Rotating hosts
    # Messages
    # Still meeting
    # Reports
]
