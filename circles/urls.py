from django.urls import path

from . import checkin_views, feed, views

app_name = "circles"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("feed.json", feed.meeting_guide_feed, name="feed"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/guidelines/accept/", views.accept_new_guidelines, name="accept_guidelines"),
    # Weekly check-ins
    path("<slug:slug>/check-in/", checkin_views.checkin, name="checkin"),
    path("<slug:slug>/check-in/consent/", checkin_views.checkin_consent, name="checkin_consent"),
    path("<slug:slug>/check-ins/support/", checkin_views.support, name="support"),
    path(
        "<slug:slug>/check-ins/<id:pk>/support-note/",
        checkin_views.support_note,
        name="support_note",
    ),
    path("<slug:slug>/check-ins/<id:pk>/reply/", checkin_views.reply, name="checkin_reply"),
    path(
        "<slug:slug>/check-ins/<id:pk>/delete/",
        checkin_views.delete_checkin,
        name="delete_checkin",
    ),
    path(
        "<slug:slug>/check-ins/replies/<id:pk>/delete/",
        checkin_views.delete_reply,
        name="delete_reply",
    ),
    path(
        "<slug:slug>/check-ins/replies/<id:pk>/hide/", checkin_views.hide_reply, name="hide_reply"
    ),
]
