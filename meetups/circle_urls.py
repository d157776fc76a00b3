"""A member's "I come every week" on a circle: served by meetups (it takes seats at the
circle's meetups) under the circle's public URL, /circles/<slug>/every-week/."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/every-week/", views.come_every_week, name="come_every_week"),
    path(
        "<slug:slug>/every-week/stop/",
        views.stop_coming_every_week,
        name="stop_coming_every_week",
    ),
]
