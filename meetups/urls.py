from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>.ics", views.ics_file, name="ics"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/capacity/", views.capacity, name="capacity"),
    path("<int:pk>/cancel-meetup/", views.cancel_meetup, name="cancel_meetup"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
]
