from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>.ics", views.ics, name="ics"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
]
