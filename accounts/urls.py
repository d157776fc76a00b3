from django.urls import path

from . import notify, views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("unsubscribe/<str:token>/", notify.unsubscribe, name="unsubscribe"),
]
