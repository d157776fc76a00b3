"""My circles and my weeks of check-ins, under /me/ beside accounts' and meetups' pages."""

from django.urls import path

from . import checkin_views, views

urlpatterns = [
    path("circles/", views.my_circles, name="my_circles"),
    path("check-ins/", checkin_views.my_checkins, name="my_checkins"),
]
