from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>.ics", views.ics_file, name="ics"),
    path("<id:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/capacity/", views.capacity, name="capacity"),
    path("<id:pk>/cancel-meetup/", views.cancel_meetup, name="cancel_meetup"),
    path("<id:pk>/attendance/", views.attendance, name="attendance"),
    path("<id:pk>/cant-make-it/<str:token>/", views.cant_make_it, name="cant_make_it"),
]
