"""My weeks of check-ins, under /me/ beside accounts' and meetups' pages."""

from django.urls import path

from . import checkin_views

urlpatterns = [
    path("check-ins/", checkin_views.my_checkins, name="my_checkins"),
]
