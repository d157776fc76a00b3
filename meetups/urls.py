from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>.ics", views.ics_file, name="ics"),
    path("<id:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
    path("<id:pk>/claim/", views.claim, name="claim"),
    path("<id:pk>/cant-make-it/<str:token>/", views.cant_make_it, name="cant_make_it"),
]
