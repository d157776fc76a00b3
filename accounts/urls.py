from django.urls import path

from . import notify, views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/calendar/new/", views.regenerate_calendar, name="regenerate_calendar"),
    path("settings/calendar/off/", views.revoke_calendar, name="revoke_calendar"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.withdraw_consent, name="withdraw_consent"),
    path("language/", views.choose_language, name="choose_language"),
    path("unsubscribe/<str:token>/", notify.unsubscribe, name="unsubscribe"),
]
