from django.urls import path

from . import feed, views

app_name = "circles"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("feed.json", feed.meeting_guide_feed, name="feed"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
]
