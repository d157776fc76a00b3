"""The facilitator's side keeps the public URLs /circles/new/ and /circles/<slug>/manage/…;
included before circles' own patterns so /circles/new/ is not read as a circle's slug."""

from django.urls import path

from . import views

app_name = "hosting"

urlpatterns = [
    path("circles/<slug:slug>/manage/", views.manage, name="manage"),
    path("circles/<slug:slug>/manage/edit/", views.edit_circle, name="edit_circle"),
    # Starting a circle
    path("circles/new/", views.start, name="start"),
    # Meetups
    path("circles/<slug:slug>/manage/meetups/<id:pk>/", views.meetup, name="meetup"),
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/change/",
        views.change_meetup,
        name="change_meetup",
    ),
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/cancel/",
        views.cancel_meetup,
        name="cancel_meetup",
    ),
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/attendance/",
        views.attendance,
        name="attendance",
    ),
    # The series
    path("circles/<slug:slug>/manage/meetups/<id:pk>/series/", views.series, name="series"),
    # Join requests
    path("circles/<slug:slug>/manage/requests/", views.answer_request, name="answer_request"),
    # Members
    path("circles/<slug:slug>/manage/members/", views.member_action, name="member_action"),
    # Leaving gives up seats at meetups too, so it is served here, above circles and meetups.
    path("circles/<slug:slug>/leave/", views.leave, name="leave"),
    # Co-facilitators and the circle's state
    path(
        "co-facilitate/<id:pk>/",
        views.co_facilitator_invitation,
        name="co_facilitator_invitation",
    ),
    path(
        "circles/<slug:slug>/manage/co-facilitators/<id:pk>/withdraw/",
        views.withdraw_co_facilitator_invitation,
        name="withdraw_co_facilitator_invitation",
    ),
    path("circles/<slug:slug>/manage/state/", views.circle_state, name="circle_state"),
    # An unlisted circle's invite link
    path("circles/<slug:slug>/manage/invite/", views.new_invite_link, name="new_invite_link"),
    # The weekly check-in's day and time
    path("circles/<slug:slug>/manage/check-in-time/", views.checkin_time, name="checkin_time"),
    # Rotating hosts
    path("meetups/<id:pk>/host/offer/", views.offer_to_host, name="offer_to_host"),
    path("meetups/<id:pk>/host/withdraw/", views.withdraw_host_offer, name="withdraw_host_offer"),
    path(
        "circles/<slug:slug>/manage/host-offers/<id:pk>/",
        views.decide_host_offer,
        name="decide_host_offer",
    ),
    # Cover for the host
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/cover/",
        views.ask_for_cover,
        name="ask_for_cover",
    ),
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/cover/settle/",
        views.settle_cover,
        name="settle_cover",
    ),
    path("cover/<id:pk>/", views.cover_request, name="cover_request"),
    # The meeting outline and the facilitators' guide
    path("circles/<slug:slug>/manage/outline/", views.outline, name="outline"),
    path("facilitators/", views.facilitators_guide, name="facilitators_guide"),
    # Messages
    path(
        "circles/<slug:slug>/manage/meetups/<id:pk>/message/",
        views.message_people_going,
        name="message_people_going",
    ),
    # Still meeting
    path(
        "circles/<slug:slug>/still-meeting/<str:token>/",
        views.still_meeting,
        name="still_meeting",
    ),
    # Reports
    path("circles/<slug:slug>/report/", views.report_circle, name="report_circle"),
    path("meetups/<id:pk>/report/", views.report_meetup, name="report_meetup"),
    path(
        "circles/<slug:slug>/manage/reports/<id:pk>/resolve/",
        views.resolve_report,
        name="resolve_report",
    ),
]
