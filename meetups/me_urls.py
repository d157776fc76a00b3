from django.urls import path

from . import views

app_name = "me"

urlpatterns = [
    path("meetups/", views.my_meetups, name="meetups"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
]
